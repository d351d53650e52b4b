"""A single self-contained HTML report (no network, no script) to attach to a fact-check."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime

from .. import __version__
from ..errors import WiretraceError
from ..store.base import Store
from . import queries
from .app import HERE, _templates
from .render import graph_svg, signals_of


def render_report(
    store: Store, *, story_id: str | None = None, min_size: int = 2,
    filters: queries.StoryFilters | None = None,
) -> str:
    """The whole store (stories with at least ``min_size`` articles), the stories the
    story list's ``filters`` keep (the same filters as every other surface), or one story."""
    if story_id:
        story_ids = [story_id]
    else:
        chosen = filters or queries.StoryFilters(min_size=min_size)
        page = queries.stories_page(store, chosen, limit=None)
        story_ids = [s["id"] for s in page["items"]]
    scope = "" if story_id or filters is None else ", ".join(
        f"{k}: {v}" for k, v in asdict(filters).items()
        if v not in (None, "") and not (k == "min_size" and v == 1))
    sections = []
    for sid in story_ids:
        story = queries.story_detail(store, sid)
        try:
            trace = queries.story_trace(store, sid)
        except WiretraceError:
            trace = {"origins": [], "edges": [], "articles": {}}
        articles = [queries.article_detail(store, aid) for aid in story["articles"]]
        for a in articles:  # each article's manipulation signals, relative ones included
            a["signals"] = signals_of(store, a["id"])
        sections.append({
            "anchor": "story-" + re.sub(r"[^A-Za-z0-9_-]", "-", sid),
            "story": story,
            "trace": trace,
            "svg": graph_svg(story, trace),
            "articles": articles,
        })
    title = sections[0]["story"].get("title") if story_id and sections else "wiretrace report"
    css = (HERE / "static" / "wiretrace.css").read_text(encoding="utf-8")
    return _templates().get_template("report.html").render(
        title=title or "wiretrace report",
        css=css,
        stories=sections,
        version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        db=getattr(store, "path", ""),
        n_articles=store.count_articles(),
        scope=scope,
    )
