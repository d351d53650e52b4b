"""An article's page signals and the names its signals are filtered by (pure); the stored
article's signals are ``wiretrace.adapters.signals.article_signals``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..records import Article
from .analyze import analyze_text
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


def article_side(article: Article) -> dict[str, Any]:
    """The fields relative signals read of one side of a derivation."""
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


# The fields of an article's signals that depend on its content and the models alone.
ISOLATED_FIELDS = ("language", "trained_language", "genre", "genre_scores", "headline_score",
                   "headline_cues", "techniques")


def signals_of_article(article: Article, *, story: str | None = None,
                       trace: dict[str, Any] | None = None,
                       source: dict[str, Any] | None = None,
                       isolated: dict[str, Any] | None = None) -> dict[str, Any]:
    """All signals of one article (pure: the signals stage's record): the isolated ones
    (``isolated`` when already computed for this content), the page's, and with ``trace``
    (its story's) and ``source`` (``article_side`` of the article it derives from) the
    relative ones."""
    out: dict[str, Any] = {"id": article.id, "title": article.title}
    out.update(isolated or analyze_text(article.text, article.title, article.language))
    out["story"] = story
    entry = ((trace or {}).get("articles") or {}).get(article.id) or {}
    source_id = entry.get("source")
    if trace is not None and source_id:
        if source is not None and source.get("id") == source_id:
            out["relative"] = relative_signals(entry, source, article_side(article))
        else:
            out["relative"] = {"source": source_id, "note": f"{source_id} is not in the store: "
                               "no text to compare against"}
    out["page"] = page_signals(article, trace)
    out["names"] = signal_names(out)
    return out
