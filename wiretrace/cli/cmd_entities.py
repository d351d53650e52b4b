"""`wiretrace entities` and `wiretrace entity NAME`."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .app import app, err, out, print_json
from .cmd_correct import entity_app  # `entity NAME` is `entity show NAME`; corrections beside it
from .cmd_show import read_store


@app.command("entities")
def entities_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    type_: str = typer.Option(
        None, "--type", help="Only this type: person, organization, location, other.", show_default=False
    ),
    min_articles: int = typer.Option(1, "--min-articles", min=0, help="Only entities in this many articles."),
    query: str = typer.Option(None, "--query", "-q", help="Only entities whose name or a variant matches.",
                              show_default=False),
    limit: int = typer.Option(None, "--limit", min=1, help="At most this many entities.", show_default=False),
) -> None:
    """List people, organisations and places, with every spelling merged into one entity.

    JSON: `[{"id", "name", "type", "variants": [surface forms], "articles": [ids],
    "article_count", "mention_count"}]`, most widely reported first.

    Examples: `wiretrace entities --type person --min-articles 2` · `wiretrace entities --json -q lukash`
    """
    from ..store.entities import list_entities

    entities = read_store(ctx, lambda store: list_entities(
        store, type=type_, q=query, limit=limit, min_articles=min_articles))
    if as_json:
        print_json(entities)
        return
    if not entities:
        err.print("no entities yet — run `wiretrace ingest PATH` first", highlight=False)
        return
    table = Table(header_style="bold")
    table.add_column("entity", no_wrap=True)
    table.add_column("type")
    table.add_column("articles", justify="right")
    table.add_column("name")
    table.add_column("variants")
    for e in entities:
        others = [v for v in e["variants"] if v != e["name"]]
        table.add_row(*(Text(x) for x in (e["id"], e["type"], str(e["article_count"]), e["name"], ", ".join(others[:8]))))
    out.print(table)


@entity_app.command("show")
def entity_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Entity id, name or any spelling (Lukashenka, Лукашенко)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """One entity's page: its variants and why each was merged, articles, stories, outlets, timeline.

    Examples: `wiretrace entity Lukashenko` · `wiretrace entity "Светлана Тихановская" --json`
    """
    from ..store.entities import get_entity

    page = read_store(ctx, lambda store: get_entity(store, name))
    if as_json:
        print_json(page)
        return
    out.print(f"[bold]{escape(page['name'])}[/] ({page['type']}) — id {escape(page['id'])}, "
              f"{page['article_count']} articles, {page['mention_count']} mentions", highlight=False)
    variants = Table(title="variants", header_style="bold")
    variants.add_column("as written")
    variants.add_column("count", justify="right")
    variants.add_column("why merged")
    for v in page["variants"]:
        variants.add_row(Text(v["surface"]), str(v["count"]), Text(v["reason"] or ""))
    out.print(variants)
    articles = Table(title="articles", header_style="bold")
    for col in ("article", "published", "outlet", "language", "mentions", "title"):
        articles.add_column(col)
    for a in page["articles"]:
        articles.add_row(*(Text(x) for x in (a["id"], a["published"] or "", a["outlet"] or "",
                                             a["language"] or "", str(a["mentions"]), a["title"] or "")))
    out.print(articles)
    if page["stories"]:
        out.print("[bold]stories:[/] " + ", ".join(
            f"{escape(s['id'])} ({len(s['articles'])})" for s in page["stories"]), highlight=False)
    if page["outlets"]:
        out.print("[bold]outlets:[/] " + ", ".join(
            f"{escape(o['outlet'])} ({o['articles']})" for o in page["outlets"]), highlight=False)
    out.print("[bold]timeline:[/] " + ", ".join(f"{d}: {n}" for d, n in page["timeline"].items()),
              highlight=False)
