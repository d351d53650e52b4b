"""Data files of the similarity stage: number and month words, the fitted scoring model."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Load ``wiretrace/similarity/data/<name>.json``."""
    return json.loads((resources.files(__name__) / f"{name}.json").read_text(encoding="utf-8"))
