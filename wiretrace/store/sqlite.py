"""SQLite store: one file, WAL journal, versioned migrations, transactions per unit of work."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import NotFoundError, SchemaVersionError, StoreError
from ..records import Article, article_from_columns, article_json_columns
from .base import ArticleState

DEFAULT_DB = "wiretrace.db"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def default_db_path() -> str:
    return os.environ.get("WIRETRACE_DB") or DEFAULT_DB


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _normal(value: str | None) -> str:
    """NFC with runs of whitespace made one space: re-saving a page must not make it new."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def outlet_key(outlet: str | None, url: str | None) -> str:
    """Who published an article, for identity: the outlet's name, else the URL's host (without
    ``www.``), else nothing (an article with neither is one outlet's as much as another's)."""
    if outlet and outlet.strip():
        return "outlet:" + _normal(outlet).casefold()
    try:
        host = (urlsplit(url.strip()).hostname or "") if url else ""
    except ValueError:
        host = ""
    host = host.removeprefix("www.")
    return "host:" + host if host else ""


def article_identity(text: str, title: str | None, outlet: str | None, url: str | None) -> str:
    """The digest two stored articles share when they are one article stored twice: the same
    normalised text and title from the same outlet (or both from none). A verbatim copy run
    by another outlet differs here: it is a finding (a copy edge), not a duplicate."""
    parts = (_normal(text), _normal(title), outlet_key(outlet, url))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _identity_of(article: Article) -> str:
    md = article.metadata
    return article_identity(article.text, md.title, md.outlet, md.url)


def migrations() -> list[tuple[int, str, str]]:
    """All shipped migrations as (version, name, sql), in order."""
    found = []
    folder = resources.files("wiretrace.store") / "migrations"
    for entry in folder.iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"duplicate migration versions: {versions}")
    return found


class SQLiteStore:
    """The default store. Safe to open from several processes (WAL); one writer at a time.

    ``check_same_thread`` is off so the web server's worker threads can share one read
    connection; writes go through :meth:`transaction`, which holds a lock.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, readonly: bool = False):
        self.path = str(path or default_db_path())
        self.readonly = readonly
        self._lock = threading.RLock()
        self._depth = 0
        try:
            if readonly:
                self.conn = _connect_readonly(self.path)
            else:
                parent = os.path.dirname(os.path.abspath(self.path))
                os.makedirs(parent, exist_ok=True)
                self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database: {exc}", path=self.path) from exc
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 30000")
        if not readonly:
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.migrate()
        else:
            self._check_version()

    def own_files(self) -> list[str]:
        """The database file and the write-ahead log, shared-memory and journal beside it."""
        return [self.path] + [self.path + suffix for suffix in ("-wal", "-shm", "-journal")]

    # -- schema -------------------------------------------------------------------------

    def schema_version(self) -> int:
        try:
            row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        except sqlite3.OperationalError:
            return 0
        return int(row[0] or 0)

    def _check_version(self) -> None:
        known = max((v for v, _, _ in migrations()), default=0)
        current = self.schema_version()
        if current > known:
            raise SchemaVersionError(
                f"database schema version {current} is newer than this wiretrace supports ({known}); "
                "upgrade wiretrace",
                path=self.path,
            )

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction. Returns versions applied."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        self._check_version()
        done = {r[0] for r in self.conn.execute("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sql in migrations():
            if version in done:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now()),
                )
            applied.append(version)
        self._fill_identities()
        return applied

    def _fill_identities(self) -> None:
        """Give rows stored before the identity column existed their identity (one
        transaction; a no-op once every row has one)."""
        rows = self.conn.execute(
            "SELECT id, text, title, outlet, url FROM articles WHERE identity IS NULL"
        ).fetchall()
        if not rows:
            return
        with self.transaction():
            self.conn.executemany(
                "UPDATE articles SET identity = ? WHERE id = ?",
                [(article_identity(r["text"], r["title"], r["outlet"], r["url"]), r["id"])
                 for r in rows],
            )

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Nested calls join the outer transaction; the outermost commits or rolls back."""
        if self.readonly:
            raise StoreError("the store is open read-only", path=self.path)
        with self._lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self._depth -= 1
                if outer:
                    self.conn.execute("COMMIT")

    # -- articles -----------------------------------------------------------------------

    def article_state(self, article_id: str, content_hash: str) -> ArticleState:
        row = self.conn.execute(
            "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return "new"
        return "same" if row[0] == content_hash else "changed"

    def duplicate_of(self, article: Article) -> str | None:
        """The id of a stored article with this one's identity, stored under another id; None
        when there is none or when the article's own id is stored (a file whose content changed
        at the same path replaces its article)."""
        if self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone():
            return None
        row = self.conn.execute(
            "SELECT id FROM articles WHERE identity = ? AND id != ? ORDER BY seq LIMIT 1",
            (_identity_of(article), article.id),
        ).fetchone()
        return None if row is None else str(row[0])

    def put_article(self, article: Article) -> ArticleState:
        state = self.article_state(article.id, article.content_hash)
        if state == "same":
            return state
        md = article.metadata
        columns = article_json_columns(article)
        with self.transaction():
            if state == "changed":
                # Delete so every derived row (sentences, memberships, ...) cascades away and
                # the later stages recompute them for the new content.
                self.conn.execute("DELETE FROM articles WHERE id = ?", (article.id,))
            self.conn.execute(
                """INSERT INTO articles(id, content_hash, source_path, source_kind, raw, encoding,
                    title, text, published, outlet, author, url, dateline, language,
                    language_confidence, metadata_json, removed_json, paragraph_languages_json,
                    extraction_method, extra_json, notes_json, ingested_at, identity)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    article.id,
                    article.content_hash,
                    article.source_path,
                    article.source_kind,
                    article.raw_bytes,
                    article.encoding,
                    md.title,
                    article.text,
                    md.published,
                    md.outlet,
                    md.author,
                    md.url,
                    md.dateline,
                    article.language,
                    article.language_confidence,
                    columns["metadata_json"],
                    columns["removed_json"],
                    columns["paragraph_languages_json"],
                    article.extraction_method,
                    columns["extra_json"],
                    columns["notes_json"],
                    _now(),
                    _identity_of(article),
                ),
            )
            self.conn.executemany(
                'INSERT INTO attributions(article_id, name, surface, start, "end", kind) VALUES (?,?,?,?,?,?)',
                [(article.id, a.name, a.surface, a.start, a.end, a.kind) for a in md.attributions],
            )
        return state

    def get_article(self, article_id: str) -> Article:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}")
        return article_from_columns(row)

    def get_article_dict(self, article_id: str) -> dict[str, Any]:
        article = self.get_article(article_id)
        out = article.to_dict()
        row = self.conn.execute(
            "SELECT ingested_at FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        out["ingested_at"] = row[0]
        return out

    def iter_articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        if ids is None:
            for row in self.conn.execute("SELECT * FROM articles ORDER BY seq"):
                yield article_from_columns(row)
            return
        for article_id in ids:
            row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is not None:
                yield article_from_columns(row)

    def article_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY seq")]

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def search_article_ids(self, query: str, limit: int = 50) -> list[str]:
        """Full-text search; the query is treated as plain words, never as FTS syntax."""
        words = re.findall(r"\w+", query, flags=re.UNICODE)
        if not words:
            return []
        fts_query = " ".join('"' + w.replace('"', "") + '"' for w in words)
        rows = self.conn.execute(
            "SELECT a.id FROM articles_fts f JOIN articles a ON a.seq = f.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (fts_query, limit),
        )
        return [r[0] for r in rows]

    # -- ingest runs --------------------------------------------------------------------

    def start_run(self, paths: list[str]) -> int:
        """Record a new run, first marking runs whose process died (kill -9) 'interrupted'."""
        host = socket.gethostname()
        with self.transaction():
            for run_id, pid in self.conn.execute(
                "SELECT id, pid FROM ingest_runs WHERE status = 'running' AND (host = ? OR host IS NULL)",
                (host,),
            ).fetchall():
                if pid is None or not _process_alive(int(pid)):
                    self.conn.execute(
                        "UPDATE ingest_runs SET status = 'interrupted', finished_at = ? WHERE id = ?",
                        (_now(), run_id),
                    )
            cur = self.conn.execute(
                "INSERT INTO ingest_runs(started_at, paths_json, pid, host) VALUES (?, ?, ?, ?)",
                (_now(), json.dumps(paths, ensure_ascii=False), os.getpid(), host),
            )
        return int(cur.lastrowid or 0)

    def record_error(self, run_id: int, path: str, code: str, message: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO ingest_errors(run_id, path, code, message) VALUES (?,?,?,?)",
                (run_id, path, code, message),
            )

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE ingest_runs SET finished_at=?, status=?, new=?, changed=?, unchanged=?, failed=? WHERE id=?",
                (
                    _now(),
                    status,
                    counts.get("new", 0),
                    counts.get("changed", 0),
                    counts.get("unchanged", 0),
                    counts.get("failed", 0),
                    run_id,
                ),
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _connect_readonly(path: str) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro`` plus ``query_only``.

    A read-only reader of a WAL database needs its -wal and -shm files, and creates them
    (empty) when they are missing and the folder is writable. When they are missing and
    cannot be created, no writer can be working on the file either (a writer needs them
    too), so it is opened as immutable.
    """
    if not os.path.exists(path):
        raise sqlite3.OperationalError("no such file")
    base = "file:" + quote(os.path.abspath(path))
    conn = sqlite3.connect(base + "?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        if os.path.exists(path + "-wal") or os.access(os.path.dirname(os.path.abspath(path)), os.W_OK):
            raise
        conn = sqlite3.connect(
            base + "?mode=ro&immutable=1", uri=True, check_same_thread=False, isolation_level=None
        )
        conn.execute("PRAGMA query_only = ON")
    return conn


def _process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements: list[str] = []
    buf: list[str] = []
    in_trigger = False
    for line in sql.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            in_trigger = True
        if in_trigger:
            if upper == "END;":
                statements.append("\n".join(buf))
                buf, in_trigger = [], False
        elif stripped.endswith(";"):
            statements.append("\n".join(buf))
            buf = []
    if buf and "".join(buf).strip():
        statements.append("\n".join(buf))
    return statements
