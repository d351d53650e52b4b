"""`wiretrace trace STORY` — who copied, translated or rewrote whom, and what changed."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.tree import Tree

from ..errors import NotFoundError, WiretraceError
from .app import app, err, fail, out, print_json, store_from
from .cmd_show import require_store

KIND_STYLE = {
    "copy": "cyan",
    "partial-copy": "cyan",
    "translation": "magenta",
    "rewrite": "yellow",
    "summary": "green",
}


@app.command("trace")
def trace_cmd(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(
        None, help="A story id (see `wiretrace stories`), or article ids with --articles."
    ),
    articles: bool = typer.Option(
        False, "--articles", help="Trace the given article ids as one set (no stories needed)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the whole trace as JSON on stdout."),
    refresh: bool = typer.Option(
        False, "--refresh", help="Recompute instead of using the trace cached in the store."
    ),
    limit: int = typer.Option(
        6, "--limit", min=0, help="Tree view: diff lines shown per kind and article."
    ),
    all_edges: bool = typer.Option(
        False,
        "--all-edges",
        help="Also show edges below the display threshold (marked hidden), which the trace "
        "leaves out by default.",
    ),
) -> None:
    """Trace a story: where it came from, who copied, translated or rewrote whom, and what
    each outlet **added**, **omitted** and **altered** (numbers, names, quantities, hedges,
    strengthened claims).

    Origins are article ids, or a credited source such as "Reuters" that is not in the store.
    Edge kinds: copy, partial-copy, translation, rewrite, summary, each with a calibrated
    confidence in 0..1 and the aligned sentences as evidence; byte- or text-identical articles
    are a copy with `identical: true` and confidence 1. Edges below the display threshold
    (0.5) are hidden unless `--all-edges`. Each article gets a verdict under `verdicts`:
    derived (from another article), common-source (a wire or statement outside the
    collection) or independent reporting. Articles of different events are not traced
    against each other (`warnings` says so). Added spans carry start/end offsets into the
    article's cleaned text (as `show` prints it).

    JSON: `{"story", "origins", "edges": [{"from", "to", "kind", "confidence", "evidence"}],
    "articles": {id: {"added", "omitted", "altered", "signals"}}}`; `signals` holds the
    article's manipulation signals (techniques, genre, headline score and, for a derived
    article, what the rewrite added, escalated or dropped; see `wiretrace signals`).

    Examples: `wiretrace trace s-1f2e3d4c5b6a` (an id from `wiretrace stories`) ·
    `wiretrace trace s-1f2e3d4c5b6a --json > trace.json` ·
    `wiretrace trace --articles a.txt b.txt --json`
    """
    from ..store.traces import trace_articles, trace_story

    ids = list(ids or [])
    if not ids:
        fail("give a story id, or --articles ID ID ...")
        return
    if not articles and len(ids) > 1:
        fail("one story id at a time; use --articles to trace several article ids")
        return
    require_store(ctx)
    store = store_from(ctx)
    try:
        if articles:
            known = set(store.article_ids())
            missing = [i for i in ids if i not in known]
            if missing:
                fail(f"no article with id {missing[0]!r}")
                return
            err.print(f"tracing {len(ids)} articles", highlight=False)
            result = trace_articles(store, ids, story=None)
        else:
            result = trace_story(store, ids[0], refresh=refresh)
        if as_json:
            from ..adapters.signals import trace_signals

            trace_signals(store, result, None if articles else result.get("story", ids[0]))
    except NotFoundError as exc:
        from ..store.reads import missing_id_hint

        hint = "" if articles else missing_id_hint(store, ids[0], looking_for="story")
        if hint.startswith(f"{ids[0]!r} is an article"):
            hint += f": run `wiretrace trace {hint.rsplit(' ', 1)[-1]}`"
        fail(f"{exc.message}; {hint}" if hint else str(exc))
        return
    except WiretraceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if all_edges:
        result["edges"] = sorted(
            result["edges"] + [{**e, "hidden": True} for e in result.get("hidden_edges", [])],
            key=lambda e: (e["from"], e["to"]),
        )
    for warning in result.get("warnings", []):
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    if as_json:
        print_json(result)
        return
    out.print(render_tree(result, limit=limit))
    hidden = len(result.get("hidden_edges", []))
    if hidden and not all_edges:
        err.print(
            f"{hidden} weaker edge(s) below the display threshold hidden; --all-edges shows them",
            highlight=False,
        )
    for conflict in result.get("date_conflicts", []):
        out.print(
            f"[bold red]date conflict[/] {escape(conflict['article'])}: claims "
            f"{escape(conflict['claimed'])} — {escape(conflict['evidence'])}",
            highlight=False,
        )


def render_tree(result: dict[str, Any], *, limit: int = 6) -> Tree:
    """origin -> derivatives (kind, confidence), each with its diff underneath."""
    title = f"[bold]trace[/] {escape(str(result.get('story') or 'articles'))}"
    root = Tree(title)
    children: dict[str, list[dict[str, Any]]] = {}
    for edge in result["edges"]:
        children.setdefault(edge["from"], []).append(edge)
    diffs = result.get("articles", {})

    def add(branch: Tree, node: str, seen: set[str]) -> None:
        for edge in sorted(children.get(node, []), key=lambda e: e["to"]):
            if edge["to"] in seen:
                continue
            seen.add(edge["to"])
            style = KIND_STYLE.get(edge["kind"], "white")
            marks = " identical" if edge.get("identical") else ""
            marks += " (hidden: below the display threshold)" if edge.get("hidden") else ""
            sub = branch.add(
                f"{escape(edge['to'])}  [{style}]{edge['kind']}[/]{marks} "
                f"[dim]confidence {edge['confidence']:.2f}[/]"
            )
            _add_diff(sub, diffs.get(edge["to"], {}), limit)
            add(sub, edge["to"], seen)

    seen: set[str] = set()
    verdicts = result.get("verdicts", {})
    for origin in result["origins"]:
        label = f"[bold]{escape(origin)}[/]" + (
            "" if origin in diffs else " [dim](not in store: a common source)[/]"
        )
        verdict = verdicts.get(origin, {})
        if verdict.get("verdict") == "independent":
            label += " [dim]independent reporting[/]"
        elif verdict.get("verdict") == "common-source":
            label += f" [dim]common source: {escape(str(verdict.get('source')))}[/]"
        branch = root.add(label)
        seen.add(origin)
        add(branch, origin, seen)
    return root


def _add_diff(branch: Tree, diff: dict[str, Any], limit: int) -> None:
    for marker, key, style in (("+", "added", "green"), ("−", "omitted", "red")):
        items = diff.get(key, [])
        for item in items[:limit]:
            branch.add(f"[{style}]{marker} {escape(_short(item['text']))}[/]")
        if len(items) > limit:
            branch.add(f"[dim]{marker} … {len(items) - limit} more {key}[/]")
    for item in diff.get("altered", [])[:limit]:
        branch.add(
            f"[yellow]~ {escape(item['what'])}: {escape(item.get('detail', ''))}[/]\n"
            f"  [dim]{escape(_short(item['source_text']))}[/]\n  {escape(_short(item['text']))}"
        )
    if diff.get("note"):
        branch.add(f"[dim]{escape(diff['note'])}[/]")


def _short(text: str, width: int = 140) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
