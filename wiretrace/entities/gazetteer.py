"""Access to the entity data files in ``wiretrace/entities/data/`` (loaded once, cached)."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Load ``wiretrace/entities/data/<name>.json``."""
    path = resources.files("wiretrace.entities") / "data" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _per_language(name: str, language: str | None) -> frozenset[str]:
    table: dict[str, Any] = load(name)
    words: set[str] = set()
    for key, values in table.items():
        if key.startswith("_") and key != "_all":
            continue
        if not isinstance(values, list):
            continue
        if language is None or key in ("_all", language):
            words.update(v.lower() for v in values)
    return frozenset(words)


@lru_cache(maxsize=64)
def title_words(language: str | None = None) -> frozenset[str]:
    """Titles and offices that precede names; all languages when ``language`` is None."""
    return _per_language("titles", language)


@lru_cache(maxsize=64)
def title_suffixes(language: str | None = None) -> tuple[str, ...]:
    """Endings of compound titles (German Außenminister, Ministerpräsident)."""
    table: dict[str, list[str]] = load("titles").get("suffixes", {})
    if language is None:
        found = {s for values in table.values() for s in values}
    else:
        found = set(table.get(language, [])) | set(table.get("_all", []))
    return tuple(sorted(found, key=len, reverse=True))


@lru_cache(maxsize=64)
def stop_capitalised(language: str | None = None) -> frozenset[str]:
    """Capitalised words that are never names on their own."""
    return _per_language("stopcaps", language)


@lru_cache(maxsize=1)
def places_and_organisations() -> dict[str, str]:
    """Surface form -> type for the shipped gazetteer."""
    table = load("gazetteer")
    found: dict[str, str] = {}
    for kind in ("location", "organization"):
        for surface in table.get(kind, []):
            found.setdefault(surface, kind)
    return found


@lru_cache(maxsize=1)
def given_name_groups() -> dict[str, int]:
    """Folded given name -> group number; names in one group are the same name."""
    from .normalize import fold_token

    groups: dict[str, int] = {}
    for number, group in enumerate(load("given_names")["groups"]):
        for name in group:
            groups.setdefault(fold_token(name), number)
    return groups


@lru_cache(maxsize=4096)
def given_name_group(name: str) -> int | None:
    """The given-name group of ``name``, also when it is a Cyrillic case form of a name in
    the table (Анни, Олександра, Сергеем)."""
    from .normalize import fold_token, is_cyrillic

    groups = given_name_groups()
    found = groups.get(fold_token(name))
    if found is not None or not is_cyrillic(name):
        return found
    table = load("given_names")
    low = name.lower()
    for ending in table["cyrillic_case_endings"]:
        stem = low[: -len(ending)]
        if not low.endswith(ending) or len(stem) < 2:
            continue
        for base in table["nominative_endings"]:
            found = groups.get(fold_token(stem + base))
            if found is not None:
                return found
    return None


@lru_cache(maxsize=1)
def person_cues() -> frozenset[str]:
    """Given names (as written) that mark the following capitalised word as a surname."""
    table = load("given_names")
    names = set(table.get("person_cues", []))
    for group in table["groups"]:
        names.update(group)
    return frozenset(names)


@lru_cache(maxsize=1)
def alias_index() -> dict[str, tuple[str, str]]:
    """Alias skeleton -> (canonical name, type)."""
    from .normalize import skeleton

    index: dict[str, tuple[str, str]] = {}
    for group in load("aliases")["groups"]:
        for alias in [group["canonical"], *group["aliases"]]:
            key = skeleton(alias)
            if key:
                index.setdefault(key, (group["canonical"], group.get("type", "other")))
                index.setdefault(alias_key(key), (group["canonical"], group.get("type", "other")))
    return index


def alias_key(skeleton_key: str) -> str:
    """A skeleton with trailing vowels dropped, so case forms (Белоруссии) find their alias."""
    return skeleton_key.rstrip("aeiou") or skeleton_key


def lookup_alias(skeleton_key: str) -> tuple[str, str] | None:
    """(canonical, type) for a name skeleton from the alias table, or None."""
    index = alias_index()
    return index.get(skeleton_key) or index.get(alias_key(skeleton_key))


@lru_cache(maxsize=64)
def organization_cues() -> frozenset[str]:
    """Words after which a capitalised name is an organisation (company, агенция, Firma)."""
    return frozenset(w.lower() for values in load("titles").get("organization_cues", {}).values()
                     for w in values)


@lru_cache(maxsize=64)
def location_prepositions(language: str | None) -> frozenset[str]:
    """Prepositions after which a lone capitalised word is a place (в, у, in)."""
    table: dict[str, list[str]] = load("titles").get("location_prepositions", {})
    return frozenset(table.get(language or "", []))
