"""``wiretrace import``: a batch dataset (or the part of it a filter selects) into a store,
through the store's own repositories, so that ``stories``, ``trace``, ``serve`` and the report
read it as they read an ingested collection.

Stories are written from a clusterer restored to the dataset's decisions (members in their
joining order, each with the link that brought it in), traces are kept under the members hash
of the story they were computed for, signals under the trace entry they were computed
with, and mentions are resolved into entities by the entities
stage's own resolution. Each later stage is marked done for the imported articles, so a later
``ingest`` into the same store carries on from there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..batching import batched
from ..errors import UsageError
from ..representations import ArticleRepr
from ..stories.cluster import Link, Merge, StoryClusterer
from .dataset import Dataset
from .records import row_to_article, row_to_repr

IMPORT_BATCH = 500  # articles per store transaction
# The later stages whose output a dataset holds (marked done for the imported articles).
IMPORTED_STAGES = ("representations", "stories", "entities", "traces", "signals")


@dataclass
class ImportReport:
    articles: int = 0
    stories: int = 0
    traces: int = 0
    entities: int = 0
    signals: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"articles": self.articles, "stories": self.stories, "traces": self.traces,
                "entities": self.entities, "signals": self.signals}


def _day(value: str | None) -> str | None:
    return value[:10] if value else None


def select_articles(
    ds: Dataset, *, since: str | None = None, until: str | None = None,
    lang: str | None = None, entity: str | None = None,
) -> set[str]:
    """Ids of the dataset's articles that pass every filter given: publication day within
    ``since``..``until`` (an undated article passes no date filter), ``lang``, and a mention
    of ``entity`` (an entity id, its name or any of its spellings, case-insensitive)."""
    wanted_entity: set[str] | None = None
    if entity:
        needle = entity.casefold()
        wanted_entity = set()
        for e in ds.rows("entities"):
            names = [e["id"], e["name"], *(e["variants"] or [])]
            if any(needle == str(n).casefold() for n in names):
                wanted_entity.update(e["articles"] or [])
    out = set()
    for row in ds.rows("articles", ["id", "published", "language"]):
        day = _day(row["published"])
        if since and (day is None or day < since[:10]):
            continue
        if until and (day is None or day > until[:10]):
            continue
        if lang and (row["language"] or "").lower() != lang.lower():
            continue
        if wanted_entity is not None and row["id"] not in wanted_entity:
            continue
        out.add(row["id"])
    return out


def import_dataset(
    store: Any, root: str | os.PathLike[str], *, since: str | None = None,
    until: str | None = None, lang: str | None = None, entity: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    from ..adapters.entities import resolve_store
    from ..entities.recognize import Mention
    from ..pipeline import mark_done, store_stages
    from ..store.entities import write_mentions
    from ..store.representations import save_representations
    from ..store.signals import save_signals
    from ..store.stories import rebuild_storylines, save_changes
    from ..store.traces import save_trace

    ds = Dataset(root)
    if not ds.exists() or not (ds.root / "dataset.json").exists():
        raise UsageError(f"{ds.root} is not a finished wiretrace batch dataset")
    say = progress or (lambda _m: None)
    report = ImportReport()
    filtered = any((since, until, lang, entity))
    chosen = select_articles(ds, since=since, until=until, lang=lang, entity=entity)
    if store.count_articles():
        return _import_into_collection(store, ds, chosen, say)

    say("articles")
    articles = {}
    for batch in batched((r for r in ds.rows("articles") if r["id"] in chosen), IMPORT_BATCH):
        with store.transaction():
            for row in batch:
                article = row_to_article(row)
                store.put_article(article)
                articles[article.id] = article
    report.articles = len(articles)

    say("representations")
    reprs: dict[str, ArticleRepr] = {}
    backends: set[str] = set()
    for batch in batched((r for r in ds.rows("representations") if r["id"] in articles), IMPORT_BATCH):
        by_backend: dict[str, list[ArticleRepr]] = {}
        for row in batch:
            r = row_to_repr(row, articles[row["id"]], None)
            reprs[r.id] = r
            by_backend.setdefault(row["backend"], []).append(r)
        for name, items in by_backend.items():
            save_representations(store, items, name)
            backends.add(name)

    say("stories")
    members: dict[str, list[dict[str, Any]]] = {}
    for m in ds.rows("members"):
        if m["article_id"] in articles:
            members.setdefault(m["story_id"], []).append(m)
    seqs = {s["id"]: s for s in ds.rows("stories", ["id", "seq", "size"])}
    clusterer = StoryClusterer(center=None)
    state = [(sid, int(seqs[sid]["seq"]), [m["article_id"] for m in rows])
             for sid, rows in members.items()]
    vectors: dict[str, np.ndarray] = {aid: r.doc_vector for aid, r in reprs.items()}
    clusterer.restore(state, vectors, {a: x.published for a, x in articles.items()},
                      languages={a: x.language for a, x in articles.items()})
    for sid, rows in members.items():
        rows.sort(key=lambda m: m["position"])
        clusterer._rebuild(clusterer.stories[sid], [m["article_id"] for m in rows])
        for m in rows:
            clusterer.links[m["article_id"]] = Link(
                m["article_id"], sid, m["via"], m["score"], m["linked_by"], m["link_score"],
                m["detail"])
    clusterer.merges = [
        Merge(m["from_story"], m["into_story"], m["reason"]) for m in ds.rows("merges")
        if m["into_story"] in members
    ] if not filtered else []
    save_changes(store, clusterer, list(clusterer.story_of), replace_all=True)
    rebuild_storylines(store, clusterer)
    report.stories = len(clusterer.stories)

    say("entities")
    mentions: dict[str, list[Mention]] = {aid: [] for aid in articles}
    for m in ds.rows("mentions"):
        if m["article_id"] in mentions:
            mentions[m["article_id"]].append(
                Mention(m["surface"], m["start"], m["end"], m["type"], m["lemma"]))
    for batch in batched(iter(sorted(mentions.items())), IMPORT_BATCH):
        write_mentions(store, batch)
    report.entities = resolve_store(store)["entities"]

    say("traces")
    complete = {sid for sid, rows in members.items() if len(rows) == seqs[sid]["size"]}
    for row in ds.rows("traces"):
        if row["story_id"] in complete:
            save_trace(store, row["story_id"], row["members_hash"], json.loads(row["trace_json"]))
            report.traces += 1

    say("signals")
    # signals are keyed by the trace entry they were computed with: those of a story the
    # filter cut are computed again when first read, as its trace is
    whole = {a for sid in complete for a in clusterer.stories[sid].members}
    rows = (r for r in ds.rows("signals") if r["article_id"] in whole)
    for batch in batched(rows, IMPORT_BATCH):
        with store.transaction():
            for r in batch:
                save_signals(store, r["article_id"], r["content_hash"], r["model_version"],
                             json.loads(r["signals_json"]), r["names"])
                report.signals += 1

    ids = list(articles)
    for stage in store_stages():
        if stage.name not in IMPORTED_STAGES:
            continue  # not in the dataset: the next ingest into this store runs it
        if stage.name == "signals":
            mark_done(store, stage, sorted(whole))
        elif stage.name == "traces":
            traced = [a for sid in complete for a in clusterer.stories[sid].members]
            single = [a for a in ids if clusterer.stories[clusterer.story_of[a]].size < 2]
            mark_done(store, stage, traced + single)
        else:
            mark_done(store, stage, ids)
    return report


def _import_into_collection(store: Any, ds: Dataset, chosen: set[str],
                            say: Callable[[str], None]) -> ImportReport:
    """A dataset into a store that already holds a collection, as ``ingest`` of its inputs
    would add them: an article stored with the same content is left as it is, one whose
    content changed replaces it, one stored under another id (same text, title and outlet)
    or deleted by a correction is skipped; the new articles' representations are taken from
    the dataset, and the later stages run on them in the store, so they join the collection's
    stories (the dataset's own stories were decided without the collection's articles and
    are not used). Importing the same dataset again changes nothing."""
    from ..pipeline import run_pending_stages
    from ..store import corrections as stored_corrections
    from ..store import stage_state
    from ..store.representations import save_representations
    from ..store.stories import story_index

    report = ImportReport()
    say("articles")
    new: dict[str, Any] = {}
    for batch in batched((r for r in ds.rows("articles") if r["id"] in chosen), IMPORT_BATCH):
        with store.transaction():
            for row in batch:
                article = row_to_article(row)
                if stored_corrections.deleted_by(store, article) is not None:
                    continue
                if store.duplicate_of(article) is not None:
                    continue
                state = store.put_article(article)
                if state == "same":
                    continue
                if state == "changed":
                    stage_state.forget_article(store, article.id)
                new[article.id] = article
    report.articles = len(new)
    if not new:
        return report
    say("representations")
    for batch in batched((r for r in ds.rows("representations") if r["id"] in new), IMPORT_BATCH):
        by_backend: dict[str, list[ArticleRepr]] = {}
        for row in batch:
            by_backend.setdefault(row["backend"], []).append(
                row_to_repr(row, new[row["id"]], None))
        for name, items in by_backend.items():
            save_representations(store, items, name)
    say("stories, entities, traces, signals")
    done = run_pending_stages(store)
    story_of = story_index(store)
    joined = {story_of[a] for a in new if a in story_of}
    sizes: dict[str, int] = {}
    for sid in story_of.values():
        sizes[sid] = sizes.get(sid, 0) + 1
    report.stories = len(joined)
    report.traces = sum(1 for sid in joined if sizes[sid] > 1)
    entities = done.get("entities")
    report.entities = int(entities.get("entities", 0)) if isinstance(entities, dict) else 0
    report.signals = len(new) if "signals" in done else 0
    return report


__all__ = ["ImportReport", "import_dataset", "select_articles"]
