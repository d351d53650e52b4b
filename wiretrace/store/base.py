"""The store interface every backend implements.

The pipeline, CLI and web layer only talk to a :class:`Store`; SQLite is the default
implementation (``wiretrace.store.sqlite``). Persistence per aggregate lives in repository
modules next to this one (``stories``, ``traces``, ``entities``, ``representations``,
``reads``): they take a :class:`Store` and use its transaction and connection, so every SQL
statement of the project sits in this package.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

from ..records import Article

ArticleState = Literal["new", "same", "changed"]


class Store(Protocol):
    path: str
    # True when opened with ``readonly=True``: every write raises, and readers that would
    # otherwise cache what they compute keep it in memory instead.
    readonly: bool
    # The connection the repositories of this package run their SQL on.
    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[Any]:
        """A unit of work: everything inside commits together or not at all."""

    def schema_version(self) -> int: ...

    def article_state(self, article_id: str, content_hash: str) -> ArticleState: ...

    def duplicate_of(self, article: Article) -> str | None:
        """The stored article this one is a copy of under another id (same text, title and
        outlet), if any."""

    def put_article(self, article: Article) -> ArticleState:
        """Insert or replace one article (call inside ``transaction()``)."""

    def get_article(self, article_id: str) -> Article: ...

    def get_article_dict(self, article_id: str) -> dict[str, Any]: ...

    def iter_articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]: ...

    def article_ids(self) -> list[str]: ...

    def count_articles(self) -> int: ...

    def search_article_ids(self, query: str, limit: int = 50) -> list[str]: ...

    def own_files(self) -> list[str]:
        """Files the store itself writes (so an ingest of the folder holding it skips them)."""

    def close(self) -> None: ...
