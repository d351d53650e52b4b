"""Metadata of the seed articles: title, date with evidence, dateline and attributions.

Reads ``../shared/seeds/*.txt`` (plain page copies). The text cleaner is used when it is
importable; otherwise the raw text stands in for the cleaned text.

    .venv/bin/python eval/seeds_metadata.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
sys.path.insert(0, str(ROOT))

from wiretrace.metadata import extract_metadata  # noqa: E402
from wiretrace.records import CleanedText, RawDocument  # noqa: E402


def _cleaner():
    try:
        from wiretrace.extract.text import clean_text
    except ImportError:
        return None
    return clean_text


def main() -> None:
    if not SEEDS.exists():
        sys.exit(f"seeds not found at {SEEDS}")
    clean_text = _cleaner()
    print(f"cleaner: {'wiretrace.extract.text.clean_text' if clean_text else 'none (raw text)'}")
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        doc = RawDocument(id=path.name, source_path=str(path), kind="text",
                          raw_bytes=text.encode("utf-8"), text=text)
        cleaned = clean_text(text) if clean_text else CleanedText(text=text, method="raw")
        meta = extract_metadata(doc, cleaned)
        date_ev = meta.evidence.get("published")
        print(f"== {path.name}")
        print(f"  title:        {meta.title!r}")
        print(f"  published:    {meta.published}"
              + (f"   <- {date_ev.source} {date_ev.text!r} ({date_ev.confidence})" if date_ev
                 else ""))
        print(f"  dateline:     {meta.dateline!r}")
        print(f"  author:       {meta.author!r}")
        for a in meta.attributions:
            context = cleaned.text[max(0, (a.start or 0) - 30): (a.end or 0) + 20]
            context = " ".join(context.split())
            print(f"  attribution:  {a.name} ({a.kind}) surface={a.surface!r} at {a.start}: "
                  f"…{context}…")


if __name__ == "__main__":
    main()
