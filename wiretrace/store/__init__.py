"""Storage adapters. ``open_store`` returns the default SQLite store."""

from __future__ import annotations

import os

from .base import ArticleState, Store
from .sqlite import SQLiteStore, default_db_path


def open_store(path: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> SQLiteStore:
    """Open (creating and migrating if needed) the store at ``path`` or ``$WIRETRACE_DB``."""
    return SQLiteStore(path, readonly=readonly)


__all__ = ["ArticleState", "SQLiteStore", "Store", "default_db_path", "open_store"]
