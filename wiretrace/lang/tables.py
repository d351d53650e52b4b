"""Per-language data: one file per language (``data/<code>.json``) plus the multilingual tables.

Every word list a stage needs for a language (month names, abbreviations, titles, number
words, hedges ...) lives in that language's file, so adding a language is adding one file.
``data/multilingual.json`` holds what no single language owns: the languages the identifier
chooses from, wire agencies, scale words and stop words shared across scripts.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# Keys every language file must have (checked by the tests): its code, how it writes the
# decimal mark, and its twelve month names (each a list of forms, lower-case).
REQUIRED_KEYS = ("code", "decimal_mark", "months")


def _read(name: str) -> Any:
    path = resources.files("wiretrace.lang") / "data" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def languages() -> tuple[str, ...]:
    """Codes of the languages that have a data file."""
    folder = resources.files("wiretrace.lang") / "data"
    return tuple(
        sorted(
            entry.name[: -len(".json")]
            for entry in folder.iterdir()
            if entry.name.endswith(".json") and entry.name != "multilingual.json"
        )
    )


@cache
def language_table(code: str | None) -> dict[str, Any]:
    """The data file of ``code``; an empty table for a language without one."""
    if not code or code not in languages():
        return {}
    return _read(code)


@cache
def multilingual() -> dict[str, Any]:
    """The tables shared by every language (``data/multilingual.json``)."""
    return _read("multilingual")


def words(key: str, language: str | None = None) -> frozenset[str]:
    """Lower-cased words of list ``key`` for ``language`` plus the multilingual list of that
    name; every language's words when ``language`` is None."""
    found: set[str] = set(multilingual().get(key, []))
    codes = languages() if language is None else (language,)
    for code in codes:
        found.update(language_table(code).get(key, []))
    return frozenset(w.lower() for w in found)


def per_language(key: str) -> dict[str, list[Any]]:
    """``{code: list}`` for every language whose file holds ``key``."""
    return {code: language_table(code)[key] for code in languages() if key in language_table(code)}


def _merge(into: Any, value: Any) -> Any:
    if into is None:
        return json.loads(json.dumps(value))
    if isinstance(into, dict):
        for key, item in value.items():
            into[key] = _merge(into.get(key), item)
        return into
    return into + [item for item in value if item not in into]


@cache
def merged(key: str) -> Any:
    """Table ``key`` of every language file (and the multilingual one) merged: lists joined
    without repeats, dicts merged key by key. For stages that read pages in any language."""
    found: Any = None
    for table in (multilingual(), *(language_table(code) for code in languages())):
        if key in table:
            found = _merge(found, table[key])
    return found


@cache
def month_table() -> dict[str, int]:
    """Every month form of every language -> month number (the first language listing a form
    decides, in code order)."""
    table: dict[str, int] = {}
    for code in languages():
        for index, forms in enumerate(language_table(code).get("months", [])):
            for form in forms:
                table.setdefault(form.lower(), index + 1)
    return table


def decimal_mark(language: str | None) -> str:
    """"." or "," — how ``language`` writes the decimal mark (a comma unless known otherwise)."""
    table = language_table(language)
    if "decimal_mark" in table:
        return str(table["decimal_mark"])
    return "." if language in multilingual()["decimal_point"] else ","


@cache
def abbreviations_for(language: str | None) -> frozenset[str]:
    """Lower-cased abbreviations (with their final dot) that do not end a sentence."""
    return words("abbreviations", language)


@cache
def agencies() -> dict[str, dict[str, Any]]:
    """Wire agencies and outlets credited in text: canonical name -> kind, surface forms,
    home language and the outlet names or hosts that mark the original."""
    return dict(multilingual()["agencies"])


@cache
def identifiable_languages() -> tuple[str, ...]:
    """Languages the identifier may answer (news scrapers meet these)."""
    return tuple(multilingual()["identify"])
