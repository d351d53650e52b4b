"""Signals of a stored article: in isolation, as a page, and relative to its trace source,
kept in the store under the article's content, the models and its trace entry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..signals.analyze import analyze_text
from ..signals.article import article_side, page_signals, signal_names
from ..signals.model import models_version
from ..signals.relative import relative_signals
from ..store.signals import load_signals, save_signals
from ..store.stories import story_of_article
from ..store.traces import trace_story


def article_signals(store: Any, article_id: str, *, trace: bool = True) -> dict[str, Any]:
    """All signals of one stored article. With ``trace``, its story's trace is read (computed
    and stored when missing, on a writable store) and the relative signals added when the
    trace derives the article from another stored article. Results are kept in the store
    (writable stores only) under the article's content, the models and its trace entry."""
    article = store.get_article(article_id)
    result: dict[str, Any] | None = None
    entry: dict[str, Any] = {}
    story = story_of_article(store, article_id) if trace else None
    if story is not None:
        result = trace_story(store, story)
        entry = result.get("articles", {}).get(article_id) or {}
    version = models_version() + ":" + hashlib.blake2b(
        json.dumps([trace, entry, (result or {}).get("date_conflicts")], sort_keys=True,
                   default=str).encode(), digest_size=8).hexdigest()
    cached = load_signals(store, article_id, article.content_hash, version)
    if cached is not None:
        return cached
    out: dict[str, Any] = {"id": article.id, "title": article.title,
                           **analyze_text(article.text, article.title, article.language)}
    out["story"] = story
    if story is not None and result is not None:
        source_id = entry.get("source")
        if source_id and source_id in result.get("articles", {}):
            source = store.get_article(source_id)
            out["relative"] = relative_signals(entry, article_side(source), article_side(article))
        elif source_id:
            out["relative"] = {"source": source_id, "note": f"{source_id} is not in the store: "
                               "no text to compare against"}
    out["page"] = page_signals(article, result)
    out["names"] = signal_names(out)
    if not store.readonly:
        save_signals(store, article_id, article.content_hash, version, out, out["names"])
    return out
