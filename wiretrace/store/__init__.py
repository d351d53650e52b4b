"""Persistence: every SQL statement of wiretrace lives in this package.

``open_store`` returns the default SQLite store (``sqlite``); the repositories beside it keep
one aggregate each (``stories``, ``traces``, ``entities``, ``representations``,
``stage_state``), and ``reads`` is the one read model every surface shows.
"""

from __future__ import annotations

import os

from .base import ArticleState, Store
from .sqlite import SQLiteStore, default_db_path


def open_store(path: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> SQLiteStore:
    """Open (creating and migrating if needed) the store at ``path`` or ``$WIRETRACE_DB``."""
    return SQLiteStore(path, readonly=readonly)


__all__ = ["ArticleState", "SQLiteStore", "Store", "default_db_path", "open_store"]
