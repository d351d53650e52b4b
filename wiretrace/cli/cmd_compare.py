"""`wiretrace compare A B` and `wiretrace compare --pairs FILE.jsonl` — same-event scoring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import WiretraceError
from ..records import Article
from .app import app, err, fail, input_lines, out, print_json, store_from

PAIRS_BATCH = 16  # pairs embedded per model call: large enough to batch, small for progress


@app.command("compare")
def compare_cmd(
    ctx: typer.Context,
    a: str = typer.Argument(None, help="First article id (from `stories` or `export`).", show_default=False),
    b: str = typer.Argument(None, help="Second article id.", show_default=False),
    pairs: Path = typer.Option(
        None,
        "--pairs",
        help='JSONL of pairs {"id", "a": {"text", "title"?, "language"?}, "b": {...}} '
        "('-' for stdin); prints one JSON line per pair.",
        show_default=False,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the score and evidence as JSON."),
    top: int = typer.Option(5, "--top", help="Aligned sentence pairs to show in the summary."),
) -> None:
    """Score whether two articles report the same event, across languages, with evidence.

    The score combines document and sentence-level embedding similarity (mutual best
    sentence alignment with a ratio margin) with shared names, numbers and dates.

    Examples: `wiretrace compare en/reuters-dam.txt ru/tass-dam.txt --json` ·
    `wiretrace compare --pairs pairs.jsonl > scores.jsonl`
    """
    if pairs is not None:
        if a or b:
            fail("give either two article ids or --pairs FILE, not both")
        raise typer.Exit(_compare_pairs(pairs))
    if not a or not b:
        fail("give two article ids (`wiretrace compare A B`) or --pairs FILE.jsonl")
    from ..similarity import score_pair
    from ..store.representations import load_representations

    store = store_from(ctx)
    try:
        for article_id in (a, b):
            store.get_article(article_id)
        reprs = load_representations(store, [a, b])
    except WiretraceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    from ..provenance.graph import normal_text

    score = score_pair(reprs[a], reprs[b])
    result = score.to_dict()
    # Byte- or text-identical articles are one text, whatever the model's similarity says.
    result["identical"] = bool(reprs[a].text.strip()) and normal_text(
        reprs[a].text
    ) == normal_text(reprs[b].text)
    if as_json:
        print_json({"a": a, "b": b, **result})
        return
    _print_summary(a, b, result, top)


def _print_summary(a: str, b: str, result: dict[str, Any], top: int) -> None:
    verdict = "[bold green]same event[/]" if result["same_event"] else "[bold yellow]different events[/]"
    out.print(f"[bold]{escape(a)}[/]  vs  [bold]{escape(b)}[/]", highlight=False)
    out.print(
        f"{verdict}  similarity {result['similarity']:.3f}  confidence {result['confidence']:.2f}"
    )
    if result.get("identical"):
        out.print("[bold]identical text[/]: the same article (a copy), whatever the dates say")
    ev = result["evidence"]
    aligned = ev.get("aligned", [])
    if aligned:
        table = Table(title=f"aligned sentences ({len(aligned)}; top {min(top, len(aligned))})")
        table.add_column("score", justify="right")
        table.add_column(escape(a), overflow="fold")
        table.add_column(escape(b), overflow="fold")
        for pair in aligned[:top]:
            table.add_row(f"{pair['score']:.3f}", escape(pair["a"]), escape(pair["b"]))
        out.print(table)
    else:
        out.print("no aligned sentences")
    for label, key in (("shared names", "shared_names"), ("shared numbers", "shared_numbers"),
                       ("shared dates", "shared_dates")):
        values = ev.get(key) or []
        shown = escape(", ".join(map(str, values))) if values else "-"
        out.print(f"[bold]{label}:[/] {shown}", highlight=False)


# -- --pairs -----------------------------------------------------------------------------


def _parse_pair_line(line: str) -> tuple[Any, Article, Article]:
    """Parse one pair line; the id is echoed back exactly as given (string or number)."""
    from ..similarity import article_from_fields

    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object")
    pair_id = record.get("id")
    if pair_id is None or isinstance(pair_id, (dict, list)):
        raise ValueError("missing 'id'")
    sides = []
    for side in ("a", "b"):
        fields = record.get(side)
        if not isinstance(fields, dict):
            raise ValueError(f"'{side}' must be an object with 'text'")
        try:
            sides.append(article_from_fields(f"{pair_id}:{side}", fields))
        except ValueError as exc:
            raise ValueError(f"'{side}': 'text' must be a non-empty string") from exc
    return pair_id, sides[0], sides[1]


def _compare_pairs(path: Path) -> int:
    """Score every pair in ``path``; report bad lines and return the exit code."""
    from ..similarity import score_pair
    from ..similarity.texts import represent_pairs

    if str(path) != "-" and not path.is_file():
        fail(f"{path}: no such file")
    parsed: list[tuple[str, Article, Article]] = []
    failures = 0
    try:
        for number, line in input_lines(path):
            try:
                parsed.append(_parse_pair_line(line))
            except ValueError as exc:
                failures += 1
                err.print(f"[red]line {number}:[/] {escape(str(exc))}", highlight=False)
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")
    progress = Progress(
        TextColumn("[bold]comparing pairs"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
    )
    with progress:
        task = progress.add_task("pairs", total=len(parsed))
        for i in range(0, len(parsed), PAIRS_BATCH):
            batch = parsed[i : i + PAIRS_BATCH]
            reprs = represent_pairs([(pa, pb) for _, pa, pb in batch])
            results = []
            for (pair_id, _, _), (ra, rb) in zip(batch, reprs, strict=True):
                score = score_pair(ra, rb)
                results.append(
                    {"id": pair_id, "similarity": score.similarity, "same_event": score.same_event}
                )
            print_json(results, lines=True)
            progress.advance(task, len(batch))
    if failures:
        err.print(f"{failures} line(s) failed; {len(parsed)} pair(s) scored", highlight=False)
        return 1
    return 0
