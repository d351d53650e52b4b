"""Metadata data files (month names, date patterns, agencies, attribution cues) and a loader."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Load ``wiretrace/metadata/data/<name>.json``."""
    return json.loads((resources.files(__name__) / f"{name}.json").read_text(encoding="utf-8"))
