"""Entities: find names in articles and merge their variants across scripts and spellings.

``recognize`` finds mentions, ``same_entity`` decides whether two names are one entity (with
the rule and score as evidence), ``resolve`` clusters mentions into entities, and
``wiretrace.adapters.entities.update_entities`` keeps them in the store
(``wiretrace.store.entities`` answers the entity list and page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..lang.names import skeleton
from ..records import Article
from ..stage import Stage
from .merge import Entity, MergeDecision, Variant, parse_name, resolve, same_entity
from .recognize import Mention, recognize, recognize_many


def entities_of(articles: Sequence[Article], story_of: Mapping[str, str] | None = None) -> list[Entity]:
    """The entities of a batch of articles, variants merged (pure: the entities stage)."""
    found = recognize_many([(a.text, a.language) for a in articles])
    return resolve({a.id: m for a, m in zip(articles, found, strict=True)}, story_of=story_of)


# A batch of articles in (with their stories, for surnames ambiguous in one article); their
# mentions and the entities the mentions resolve to out.
STAGE = Stage(
    "entities", 2, requires=("article", "stories"), writes=("mentions", "entities"),
    process=entities_of,
)

__all__ = [
    "STAGE",
    "Entity",
    "MergeDecision",
    "Mention",
    "Variant",
    "entities_of",
    "parse_name",
    "recognize",
    "resolve",
    "same_entity",
    "skeleton",
]
