"""Provenance on the five seed articles: what the trace says, and the checks it must pass.

Run: .venv/bin/python eval/provenance_seeds.py [--json]
Reads ../shared/seeds; embeddings are cached under .cache/provenance/.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CACHE = ROOT / ".cache" / "provenance"
sys.path.insert(0, str(ROOT))

from wiretrace.language import detect_language  # noqa: E402
from wiretrace.provenance import trace_story_articles  # noqa: E402
from wiretrace.provenance.offline import article_from_text, represent_cached  # noqa: E402

# Known facts about the seeds, used only when the metadata stage is not available.
KNOWN = {
    "000": {"published": "2025-04-26T07:44:15", "credits": ["AP"], "surface": "(AP)"},
    "001": {"published": None, "credits": []},
    "002": {"published": "2025-10-17", "credits": ["Reuters"]},
    "003": {"published": "2025-10-17T17:16:00", "credits": ["Reuters"], "surface": "Ройтерс"},
    "004": {"published": "2025-10-17", "credits": ["Reuters"]},
}


def _pipeline_article(path: Path):
    """The article as the project's own pipeline reads it, or None when that is unavailable."""
    try:
        from wiretrace.pipeline import process_document
        from wiretrace.sources import read_file
    except ImportError:
        return None
    for doc in read_file(path, path.name):
        try:
            return process_document(doc)
        except Exception:  # noqa: BLE001 - a stage still being built: use the fallback
            return None
    return None


def _fallback_article(path: Path, raw: str):
    try:
        from wiretrace.extract.text import clean_text

        text = clean_text(raw, language=detect_language(raw)[0]).text
    except ImportError:
        text = "\n\n".join(ln for ln in raw.splitlines() if len(ln.split()) >= 8)
    known = KNOWN[path.name[:3]]
    return article_from_text(
        path.name[:3], text, published=known["published"], credits=known["credits"]
    )


def load_seeds():
    """Seed articles (ids 000-004). Dates/attributions the metadata stage misses are filled
    from the known facts, and each such fill is reported."""
    articles, notes = [], []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        article = _pipeline_article(path) or _fallback_article(path, raw)
        article.id = path.name[:3]
        known = KNOWN[article.id]
        md = article.metadata
        if not md.published and known["published"]:
            md.published = known["published"]
            notes.append(f"{article.id}: date from known facts")
        if not md.attributions and known["credits"]:
            filled = article_from_text(
                article.id, article.text, credits=known["credits"], language=article.language
            )
            md.attributions = filled.metadata.attributions
            notes.append(f"{article.id}: attribution from known facts")
        notes.append(
            f"{article.id}: lang={article.language} published={md.published} "
            f"credits={[a.name for a in md.attributions]} sentences-in={len(article.text)} chars"
        )
        articles.append(article)
    return articles, notes


def main() -> int:
    if not SEEDS.exists():
        print(f"skipped: no seeds at {SEEDS}")
        return 0
    articles, notes = load_seeds()
    reprs = represent_cached(articles, CACHE)
    story1 = [a for a in articles if a.id in ("000", "001")]
    story2 = [a for a in articles if a.id in ("002", "003", "004")]
    t1 = trace_story_articles(story1, reprs, "seeds-1")
    t2 = trace_story_articles(story2, reprs, "seeds-2")
    if "--json" in sys.argv:
        print(json.dumps({"story1": t1, "story2": t2}, ensure_ascii=False, indent=2))
        return 0
    print("inputs:")
    for note in notes:
        print("  " + note)
    for trace in (t1, t2):
        print(f"\n== {trace['story']}: origins {trace['origins']}")
        for e in trace["edges"] + trace.get("hidden_edges", []):
            hidden = " (hidden: below the display threshold)" if e in trace.get("hidden_edges", []) else ""
            print(
                f"  {e['from']} -> {e['to']}  {e['kind']}  conf {e['confidence']}{hidden}  "
                f"{e.get('features', {})}"
            )
        print(f"  verdicts: {trace.get('verdicts')}")
        print(f"  date_conflicts: {trace['date_conflicts']}")
    d1 = t1["articles"]["001"]
    print("\n001 added:")
    for a in d1["added"]:
        print("  +", a["text"][:110])
    print("001 omitted:")
    for o in d1["omitted"]:
        print("  -", o["text"][:110])
    print("001 altered:")
    for a in d1["altered"]:
        print(
            f"  ~ [{a['what']}: {a['detail']}]\n      {a['source_text'][:100]}\n   -> {a['text'][:100]}"
        )

    checks = []
    src_001 = d1["source"]
    checks.append(("001 derived from 000 or AP", src_001 in ("000", "AP")))
    added_text = " ".join(a["text"] for a in d1["added"])
    checks.append(
        (
            "January 6th / pensions paragraph added",
            "January 6th" in added_text and "pension" in added_text,
        )
    )
    missiles = [a for a in d1["altered"] if "nuclear" in a["text"] and "strengthened" in a["what"]]
    checks.append(
        ("troops and missiles -> nuclear missiles altered (strengthened)", bool(missiles))
    )
    omitted_text = " ".join(o["text"] for o in d1["omitted"])
    ap_only = ["Havasi", "35,000", "Bialiatski", "Karbalevich"]
    checks.append(
        (f"AP-only facts omitted ({', '.join(ap_only)})", all(w in omitted_text for w in ap_only))
    )
    unchanged = [
        a
        for a in d1["altered"]
        if set(re.findall(r"\w+", a["source_text"].lower()))
        == set(re.findall(r"\w+", a["text"].lower()))
    ]
    checks.append(("no unchanged sentence reported as altered", not unchanged))
    for art in ("002", "003", "004"):
        checks.append((f"{art} traces to Reuters", t2["articles"][art]["source"] == "Reuters"))
    checks.append(("003 translation-style", t2["articles"]["003"]["kind"] == "translation"))
    flagged = {c["article"] for c in t1["date_conflicts"]}
    dated_neighbours = [
        e["to"] if e["from"] == "000" else e["from"]
        for e in t1["edges"]
        if "000" in (e["from"], e["to"])
        and next(
            (a.published for a in articles if a.id in (e["from"], e["to"]) and a.id != "000"), None
        )
    ]
    print(
        f"\n000 page date {next(a.published for a in articles if a.id == '000')}: "
        f"{'flagged' if '000' in flagged else 'not flagged'}; its graph neighbours "
        f"{[e['from'] if e['to'] == '000' else e['to'] for e in t1['edges'] if '000' in (e['from'], e['to'])]}"
        f" carry {'dates ' + str(dated_neighbours) if dated_neighbours else 'no date'}, so the graph "
        "gives no evidence against it (the AP credit has no date of its own)."
    )
    checks.append(
        ("000 date not flagged without dated evidence (001 is undated)", "000" not in flagged)
    )
    print()
    for name, ok in checks:
        print(f"[{'PASS' if ok else 'FAIL'}] {name}")
    print(f"\n{sum(ok for _, ok in checks)}/{len(checks)} checks pass")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
