"""`wiretrace export` — any table (articles, stories, members, edges, diffs, entities,
mentions) as JSONL, CSV or Parquet, the provenance graph as GEXF or GraphML, or a
self-contained HTML report."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import typer

from ..errors import WiretraceError
from ..store.base import Store
from ..store.exports import TABLES, Table, gexf, graphml, parse_time, provenance_graph
from .app import app, err, fail, store_from
from .cmd_show import require_store


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    html = "html"
    gexf = "gexf"
    graphml = "graphml"


class What(StrEnum):
    articles = "articles"
    stories = "stories"
    members = "members"
    edges = "edges"
    diffs = "diffs"
    entities = "entities"
    mentions = "mentions"


GRAPH_FORMATS = (ExportFormat.gexf, ExportFormat.graphml)


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(
        ExportFormat.jsonl, "--format", "-f",
        help="jsonl: one JSON object per line; csv: one row per record (lists joined with "
        "';'); parquet: a typed columnar file (dates as UTC timestamps); gexf / graphml: the "
        "provenance graph for Gephi, yEd or networkx; html: an offline report of every story "
        "with more than one article, its provenance graph and diffs.",
    ),
    what: What = typer.Option(
        What.articles, "--what", "-w",
        help="The table to export (jsonl, csv, parquet): articles, stories, members (one row "
        "per article in a story), edges (provenance, source → target: a Gephi edge table), "
        "diffs (added / omitted / altered), entities, mentions.",
    ),
    output: str = typer.Option(
        "-", "--output", "-o", help="File to write; '-' is stdout (parquet needs a file)."
    ),
    story: str = typer.Option(
        None, "--story", help="html, gexf, graphml: only this story.", show_default=False
    ),
    all_edges: bool = typer.Option(
        False, "--all-edges", help="edges, gexf, graphml: also the edges below the display "
        "threshold (0.5), marked hidden.",
    ),
    lang: str = typer.Option(None, "--lang", show_default=False,
                             help="html: only stories with an article in this language."),
    outlet: str = typer.Option(None, "--outlet", show_default=False,
                               help="html: only stories with an article from this outlet."),
    entity: str = typer.Option(None, "--entity", "-e", show_default=False,
                               help="html: only stories mentioning this entity (any spelling)."),
    query: str = typer.Option(None, "-q", "--query", show_default=False,
                              help="html: only stories whose articles match these words."),
    since: str = typer.Option(None, "--since", show_default=False,
                              help="html: only stories seen on or after this day."),
    until: str = typer.Option(None, "--until", show_default=False,
                              help="html: only stories seen on or before this day."),
    min_size: int = typer.Option(None, "--min-size", min=1, show_default=False,
                                 help="html: only stories with at least this many articles "
                                 "(default 2)."),
) -> None:
    """Export any table of the store, the provenance graph, or an offline HTML report.

    Articles (the default) have at least id, title, text, published, outlet, author,
    language, url, attributions and story, plus the story's title. Edges and diffs come from
    the stored traces (ingest traces every story it changes). In CSV, lists are joined with
    ';'; in Parquet, dates are UTC timestamps (a date alone is its midnight), counts are
    integers and lists are lists. The HTML report is one file with no scripts and no
    external resources.

    Examples: `wiretrace export > articles.jsonl` · `wiretrace export -f csv -o articles.csv` ·
    `wiretrace export --what edges -f csv -o edges.csv` (Gephi: import as an edge table) ·
    `wiretrace export -f gexf -o provenance.gexf` · `wiretrace export --what mentions -f
    parquet -o mentions.parquet` · `wiretrace export -f html -o report.html` ·
    `wiretrace export -f html --entity Лукашенко -o lukashenko.html` (the story list's filters)
    """
    if fmt is ExportFormat.parquet and output == "-":
        fail("parquet needs a file: use -o FILE.parquet", code=2)
    if story and fmt is not ExportFormat.html and fmt not in GRAPH_FORMATS:
        fail("--story only applies to --format html, gexf or graphml", code=2)
    if what is not What.articles and (fmt is ExportFormat.html or fmt in GRAPH_FORMATS):
        fail(f"--what applies to jsonl, csv and parquet; --format {fmt.value} writes "
             + ("the report" if fmt is ExportFormat.html else "the provenance graph"), code=2)
    filters = None
    if any(v is not None for v in (lang, outlet, entity, query, since, until, min_size)):
        if fmt is not ExportFormat.html or story:
            fail("--lang, --outlet, --entity, -q, --since, --until and --min-size choose the "
                 "stories of an html report (without --story)", code=2)
        from ..errors import UsageError
        from ..store.reads import StoryFilters, check_filters

        try:
            filters = check_filters(StoryFilters(
                lang=lang, outlet=outlet, entity=entity, q=query, since=since, until=until,
                min_size=2 if min_size is None else min_size))
        except UsageError as exc:
            fail(str(exc), code=2)
    require_store(ctx)
    # The HTML report traces stories, and traces are cached in the store.
    store = store_from(ctx, readonly=fmt is not ExportFormat.html)
    table = TABLES[what.value]
    try:
        if story and fmt is not ExportFormat.jsonl:
            from ..store.stories import resolve_story_id

            story = resolve_story_id(store, story)
        if fmt is ExportFormat.html:
            from ..web.report import render_report

            _write_text(output, render_report(store, story_id=story, filters=filters))
        elif fmt in GRAPH_FORMATS:
            nodes, edges = provenance_graph(store, story=story, hidden=all_edges)
            data = (gexf if fmt is ExportFormat.gexf else graphml)(nodes, edges)
            _write_bytes(output, data)
        elif fmt is ExportFormat.jsonl:
            with _open(output) as fh:
                for rec in _rows(store, table, all_edges):
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif fmt is ExportFormat.csv:
            with _open(output, newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=table.fields)
                writer.writeheader()
                for rec in _rows(store, table, all_edges):
                    writer.writerow(_csv_row(table, rec))
        elif fmt is ExportFormat.parquet:
            _write_parquet(store, table, output, all_edges)
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
        shown = fmt.value if fmt is ExportFormat.html or fmt in GRAPH_FORMATS else (
            f"{what.value} as {fmt.value}")
        err.print(f"wrote {shown} → {output}", highlight=False)


def _rows(store: Store, table: Table, all_edges: bool) -> Iterator[dict[str, Any]]:
    if table.name == "edges":
        from ..store.exports import edge_rows

        return edge_rows(store, hidden=all_edges)
    return table.rows(store)


def _csv_row(table: Table, rec: dict[str, Any]) -> dict[str, Any]:
    """Lists joined with ';', booleans as true/false, missing values empty."""
    row: dict[str, Any] = {}
    for name, kind in table.columns:
        value = rec.get(name)
        if kind == "list":
            value = ";".join(value or [])
        elif kind == "bool" and value is not None:
            value = "true" if value else "false"
        row[name] = value
    return row


def _write_parquet(store: Store, table: Table, output: str, all_edges: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
        "time": pa.timestamp("us", tz="UTC"), "list": pa.list_(pa.string()),
    }
    records = list(_rows(store, table, all_edges))
    columns: dict[str, list[Any]] = {}
    for name, kind in table.columns:
        values = [r.get(name) for r in records]
        columns[name] = [parse_time(v) for v in values] if kind == "time" else values
    schema = pa.schema([(name, types[kind]) for name, kind in table.columns])
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


def _write_bytes(output: str, data: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_bytes(data)
