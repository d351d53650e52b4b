"""Show what ``clean_text`` keeps and removes on each seed page, with the expected checks.

    .venv/bin/python eval/seeds_cleaning.py [--full]

For every seed it prints the title, the kept paragraphs (shortened unless ``--full``) and each
removal with its reason and line number, then a PASS/FAIL line per expectation: boilerplate
that must go (with the reason it must carry) and article text that must stay.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEEDS = ROOT.parent / "shared" / "seeds"

from wiretrace.extract.text import clean_text  # noqa: E402

# Per seed: (fragment that must be removed, accepted reasons) and fragments that must be kept.
# Fragments are short probes into the seed texts, read from ../shared at run time.
EXPECT_REMOVED: dict[str, list[tuple[str, set[str]]]] = {
    "000": [
        ("Current:Home > reviews", {"navigation", "duplicate-title"}),
        ("View", {"details", "counter", "navigation"}),
        ("Date:2025-04-26", {"date-line"}),
        ("veryGood! (6633)", {"counter"}),
        ("Related", {"related-links"}),
        ("Paula Abdul settles", {"related-links"}),
        ("Ranking", {"related-links"}),
        ("Skins Game to make return", {"related-links"}),
        ("Recommendation", {"related-links"}),
        ("Amari Cooper, Cleveland Browns", {"related-links"}),
    ],
    "001": [("Source link", {"source-link"})],
    "002": [("ua en ru", {"language-switcher"})],
    "003": [
        ("1 087 22", {"counter", "date-line"}),
        ("Снимка: БГНЕС/ЕРА", {"caption"}),
        ("Ганя Путинофила", {"comments"}),
        ("Ще клекнат и двамцата", {"comments"}),
        ("Този коментар е премахнат", {"comments"}),
        ("Коментиран от #22", {"comments"}),
        ("Ами съда от Хага", {"comments"}),
        ("17:18 17.10.2025", {"comments"}),
    ],
    "004": [
        ("might disappear as a state", {"teaser"}),
        ("Details", {"details"}),
    ],
}
EXPECT_KEPT: dict[str, list[str]] = {
    "000": [
        "TALLINN, Estonia (AP)",
        "Szijjarto previously visited",
        "Karbalevich said, noting",
        "the gateway to Europe for China",
    ],
    "001": ["In conclusion, Belarus leader"],
    "002": ["Belarusian President Alexander Lukashenko is seeking", "Earlier, with US assistance"],
    "003": [
        "Беларус отправя дипломатически сигнали",
        "Лидерът на беларуската опозиция",
        "Основна цел за Лукашенко",
    ],
    "004": [
        "Belarus is trying to establish contacts",
        "Ambrazevich seeks to convey the message",
        "They feel that with Trump",
        "Belarus remains under strict European Union sanctions",
    ],
}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="print kept paragraphs in full")
    args = parser.parse_args()
    if not SEEDS.exists():
        sys.exit(f"seeds not found at {SEEDS}")
    failures = 0
    for path in sorted(SEEDS.glob("*.txt")):
        seed = path.name[:3]
        raw = path.read_text(encoding="utf-8")
        result = clean_text(raw)
        print(f"=== {path.name}")
        print(f"title: {result.title!r}")
        paragraphs = result.text.split("\n\n")
        print(f"kept {len(paragraphs)} paragraphs:")
        for paragraph in paragraphs:
            shown = paragraph if args.full or len(paragraph) <= 100 else paragraph[:97] + "..."
            print(f"  + {shown}")
        print(f"removed {len(result.removed)}:")
        for removal in result.removed:
            shown = removal.text if len(removal.text) <= 80 else removal.text[:77] + "..."
            print(f"  - [{removal.reason}] line {removal.line}: {shown}")
        for probe, reasons in EXPECT_REMOVED.get(seed, []):
            hit = [r for r in result.removed if probe in r.text]
            ok = bool(hit) and all(r.reason in reasons for r in hit) and probe not in result.text
            failures += not ok
            got = ",".join(sorted({r.reason for r in hit})) or "not removed"
            print(f"  {'PASS' if ok else 'FAIL'} removed {probe!r} ({got})")
        for probe in EXPECT_KEPT.get(seed, []):
            ok = probe in result.text
            failures += not ok
            print(f"  {'PASS' if ok else 'FAIL'} kept {probe!r}")
        # Every sentence-like line of the source that is not removed must be in the body.
        removed_text = " ".join(r.text for r in result.removed)
        lost = [
            s
            for line in raw.splitlines()
            for s in _sentences(line)
            if s not in result.text and s not in removed_text
        ]
        if lost:
            failures += 1
            print(f"  FAIL {len(lost)} sentences neither kept nor listed as removed")
    print(f"\n{'all seed checks pass' if not failures else f'{failures} seed checks failed'}")


if __name__ == "__main__":
    main()
