"""`wiretrace signals ARTICLE` and `wiretrace signals --texts FILE.jsonl` — manipulation signals."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ..errors import WiretraceError
from .app import app, err, fail, input_lines, out, print_json, store_from
from .cmd_show import require_store

MAX_TEXT_CHARS = 1_000_000  # the same bound ingest puts on a plain-text document
# Consecutive lines of one ``article`` are read together up to these bounds (then the group
# is read as it stands and the next line starts another), so no input can hold memory.
MAX_GROUP_LINES = 1_000
MAX_GROUP_CHARS = MAX_TEXT_CHARS


@app.command("signals")
def signals_cmd(
    ctx: typer.Context,
    article_id: str = typer.Argument(None, help="A stored article id.", show_default=False),
    texts: Path = typer.Option(
        None, "--texts",
        help='JSONL of texts {"id", "text", "title"?, "language"?, "article"?} ("-" for '
        "stdin); one JSON line out per text. Consecutive lines with the same \"article\" are "
        "paragraphs of one article, read together.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the signals as JSON on stdout."),
    no_trace: bool = typer.Option(
        False, "--no-trace", help="Only the article's own signals, without reading its trace."
    ),
) -> None:
    """Manipulation signals: persuasion techniques per paragraph (the 23 of SemEval-2023
    Task 3, each with a score, the span that carries it and a reason), genre (opinion /
    reporting / satire) with scores, a sensational-headline score, signs of a content farm's
    page, and — for an article its trace derives from another — what the rewrite added
    relative to its source: techniques absent from the source, escalations (weapons,
    casualties, numbers, intensity), hedges and attributions dropped, a more sensational
    headline, each with the passages on both sides.

    Confidence is lower for languages outside the six the models were trained on (en, fr,
    de, it, pl, ru).

    JSON (--texts): one line per input `{"id", "genre", "genre_scores", "headline_score",
    "techniques": [{"name", "score", "start", "end", "reason"}]}`. Lines that carry the same
    "article" value one after another (paragraphs of one article, as in SemEval-style
    data) are read as one article: each paragraph's techniques are judged in its article's
    context, the way the model was trained, offsets stay relative to each line's text, and
    genre and headline score are the article's.

    Examples: `wiretrace signals en/spun-rewrite.txt --json` ·
    `wiretrace signals --texts texts.jsonl > signals.jsonl`
    """
    if texts is not None:
        if article_id:
            fail("give either an article id or --texts FILE, not both", code=2)
        raise typer.Exit(_signals_of_texts(texts))
    if not article_id:
        fail("give an article id (`wiretrace signals ID`) or --texts FILE.jsonl", code=2)
    require_store(ctx)
    store = store_from(ctx, readonly=no_trace)
    try:
        from ..adapters.signals import article_signals

        result = article_signals(store, article_id, trace=not no_trace)
    except (WiretraceError, sqlite3.Error) as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if as_json:
        print_json(result)
        return
    _print_summary(result)


def _print_summary(result: dict[str, Any]) -> None:
    out.print(f"[bold]{escape(result['id'])}[/]  genre {result['genre']} "
              f"{result['genre_scores'][result['genre']]:.2f} · headline "
              f"{result['headline_score']:.2f}", highlight=False)
    for t in result["techniques"]:
        out.print(f"  {t['name']:<34} {t['score']:.2f}  {escape(t['reason'])}", highlight=False)
    rel = result.get("relative") or {}
    for t in rel.get("added_techniques", []):
        out.print(f"[yellow]added[/] {t['name']} ({t['kind']}): {escape(t['text'][:160])}",
                  highlight=False)
    for e in rel.get("escalations", []):
        out.print(f"[red]escalation[/] {escape(e['source_text'][:120])} → {escape(e['text'][:120])}",
                  highlight=False)
    for h in rel.get("dropped_hedges", []):
        out.print(f"[magenta]dropped[/] {escape(', '.join(map(str, h['dropped'])))}: "
                  f"{escape(h['source_text'][:120])}", highlight=False)
    head = rel.get("headline")
    if head and head["more_sensational"]:
        out.print(f"[red]headline[/] {head['score']:.2f} vs source {head['source_score']:.2f}: "
                  f"{escape(head['title'])}", highlight=False)


def _parse_text_line(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object")
    if record.get("id") is None or isinstance(record.get("id"), (dict, list)):
        raise ValueError("missing 'id'")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' must be a non-empty string")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"'text' is over {MAX_TEXT_CHARS:,} characters")
    for key in ("title", "language"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"'{key}' must be a string")
    if isinstance(record.get("article"), (dict, list)):
        raise ValueError("'article' must be a string or a number")
    try:
        text.encode("utf-8")
        (record.get("title") or "").encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text holds a lone surrogate") from exc
    return record


def _print_text_results(group: list[dict[str, Any]]) -> None:
    """The output lines of one group of input records (one record, or consecutive
    paragraphs of one article)."""
    from ..signals import analyze_parts, analyze_text

    if len(group) == 1:
        results = [analyze_text(group[0]["text"], group[0].get("title"), group[0].get("language"))]
    else:
        title = next((r["title"] for r in group if r.get("title")), None)
        results = analyze_parts([r["text"] for r in group], title, group[0].get("language"))
    for record, result in zip(group, results, strict=True):
        print_json([{
            "id": record["id"], "genre": result["genre"],
            "genre_scores": result["genre_scores"],
            "headline_score": result["headline_score"],
            "language": result["language"],
            "techniques": [{k: t[k] for k in ("name", "score", "start", "end", "reason",
                                              "confidence")}
                           for t in result["techniques"]],
        }], lines=True)


def _signals_of_texts(path: Path) -> int:
    """One output line per good input line, in input order; bad lines are reported as
    FILE:LINE on stderr. Consecutive lines of one ``article`` are read as one group."""
    if str(path) != "-" and not path.is_file():
        fail(f"{path}: no such file")
    failures = done = 0
    group: list[dict[str, Any]] = []
    size = 0
    try:
        for number, line in input_lines(path):
            try:
                record = _parse_text_line(line)
            except ValueError as exc:
                failures += 1
                err.print(f"[red]{escape(str(path))}:{number}:[/] {escape(str(exc))}",
                          highlight=False)
                continue
            key = record.get("article")
            if group and (key is None or key != group[-1].get("article")
                          or len(group) >= MAX_GROUP_LINES
                          or size + len(record["text"]) > MAX_GROUP_CHARS):
                _print_text_results(group)
                done += len(group)
                group, size = [], 0
            group.append(record)
            size += len(record["text"])
            if key is None:
                _print_text_results(group)
                done += 1
                group, size = [], 0
        if group:
            _print_text_results(group)
            done += len(group)
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")
    if failures:
        err.print(f"{failures} line(s) failed; {done} text(s) read", highlight=False)
        return 1
    return 0
