"""Entity quality: name-merge precision/recall on the project's pair set, and NER per language.

Reads ``tests/fixtures/entities/name_pairs.tsv`` (name_a, name_b, same, category, split) and
reports precision and recall of ``same_entity`` on the dev half (used for tuning) and the
test half (not looked at while tuning), with a per-category breakdown and errors. The same
for organisations and places on ``orgplace_pairs.tsv`` (details: eval/entities_orgplace.py).
Then scores
recognition (mention span + type) on ``tests/fixtures/entities/ner_*.jsonl``. A comparison
baseline — plain Damerau-Levenshtein similarity >= 0.8 on unidecoded, lower-cased names — is
printed next to the merge figures.

    .venv/bin/python eval/entities.py [--errors]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
FIXTURES = REPO / "tests" / "fixtures" / "entities"

from rapidfuzz.distance import DamerauLevenshtein  # noqa: E402

from wiretrace.entities import recognize, same_entity  # noqa: E402
from wiretrace.lang.names import to_ascii  # noqa: E402

LANGUAGES = ("en", "ru", "bg", "uk", "de")


def load_pairs(path: Path = FIXTURES / "name_pairs.tsv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def precision_recall(gold: list[bool], pred: list[bool]) -> tuple[float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def baseline(a: str, b: str) -> bool:
    return DamerauLevenshtein.normalized_similarity(to_ascii(a).lower(), to_ascii(b).lower()) >= 0.8


def print_split_table(pairs: list[dict[str, str]], same: list[bool]) -> None:
    """Precision and recall of the ``same`` decisions per split, beside the edit-distance baseline."""
    print(f"{'split':6} {'n':>4}  {'precision':>9} {'recall':>7}   baseline P/R (DL>=0.8)")
    for split in ("dev", "test", "all"):
        idx = [i for i, p in enumerate(pairs) if split == "all" or p["split"] == split]
        gold = [pairs[i]["same"] == "1" for i in idx]
        p, r = precision_recall(gold, [same[i] for i in idx])
        bp, br = precision_recall(gold, [baseline(pairs[i]["name_a"], pairs[i]["name_b"]) for i in idx])
        print(f"{split:6} {len(idx):>4}  {p:9.3f} {r:7.3f}   {bp:.3f}/{br:.3f}")


def score_ner(language: str, split: str | None = None) -> tuple[float, float, int, list[str]]:
    """Precision and recall of (surface, type) mentions against the annotated sentences.

    ``split`` "dev" is the sentences the rules were developed on, "test" the ones written
    afterwards and not tuned on; None scores both.
    """
    tp = fp = fn = 0
    errors = []
    path = FIXTURES / f"ner_{language}.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    lines = [x for x in lines if split is None or x.get("split", "dev") == split]
    for item in lines:
        gold = Counter((s, t) for s, t in item["entities"])
        pred = Counter((m.text, m.type) for m in recognize(item["text"], language))
        tp += sum((gold & pred).values())
        fp += sum((pred - gold).values())
        fn += sum((gold - pred).values())
        if gold != pred:
            errors.append(f"{language}: extra {dict(pred - gold)} missed {dict(gold - pred)}")
    return tp / max(1, tp + fp), tp / max(1, tp + fn), len(lines), errors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="print every wrong decision")
    args = parser.parse_args()
    pairs = load_pairs()
    started = time.perf_counter()
    decisions = [same_entity(p["name_a"], p["name_b"], type="person") for p in pairs]
    elapsed = time.perf_counter() - started
    print(f"name pairs: {len(pairs)} ({sum(p['same'] == '1' for p in pairs)} same), "
          f"{len(pairs) / elapsed:.0f} decisions/s\n")
    print_split_table(pairs, [d.same for d in decisions])
    print("\nper category (all splits): accuracy")
    by_cat: dict[str, list[bool]] = defaultdict(list)
    for p, d in zip(pairs, decisions, strict=True):
        by_cat[p["category"]].append((p["same"] == "1") == d.same)
    for cat, oks in sorted(by_cat.items()):
        print(f"  {cat:20} {sum(oks):>3}/{len(oks):<3} {sum(oks) / len(oks):.3f}")
    wrong = [(p, d) for p, d in zip(pairs, decisions, strict=True) if (p["same"] == "1") != d.same]
    if args.errors or len(wrong) <= 15:
        for p, d in wrong:
            print(f"  WRONG [{p['split']}/{p['category']}] {p['name_a']} | {p['name_b']} -> "
                  f"{d.same} ({d.score:.2f}, {d.reason})")
    print("\norganisation and place pairs (tests/fixtures/entities/orgplace_pairs.tsv)")
    org_pairs = load_pairs(FIXTURES / "orgplace_pairs.tsv")
    org_decisions = [same_entity(p["name_a"], p["name_b"], type=p["type"]).same for p in org_pairs]
    print_split_table(org_pairs, org_decisions)
    print("\nrecognition (mention surface + type) on tests/fixtures/entities/ner_*.jsonl")
    for language in LANGUAGES:
        row = []
        for split in ("dev", "test", None):
            p, r, n, errors = score_ner(language, split)
            row.append(f"{split or 'all'} n={n:<2} P {p:.3f} R {r:.3f}")
            if args.errors and split is not None:
                for e in errors:
                    print(f"      [{split}] {e}")
        print(f"  {language}: " + "   ".join(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
