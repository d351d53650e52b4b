"""`wiretrace stories` and `wiretrace recluster`."""

from __future__ import annotations

import typer
from rich.table import Table

from ..errors import WiretraceError
from .app import app, err, fail, out, print_json, store_from


@app.command("stories")
def stories_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    lang: str = typer.Option(
        None, "--lang", help="Prefer titles and summaries in this language (e.g. en, bg).",
        show_default=False,
    ),
    min_size: int = typer.Option(1, "--min-size", min=1, help="Only stories with this many articles."),
    query: str = typer.Option(None, "--query", "-q", help="Only stories whose articles match these words.", show_default=False),
    limit: int = typer.Option(None, "--limit", min=1, help="At most this many stories.", show_default=False),
) -> None:
    """List stories: groups of articles that report the same event.

    JSON: `[{"id", "title", "articles", "languages", "first_seen", "last_seen", "size",
    "summary", "storyline", "related_stories"}]`, largest stories first.

    Examples: `wiretrace stories --min-size 2` · `wiretrace stories --json --lang en`
    """
    from ..stories import list_stories

    store = store_from(ctx)
    try:
        stories = list_stories(
            store, q=query, limit=limit, min_size=min_size, title_language=lang
        )
    except WiretraceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if as_json:
        print_json(stories)
        return
    if not stories:
        err.print("no stories yet — run `wiretrace ingest PATH` first", highlight=False)
        return
    table = Table(show_lines=False, header_style="bold")
    table.add_column("story", no_wrap=True)
    table.add_column("size", justify="right")
    table.add_column("languages")
    table.add_column("first seen", no_wrap=True)
    table.add_column("last seen", no_wrap=True)
    table.add_column("title")
    for s in stories:
        title = s["title"] or "(untitled)"
        if s.get("storyline"):
            title += f" [dim](storyline {s['storyline']})[/]"
        table.add_row(
            s["id"], str(s["size"]), " ".join(s["languages"]),
            (s["first_seen"] or "")[:10], (s["last_seen"] or "")[:10], title,
        )
    out.print(table)
    err.print(f"{len(stories)} stories", highlight=False)


@app.command("recluster")
def recluster_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Rebuild all stories from scratch (after changing the embedding backend or scorer).

    Stories keep their ids where their founding article is unchanged; merge history restarts.
    """
    from ..stories import recluster
    from .progress import make_progress

    store = store_from(ctx)
    try:
        with make_progress() as progress:
            task = progress.add_task("representing", total=store.count_articles())
            summary = recluster(store, progress=lambda n=1: progress.advance(task, n))
    except WiretraceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if as_json:
        print_json(summary)
    err.print(
        f"[green]reclustered[/]: {summary['articles']} articles into {summary['stories']} stories "
        f"({summary['multi_article_stories']} with more than one article, "
        f"{summary['storylines']} storylines)",
        highlight=False,
    )
