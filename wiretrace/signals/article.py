"""Signals of a stored article: in isolation, as a page, and relative to its trace source."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from ..records import Article
from .analyze import analyze_text
from .model import models_version
from .relative import relative_signals

# Removal reasons that mark a content farm's page furniture (link lists, spam blocks).
FARM_REMOVALS = frozenset({"related-links", "link-list", "teaser", "share", "counter",
                           "source-link", "boilerplate-paragraph"})


def page_signals(article: Article, trace: dict[str, Any] | None) -> dict[str, Any]:
    """Signs of a content farm's page: junk blocks cleaning removed, no byline, no date, a
    page date the trace contradicts."""
    reasons = Counter(r.reason for r in article.removed)
    junk = {k: v for k, v in reasons.items() if k in FARM_REMOVALS}
    conflicts = [c for c in (trace or {}).get("date_conflicts", []) if c.get("article") == article.id]
    return {
        "removed_junk": junk,
        "removed_total": sum(reasons.values()),
        "missing_byline": not article.metadata.author,
        "missing_date": not article.published,
        "date_contradicted": conflicts,
    }


def _side(article: Article) -> dict[str, Any]:
    return {"id": article.id, "title": article.title, "text": article.text,
            "language": article.language}


def signal_names(signals: dict[str, Any]) -> list[str]:
    """The names an article's signals can be filtered by: each technique, ``added:NAME`` for a
    technique the rewrite added, ``escalation``, ``dropped-hedge``, ``sensational-headline``
    and ``genre:NAME``."""
    names = {t["name"] for t in signals.get("techniques", [])}
    names.add(f"genre:{signals.get('genre')}")
    rel = signals.get("relative") or {}
    names.update(f"added:{t['name']}" for t in rel.get("added_techniques", []))
    if rel.get("escalations"):
        names.add("escalation")
    if rel.get("dropped_hedges"):
        names.add("dropped-hedge")
    if (rel.get("headline") or {}).get("more_sensational"):
        names.add("sensational-headline")
    return sorted(names)


def article_signals(store: Any, article_id: str, *, trace: bool = True) -> dict[str, Any]:
    """All signals of one stored article. With ``trace``, its story's trace is read (computed
    and stored when missing, on a writable store) and the relative signals added when the
    trace derives the article from another stored article. Results are kept in the store
    (writable stores only) under the article's content, the models and its trace entry."""
    from ..store.signals import load_signals, save_signals
    from ..store.stories import story_of_article
    from ..store.traces import trace_story

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
            out["relative"] = relative_signals(entry, _side(source), _side(article))
        elif source_id:
            out["relative"] = {"source": source_id, "note": f"{source_id} is not in the store: "
                               "no text to compare against"}
    out["page"] = page_signals(article, result)
    out["names"] = signal_names(out)
    if not store.readonly:
        save_signals(store, article_id, article.content_hash, version, out, out["names"])
    return out
