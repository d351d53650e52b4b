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
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PAIRS = REPO / "tests" / "fixtures" / "entities" / "orgplace_pairs.tsv"

sys.path.insert(0, str(REPO / "eval"))

from entities import load_pairs as load_name_pairs  # noqa: E402
from entities import print_split_table  # noqa: E402

from wiretrace.entities import same_entity  # noqa: E402


def load_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    return load_name_pairs(path)


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
    print_split_table(pairs, [d.same for d in decisions])
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
