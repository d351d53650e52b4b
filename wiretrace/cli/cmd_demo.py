"""`wiretrace demo` — the whole pipeline on the bundled sample corpus, then where to look."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..pipeline import ingest
from .app import app, err, out, store_from
from .progress import RichObserver, make_progress


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    report: str = typer.Option(
        "demo-report.html", "--report", help="Where to write the offline HTML report."
    ),
) -> None:
    """Ingest the bundled multilingual sample corpus, build stories, trace the largest one,
    list the main people, and write an offline HTML report; then say where to look next.

    The first run embeds every article (a few minutes on a laptop); later runs reuse the
    store.

    Examples: `wiretrace demo` · `wiretrace --db demo.db demo --report /tmp/report.html`
    """
    from ..sample import sample_articles_dir
    from ..store.reads import list_entities, list_stories
    from ..store.traces import trace_story
    from ..web.report import render_report
    from .cmd_trace import render_tree

    corpus = sample_articles_dir()
    err.print(f"[bold]1/4[/] ingesting the sample corpus from {escape(str(corpus))}")
    store = store_from(ctx)
    try:
        with make_progress() as progress:
            result = ingest(store, [str(corpus)], observer=RichObserver(progress))
        err.print(
            f"    {result.new} new, {result.changed} changed, {result.unchanged} unchanged, "
            f"{result.failed} failed (failures are deliberate bad files in the corpus)"
            if result.failed else
            f"    {result.new} new, {result.changed} changed, {result.unchanged} unchanged"
        )

        err.print("[bold]2/4[/] stories (same event, any language)")
        stories = [s for s in list_stories(store) if len(s["articles"]) > 1]
        table = Table(show_lines=False)
        for col in ("story", "title", "articles", "languages"):
            table.add_column(col)
        for s in stories:
            table.add_row(
                s["id"], escape((s.get("title") or "")[:70]), str(len(s["articles"])),
                ", ".join(s["languages"]),
            )
        out.print(table)

        if stories:
            biggest = stories[0]  # the list is largest first: the story the table starts with
            err.print(
                f"[bold]3/4[/] provenance of the largest story, {biggest['id']} "
                f"({len(biggest['articles'])} articles): who copied whom, what changed"
            )
            out.print(render_tree(trace_story(store, biggest["id"]), limit=4))

        err.print("[bold]4/4[/] people, with every spelling merged")
        people = [e for e in list_entities(store, type="person") if len(e["articles"]) > 1][:8]
        ptable = Table()
        ptable.add_column("person")
        ptable.add_column("written as")
        ptable.add_column("articles")
        for e in people:
            ptable.add_row(
                escape(e["name"]), escape(", ".join(e["variants"][:6])), str(len(e["articles"]))
            )
        out.print(ptable)

        Path(report).write_text(render_report(store), encoding="utf-8")
    finally:
        store.close()
    db = escape(shlex.quote(ctx.obj.db))
    err.print("\n[bold green]Done.[/] Where to look:")
    err.print(f"  • the HTML report:        {escape(str(Path(report).resolve()))}")
    exe = _command_name()
    err.print(f"  • the web workbench:      {exe} --db {db} serve   → http://127.0.0.1:8000/")
    err.print(f"  • stories as JSON:        {exe} --db {db} stories --json")
    err.print(f"  • one story's trace:      {exe} --db {db} trace STORY_ID")
    err.print(f"  • one article, cleaned:   {exe} --db {db} show ARTICLE_ID")


def _command_name() -> str:
    """How the user can run wiretrace again: the script path when it is not on PATH."""
    import os
    import shutil
    import sys

    script = sys.argv[0]
    if os.path.basename(script) == "wiretrace" and shutil.which("wiretrace") != os.path.abspath(script):
        return os.path.relpath(script)
    return "wiretrace"
