"""Stories: articles that report the same event, across outlets and languages.

``StoryClusterer`` is the pure part (representations in, story ids out, ``fit`` / ``assign``);
``wiretrace.adapters.stories`` runs it against a store (``update_stories``, ``recluster``);
``wiretrace.store.stories`` persists the result and ``wiretrace.store.reads`` reads it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..representations import ArticleRepr
from ..stage import Stage
from .cluster import (
    Link,
    Merge,
    Scorer,
    SimpleScore,
    Split,
    StoryClusterer,
    cosine_window_scorer,
    parse_time,
    story_id_for,
)
from .storylines import link_storylines


def cluster_stories(reprs: Iterable[ArticleRepr], **params: Any) -> dict[str, str]:
    """Stories of a batch of representations from scratch: {article id: story id} (pure)."""
    return StoryClusterer(**params).fit(reprs)


# Representations in; each article's story (and the stories' storylines) out.
STAGE = Stage(
    "stories", 1, requires=("representations",), writes=("stories",), process=cluster_stories,
)
STAGE_NAME = STAGE.name


__all__ = [
    "STAGE",
    "Link",
    "Merge",
    "Scorer",
    "SimpleScore",
    "Split",
    "StoryClusterer",
    "cluster_stories",
    "cosine_window_scorer",
    "link_storylines",
    "parse_time",
    "story_id_for",
]
