"""`wiretrace show ARTICLE` — one article, with its metadata evidence and what cleaning removed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..errors import NotFoundError, WiretraceError
from ..store.base import Store
from ..store.reads import article_view, missing_id_hint
from .app import app, fail, out, print_json, store_from


def require_store(ctx: typer.Context) -> None:
    """Fail with a hint, instead of an SQLite error, when a reading command has no store."""
    db = ctx.obj.db
    if db != ":memory:" and not Path(db).exists():
        fail(f"no store at {db}: run `wiretrace --db {db} ingest PATH` first, or pass --db PATH")


T = TypeVar("T")


def read_store(ctx: typer.Context, query: Callable[[Store], T], *, readonly: bool = False) -> T:
    """``query`` run on the command's store, closed after: an error of the store or of the
    query is one line on stderr and exit code 1, like every reading command's."""
    store = store_from(ctx, readonly=readonly)
    try:
        return query(store)
    except (WiretraceError, sqlite3.Error) as exc:
        fail(str(exc))
        raise  # not reached: fail exits
    finally:
        store.close()


def _view(store: Store, article_id: str, raw: bool, signals: bool) -> dict[str, Any]:
    """The article as the read model shows it, with the signals ``wiretrace signals`` gives
    (read from the store or computed in memory: the store is opened read-only). An unknown
    id is an error naming the ids the user probably meant."""
    try:
        view = article_view(store, article_id, include_raw=raw)
    except NotFoundError as exc:
        hint = missing_id_hint(store, article_id, looking_for="article")
        raise NotFoundError(f"{exc.message}; {hint}" if hint else exc.message) from None
    if signals:
        from ..adapters.signals import article_signals

        view["signals"] = article_signals(store, article_id)
    return view


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    article_id: str = typer.Argument(
        ..., help="Article id as listed by `stories --json` or `export`.", show_default=False
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the article as JSON on stdout (all fields below)."
    ),
    raw: bool = typer.Option(False, "--raw", help="Include the original page text."),
    no_signals: bool = typer.Option(
        False, "--no-signals", help="Leave out the manipulation signals (faster when the "
        "store holds none for this article: they are then computed, in memory)."
    ),
) -> None:
    """Show one article: cleaned text, metadata with the evidence for each field, and every
    piece cleaning removed (menus, comments, teasers, share bars) with the reason.

    JSON: `{"id", "title", "text", "published", "outlet", "author", "language", "url",
    "attributions", "story", "evidence": {field: {"source", "text", "confidence"}},
    "removed": [{"text", "reason"}], "signals", ...}`, where `signals` is what `wiretrace
    signals ARTICLE --json` prints (the stored signals, or computed without writing).

    Examples: `wiretrace show en/reuters-dam.txt` · `wiretrace show rec-17 --json --raw`
    """
    require_store(ctx)
    view = read_store(ctx, lambda store: _view(store, article_id, raw, not no_signals),
                      readonly=True)
    if as_json:
        print_json(view)
        return
    meta = Table.grid(padding=(0, 2))
    for key in ("title", "published", "outlet", "author", "language", "url", "dateline", "story"):
        value = view.get(key)
        if value:
            ev = (view.get("evidence") or {}).get(key)
            note = f"  [dim]({escape(ev['source'])}: {escape(ev['text'][:60])})[/]" if ev else ""
            meta.add_row(f"[bold]{key}[/]", f"{escape(str(value))}{note}")
    if view["attributions"]:
        meta.add_row("[bold]credits[/]", escape(", ".join(view["attributions"])))
    signals = view.get("signals")
    if signals:
        names = [n for n in signals.get("names", []) if not n.startswith("genre:")]
        meta.add_row("[bold]signals[/]", escape(
            f"{signals['genre']} · headline {signals['headline_score']:.2f}"
            + (f" · {', '.join(names)}" if names else "")))
    out.print(Panel(meta, title=escape(view["id"]), expand=False))
    out.print(view["text"], highlight=False, markup=False)
    if view["removed"]:
        table = Table(title=f"removed by cleaning ({len(view['removed'])})", show_lines=False)
        table.add_column("reason")
        table.add_column("text", overflow="fold")
        for r in view["removed"]:
            table.add_row(escape(r["reason"]), escape(r["text"][:160]))
        out.print(table)
