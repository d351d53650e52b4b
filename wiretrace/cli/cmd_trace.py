"""`wiretrace trace STORY` — who copied, translated or rewrote whom, and what changed."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.tree import Tree

from ..errors import NotFoundError, WiretraceError
from .app import app, err, fail, out, print_json, store_from

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
    as_json: bool = typer.Option(False, "--json", help="Print the trace as JSON."),
    refresh: bool = typer.Option(False, "--refresh", help="Recompute instead of using the cache."),
    limit: int = typer.Option(6, "--limit", help="Diff lines shown per kind and article."),
) -> None:
    """Trace a story: its origins, the derivation edges (copy, partial-copy, translation,
    rewrite, summary) with confidence and evidence, and for each derivative what it **added**,
    **omitted** and **altered** (numbers, names, quantities, hedges, strengthened claims)."""
    from ..provenance import trace_articles, trace_story

    ids = list(ids or [])
    if not ids:
        fail("give a story id, or --articles ID ID ...")
        return
    if not articles and len(ids) > 1:
        fail("one story id at a time; use --articles to trace several article ids")
        return
    store = store_from(ctx)
    try:
        if articles:
            missing = [i for i in ids if i not in set(store.article_ids())]
            if missing:
                fail(f"no article with id {missing[0]!r}")
                return
            err.print(f"tracing {len(ids)} articles", highlight=False)
            result = trace_articles(store, ids, story=None)
        else:
            result = trace_story(store, ids[0], refresh=refresh)
    except NotFoundError as exc:
        fail(str(exc))
        return
    except WiretraceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if as_json:
        print_json(result)
        return
    out.print(render_tree(result, limit=limit))
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
            sub = branch.add(
                f"{escape(edge['to'])}  [{style}]{edge['kind']}[/] "
                f"[dim]confidence {edge['confidence']:.2f}[/]"
            )
            _add_diff(sub, diffs.get(edge["to"], {}), limit)
            add(sub, edge["to"], seen)

    seen: set[str] = set()
    for origin in result["origins"]:
        label = f"[bold]{escape(origin)}[/]" + (
            "" if origin in diffs else " [dim](not in store)[/]"
        )
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
