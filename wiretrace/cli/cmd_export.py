"""`wiretrace export` — every article as JSONL, CSV, Parquet, or a self-contained HTML report."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO

import typer

from ..errors import WiretraceError
from ..store.base import Store
from ..store.reads import EXPORT_FIELDS, export_records
from .app import app, err, fail, store_from
from .cmd_show import require_store


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    html = "html"


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(
        ExportFormat.jsonl, "--format", "-f",
        help="jsonl: one JSON object per line; csv: one row per article (attributions joined "
        "with ';'); parquet: a columnar file; html: an offline report of every story with "
        "more than one article, its provenance graph and diffs.",
    ),
    output: str = typer.Option(
        "-", "--output", "-o", help="File to write; '-' is stdout (parquet needs a file)."
    ),
    story: str = typer.Option(
        None, "--story", help="HTML only: report on this one story id.", show_default=False
    ),
) -> None:
    """Export every article, or write an offline HTML report to attach to a fact-check.

    Each record has at least id, title, text, published, outlet, author, language, url,
    attributions and story (the story id the article belongs to). The HTML report is one
    file with no scripts and no external resources.

    Examples: `wiretrace export > articles.jsonl` · `wiretrace export -f csv -o articles.csv` ·
    `wiretrace export -f html -o report.html`
    """
    if fmt is ExportFormat.parquet and output == "-":
        fail("parquet needs a file: use -o FILE.parquet")
    if story and fmt is not ExportFormat.html:
        fail("--story only applies to --format html")
    require_store(ctx)
    # The HTML report traces stories, and traces are cached in the store.
    store = store_from(ctx, readonly=fmt is not ExportFormat.html)
    try:
        if fmt is ExportFormat.html:
            from ..web.report import render_report

            if story:
                from ..store.stories import resolve_story_id

                story = resolve_story_id(store, story)
            _write_text(output, render_report(store, story_id=story))
        elif fmt is ExportFormat.jsonl:
            with _open(output) as fh:
                for rec in export_records(store):
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif fmt is ExportFormat.csv:
            with _open(output, newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=EXPORT_FIELDS)
                writer.writeheader()
                for rec in export_records(store):
                    writer.writerow({**rec, "attributions": ";".join(rec["attributions"] or [])})
        elif fmt is ExportFormat.parquet:
            _write_parquet(store, output)
    except (WiretraceError, sqlite3.Error) as exc:
        fail(str(exc))
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, as Unix filters do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}")
    finally:
        store.close()
    if output != "-":
        err.print(f"wrote {fmt.value} → {output}", highlight=False)


def _write_parquet(store: Store, output: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = list(export_records(store))
    columns = {k: [r[k] for r in records] for k in EXPORT_FIELDS}
    schema = pa.schema(
        [(k, pa.list_(pa.string()) if k == "attributions" else pa.string()) for k in EXPORT_FIELDS]
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), output)


class _open:
    """stdout or a file, as a context manager."""

    def __init__(self, output: str, newline: str | None = None) -> None:
        self.output, self.newline = output, newline
        self.fh: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if self.output == "-":
            return sys.stdout
        Path(self.output).parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.output, "w", encoding="utf-8", newline=self.newline)
        return self.fh

    def __exit__(self, *exc: object) -> None:
        if self.fh:
            self.fh.close()


def _write_text(output: str, text: str) -> None:
    with _open(output) as fh:
        fh.write(text)
