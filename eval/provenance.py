"""Provenance against the bundled sample corpus ground truth.

Run: .venv/bin/python eval/provenance.py [--verbose]

Articles are read with the project's own sources and pipeline, grouped by their true event (so
this measures provenance, not clustering), traced, and compared with
wiretrace/data/sample/truth.json: precision/recall of derivation edges (with and without
kind) and of added / omitted / altered sentences. Embeddings are cached under
.cache/provenance/.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "wiretrace" / "data" / "sample"
CACHE = ROOT / ".cache" / "provenance"
sys.path.insert(0, str(ROOT))

from wiretrace.pipeline import process_document  # noqa: E402
from wiretrace.provenance import trace_story_articles  # noqa: E402
from wiretrace.provenance.evaluate import score_traces  # noqa: E402
from wiretrace.provenance.offline import represent_cached  # noqa: E402
from wiretrace.sources import iter_documents  # noqa: E402


def load_articles():
    articles = {}
    for doc in iter_documents([str(SAMPLE / "articles")]):
        if isinstance(doc, Exception):
            continue
        try:
            article = process_document(doc)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"skipped {doc.id}: {exc}", file=sys.stderr)
            continue
        articles[article.id] = article
    return articles


def earliest_baseline(members) -> dict:
    """Every article derives from the earliest-dated one of its event."""
    ordered = sorted(members, key=lambda a: (a.published is None, a.published or "", a.id))
    origin = ordered[0]
    edges = [
        {
            "from": origin.id,
            "to": a.id,
            "kind": "copy" if a.language == origin.language else "translation",
        }
        for a in ordered[1:]
    ]
    empty = {"added": [], "omitted": [], "altered": []}
    return {"edges": edges, "articles": {a.id: dict(empty) for a in members}, "date_conflicts": []}


def main() -> int:
    verbose = "--verbose" in sys.argv
    if not (SAMPLE / "truth.json").exists():
        print(f"skipped: no sample corpus truth at {SAMPLE}")
        return 0
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    articles = load_articles()
    reprs = represent_cached(list(articles.values()), CACHE)
    events: dict[str, list[str]] = defaultdict(list)
    for aid, info in truth["articles"].items():
        if info.get("event") and aid in articles:
            events[info["event"]].append(aid)
    traces = {
        event: trace_story_articles([articles[i] for i in ids], reprs, event)
        for event, ids in sorted(events.items())
    }
    scores = score_traces(traces.values(), truth, articles)
    baseline = score_traces(
        [earliest_baseline([articles[i] for i in ids]) for ids in events.values()], truth, articles
    )
    if verbose:
        diffs_pred = {k: v for t in traces.values() for k, v in t["articles"].items()}
        for to_id, tdiff in truth["diffs"].items():
            pdiff = diffs_pred.get(to_id, {})
            print(f"\n{to_id}: source truth={tdiff.get('source')} pred={pdiff.get('source')}")
            for p in pdiff.get("altered", []):
                print(f"  ~ {p['what']}: {p['detail']} | {p['text'][:80]}")
            for t in tdiff.get("altered", []):
                print(f"  T~ {t['what']}: {t['source_text'][:40]} -> {t['text'][:50]}")
        predicted = {(e["from"], e["to"]) for t in traces.values() for e in t["edges"]}
        true = {(d["from"], d["to"]) for d in truth["derivations"]}
        print("\nedges missed:", sorted(true - predicted))
        print("edges extra:", sorted(predicted - true))
    true_edges = len(truth["derivations"])
    print(f"\nsample corpus: {len(articles)} articles, {len(events)} events, {true_edges} true edges")
    print(f"{'measure':<16}{'precision':>10}{'recall':>10}{'F1':>8}{'baseline F1':>13}")
    for name, m in scores.items():
        print(
            f"{name:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}"
            f"{baseline[name]['f1']:>13.3f}"
        )
    print("baseline: every article derives from the earliest of its event; copy within a")
    print("language, translation across; no diff.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
