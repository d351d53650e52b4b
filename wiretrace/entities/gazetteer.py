"""Access to the entity data files in ``wiretrace/entities/data/`` (loaded once, cached)."""

from __future__ import annotations

import json
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from ..lang import tables
from ..lang.names import fold_token, is_cyrillic, skeleton


@cache
def load(name: str) -> Any:
    """Load ``wiretrace/entities/data/<name>.json``."""
    path = resources.files("wiretrace.entities") / "data" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def title_words(language: str | None = None) -> frozenset[str]:
    """Titles and offices that precede names; all languages when ``language`` is None."""
    return tables.words("titles", language)


@lru_cache(maxsize=64)
def title_suffixes(language: str | None = None) -> tuple[str, ...]:
    """Endings of compound titles (German Außenminister, Ministerpräsident)."""
    return tuple(sorted(tables.words("title_suffixes", language), key=len, reverse=True))


@lru_cache(maxsize=64)
def stop_capitalised(language: str | None = None) -> frozenset[str]:
    """Capitalised words that are never names on their own."""
    return tables.words("capitalised_stopwords", language)


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
    groups: dict[str, int] = {}
    for number, group in enumerate(load("given_names")["groups"]):
        for name in group:
            groups.setdefault(fold_token(name), number)
    return groups


@lru_cache(maxsize=4096)
def given_name_group(name: str) -> int | None:
    """The given-name group of ``name``, also when it is a Cyrillic case form of a name in
    the table (Анни, Олександра, Сергеем)."""
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


@lru_cache(maxsize=100_000)
def surface_key(name: str) -> str:
    """A name as written, without case, accents, dots or spaces (U.S. = US, Etats-Unis = États-Unis).

    Alias lookups use this exact key: folding letters further (dropping vowels, collapsing
    doubles) made SEO, SaaS and Sui hit the key of США and UNN that of UN.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in kept.casefold() if ch.isalnum())


# A case form finds its table entry through the skeleton (Белоруссии -> Белоруссия) only when
# the skeleton has at least this many letters: shorter ones are acronyms and short words
# (UNN folds to the skeleton of UN, APA to that of AP).
ALIAS_CASE_FORM_MIN = 4


@lru_cache(maxsize=1)
def alias_index() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """(exact surface key -> (canonical, type), skeleton of a long alias -> (canonical, type))."""
    exact: dict[str, tuple[str, str]] = {}
    by_skeleton: dict[str, tuple[str, str]] = {}
    for canonical, kind, names in _alias_group_list():
        entry = (canonical, kind)
        for alias in names:
            exact.setdefault(surface_key(alias), entry)
            key = skeleton(alias)
            if _inflectable(alias, key):
                by_skeleton.setdefault(key, entry)
    return exact, by_skeleton


@lru_cache(maxsize=1)
def _alias_group_list() -> list[tuple[str, str, tuple[str, ...]]]:
    """(canonical, type, names) of every alias group: the entity alias table, then the news
    agencies and outlets the attribution stage knows (one list of agencies for the project).
    An agency whose names are already in the table joins that group."""
    groups = [(g["canonical"], g.get("type", "other"), (g["canonical"], *g["aliases"]))
              for g in load("aliases")["groups"]]
    where = {surface_key(n): i for i, (_, _, names) in enumerate(groups) for n in names}
    for canonical, spec in tables.agencies().items():
        if canonical.startswith("_") or not isinstance(spec, dict):
            continue
        names = (canonical, *spec.get("exact", []), *spec.get("aliases", []))
        known = next((where[surface_key(n)] for n in names if surface_key(n) in where), None)
        if known is None:
            groups.append((canonical, "organization", names))
            known = len(groups) - 1
        else:
            c, kind, old = groups[known]
            groups[known] = (c, kind, (*old, *names))
        for n in names:
            where.setdefault(surface_key(n), known)
    return groups


def _inflectable(name: str, key: str) -> bool:
    return len(key.replace(" ", "")) >= ALIAS_CASE_FORM_MIN and any(ch.islower() for ch in name)


@lru_cache(maxsize=100_000)
def lookup_alias(name: str) -> tuple[str, str] | None:
    """(canonical, type) for a name in the alias table, as written or in a case form, or None."""
    exact, by_skeleton = alias_index()
    found = exact.get(surface_key(name))
    if found is not None:
        return found
    key = skeleton(name)
    return by_skeleton.get(key) if _inflectable(name, key) else None


@lru_cache(maxsize=1)
def _alias_groups() -> dict[str, tuple[str, ...]]:
    return {canonical: names for canonical, _, names in _alias_group_list()}


def alias_names(canonical: str) -> tuple[str, ...]:
    """Every name of one alias group, the canonical first."""
    return _alias_groups().get(canonical, ())


def alias_match(name: str) -> str:
    """How ``name`` is in the alias table: "exact", "case form" or ""."""
    exact, _ = alias_index()
    if surface_key(name) in exact:
        return "exact"
    return "case form" if lookup_alias(name) else ""


@lru_cache(maxsize=1)
def _fixed_types() -> dict[str, tuple[str, str]]:
    table = load("fixed_types")
    found: dict[str, tuple[str, str]] = {}
    for kind, groups in table.items():
        if kind.startswith("_"):
            continue
        for group in groups:
            for name in group:
                found.setdefault(_fixed_key(name), (group[0], kind))
    return found


def _fixed_key(name: str) -> str:
    return "".join(ch for ch in surface_key(name) if not ch.isdigit())


@lru_cache(maxsize=100_000)
def fixed_type(name: str) -> tuple[str, str] | None:
    """(canonical, kind) for names no recogniser vote may retype (COVID-19 is never a person)."""
    return _fixed_types().get(_fixed_key(name))


@lru_cache(maxsize=64)
def organization_cues() -> frozenset[str]:
    """Words after which a capitalised name is an organisation (company, агенция, Firma)."""
    return tables.words("organization_cues")


@lru_cache(maxsize=64)
def location_prepositions(language: str | None) -> frozenset[str]:
    """Prepositions after which a lone capitalised word is a place (в, у, in)."""
    return frozenset(tables.language_table(language).get("location_prepositions", []))
