"""The entities stage run against a store (``update_entities``): recognise mentions in new articles, re-resolve,
keep ids stable.

Recognition is the expensive part and runs once per article; resolving is cheap (blocked,
near-linear) and re-runs over every stored mention, so a surname-only mention seen today can
join a full name that arrives tomorrow. Entity ids survive re-resolution: a new cluster takes
the id that most of its mentions had before. All SQL is in ``wiretrace.store.entities``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from ..entities.merge import Entity, resolve
from ..entities.recognize import Mention, recognize, recognize_many
from ..lang.names import to_ascii
from ..store import entities as repo
from ..store.base import Store
from ..store.corrections import ENTITY_ACTIONS, active_corrections
from ..store.stories import story_index
from .corrections import apply_entity_corrections

WRITE_BATCH = 32


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", to_ascii(name).lower()).strip("-")
    return slug[:60] or "entity"


def recognize_article(text: str, language: str | None) -> list[Mention]:
    """Mentions in one article's cleaned text (a pure function; the pool-friendly unit)."""
    return recognize(text, language)


def update_entities(
    store: Store, article_ids: Iterable[str], *, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Recognise mentions in ``article_ids`` (replacing earlier ones) and re-resolve entities."""
    ids = list(dict.fromkeys(article_ids))
    recognised = 0
    pending: list[tuple[str, str, str | None]] = []

    def flush() -> None:
        nonlocal recognised
        found = recognize_many([(text, lang) for _, text, lang in pending])
        batch = [(aid, mentions) for (aid, _, _), mentions in zip(pending, found, strict=True)]
        recognised += sum(len(m) for _, m in batch)
        repo.write_mentions(store, batch)  # one transaction per batch
        if progress:
            progress(len(batch))
        pending.clear()

    for article in store.iter_articles(ids):
        pending.append((article.id, article.text, article.language))
        if len(pending) >= WRITE_BATCH:
            flush()
    if pending:
        flush()
    summary = resolve_store(store)
    summary["articles"] = len(ids)
    summary["mentions_recognised"] = recognised
    return summary


def resolve_store(store: Store) -> dict[str, int]:
    """Cluster every stored mention into entities and write them, keeping existing ids."""
    by_article: dict[str, list[Mention]] = defaultdict(list)
    previous: dict[tuple[str, int, int], str | None] = {}
    for row in repo.stored_mentions(store):
        m = Mention(row["surface"], row["start"], row["end"], row["type"], row["lemma"])
        by_article[row["article_id"]].append(m)
        previous[(row["article_id"], m.start, m.end)] = row["entity_id"]
    entities = resolve(by_article, story_of=story_index(store))
    # an analyst's corrections (merges, splits, rejected variants) outrank the merge rules
    entities = apply_entity_corrections(entities, active_corrections(store, ENTITY_ACTIONS))
    ids = _assign_ids(entities, previous, repo.entity_ids(store))
    removed = repo.save_entities(store, entities, ids)
    return {"entities": len(entities), "mentions": len(previous), "removed": removed}


def _assign_ids(entities: Sequence[Entity], previous: dict[tuple[str, int, int], str | None],
                existing: set[str]) -> list[str]:
    """Each entity keeps the old id most of its mentions carried; new entities get a slug."""
    taken: set[str] = set()
    ids: list[str | None] = [None] * len(entities)
    order = sorted(range(len(entities)), key=lambda i: -len(entities[i].mentions))
    for i in order:
        votes = Counter(previous.get((a, m.start, m.end)) for a, m in entities[i].mentions)
        for old, _ in votes.most_common():
            if old and old not in taken:
                ids[i] = old
                taken.add(old)
                break
    for i in order:
        if ids[i] is None:
            base = _slug(entities[i].name)
            candidate, n = base, 2
            while candidate in taken or candidate in existing:
                candidate, n = f"{base}-{n}", n + 1
            ids[i] = candidate
            taken.add(candidate)
    return [i for i in ids if i is not None]
