"""`wiretrace ingest PATH...` — read pages into the store and update stories and entities."""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from ..extract.budget import DEFAULT_DOC_SECONDS, default_workers
from ..pipeline import ingest
from .app import app, err, store_from
from .progress import RichObserver, make_progress


@app.command("ingest")
def ingest_cmd(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(
        ...,
        help="Files, folders (read recursively) or glob patterns: .txt, .html, .jsonl/.ndjson, "
        ".json, RSS/Atom .xml, .warc — any of them .gz.",
        show_default=False,
    ),
    workers: int = typer.Option(
        None, "--workers", "-w", min=1, show_default=False,
        help="Processes that extract pages (default: one per core). 1 runs extraction in this "
        "process, for debugging; the time budget still applies.",
    ),
    doc_timeout: float = typer.Option(
        DEFAULT_DOC_SECONDS, "--doc-timeout", min=0.1,
        help="Seconds one document may take to extract; a page over it is reported (E202) and "
        "the run goes on.",
    ),
    no_stories: bool = typer.Option(
        False, "--no-stories", help="Only store articles; build stories and entities later."
    ),
    max_mb: int = typer.Option(
        100, "--max-mb", min=1, help="Skip single pages larger than this many megabytes."
    ),
    keep_duplicates: bool = typer.Option(
        False, "--keep-duplicates",
        help="Store a document even when an article with the same text, title and outlet is "
        "already stored under another id.",
    ),
    restore_deleted: bool = typer.Option(
        False, "--restore-deleted",
        help="Store again articles deleted by `wiretrace delete` (same id or same content), "
        "undoing their deletion; without it they are skipped.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No per-file error lines."),
    json_summary: bool = typer.Option(False, "--json", help="Print the run summary as JSON on stdout."),
) -> None:
    """Ingest scraped news into the store.

    Article ids are the JSONL `id` field, else the file's path relative to the folder given
    (the file name when a file is given). Re-ingesting identical content changes nothing; a
    file whose content changed replaces its article. A document with the same text, title and
    outlet as an article stored under another id (the same file under another path) is not
    stored again: it is counted as already stored, with the stored id in `--json`
    (`--keep-duplicates` stores it anyway). The same text from another outlet is stored: it
    is a copy to trace, not a duplicate. Bad files are reported one per line, the
    run continues, and the exit code is 1 if any failed (0: all fine, 2: usage error, 3: a bug,
    with the traceback in a crash log). A page that needs more than `--doc-timeout` seconds or
    its share of memory is refused (E202).

    JSONL lines: `{"id", "text" or "html", "title"?, "url"?, "published"? (ISO-8601),
    "outlet"?, "author"?, "language"?}`; other fields are kept. Stories and entities are
    updated as articles arrive. Progress goes to stderr; `--json` prints only the summary on
    stdout.

    Examples: `wiretrace ingest scraped/` · `wiretrace --db cases.db ingest 'dumps/**/*.jsonl.gz'`
    """
    store = store_from(ctx)
    try:
        with make_progress() as progress:
            observer = RichObserver(progress, quiet=quiet)
            report = ingest(
                store,
                paths,
                workers=workers or default_workers(),
                doc_timeout=doc_timeout,
                observer=observer,
                run_stages=not no_stories,
                max_bytes=max_mb * 1_000_000,
                keep_duplicates=keep_duplicates,
                restore_deleted=restore_deleted,
            )
    finally:
        store.close()
    summary = {**report.counts(), "errors": [
        {"path": p, "code": c, "message": m} for p, c, m in report.errors
    ], "duplicates": [
        {"path": p, "id": i, "same_as": s} for p, i, s in report.duplicates
    ], "stages": report.stages, "db": ctx.obj.db}
    if json_summary:
        typer.echo(json.dumps(summary, ensure_ascii=False, default=str))
    colour = "green" if report.ok else "yellow"
    err.print(
        f"[{colour}]ingested[/]: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.duplicate} already stored (same content), "
        + (f"{report.deleted} deleted by a correction (skipped), " if report.deleted else "") +
        f"{report.failed} failed → {escape(ctx.obj.db)}",
        highlight=False,
    )
    if not report.ok:
        raise typer.Exit(1)
