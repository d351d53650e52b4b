"""Access to the entity data files in ``wiretrace/entities/data/`` (loaded once, cached)."""

from __future__ import annotations

import json
import re
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
    """(canonical, kind) for names no recogniser vote may retype (COVID-19 is never a person).
    A name whose every word names one entry is that entry (коронавирус COVID-19)."""
    table = _fixed_types()
    found = table.get(_fixed_key(name))
    words = name.split()
    if found is not None or len(words) < 2:
        return found
    each = {table.get(_fixed_key(w)) for w in words}
    return next(iter(each)) if len(each) == 1 and None not in each else None


@lru_cache(maxsize=64)
def organization_cues() -> frozenset[str]:
    """Words after which a capitalised name is an organisation (company, агенция, Firma)."""
    return tables.words("organization_cues")


@lru_cache(maxsize=64)
def location_prepositions(language: str | None) -> frozenset[str]:
    """Prepositions after which a lone capitalised word is a place (в, у, in)."""
    return frozenset(tables.language_table(language).get("location_prepositions", []))


# -- the place-name table (data/place_names.json) --------------------------------------------

# A case form is read back into a nominative of at least this many letters (Рима -> Рим),
# and a region adjective into a noun stem of at least this many (Сумська -> Сум-, of Суми).
PLACE_STEM_MIN = 3
_VOWELS_AND_SOFT = "aeiouyаеиоуыэюяіїєьйёę"


@lru_cache(maxsize=1)
def _place_table() -> tuple[tuple[str, ...], dict[str, int], dict[str, int]]:
    """(shown name per place, name key -> place, noun stem key -> place).

    The noun stem is the name without its final vowels (Полтава -> полтав, Київ -> київ):
    region adjectives are built on it (Полтавська, Київська). A stem two places share is left
    out of the stem index."""
    places = load("place_names")["places"]
    shown = tuple(names[0] for names in places)
    by_name: dict[str, int] = {}
    stems: dict[str, set[int]] = {}
    for number, names in enumerate(places):
        for name in names:
            key = _ascii_key(name)
            by_name.setdefault(key, number)
            if " " not in name.strip():
                stem = _stem_key(name)
                if len(stem) >= PLACE_STEM_MIN:
                    stems.setdefault(stem, set()).add(number)
    by_stem = {stem: next(iter(owners)) for stem, owners in stems.items() if len(owners) == 1}
    return shown, by_name, by_stem


@lru_cache(maxsize=1)
def _place_case_forms() -> tuple[tuple[str, str], ...]:
    """[oblique, nominative] endings of place names in the languages wiretrace reads, longest
    oblique ending first."""
    pairs = {(a, b) for a, b in tables.merged("place_case_forms") or []}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))


def place_name(number: int) -> str:
    """The name shown for a place of the place-name table."""
    return _place_table()[0][number]


@lru_cache(maxsize=100_000)
def place_of(name: str) -> int | None:
    """The place a name is in the place-name table, as written or in a case form (Мюнхене,
    Rosji, Polsce, Рівному), or None. A form that reads back to two places is None."""
    _, by_name, _ = _place_table()
    key = surface_key(name)
    if not key:
        return None
    found = by_name.get(key)
    if found is not None:
        return found
    low = unicodedata.normalize("NFC", name.strip()).lower()
    if " " in low:
        return None
    candidates = set()
    for oblique, nominative in _place_case_forms():
        stem = low[: len(low) - len(oblique)]
        if not low.endswith(oblique) or len(stem) < 2 or len(stem + nominative) < PLACE_STEM_MIN:
            continue
        if oblique == "е" and stem.endswith("ьк"):
            continue  # Покровське is a place of its own, not a case form of Покровськ
        hit = by_name.get(surface_key(stem + nominative))
        if hit is not None:
            candidates.add(hit)
    return next(iter(candidates)) if len(candidates) == 1 else None


# Region adjectives: a place's noun stem, -sk- and an adjective ending (Київська, Киевской,
# Хмельницька, kijowski, Khmelnytska). The -ц- of Вінницька and Хмельницька stays with the stem.
_ADJECTIVE = re.compile(
    r"(?P<sk>с?ь?к|s'?k|z'?k|c'?k)"
    r"(?P<end>ая|ой|ую|ого|ому|ом|ий|ый|ое|ие|их|им|ій|ої|ою|а|у|е|і|"
    r"a|i|iej|iego|im|ą|ie|y|yi|yy|iy|ij|yj|e|oho|ogo|o)$"
)
# Ukrainian alternation before the adjective suffix: Запоріжжя -> Запорізька.
_STEM_ALTERNATIONS = (("з", "ж"), ("ц", "к"))
_DOUBLE = re.compile(r"(.)\1+")


def _stem_key(text: str) -> str:
    """A noun stem's key: no final vowels, doubled letters single (Запоріжжя -> запориж)."""
    return _DOUBLE.sub(r"\1", _ascii_key(text).rstrip(_VOWELS_AND_SOFT))


_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]")


def _ascii_key(name: str) -> str:
    """:func:`surface_key`, with a shortcut for ASCII names (most of the place table's 35,000):
    for them it is the lower-cased letters and digits."""
    if name.isascii():
        return _NOT_ASCII_ALNUM.sub("", name.lower())
    return surface_key(name)


@lru_cache(maxsize=100_000)
def place_of_adjective(word: str) -> int | None:
    """The place a region adjective is built on (Київській -> Kyiv, Запорожская ->
    Zaporizhzhia, kijowski -> Kyiv, Луганська -> Luhansk), through the noun stems of the
    place-name table, or None. The stem is read with its -sk- (Курская is Kursk's) and
    without it (Київська is Kyiv's)."""
    low = unicodedata.normalize("NFC", word.strip()).lower()
    match = _ADJECTIVE.search(low)
    if not match or " " in low:
        return None
    _, _, by_stem = _place_table()
    found = set()
    for candidate in (low[: match.start("end")], low[: match.start("sk")]):
        forms = [candidate] + [candidate[:-1] + b for a, b in _STEM_ALTERNATIONS if candidate.endswith(a)]
        for form in forms:
            key = _stem_key(form)
            if len(key) >= PLACE_STEM_MIN and key in by_stem:
                found.add(by_stem[key])
    # Київська: Kyiv, not Kyiv's namesake district Київський; places are listed largest first
    return min(found) if found else None
