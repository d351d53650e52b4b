"""What signals cost per article: isolated signals (techniques, genre, headline) over the
sample corpus texts, and optionally over the SemEval genre articles.

Ingest computes signals as its last stage; ``bench/throughput.py`` prints that stage's share
of end-to-end ingest time (budget: at most 20%). This prints the isolated signals' own cost
per article, apart from the store and the traces.

    .venv/bin/python bench/signals.py [--shared] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from wiretrace.sample import article_raw_text, load_truth  # noqa: E402
from wiretrace.signals import analyze_text  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", action="store_true", help="also the SemEval genre articles")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    truth = load_truth()
    docs = [(a.get("title"), article_raw_text(aid, truth), a["language"])
            for aid, a in truth["articles"].items()]
    if args.shared:
        path = REPO.parent / "shared" / "data" / "manipulation" / "genre-train.jsonl"
        with path.open(encoding="utf-8") as fh:
            docs += [(r.get("title"), r["text"], r["language"]) for r in map(json.loads, fh)]
    analyze_text(docs[0][1], docs[0][0], docs[0][2])  # load the models
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        for title, text, lang in docs:
            analyze_text(text, title, lang)
        best = min(best, time.perf_counter() - started)
    chars = sum(len(t) for _, t, _ in docs)
    print(f"{len(docs)} articles, {chars / len(docs):.0f} chars each on average")
    print(f"signals: {1000 * best / len(docs):.1f} ms per article, "
          f"{len(docs) / best:.1f} articles/s on one core (best of {args.repeat})")


if __name__ == "__main__":
    main()
