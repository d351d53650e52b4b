"""`wiretrace stories` and `wiretrace recluster`."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..errors import WiretraceError
from ..store.base import Store
from .app import app, err, fail, out, print_json, store_from
from .cmd_show import read_store, require_store


@app.command("stories")
def stories_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    lang: str = typer.Option(
        None, "--lang",
        help="Only stories with an article in this language (ISO code: en, bg, ru...), "
        "titled in it.",
        show_default=False,
    ),
    title_lang: str = typer.Option(
        None, "--title-lang",
        help="Prefer titles and summaries in this language, without filtering.",
        show_default=False,
    ),
    min_size: int = typer.Option(
        1, "--min-size", min=1, help="Only stories with at least this many articles."
    ),
    query: str = typer.Option(
        None, "--query", "--search", "-q", help="Only stories whose articles match these words.",
        show_default=False,
    ),
    outlet: str = typer.Option(
        None, "--outlet", help="Only stories with an article from this outlet.",
        show_default=False,
    ),
    since: str = typer.Option(
        None, "--since", help="Only stories seen on or after this day (YYYY-MM-DD, or a month "
        "YYYY-MM); undated stories are left out.", show_default=False,
    ),
    until: str = typer.Option(
        None, "--until", help="Only stories seen on or before this day (YYYY-MM-DD, or a month "
        "YYYY-MM); undated stories are left out.", show_default=False,
    ),
    entity: str = typer.Option(
        None, "--entity", "-e",
        help="Only stories mentioning this entity (id, name or any spelling: Лукашенко).",
        show_default=False,
    ),
    signal: str = typer.Option(
        None, "--signal",
        help="Only stories with an article whose stored signals include this name: a SemEval "
        "technique (Loaded_Language), added:TECHNIQUE, genre:opinion, escalation, "
        "dropped-hedge or sensational-headline (computed by `wiretrace signals ARTICLE`).",
        show_default=False,
    ),
    limit: int = typer.Option(
        None, "--limit", min=1, help="At most this many stories.", show_default=False
    ),
) -> None:
    """List stories: groups of articles, in any language, that report the same event.

    JSON: `[{"id", "title", "articles": [article ids], "languages", "first_seen",
    "last_seen", "size", "summary", "storyline", "related_stories", "members"}]`, largest
    first. The same records as `/api/stories` with the same filters. Every article belongs to exactly one story (possibly a story of one). `members`
    says why each article is in its story: `{"id", "link_score", "linked_by", "via",
    "detail"}`, where `linked_by` is founder, verbatim, scorer, sure, merge or split and
    `link_score` is for the scorer its P(same event) with `via` (stories link from 0.02,
    confirmed by the story's members; `compare` decides a pair alone at 0.5).

    Examples: `wiretrace stories --min-size 2` · `wiretrace stories --json --lang bg` ·
    `wiretrace stories -q "dam burst" --title-lang en` · `wiretrace stories --entity Hrytsenko` ·
    `wiretrace stories --outlet Reuters --since 2025-10-01 --until 2025-10-31` ·
    `wiretrace stories --signal added:Whataboutism`
    """
    from ..errors import UsageError
    from ..store.entities import find_entity_id
    from ..store.reads import StoryFilters, check_filters, list_stories

    try:  # a bad value is a usage error listing the valid ones, before the store is read
        checked = check_filters(StoryFilters(
            lang=lang, since=since, until=until, title_language=title_lang, signal=signal,
        ))
    except UsageError as exc:
        fail(str(exc), code=2)
        return
    lang, since, until, title_lang = checked.lang, checked.since, checked.until, checked.title_language

    def query_stories(store: Store) -> list[dict[str, Any]]:
        if entity:
            find_entity_id(store, entity)  # an unknown name is an error here, not an empty list
        return list_stories(
            store, q=query, limit=limit, min_size=min_size, lang=lang, outlet=outlet,
            since=since, until=until, title_language=title_lang, entity=entity, signal=signal,
        )

    require_store(ctx)
    stories = read_store(ctx, query_stories)
    if as_json:
        print_json(stories)
        return
    if not stories:
        if lang or query or outlet or since or until or entity or signal or min_size > 1:
            err.print("no stories match", highlight=False)
        else:
            err.print("no stories yet — run `wiretrace ingest PATH` first", highlight=False)
        return
    table = Table(show_lines=False, header_style="bold")
    table.add_column("story", no_wrap=True)
    table.add_column("size", justify="right")
    table.add_column("languages")
    table.add_column("first seen", no_wrap=True)
    table.add_column("last seen", no_wrap=True)
    table.add_column("title")
    for s in stories:
        title = escape(s["title"] or "(untitled)")
        if s.get("storyline"):
            title += f" [dim](storyline {s['storyline']})[/]"
        table.add_row(
            escape(s["id"]), str(s["size"]), " ".join(s["languages"]),
            (s["first_seen"] or "")[:10], (s["last_seen"] or "")[:10], title,
        )
    out.print(table)
    err.print(f"{len(stories)} stories", highlight=False)


@app.command("recluster")
def recluster_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Rebuild all stories from scratch (after changing the embedding backend or scorer).

    Stories keep their ids where their founding article is unchanged; merge history restarts.
    Ingest updates stories as articles arrive, so this is rarely needed.

    Example: `wiretrace --db cases.db recluster --json`
    """
    from ..adapters.stories import recluster
    from ..pipeline import run_pending_stages
    from .progress import RichObserver, make_progress

    store = store_from(ctx)
    try:
        with make_progress() as progress:
            task = progress.add_task("representing", total=store.count_articles())
            summary = recluster(store, progress=lambda n=1: progress.advance(task, n))
            # The stages after stories (entities, traces) run on the articles they have not
            # done: after `ingest --no-stories` that is every article.
            summary["stages"] = run_pending_stages(
                store, observer=RichObserver(progress, documents=False)
            )
    except WiretraceError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if as_json:
        print_json(summary)
    err.print(
        f"[green]reclustered[/]: {summary['articles']} articles into {summary['stories']} stories "
        f"({summary['multi_article_stories']} with more than one article, "
        f"{summary['storylines']} storylines)",
        highlight=False,
    )



@app.command("search")
def search_cmd(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Words, or a name in any spelling.", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as JSON on stdout."),
    lang: str = typer.Option(None, "--lang", help="Only articles in this language (ISO code).",
                             show_default=False),
    outlet: str = typer.Option(None, "--outlet", help="Only articles from this outlet.",
                               show_default=False),
    entity: str = typer.Option(None, "--entity", "-e", show_default=False,
                               help="Only articles mentioning this entity (any spelling)."),
    since: str = typer.Option(None, "--since", show_default=False,
                              help="Only articles published on or after this day (YYYY-MM-DD)."),
    until: str = typer.Option(None, "--until", show_default=False,
                              help="Only articles published on or before this day (YYYY-MM-DD)."),
    signal: str = typer.Option(None, "--signal", show_default=False,
                               help="Only articles whose stored signals include this name."),
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many articles."),
) -> None:
    """Search articles: each hit with its story, the passages that match and the matches
    highlighted. A name finds every spelling of it (`Гриценко` finds Hrytsenko, Hrycenko
    and Гриценка); other words are matched in titles and text, accents ignored.

    JSON: `{"q", "spellings", "entities", "total", "items": [{"id", "title", "outlet",
    "language", "published", "story", "story_title", "title_highlights", "matches",
    "snippets": [{"text", "highlights": [[start, end]]}]}]}` (the same as `/api/search`'s
    articles). `stories -q` lists the stories of these articles.

    Examples: `wiretrace search Лукашенко` · `wiretrace search "dam bursts" --lang en` ·
    `wiretrace search Hrytsenko --since 2025-05-01 --json`
    """
    from ..errors import UsageError
    from ..store.reads import StoryFilters, check_filters, search_articles

    try:
        checked = check_filters(StoryFilters(lang=lang, since=since, until=until, signal=signal))
    except UsageError as exc:
        fail(str(exc), code=2)
        return
    if not query.strip():
        fail("give words to search for", code=2)
    require_store(ctx)
    hits = read_store(ctx, lambda store: search_articles(
        store, query, lang=checked.lang, outlet=outlet, entity=entity, since=checked.since,
        until=checked.until, signal=checked.signal, limit=limit,
    ), readonly=True)
    if as_json:
        print_json(hits)
        return
    if hits["entities"]:
        names = ", ".join(f"{e['name']} ({e['type']})" for e in hits["entities"])
        err.print(f"searching every spelling of {escape(names)}: "
                  f"{escape(', '.join(hits['spellings'][:12]))}", highlight=False)
    for item in hits["items"]:
        head = Text()
        head.append(item["id"], style="bold")
        meta = " · ".join(x for x in (item["outlet"], item["language"],
                                      (item["published"] or "undated")[:10]) if x)
        head.append(f"  {meta}", style="dim")
        if item["story"]:
            head.append(f"  story {item['story']}", style="cyan")
        out.print(head)
        out.print(Text("  ") + _highlighted(item["title"] or "(untitled)", item["title_highlights"]))
        for snippet in item["snippets"]:
            out.print(Text("    ") + _highlighted(snippet["text"], snippet["highlights"]))
    shown = len(hits["items"])
    err.print(f"{hits['total']} articles match" + (f", {shown} shown" if shown < hits["total"]
                                                   else ""), highlight=False)


def _highlighted(text: str, spans: list[list[int]]) -> Text:
    """``text`` with the matched spans in bold reverse video (plain text: no markup read)."""
    rendered = Text(text)
    for start, end in spans:
        rendered.stylize("bold reverse", start, end)
    return rendered
