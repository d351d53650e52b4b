"""End-to-end quality of every pipeline stage on the bundled sample corpus.

Run: .venv/bin/python eval/sample_corpus.py [--db PATH] [--json]

Ingests wiretrace/data/sample/articles with the full pipeline (clean, metadata, language,
stories, entities) into a temporary store, then scores what was stored against
wiretrace/data/sample/truth.json: cleaning (must_keep kept, must_remove dropped), metadata
(date, title, language, outlet, attributions), stories (B-cubed against truth events, with the
events that were split or merged), storylines and entity variant merging. Figures are broken
down by language where that makes sense, and every miss is listed so it can be routed to the
stage that owns it. ``--db`` scores an existing store instead of ingesting (e.g. one kept from
an earlier run). Provenance is scored by eval/provenance.py. Scoring code is shared with the
floor tests (tests/test_sample_floors.py) through wiretrace.evaluation.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wiretrace.evaluation import (  # noqa: E402
    Tally,
    bcubed,
    gold_labels,
    score_cleaning,
    score_entities,
    score_metadata,
    score_stories,
    score_storylines,
    stored_ids,
    stored_story_of,
)
from wiretrace.sample import load_truth, sample_articles_dir  # noqa: E402
from wiretrace.store import open_store  # noqa: E402

LANGUAGES = ("en", "uk", "ru", "bg", "de", "pl", "fr")


def _clip(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _tally_line(name: str, tally: Tally) -> str:
    langs = " ".join(
        f"{lang} {tally.by_language[lang][0]}/{tally.by_language[lang][1]}"
        for lang in LANGUAGES if lang in tally.by_language
    )
    return f"  {name:<22} {tally.share:6.3f}  ({tally.hits}/{tally.total})   {langs}"


def _misses(tally: Tally, indent: str = "      ") -> list[str]:
    return [f"{indent}{aid}: {_clip(what)}" for aid, what in tally.misses]


def ingest_sample(path: Path) -> dict[str, Any]:
    """Ingest the sample corpus into a store at ``path``; the run's counts and timing."""
    from wiretrace.pipeline import ingest

    started = time.perf_counter()
    store = open_store(path)
    try:
        report = ingest(store, [str(sample_articles_dir())])
    finally:
        store.close()
    return {"counts": report.counts(), "errors": report.errors,
            "seconds": round(time.perf_counter() - started, 1)}


def evaluate(db: Path, truth: dict) -> tuple[dict[str, Any], list[str]]:
    """Figures (for --json) and the printed report for the store at ``db``."""
    store = open_store(db, readonly=True)
    try:
        cleaning = score_cleaning(store, truth)
        metadata = score_metadata(store, truth)
        stories, diagnosis = score_stories(store, truth)
        gold = gold_labels({aid: a["event"] for aid, a in truth["articles"].items()})
        story_of = stored_story_of(store)
        by_language = {
            lang: bcubed(story_of, gold, items=[a for a, info in truth["articles"].items()
                                                if info["language"] == lang])
            for lang in LANGUAGES
        }
        storylines = score_storylines(store, truth)
        entities = score_entities(store, truth)
        stored = len(stored_ids(store, truth))
        in_store = store.count_articles()
    finally:
        store.close()
    out: list[str] = [f"truth articles stored: {stored}/{len(truth['articles'])} "
                      f"(the store holds {in_store})", ""]

    out.append("cleaning (whitespace-normalised substring match)")
    out.append(_tally_line("must_keep kept", cleaning.keep))
    out.append(_tally_line("must_remove removed", cleaning.remove))
    for name, tally in (("must_keep lost", cleaning.keep),
                        ("must_remove left in", cleaning.remove)):
        if tally.misses:
            out.append(f"    {name}:")
            out += _misses(tally)

    out += ["", "metadata"]
    for key, label in (("date", "date (YYYY-MM-DD)"), ("title", "title (tokens)"),
                       ("language", "language"), ("outlet", "outlet (report only)")):
        out.append(_tally_line(label, getattr(metadata, key)))
    attributions = metadata.attributions
    out.append(f"  {'attributions':<22} {attributions}  "
               f"({attributions.tp_predicted} right of {attributions.predicted} stored, "
               f"{attributions.gold} in truth)")
    for key in ("date", "title", "language", "outlet"):
        tally = getattr(metadata, key)
        if tally.misses:
            out.append(f"    {key} misses:")
            out += _misses(tally)
    if metadata.attribution_misses:
        out.append("    attribution differences:")
        out += [f"      {aid}: {what}" for aid, what in metadata.attribution_misses]

    out += ["", "stories (B-cubed over truth events; event-less articles are singletons)",
            f"  {stories}",
            "  per language (each article's B-cubed within the whole grouping): "
            + " ".join(f"{lang} P={score.precision:.2f} R={score.recall:.2f}"
                       for lang, score in by_language.items())]
    for event, parts in sorted(diagnosis.split.items(), key=lambda kv: str(kv[0])):
        out.append(f"    split {event}: " + " | ".join(", ".join(sorted(p)) for p in parts))
    for story, parts in sorted(diagnosis.merged.items(), key=lambda kv: str(kv[0])):
        pieces = []
        for label, ids in sorted(parts.items(), key=lambda kv: str(kv[0])):
            name = label if isinstance(label, str) else "(no event)"
            pieces.append(f"{name}: {', '.join(sorted(ids))}")
        out.append(f"    merged in {story}: " + " | ".join(pieces))

    out += ["", "storylines"]
    for line, ok in storylines.linked.items():
        out.append(f"  {line}: {'linked' if ok else 'NOT linked'}")
    out.append(f"  linked story pairs: {storylines.pairs}")
    out.append(f"  unrelated stories in a storyline: {len(storylines.unrelated)}")
    for line_id, story_ids in sorted(storylines.members.items()):
        names = []
        for story in sorted(story_ids):
            label = storylines.story_event.get(story)
            flag = " UNRELATED" if (line_id, story) in storylines.unrelated else ""
            event = label if isinstance(label, str) else f"no event: {label[1]}"
            names.append(f"{story} = {event}{flag}")
        out.append(f"    {line_id}: " + "; ".join(names))

    out += ["", "entities (truth variants located through the mentions covering them)"]
    together = sum(entities.together.values())
    apart = sum(entities.apart.values())
    out.append(f"  all variants in one entity: {together}/{len(entities.together)}")
    out.append(f"  distinct_from pairs kept apart: {apart}/{len(entities.apart)}")
    out.append(f"  variant-pair merges: {entities.pairs}")
    for name, ok in entities.together.items():
        if not ok:
            spread: dict[str, list[str]] = {}
            for variant, where in entities.entity_of.items():
                if variant in next(e["variants"] for e in truth["entities"] if e["name"] == name):
                    spread.setdefault(", ".join(where) or "(not found)", []).append(variant)
            out.append(f"    {name} spread over: "
                       + " | ".join(f"{k}: {', '.join(v)}" for k, v in spread.items()))
    if entities.not_found:
        out.append("    variants in no entity:")
        out += [f"      {name}: {variant!r} ({why})" for name, variant, why in entities.not_found]
    for pair, ok in entities.apart.items():
        if not ok:
            out.append(f"    merged although distinct: {pair[0]} / {pair[1]}")

    figures = {
        "articles_stored": stored,
        "cleaning": {k: {"share": t.share, "by_language": t.by_language}
                     for k, t in (("keep", cleaning.keep), ("remove", cleaning.remove))},
        "metadata": {
            **{k: {"share": getattr(metadata, k).share,
                   "by_language": getattr(metadata, k).by_language}
               for k in ("date", "title", "language", "outlet")},
            "attributions": {"precision": attributions.precision, "recall": attributions.recall},
        },
        "stories": {"precision": stories.precision, "recall": stories.recall, "f1": stories.f1,
                    "by_language": {lang: [score.precision, score.recall]
                                    for lang, score in by_language.items()},
                    "split": sorted(map(str, diagnosis.split)), "merged": len(diagnosis.merged)},
        "storylines": {"linked": storylines.linked, "unrelated": len(storylines.unrelated),
                       "precision": storylines.pairs.precision, "recall": storylines.pairs.recall},
        "entities": {"together": together, "of": len(entities.together), "apart": apart,
                     "apart_of": len(entities.apart), "precision": entities.pairs.precision,
                     "recall": entities.pairs.recall},
    }
    return figures, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="score this store instead of ingesting afresh")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    truth = load_truth()
    with tempfile.TemporaryDirectory(prefix="wiretrace-sample-") as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "sample.db"
            run = ingest_sample(db)
            print(f"ingested in {run['seconds']} s: {run['counts']}", file=sys.stderr)
            for path, code, message in run["errors"]:
                print(f"  error {code} {path}: {message}", file=sys.stderr)
        figures, lines = evaluate(db, truth)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
