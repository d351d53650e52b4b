"""`wiretrace show ARTICLE` — one article, with its metadata evidence and what cleaning removed."""

from __future__ import annotations

import typer
from rich.panel import Panel
from rich.table import Table

from ..errors import NotFoundError
from ..views import article_view
from .app import app, fail, out, print_json, store_from


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    article_id: str = typer.Argument(..., help="Article id as listed by `stories` or `export`."),
    as_json: bool = typer.Option(False, "--json", help="Print the article as JSON."),
    raw: bool = typer.Option(False, "--raw", help="Include the original page text."),
) -> None:
    """Show one article: cleaned text, metadata with evidence, and what cleaning removed and why."""
    store = store_from(ctx, readonly=True)
    try:
        view = article_view(store, article_id, include_raw=raw)
    except NotFoundError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if as_json:
        print_json(view)
        return
    meta = Table.grid(padding=(0, 2))
    for key in ("title", "published", "outlet", "author", "language", "url", "dateline", "story"):
        value = view.get(key)
        if value:
            ev = view.get("evidence", {}).get(key)
            note = f"  [dim]({ev['source']}: {ev['text'][:60]})[/]" if ev else ""
            meta.add_row(f"[bold]{key}[/]", f"{value}{note}")
    if view["attributions"]:
        meta.add_row("[bold]credits[/]", ", ".join(view["attributions"]))
    out.print(Panel(meta, title=view["id"], expand=False))
    out.print(view["text"], highlight=False)
    if view["removed"]:
        table = Table(title=f"removed by cleaning ({len(view['removed'])})", show_lines=False)
        table.add_column("reason")
        table.add_column("text", overflow="fold")
        for r in view["removed"]:
            table.add_row(r["reason"], r["text"][:160])
        out.print(table)
