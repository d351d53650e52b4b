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


@app.callback()
def _global(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        envvar="WIRETRACE_DB",
        help="SQLite store to use (created if missing). Default: ./wiretrace.db.",
        show_default=False,
    ),
) -> None:
    ctx.obj = State(db=db or default_db_path())
    global CRASH_DIR
    CRASH_DIR = os.path.dirname(os.path.abspath(ctx.obj.db))


def store_from(ctx: typer.Context, *, readonly: bool = False) -> SQLiteStore:
    state: State = ctx.obj or State(db=default_db_path())
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
