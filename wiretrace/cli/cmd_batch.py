"""`wiretrace batch` — the pipeline on Ray into a Parquet dataset; `wiretrace import` — a
dataset (or part of it) into the store."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import WiretraceError
from .app import app, err, fail, print_json, store_from


@app.command("batch")
def batch_cmd(
    paths: list[str] = typer.Argument(..., help="Files, folders (recursive) or globs, as for "
                                      "ingest; or s3://, gs://, hdfs://, file:// URIs of files, "
                                      "folders or globs, read through pyarrow filesystems."),
    out: Path = typer.Option(..., "--out", "-o", help="Dataset folder to write (re-running on it "
                             "skips what is done). On a cluster every worker must see it."),
    ray_address: str = typer.Option(
        None, "--ray", help="Address of a running Ray cluster (HOST:6379, or 'auto' on one of "
        "its nodes); without it a local Ray instance is started and stopped when done.",
        show_default=False),
    gpus: int = typer.Option(0, "--gpus", min=0, help="GPUs for the embedding actors (one model "
                             "per GPU); 0: CPU actors."),
    workers: int = typer.Option(None, "--workers", min=1, help="CPUs of the local instance and "
                                "embedding actors (default: every CPU).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """Run the whole pipeline on Ray and write a Parquet dataset.

    The dataset has one folder per table (articles, stories, members, traces, entities,
    mentions, signals, errors, and the representations `import` needs) that DuckDB, Spark or pandas
    read directly, e.g. `duckdb -c "select * from read_parquet('DIR/stories/*.parquet')"`.
    Stories and traces are those `ingest` finds on the same input. A bad file is a row of
    `errors` (exit 1), never a failed job.

    URIs are listed and read through pyarrow (credentials from the environment as pyarrow
    finds them, e.g. AWS_* or GOOGLE_APPLICATION_CREDENTIALS; options in the query, e.g.
    s3://bucket/feeds/?region=eu-west-1). A URI that cannot be opened (no such filesystem,
    failed credentials, unreachable) is an E111 row of `errors`.

    Examples:

        wiretrace batch scraped/ --out dataset/

        wiretrace batch '/mnt/archive/**/*.jsonl.gz' --out /mnt/datasets/2025 --ray 10.0.0.5:6379

        wiretrace batch 's3://news-archive/2025/**/*.warc.gz' --out /mnt/datasets/2025

        wiretrace --db desk.db import dataset/ --since 2025-10-01 --lang bg
    """
    from ..batch import run_batch

    try:
        report = run_batch(paths, out, address=ray_address, gpus=gpus, workers=workers,
                           log=lambda msg: err.print(f"[dim]{msg}[/]", highlight=False))
    except WiretraceError as exc:
        fail(str(exc), code=2 if exc.code.startswith("E6") else 1)
        return
    if as_json:
        print_json(report.to_dict())
    err.print(
        f"batch: {report.articles} articles, {report.stories} stories, {report.traces} traces, "
        f"{report.entities} entities, {report.duplicates} repeated, {report.failed} failed "
        f"→ {report.out}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    dataset: Path = typer.Argument(..., help="A folder written by `wiretrace batch`."),
    since: str = typer.Option(None, "--since", help="Only articles published on or after this "
                              "day (YYYY-MM-DD).", show_default=False),
    until: str = typer.Option(None, "--until", help="Only articles published on or before this "
                              "day.", show_default=False),
    lang: str = typer.Option(None, "--lang", help="Only articles in this language (ISO 639-1).",
                             show_default=False),
    entity: str = typer.Option(None, "--entity", help="Only articles mentioning this entity "
                               "(its id, name or any spelling).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print what was imported as JSON."),
) -> None:
    """Load a batch dataset, or the part of it the filters select, into the store.

    Into a new store, stories, traces, entities and signals come as the batch computed them;
    with a filter, stories keep the selected members and a story missing members is traced
    again when first read. Into a store that already holds articles, the dataset's articles
    are added as `ingest` of its inputs would add them (the same content is left alone, a
    duplicate skipped) and join the store's stories; importing the same dataset again
    changes nothing.

    Examples:

        wiretrace --db desk.db import dataset/

        wiretrace --db desk.db import dataset/ --since 2025-10-01 --until 2025-10-31 --lang bg

        wiretrace --db desk.db import dataset/ --entity Lukashenko
    """
    from ..batch import import_dataset

    store = store_from(ctx)
    try:
        report = import_dataset(store, dataset, since=since, until=until, lang=lang,
                                entity=entity)
    except WiretraceError as exc:
        fail(str(exc), code=2 if exc.code.startswith("E6") else 1)
        return
    finally:
        store.close()
    if as_json:
        print_json(report.to_dict())
    err.print(f"imported {report.articles} articles, {report.stories} stories, "
              f"{report.traces} traces, {report.entities} entities", highlight=False)
