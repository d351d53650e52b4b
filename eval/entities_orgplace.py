"""Organisation and place merging: precision/recall of ``same_entity`` on the org/place pairs.

Reads ``tests/fixtures/entities/orgplace_pairs.tsv`` (name_a, name_b, type, same, category,
split): the same organisation or place in other languages, scripts, spellings and case forms
(positives), and hard look-alikes (negatives: acronym clashes such as UNN/UN and APA/AP,
neighbouring regions, a city and its region, a region and its district, similar country
names). Pairs are split by entity group, so no organisation or place in the test half appears
in the dev half. Prints P/R per split, accuracy per category and the wrong decisions on dev
(``--errors`` adds the test half).

    .venv/bin/python eval/entities_orgplace.py [--errors]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PAIRS = REPO / "tests" / "fixtures" / "entities" / "orgplace_pairs.tsv"

from rapidfuzz.distance import DamerauLevenshtein  # noqa: E402

from wiretrace.entities import same_entity  # noqa: E402
from wiretrace.entities.normalize import to_ascii  # noqa: E402


def load_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def precision_recall(gold: list[bool], pred: list[bool]) -> tuple[float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def baseline(a: str, b: str) -> bool:
    """Plain Damerau-Levenshtein similarity >= 0.8 on transliterated, lower-cased names."""
    return DamerauLevenshtein.normalized_similarity(to_ascii(a).lower(), to_ascii(b).lower()) >= 0.8


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="also print wrong decisions on the test half")
    args = parser.parse_args()
    pairs = load_pairs()
    started = time.perf_counter()
    decisions = [same_entity(p["name_a"], p["name_b"], type=p["type"]) for p in pairs]
    elapsed = time.perf_counter() - started
    print(f"org/place pairs: {len(pairs)} ({sum(p['same'] == '1' for p in pairs)} same), "
          f"{len(pairs) / elapsed:.0f} decisions/s\n")
    print(f"{'split':6} {'n':>4}  {'precision':>9} {'recall':>7}   baseline P/R (DL>=0.8)")
    for split in ("dev", "test", "all"):
        idx = [i for i, p in enumerate(pairs) if split == "all" or p["split"] == split]
        gold = [pairs[i]["same"] == "1" for i in idx]
        pred = [decisions[i].same for i in idx]
        base = [baseline(pairs[i]["name_a"], pairs[i]["name_b"]) for i in idx]
        p, r = precision_recall(gold, pred)
        bp, br = precision_recall(gold, base)
        print(f"{split:6} {len(idx):>4}  {p:9.3f} {r:7.3f}   {bp:.3f}/{br:.3f}")
    print("\nper category (all splits): accuracy")
    by_cat: dict[str, list[bool]] = defaultdict(list)
    for p, d in zip(pairs, decisions, strict=True):
        by_cat[f"{p['category']} ({'same' if p['same'] == '1' else 'apart'})"].append(
            (p["same"] == "1") == d.same)
    for cat, oks in sorted(by_cat.items()):
        print(f"  {cat:34} {sum(oks):>3}/{len(oks):<3} {sum(oks) / len(oks):.3f}")
    for p, d in zip(pairs, decisions, strict=True):
        if (p["same"] == "1") != d.same and (p["split"] == "dev" or args.errors):
            print(f"  WRONG [{p['split']}/{p['category']}] {p['name_a']} | {p['name_b']} -> "
                  f"{d.same} ({d.score:.2f}, {d.reason})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
