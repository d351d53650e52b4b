"""Corrections with an audit trail: `wiretrace delete`, `story split|merge|detach`,
`entity merge|split|reject-variant`, `corrections` and `undo`.

`wiretrace entity NAME` shows an entity, as before: the `entity` group runs `show` when its
first word is not one of its commands (an entity literally named "merge" is `entity show merge`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from ..errors import WiretraceError
from .app import app, err, fail, out, print_json, store_from


class _EntityGroup(TyperGroup):
    """`entity NAME [--json]` is `entity show NAME [--json]`; `entity merge ...` is a command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["show", *args]
        return super().parse_args(ctx, args)


entity_app = typer.Typer(
    cls=_EntityGroup,
    name="entity",
    help=(
        "One entity's page, or a correction to how its spellings were merged.\n\n"
        "`wiretrace entity NAME [--json]` shows the entity with that id, name or spelling: its "
        "variants and why each was merged, articles, stories, outlets, timeline. The commands "
        "below correct it; each is logged (`wiretrace corrections`) and can be undone.\n\n"
        "Examples: `wiretrace entity Lukashenko` · `wiretrace entity \"Светлана Тихановская\" "
        "--json` · `wiretrace entity reject-variant \"United States\" SEO --reason \"an acronym\"`"
    ),
    no_args_is_help=False,
    rich_markup_mode="markdown",
)
story_app = typer.Typer(
    name="story",
    help=(
        "Correct a story: split articles off, detach one, or merge stories. Each correction is "
        "logged with who, when and why, stays in force through later ingests and `recluster`, "
        "and can be undone (`wiretrace undo ID`).\n\n"
        "Examples: `wiretrace story detach s-1a2b3c4d5e6f feeds/x.html --reason \"another event\"` "
        "· `wiretrace story merge s-1a2b3c4d5e6f s-0f9e8d7c6b5a`"
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(story_app)
app.add_typer(entity_app)

BY = typer.Option(None, "--by", help="Who makes the correction (default: the OS user).",
                  show_default=False)
REASON = typer.Option(None, "--reason", "-r", help="Why: kept in the log.", show_default=False)
JSON = typer.Option(False, "--json", help="Print the logged correction as JSON on stdout.")


def _correct(ctx: typer.Context, action: Callable[[Any], dict[str, Any]], as_json: bool) -> dict[str, Any]:
    """Run one correction on a writable store and report it (stderr, or JSON on stdout)."""
    store = store_from(ctx)
    try:
        result = action(store)
    except WiretraceError as exc:
        fail(str(exc))
        raise  # unreachable
    finally:
        store.close()
    if as_json:
        print_json(result)
    else:
        extra = f" → new story {result['new_story']}" if result.get("new_story") else ""
        if result["active"]:
            said = (f"(by {escape(result['by'])}; undo with `wiretrace undo {result['id']}`)")
        else:
            said = f"undone by {escape(result['undone_by'] or '')}"
        err.print(
            f"[green]correction #{result['id']}[/]: {result['action']} {escape(result['target'])}"
            f"{escape(extra)} {said}",
            highlight=False,
        )
    return result


@app.command("delete")
def delete_cmd(
    ctx: typer.Context,
    article_id: str = typer.Argument(..., help="The article id to delete.", show_default=False),
    by: str = BY, reason: str = REASON, as_json: bool = JSON,
) -> None:
    """Delete an article and everything derived from it (story membership, mentions, traces).

    Ingest skips it from then on, under its id or with the same content elsewhere, unless run
    with `--restore-deleted`. The deletion is logged and `wiretrace undo ID` stores it again.

    Examples: `wiretrace delete feeds/spam.html --reason "not news"`
    """
    from ..adapters.corrections import delete_article

    _correct(ctx, lambda s: delete_article(s, article_id, by=by, reason=reason), as_json)


@story_app.command("split")
def story_split_cmd(
    ctx: typer.Context,
    story_id: str = typer.Argument(..., help="The story.", show_default=False),
    article_ids: list[str] = typer.Argument(..., help="Its articles to move into a new story.",
                                            show_default=False),
    by: str = BY, reason: str = REASON, as_json: bool = JSON,
) -> None:
    """Move some of a story's articles into a new story of their own; they stay apart from the
    rest through later ingests and reclusters.

    Examples: `wiretrace story split s-1a2b3c4d5e6f bg/a.txt bg/b.txt --reason "a follow-up"`
    """
    from ..adapters.corrections import story_split

    _correct(ctx, lambda s: story_split(s, story_id, article_ids, by=by, reason=reason), as_json)


@story_app.command("detach")
def story_detach_cmd(
    ctx: typer.Context,
    story_id: str = typer.Argument(..., help="The story.", show_default=False),
    article_id: str = typer.Argument(..., help="The article to take out.", show_default=False),
    by: str = BY, reason: str = REASON, as_json: bool = JSON,
) -> None:
    """Take one article out of a story; it becomes a story of its own and does not rejoin.

    Examples: `wiretrace story detach s-1a2b3c4d5e6f en/teaser.txt --reason "another event"`
    """
    from ..adapters.corrections import story_detach

    _correct(ctx, lambda s: story_detach(s, story_id, article_id, by=by, reason=reason), as_json)


@story_app.command("merge")
def story_merge_cmd(
    ctx: typer.Context,
    into: str = typer.Argument(..., help="The story that keeps its id.", show_default=False),
    others: list[str] = typer.Argument(..., help="Stories to merge into it.", show_default=False),
    by: str = BY, reason: str = REASON, as_json: bool = JSON,
) -> None:
    """Merge stories that report one event; the first keeps its id, the others' ids lead to it.

    Examples: `wiretrace story merge s-1a2b3c4d5e6f s-0f9e8d7c6b5a --reason "same summit"`
    """
    from ..adapters.corrections import story_merge

    _correct(ctx, lambda s: story_merge(s, into, others, by=by, reason=reason), as_json)


@entity_app.command("merge")
def entity_merge_cmd(
    ctx: typer.Context,
    into: str = typer.Argument(..., help="The entity that stays (id, name or spelling).",
                                show_default=False),
    other: str = typer.Argument(..., help="The entity merged into it.", show_default=False),
    by: str = BY, reason: str = REASON, as_json: bool = JSON,
) -> None:
    """Merge two entities that are one: every spelling of the second becomes a variant of the
    first, through every later resolution.

    Examples: `wiretrace entity merge "State Emergency Service" "Державна служба"`
    """
    from ..adapters.corrections import entity_merge

    _correct(ctx, lambda s: entity_merge(s, into, other, by=by, reason=reason), as_json)


@entity_app.command("split")
def entity_split_cmd(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="The entity (id, name or spelling).", show_default=False),
    surfaces: list[str] = typer.Argument(..., help="Spellings to take out, as one new entity.",
                                         show_default=False),
    by: str = BY, reason: str = REASON, as_json: bool = JSON,
) -> None:
    """Take some spellings out of an entity into a new entity of their own.

    Examples: `wiretrace entity split "United Nations" UNN "Ukrinform" --reason "news agencies"`
    """
    from ..adapters.corrections import entity_split

    _correct(ctx, lambda s: entity_split(s, entity, surfaces, by=by, reason=reason), as_json)


@entity_app.command("reject-variant")
def entity_reject_cmd(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="The entity (id, name or spelling).", show_default=False),
    surface: str = typer.Argument(..., help="The spelling that does not name it.",
                                  show_default=False),
    by: str = BY, reason: str = REASON, as_json: bool = JSON,
) -> None:
    """Say that a spelling does not name this entity: its mentions leave it and stay out.

    Examples: `wiretrace entity reject-variant "United States" SEO --reason "search engines"`
    """
    from ..adapters.corrections import entity_reject_variant

    _correct(ctx, lambda s: entity_reject_variant(s, entity, surface, by=by, reason=reason),
             as_json)


@app.command("corrections")
def corrections_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    active: bool = typer.Option(False, "--active", help="Only corrections in force (not undone)."),
    target: str = typer.Option(None, "--target", help="Only corrections of this article, story "
                               "or entity id.", show_default=False),
) -> None:
    """The audit log of corrections, newest first: who, when, what, why, and whether undone.

    JSON: `[{"id", "action", "target", "args", "by", "reason", "at", "active", "undone_at",
    "undone_by", "undo_reason"}]`.

    Examples: `wiretrace corrections` · `wiretrace corrections --active --json`
    """
    from ..adapters.corrections import list_corrections
    from .cmd_show import read_store

    rows = read_store(ctx, lambda s: list_corrections(s, include_undone=not active, target=target))
    if as_json:
        print_json(rows)
        return
    if not rows:
        err.print("no corrections yet", highlight=False)
        return
    table = Table(header_style="bold")
    for col in ("#", "action", "target", "by", "at", "reason", "state"):
        table.add_column(col, overflow="fold")
    for r in rows:
        state = "in force" if r["active"] else f"undone {r['undone_at']} by {r['undone_by']}"
        table.add_row(*(Text(str(x or "")) for x in (
            r["id"], r["action"], r["target"], r["by"], r["at"], r["reason"], state)))
    out.print(table)


@app.command("undo")
def undo_cmd(
    ctx: typer.Context,
    correction_id: int = typer.Argument(..., help="The correction's number (`wiretrace corrections`).",
                                        show_default=False),
    by: str = BY,
    reason: str = typer.Option(None, "--reason", "-r", help="Why it is undone: kept in the log.",
                               show_default=False),
    as_json: bool = JSON,
) -> None:
    """Undo a correction: what it changed is put back and it is no longer re-applied; the log
    keeps it, marked undone.

    Examples: `wiretrace undo 3 --reason "the split was wrong"`
    """
    from ..adapters.corrections import undo

    _correct(ctx, lambda s: undo(s, correction_id, by=by, reason=reason), as_json)
