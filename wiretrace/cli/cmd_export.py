"""`wiretrace export` — every article as JSONL, CSV, Parquet, or a self-contained HTML report."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from ..views import EXPORT_FIELDS, export_records
from .app import app, err, fail, store_from


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    html = "html"


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", "-f", help="Output format."),
    output: str = typer.Option(
        "-", "--output", "-o", help="File to write; '-' is stdout (not for parquet)."
    ),
    story: str = typer.Option(None, "--story", help="HTML only: report on one story."),
) -> None:
    """Export articles (id, title, text, published, outlet, author, language, url,
    attributions, story, ...) or an offline HTML report with stories and their traces."""
    store = store_from(ctx, readonly=True)
    try:
        if fmt is ExportFormat.html:
            from ..web.report import render_report

            html = render_report(store, story_id=story)
            _write_text(output, html)
        elif fmt is ExportFormat.jsonl:
            with _open(output) as fh:
                for rec in export_records(store):
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif fmt is ExportFormat.csv:
            with _open(output, newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=EXPORT_FIELDS)
                writer.writeheader()
                for rec in export_records(store):
                    rec = {**rec, "attributions": ";".join(rec["attributions"] or [])}
                    writer.writerow(rec)
        elif fmt is ExportFormat.parquet:
            if output == "-":
                fail("parquet needs a file: use -o FILE.parquet")
            import pyarrow as pa
            import pyarrow.parquet as pq

            records = list(export_records(store))
            columns = {k: [r[k] for r in records] for k in EXPORT_FIELDS}
            schema = pa.schema(
                [(k, pa.list_(pa.string()) if k == "attributions" else pa.string()) for k in EXPORT_FIELDS]
            )
            pq.write_table(pa.table(columns, schema=schema), output)
    finally:
        store.close()
    if output != "-":
        err.print(f"wrote {fmt.value} → {output}", highlight=False)


class _open:
    """stdout or a file, as a context manager."""

    def __init__(self, output: str, newline: str | None = None) -> None:
        self.output, self.newline, self.fh = output, newline, None

    def __enter__(self):
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
