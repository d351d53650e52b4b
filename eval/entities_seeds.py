"""Entities on the seed articles: which variants merge, and that different people stay apart.

Reads ``../shared/seeds/*.txt``, cleans them with ``wiretrace.extract.text.clean_text`` when
available, recognises mentions per article, resolves them across articles and prints every
person entity with its variants and the reason each was merged. Then checks the name groups
DESIGN.md asks for: each group must land in one entity, and no entity may hold two groups.

    .venv/bin/python eval/entities_seeds.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
sys.path.insert(0, str(REPO))

from wiretrace.entities import recognize, resolve  # noqa: E402
from wiretrace.entities.merge import given_compatible, parse_name  # noqa: E402
from wiretrace.lang.names import is_cyrillic  # noqa: E402
from wiretrace.language import detect_language  # noqa: E402

# Groups of spellings that must each end in one entity (distinct people across groups).
EXPECTED = {
    "Lukashenko": ["Lukashenko", "Lukashenka", "Лукашенко", "Lukasehnko"],
    "Tsikhanouskaya": ["Tsikhanouskaya", "Тихановская"],
    "Ambrazevich": ["Ambrazevich", "Амбразевич"],
    "Szijjarto": ["Szijjarto", "Szijjártó", "Сиярто"],
    "Orban": ["Orban", "Orbán", "Орбан"],
}


def _clean(text: str, language: str | None) -> str:
    try:
        from wiretrace.extract.text import clean_text
    except ImportError:
        return text
    cleaned = clean_text(text, language=language)
    return ((cleaned.title or "") + "\n\n" + cleaned.text) if cleaned.title else cleaned.text


def main() -> int:
    if not SEEDS.exists():
        print(f"no seeds at {SEEDS}", file=sys.stderr)
        return 2
    by_article = {}
    started = time.perf_counter()
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        language, _ = detect_language(raw[:4000])
        text = _clean(raw, language)
        by_article[path.stem] = recognize(text, language)
    entities = resolve(by_article)
    elapsed = time.perf_counter() - started
    print(f"{len(by_article)} seed articles, {sum(map(len, by_article.values()))} mentions, "
          f"{len(entities)} entities in {elapsed:.1f}s\n")
    for e in entities:
        if e.type != "person":
            continue
        print(f"{e.name}  [{len(e.articles)} articles: {', '.join(a[:3] for a in e.articles)}]")
        for v in e.variants:
            print(f"    {v.surface!r:32} x{v.count:<3} {v.rule:16} {v.score:.2f}  {v.reason}")
    print()
    failures = 0
    home: dict[str, set[int]] = {}
    for group, spellings in EXPECTED.items():
        holders = set()
        for spelling in spellings:
            for i, e in enumerate(entities):
                if any(spelling in v.surface.split() or v.surface == spelling
                       or (is_cyrillic(spelling) and v.surface.startswith(spelling)) for v in e.variants):
                    holders.add(i)
        home[group] = holders
        present = [s for s in spellings if any(
            s in v.surface for e in entities for v in e.variants)]
        ok = len(holders) == 1
        failures += not ok
        print(f"{'OK ' if ok else 'BAD'} {group}: spellings found {present} -> "
              f"{len(holders)} entit{'y' if len(holders) == 1 else 'ies'}"
              f" {[entities[i].name for i in holders]}")
    groups = list(home)
    for x in range(len(groups)):
        for y in range(x + 1, len(groups)):
            shared = home[groups[x]] & home[groups[y]]
            if shared:
                failures += 1
                print(f"BAD {groups[x]} and {groups[y]} merged into {[entities[i].name for i in shared]}")
    # no entity may hold two full names whose given names disagree (Alexander vs Viktor)
    for e in entities:
        full = [parse_name(v.surface, "person") for v in e.variants if e.type == "person"]
        full = [p for p in full if p.given]
        for x in range(len(full)):
            for y in range(x + 1, len(full)):
                ok, why = given_compatible(full[x].given[0], full[y].given[0])
                if not ok:
                    failures += 1
                    print(f"BAD {e.name}: {full[x].surface} / {full[y].surface} ({why})")
    print(f"\n{'all merges as expected, no different people merged' if not failures else f'{failures} problems'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
