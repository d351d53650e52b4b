"""Traces repository: a story's stored trace, and the store adapter around the trace stage.

``wiretrace.provenance.trace_story_articles`` is the stage (articles and representations in,
a trace out, no store). This module reads its inputs from the store, keeps its result in the
``traces`` table (migration 0004) until the story's membership changes, and records what the
trace says about each member (derivation, contradicted page date) through the stories
repository, which re-chooses the story's title and date span with it.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..provenance.trace import members_hash, trace_story_articles
from ..records import Article
from .base import Store
from .representations import load_representations
from .stories import apply_trace, story_article_ids

# Traces computed by read-only readers, kept per process so repeated views of a stale story
# do not realign it each time; 32 covers the stories an analyst has open at once.
_MEMORY_TRACES_MAX = 32
_memory_traces: OrderedDict[tuple[str, str, str], dict[str, Any]] = OrderedDict()
_memory_lock = threading.Lock()

STALE_NOTE = (
    "The stored trace of this story predates its current articles, and this server is "
    "read-only: this trace was computed for the request and not saved. Run `wiretrace trace "
    "STORY` (or serve with --allow-writes) to store it."
)


def stored_trace(store: Store, story_id: str) -> Any:
    """The stored row (members_hash, computed_at, trace_json) of a story, or None."""
    return store.conn.execute(
        "SELECT members_hash, computed_at, trace_json FROM traces WHERE story_id = ?", (story_id,)
    ).fetchone()


def has_untraced_members(store: Store, story_id: str) -> bool:
    """Whether a member of the story has no derivation recorded yet."""
    row = store.conn.execute(
        "SELECT 1 FROM story_members WHERE story_id = ? AND derivation IS NULL LIMIT 1",
        (story_id,),
    ).fetchone()
    return row is not None


def save_trace(store: Store, story_id: str, key: str, trace: dict[str, Any]) -> None:
    """Keep a story's trace under its members hash and apply it to the story, in one
    transaction (a trace is never stored without the derivations it implies)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO traces(story_id, computed_at, members_hash, trace_json) "
            "VALUES (?, ?, ?, ?)",
            (
                story_id,
                datetime.now(UTC).isoformat(timespec="seconds"),
                key,
                json.dumps(trace, ensure_ascii=False),
            ),
        )
        apply_trace(store, story_id, trace)


def trace_articles(
    store: Store, article_ids: Sequence[str], story: str | None = None
) -> dict[str, Any]:
    """Trace an explicit set of stored articles (nothing cached, nothing written)."""
    articles = list(store.iter_articles(list(article_ids)))
    reprs = load_representations(store, [a.id for a in articles])
    return trace_story_articles(articles, reprs, story, check_events=True)


def _trace_in_memory(
    store: Store, story_id: str, articles: Sequence[Article], key: str
) -> dict[str, Any]:
    """A read-only store's trace of a story with no current stored trace: computed, never
    stored (representations missing from the store are computed in memory too)."""
    cache_key = (str(store.path), story_id, key)
    with _memory_lock:
        hit = _memory_traces.get(cache_key)
        if hit is not None:
            _memory_traces.move_to_end(cache_key)
            return json.loads(json.dumps(hit))
    reprs = load_representations(store, [a.id for a in articles])
    result = trace_story_articles(articles, reprs, story_id)
    with _memory_lock:
        _memory_traces[cache_key] = json.loads(json.dumps(result))
        while len(_memory_traces) > _MEMORY_TRACES_MAX:
            _memory_traces.popitem(last=False)
    return result


def trace_story(store: Store, story_id: str, *, refresh: bool = False) -> dict[str, Any]:
    """The trace of a stored story, from the cache while its membership is unchanged.

    A writable store computes and stores a missing or outdated trace; a read-only store
    computes it in memory and returns it with ``stale: True`` and a ``note``, so reading
    never writes.
    """
    readonly = bool(store.readonly)
    articles = list(store.iter_articles(story_article_ids(store, story_id)))
    key = members_hash(articles)
    row = None if refresh else stored_trace(store, story_id)
    if row is not None and row["members_hash"] == key:
        cached = json.loads(row["trace_json"])
        if not readonly and has_untraced_members(store, story_id):
            # stored before derivations were recorded on the members
            with store.transaction():
                apply_trace(store, story_id, cached)
        return cached
    if readonly:
        result = _trace_in_memory(store, story_id, articles, key)
        result["stale"] = True
        result["note"] = STALE_NOTE
        result["stored_at"] = row["computed_at"] if row is not None else None
        return result
    reprs = load_representations(store, [a.id for a in articles])
    result = trace_story_articles(articles, reprs, story_id)
    save_trace(store, story_id, key, result)
    return result


__all__ = [
    "STALE_NOTE",
    "has_untraced_members",
    "save_trace",
    "stored_trace",
    "trace_articles",
    "trace_story",
]
