"""The Typer application and what every command shares: the store, consoles, JSON output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import WiretraceError
from ..store import SQLiteStore, default_db_path, open_store

app = typer.Typer(
    name="wiretrace",
    help=(
        "Trace news stories across outlets and languages.\n\n"
        "Ingest scraped pages, group the articles that report the same event into stories, "
        "find who copied, translated or rewrote whom, and what each outlet added, left out or "
        "changed. Start with `wiretrace demo`, or `wiretrace ingest FOLDER` then "
        "`wiretrace stories`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

# Where a crash log goes: the store's folder once the command line has named the store.
CRASH_DIR: str | None = None

out = Console(soft_wrap=True)  # stdout: results only
err = Console(stderr=True, soft_wrap=True)  # stderr: progress, warnings, summaries


@dataclass
class State:
    db: str


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"wiretrace {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        envvar="WIRETRACE_DB",
        help="SQLite store to use (created if missing; its folder must exist). "
        "Default: ./wiretrace.db. Give it before the command: `wiretrace --db x.db stories`.",
        show_default=False,
    ),
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    ctx.obj = State(db=db or default_db_path())
    global CRASH_DIR
    CRASH_DIR = os.path.dirname(os.path.abspath(ctx.obj.db))


# The first 16 bytes of every SQLite database file (https://www.sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"


def check_db_path(db: str, *, create: bool) -> None:
    """Fail with one line (exit 2) when ``db`` cannot be a store: an existing file that is not
    an SQLite database, a folder, or (when the command would create it) a path whose folder
    does not exist, which is a typo far more often than a wish for new folders."""
    if db == ":memory:" or db.startswith("file:"):
        return
    path = Path(db)
    if path.is_dir():
        fail(f"--db {db} is a folder; give a file such as {path / 'wiretrace.db'}", code=2)
    if path.exists():
        try:
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            fail(f"--db {db}: cannot read it ({exc.strerror or exc})", code=2)
            return
        if head and head != SQLITE_HEADER:
            fail(f"--db {db} is not a wiretrace store (not an SQLite database file)", code=2)
        return
    folder = path.absolute().parent
    if create and not folder.is_dir():
        fail(f"--db {db}: the folder {folder} does not exist; create it first", code=2)


def store_from(ctx: typer.Context, *, readonly: bool = False) -> SQLiteStore:
    state: State = ctx.obj or State(db=default_db_path())
    check_db_path(state.db, create=not readonly)
    try:
        return open_store(state.db, readonly=readonly)
    except WiretraceError as exc:
        fail(str(exc))
        raise  # unreachable


def print_json(obj: Any, *, lines: bool = False) -> None:
    """Write JSON to stdout (one document, or one line per item with ``lines``)."""
    if lines:
        for item in obj:
            sys.stdout.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def input_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a line-per-record input (``-`` is stdin), numbered from 1 so
    an error can name FILE:LINE; undecodable bytes are replaced, never fatal."""
    handle: TextIO = sys.stdin if str(path) == "-" else path.open(encoding="utf-8", errors="replace")
    with handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)
