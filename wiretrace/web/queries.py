"""What the REST API and pages read: the one read model (``wiretrace.store.reads``), plus the
story page's link threshold, the trace of a story and the write path of ``--allow-writes``.

No SQL here: every query is in ``wiretrace.store``. The stages behind the trace, the link
threshold and ingest are imported when first used, so that starting the server (and every
page that reads only the store) does not load the models.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..store import reads
from ..store.base import Store
from ..store.reads import (
    StoryFilters,
    article_detail,
    articles_page,
    entities_page,
    entity_detail,
    facets,
    search,
    stories_page,
)


def story_detail(store: Store, story_id: str) -> dict[str, Any]:
    """The story page's data, with the P(same event) from which the clusterer links a pair
    (shown beside member scores)."""
    from ..stories.cluster import LINK_PROBABILITY

    return reads.story_detail(store, story_id, link_probability=LINK_PROBABILITY)


def story_trace(store: Store, story_id: str, *, signals: bool = False) -> dict[str, Any]:
    """A story's trace; with ``signals``, each article's signals in its entry (the API)."""
    from ..store.traces import trace_story

    trace = trace_story(store, story_id)
    trace.setdefault("stale", False)  # true only when a read-only store computed it unsaved
    if signals:
        from ..adapters.signals import trace_signals

        trace_signals(store, trace, trace.get("story", story_id))
    return trace


def ingest_jsonl(store: Store, body: bytes) -> dict[str, Any]:
    """Write path for ``--allow-writes`` servers: ingest posted JSONL records."""
    from ..pipeline import ingest

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posted.jsonl"
        path.write_bytes(body)
        report = ingest(store, [str(path)])
    return {**report.counts(), "errors": [
        {"path": p, "code": c, "message": m} for p, c, m in report.errors
    ], "ids": report.stored_ids}


__all__ = [
    "StoryFilters",
    "article_detail",
    "articles_page",
    "entities_page",
    "entity_detail",
    "facets",
    "ingest_jsonl",
    "search",
    "stories_page",
    "story_detail",
    "story_trace",
]
