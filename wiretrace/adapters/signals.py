"""The signals stage run against a store, and the signals of one stored article: in
isolation, as a page, and relative to its trace source, kept in the store under the article's
content, the models and its trace entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import NotFoundError
from ..signals.article import ISOLATED_FIELDS, article_side, signals_of_article
from ..signals.model import models_version
from ..store.signals import latest_signals, load_signals, save_signals
from ..store.stage_state import stories_gaining
from ..store.stories import story_article_ids, story_of_article
from ..store.traces import trace_story


def signals_version(trace: bool, entry: dict[str, Any], result: dict[str, Any] | None) -> str:
    """The models' version and a digest of what the relative signals read of the trace: the
    key stored signals are kept under, written alike by ingest and by the batch layer."""
    digest = hashlib.blake2b(
        json.dumps([trace, entry, (result or {}).get("date_conflicts")], sort_keys=True,
                   default=str).encode(), digest_size=8).hexdigest()
    return models_version() + ":" + digest


def article_signals(store: Any, article_id: str, *, trace: bool = True,
                    story_trace: tuple[str | None, dict[str, Any]] | None = None,
                    keep: bool = True) -> dict[str, Any]:
    """All signals of one stored article. With ``trace``, its story's trace is read (computed
    and stored when missing, on a writable store; ``story_trace`` passes one already read)
    and the relative signals added when the trace derives the article from another stored
    article. Stored signals for the same content, models and trace entry are returned as
    they are; missing ones are computed and kept unless ``keep`` is false or the store is
    read-only (a read never writes)."""
    article = store.get_article(article_id)
    result: dict[str, Any] | None = None
    story: str | None = None
    if story_trace is not None:
        story, result = story_trace
    elif trace:
        story = story_of_article(store, article_id)
        # a story of one article has nothing to trace against (and ingest traces none)
        if story is not None and len(story_article_ids(store, story)) > 1:
            result = trace_story(store, story)
    entry = (result or {}).get("articles", {}).get(article_id) or {}
    version = signals_version(trace, entry, result)
    cached = load_signals(store, article_id, article.content_hash, version)
    if cached is not None:
        return cached
    # the isolated signals depend on the content and the models only: a changed trace entry
    # (a story that gained a member) recomputes the relative part alone
    isolated = None
    earlier = latest_signals(store, article_id, article.content_hash)
    if earlier is not None and earlier[0].split(":")[0] == models_version():
        isolated = {k: earlier[1][k] for k in ISOLATED_FIELDS if k in earlier[1]}
    source = None
    source_id = entry.get("source")
    if source_id and result is not None and source_id in result.get("articles", {}):
        source = article_side(store.get_article(source_id))
    out = signals_of_article(article, story=story, trace=result, source=source,
                             isolated=isolated)
    if keep and not store.readonly:
        save_signals(store, article_id, article.content_hash, version, out, out["names"])
    return out


def update_signals(store: Any, article_ids: Iterable[str], *,
                   progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """The signals stage: store the signals of ``article_ids``, and refresh those of the
    other members of the stories they joined (their trace entries may have changed; a
    member whose entry did not is read back from the store, not recomputed)."""
    ids = list(dict.fromkeys(article_ids))
    stories = stories_gaining(store, ids)
    done: set[str] = set()
    computed = 0
    for story_id in sorted(stories):
        result = trace_story(store, story_id)
        members = story_article_ids(store, story_id)
        for aid in members:
            article_signals(store, aid, story_trace=(story_id, result))
        computed += len(members)
        new = [a for a in members if a in ids and a not in done]
        done.update(members)
        if progress and new:
            progress(len(new))
    for aid in ids:
        if aid not in done:
            article_signals(store, aid)
            computed += 1
            if progress:
                progress(1)
    return {"articles": computed}


# What a trace's per-article entry carries of the article's signals (the rest, such as the
# headline cues and the words behind each technique, is in ``signals ARTICLE``).
TRACE_FIELDS = ("genre", "genre_scores", "headline_score", "techniques", "relative", "page",
                "names")
TECHNIQUE_FIELDS = ("name", "score", "confidence", "start", "end", "reason")


def trace_signals(store: Any, result: dict[str, Any], story: str | None) -> dict[str, Any]:
    """``result`` (a trace) with each stored article's signals in its per-article entry, as
    ``signals``. A story's trace uses (and on a writable store keeps) the article's stored
    signals; a trace of chosen articles (``story`` None) computes them without keeping them."""
    for aid, entry in (result.get("articles") or {}).items():
        if not isinstance(entry, dict):
            continue
        try:
            sig = article_signals(store, aid, story_trace=(story, result),
                                  keep=story is not None)
        except NotFoundError:  # an origin outside the store (a wire credited by name)
            continue
        compact = {k: sig[k] for k in TRACE_FIELDS if k in sig}
        compact["techniques"] = [{k: t[k] for k in TECHNIQUE_FIELDS if k in t}
                                 for t in sig.get("techniques", [])]
        entry["signals"] = compact
    return result
