"""Language data shipped as files (abbreviations, stop words, month names, ...).

Stages read their word lists from here instead of keeping literals in code, so adding a
language means adding data, not editing logic.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Load ``wiretrace/langdata/<name>.json``."""
    return json.loads((resources.files(__name__) / f"{name}.json").read_text(encoding="utf-8"))


@cache
def abbreviations_for(language: str | None) -> frozenset[str]:
    """Lower-cased abbreviations (with their final dot) that do not end a sentence."""
    table: dict[str, list[str]] = load("abbreviations")
    words = set(table.get("_all", []))
    if language:
        words.update(table.get(language, []))
    else:
        for values in table.values():
            words.update(values)
    return frozenset(w.lower() for w in words)
