"""Entities: find names in articles and merge their variants across scripts and spellings.

``recognize`` finds mentions, ``same_entity`` decides whether two names are one entity (with
the rule and score as evidence), ``resolve`` clusters mentions into entities, and
``update_entities`` / ``list_entities`` / ``get_entity`` keep them in the store.
"""

from __future__ import annotations

from ..lang.names import skeleton
from .merge import Entity, MergeDecision, Variant, parse_name, resolve, same_entity
from .recognize import Mention, recognize
from .store import (
    article_ids_for_entity,
    find_entity_id,
    get_entity,
    list_entities,
    resolve_store,
    update_entities,
)

__all__ = [
    "Entity",
    "MergeDecision",
    "Mention",
    "Variant",
    "article_ids_for_entity",
    "find_entity_id",
    "get_entity",
    "list_entities",
    "parse_name",
    "recognize",
    "resolve",
    "resolve_store",
    "same_entity",
    "skeleton",
    "update_entities",
]
