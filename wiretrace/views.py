"""Read models shared by the CLI, exports, REST API and web pages.

They turn store rows into plain dicts so every surface shows the same fields.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any


def _has_table(store: Any, name: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def story_of(store: Any, article_id: str) -> str | None:
    if not _has_table(store, "story_members"):
        return None
    row = store.conn.execute(
        "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
    ).fetchone()
    return row[0] if row else None


def story_index(store: Any) -> dict[str, str]:
    """article id -> story id for every clustered article."""
    if not _has_table(store, "story_members"):
        return {}
    try:
        return {r[0]: r[1] for r in store.conn.execute("SELECT article_id, story_id FROM story_members")}
    except sqlite3.Error:
        return {}


def article_view(store: Any, article_id: str, *, include_raw: bool = False) -> dict[str, Any]:
    """One article as every surface shows it (``show --json``, ``/api/articles/{id}``)."""
    article = store.get_article(article_id)
    view = article.to_dict(include_raw=include_raw)
    view["story"] = story_of(store, article_id)
    view["paragraphs"] = article.paragraphs
    return view


EXPORT_FIELDS = [
    "id", "title", "text", "published", "outlet", "author", "language", "url",
    "attributions", "story", "dateline", "source_path", "content_hash",
]


def export_records(store: Any) -> Iterator[dict[str, Any]]:
    """One flat record per article with the fields DESIGN.md promises (and a few more)."""
    stories = story_index(store)
    for article in store.iter_articles():
        d = article.to_dict()
        d["story"] = stories.get(article.id)
        yield {k: d.get(k) for k in EXPORT_FIELDS}
