"""The one read model: stories, articles, entities and search as every surface shows them.

The CLI (``stories``, ``show``, ``export``), the Python API, the REST API, the web pages and
the HTML report all read through these functions, so one query gives the same records
everywhere. Lists are answered with SQL over the stage tables (one query for the page of
ids, one for their members), so a page costs the same on 100 or 100,000 articles. Nothing
here writes.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import InvalidFilterError, NotFoundError
from ..lang.tables import identifiable_languages
from . import entities as entity_repo
from .base import Store
from .signals import articles_with_signal, check_signal_name
from .stories import chunks, get_story, story_index, story_of_article, story_records

# How many full-text hits a filter or search considers: the matching articles of any real
# query on a store of 100,000 articles stay under it, and it bounds the SQL IN list.
SEARCH_HITS_MAX = 10_000


@dataclass(frozen=True)
class StoryFilters:
    """What the story list is narrowed to; every filter is optional (empty means all).

    ``lang``: a member in that language (and titles in it); ``outlet``: a member from that
    outlet; ``entity``: a member mentioning that entity, named by id or any spelling;
    ``q``: full-text search over the members; ``since`` / ``until``: the story's date span
    reaches that day (undated stories are left out); ``signal``: a member whose stored signals
    include that name (``wiretrace.store.signals.signal_name_choices``; an unknown name is an
    ``UnknownSignalError``); ``title_language``: prefer titles in that language without
    filtering.
    """

    lang: str | None = None
    outlet: str | None = None
    entity: str | None = None
    q: str | None = None
    since: str | None = None
    until: str | None = None
    min_size: int = 1
    title_language: str | None = None
    signal: str | None = None


# A language filter is an ISO 639 code, optionally with a region (en, bg, pt-BR): the form
# every stored article's language has (identified, or given by a record).
_LANG_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$", re.IGNORECASE)
# A date filter is a day, a month or a year, compared as a prefix of ISO dates.
_DATE_FILTER = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def check_lang(value: str | None) -> str | None:
    """``value`` as a language code, or an ``InvalidFilterError`` listing the codes (a name
    such as "English" would otherwise match nothing, silently)."""
    if not value:
        return None
    if not _LANG_CODE.match(value):
        codes = ", ".join(sorted(identifiable_languages()))
        raise InvalidFilterError(
            f"invalid language {value!r}: give an ISO 639-1 code, one of {codes}"
        )
    return value.lower()


def check_date(value: str | None, name: str) -> str | None:
    """``value`` as a date filter (YYYY-MM-DD, YYYY-MM or YYYY), or an ``InvalidFilterError``
    saying the form: a free-form date would compare as text and match arbitrary stories."""
    if not value:
        return None
    value = value.strip()
    ok = bool(_DATE_FILTER.match(value))
    if ok:
        year, month, day = (int(p) for p in (value.split("-") + ["1", "1"])[:3])
        try:
            date(year, month, day)
        except ValueError:
            ok = False
    if not ok:
        raise InvalidFilterError(
            f"invalid {name} date {value!r}: give YYYY-MM-DD, YYYY-MM or YYYY (2025-10-17)"
        )
    return value


def check_filters(f: StoryFilters) -> StoryFilters:
    """The filters with every value checked (language code, date forms, signal name) and
    normalised; the first bad value is an ``InvalidFilterError`` / ``UnknownSignalError``
    listing the valid ones, the same on every surface."""
    return StoryFilters(
        lang=check_lang(f.lang), outlet=f.outlet, entity=f.entity, q=f.q,
        since=check_date(f.since, "since"), until=check_date(f.until, "until"),
        min_size=f.min_size, title_language=check_lang(f.title_language),
        signal=check_signal_name(f.signal) if f.signal else None,
    )


def suggest_ids(wanted: str, known: Sequence[str], *, limit: int = 3) -> list[str]:
    """Stored ids the user probably meant by ``wanted``: ids it begins (``en/story`` for
    ``en/story.txt``), then the closest by spelling."""
    low = wanted.casefold()
    starts = sorted(k for k in known if k.casefold().startswith(low))
    if starts:
        return starts[:limit]
    by_name = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(low, list(by_name), n=limit, cutoff=0.75)
    return [by_name[c] for c in close]


def _story_where(store: Store, f: StoryFilters) -> tuple[list[str], list[Any]] | None:
    """SQL conditions over ``stories s`` for the filters; None when nothing can match."""
    where: list[str] = ["s.size >= ?"]
    params: list[Any] = [f.min_size]
    member = (
        "EXISTS (SELECT 1 FROM story_members m JOIN articles a ON a.id = m.article_id "
        "WHERE m.story_id = s.id AND {})"
    )
    if f.lang:
        where.append(member.format("a.language = ?"))
        params.append(f.lang)
    if f.outlet:
        where.append(member.format("a.outlet = ?"))
        params.append(f.outlet)
    restrict: set[str] | None = None
    for wanted in (
        entity_article_ids(store, f.entity) if f.entity else None,
        matching_article_ids(store, f.q) if f.q else None,
        articles_with_signal(store, check_signal_name(f.signal)) if f.signal else None,
    ):
        if wanted is None:
            continue
        ids = stories_of_articles(store, wanted)
        restrict = ids if restrict is None else restrict & ids
    if restrict is not None:
        if not restrict:
            return None
        where.append(f"s.id IN ({','.join('?' * len(restrict))})")
        params.extend(sorted(restrict))
    # A date filter keeps dated stories only: an undated story (no member dated) is not known
    # to fall inside any range.
    if f.since:
        where.append("coalesce(s.last_seen, s.first_seen) >= ?")
        params.append(f.since)
    if f.until:
        where.append("coalesce(s.first_seen, s.last_seen) <= ? || 'T99'")
        params.append(f.until)
    return where, params


def stories_page(
    store: Store, filters: StoryFilters | None = None, *, limit: int | None = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of stories matching ``filters``, largest first, then the most recently
    seen (undated last), then by id; ``limit=None`` for all of them."""
    f = check_filters(filters or StoryFilters())
    built = _story_where(store, f)
    if built is None:
        return {"total": 0, "limit": limit, "offset": offset, "items": []}
    where, params = built
    clause = " AND ".join(where)
    total = store.conn.execute(f"SELECT count(*) FROM stories s WHERE {clause}", params).fetchone()[0]
    rows = store.conn.execute(
        f"""SELECT s.* FROM stories s WHERE {clause}
            ORDER BY s.size DESC, s.last_seen IS NULL, s.last_seen DESC, s.id
            LIMIT ? OFFSET ?""",
        [*params, -1 if limit is None else limit, offset],
    ).fetchall()
    items = story_records(store, rows, f.title_language or f.lang)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def list_stories(
    store: Store,
    *,
    lang: str | None = None,
    language: str | None = None,
    outlet: str | None = None,
    entity: str | None = None,
    q: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_size: int = 1,
    title_language: str | None = None,
    signal: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The stories of :func:`stories_page` as a plain list (``stories --json``, the Python
    API); ``language`` is another name for ``lang``."""
    filters = StoryFilters(
        lang=lang or language, outlet=outlet, entity=entity, q=q, since=since, until=until,
        min_size=min_size, title_language=title_language, signal=signal,
    )
    return list(stories_page(store, filters, limit=limit, offset=offset)["items"])


def stories_of_articles(store: Store, article_ids: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for chunk in chunks(list(article_ids), 500):
        marks = ",".join("?" * len(chunk))
        out.update(r[0] for r in store.conn.execute(
            f"SELECT DISTINCT story_id FROM story_members WHERE article_id IN ({marks})", chunk
        ))
    return out


def entity_article_ids(store: Store, entity: str) -> list[str]:
    """Articles mentioning an entity named by id, name or any spelling; where no entity
    answers to it (the entities stage has not run), the articles the name is found in."""
    try:
        entity_id = entity_repo.find_entity_id(store, entity)
    except NotFoundError:
        return store.search_article_ids(entity, limit=SEARCH_HITS_MAX)
    return entity_repo.article_ids_for_entity(store, entity_id)


def missing_id_hint(store: Store, wanted: str, *, looking_for: str) -> str:
    """What the user probably meant by an id that is no ``looking_for`` ("article" or
    "story"): the story of an article id given where a story id was wanted, the article
    ids it begins (a missing ``.txt``) or the closest ids; "" when nothing is near."""
    if looking_for == "story":
        story = story_of_article(store, wanted)
        if story:
            return f"{wanted!r} is an article; its story is {story}"
        known = [r[0] for r in store.conn.execute("SELECT id FROM stories")]
    else:
        known = list(store.article_ids())
    near = suggest_ids(wanted, known)
    return f"did you mean {', '.join(near)}?" if near else ""


# -- one story ---------------------------------------------------------------------------


def _article_rows(store: Store, story_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    rows = store.conn.execute(
        f"""SELECT m.story_id, a.id, a.title, a.outlet, a.language, a.published
            FROM story_members m JOIN articles a ON a.id = m.article_id
            WHERE m.story_id IN ({marks})
            ORDER BY a.published IS NULL, a.published, a.id""",
        list(story_ids),
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r[0]].append(
            {"id": r[1], "title": r[2], "outlet": r[3], "language": r[4], "published": r[5]}
        )
    return out


def story_detail(store: Store, story_id: str, *, link_probability: float | None = None) -> dict[str, Any]:
    """A story page: the story, each member's title, outlet and link, and its entities.
    ``link_probability`` is shown beside the member scores."""
    story = dict(get_story(store, story_id))
    members = _article_rows(store, [story["id"]]).get(story["id"], [])
    links = {m["id"]: m for m in story.get("members", [])}
    for m in members:  # why each member is in the story, for the page's member list
        link = links.get(m["id"], {})
        m["link"] = {k: link.get(k) for k in ("link_score", "linked_by", "via", "detail")}
    story["article_details"] = members
    story["link_probability"] = link_probability
    story.setdefault("outlets", sorted({m["outlet"] for m in members if m["outlet"]}))
    story["entities"] = entities_of_articles(store, [m["id"] for m in members])
    return story


def entities_of_articles(store: Store, article_ids: Sequence[str], limit: int = 40) -> list[dict[str, Any]]:
    """The entities these articles mention, the most widely mentioned first."""
    if not article_ids:
        return []
    marks = ",".join("?" * len(article_ids))
    rows = store.conn.execute(
        f"""SELECT e.id, e.name, e.type, count(DISTINCT m.article_id) AS n
            FROM mentions m JOIN entities e ON e.id = m.entity_id
            WHERE m.article_id IN ({marks})
            GROUP BY e.id ORDER BY n DESC, e.name LIMIT ?""",
        [*article_ids, limit],
    )
    return [{"id": r[0], "name": r[1], "type": r[2], "articles": r[3]} for r in rows]


# -- articles ----------------------------------------------------------------------------


def article_view(store: Store, article_id: str, *, include_raw: bool = False) -> dict[str, Any]:
    """One article as every surface shows it (``show --json``, ``/api/articles/{id}``)."""
    article = store.get_article(article_id)
    view = article.to_dict(include_raw=include_raw)
    view["story"] = story_of_article(store, article_id)
    view["paragraphs"] = article.paragraphs
    return view


def article_detail(store: Store, article_id: str, *, include_raw: bool = False) -> dict[str, Any]:
    view = article_view(store, article_id, include_raw=include_raw)
    view["entities"] = entities_of_articles(store, [article_id], limit=60)
    return view


def articles_page(
    store: Store,
    *,
    lang: str | None = None,
    outlet: str | None = None,
    story: str | None = None,
    entity: str | None = None,
    q: str | SearchPlan | None = None,
    since: str | None = None,
    until: str | None = None,
    signal: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of articles matching the filters (the story list's, plus ``story``), the
    most recently published first, undated last."""
    lang = check_lang(lang)
    since, until = check_date(since, "since"), check_date(until, "until")
    where, params = ["1=1"], []
    if lang:
        where.append("a.language = ?")
        params.append(lang)
    if outlet:
        where.append("a.outlet = ?")
        params.append(outlet)
    if story:
        where.append("a.id IN (SELECT article_id FROM story_members WHERE story_id = ?)")
        params.append(story)
    for wanted in (
        entity_article_ids(store, entity) if entity else None,
        matching_article_ids(store, q) if q else None,
        articles_with_signal(store, check_signal_name(signal)) if signal else None,
    ):
        if wanted is None:
            continue
        if not wanted:
            return {"total": 0, "limit": limit, "offset": offset, "items": []}
        where.append("a.id IN ({})".format(",".join("?" * len(wanted))))
        params.extend(wanted)
    if since:
        where.append("a.published >= ?")
        params.append(since)
    if until:
        where.append("a.published <= ? || 'T99'")
        params.append(until)
    clause = " AND ".join(where)
    total = store.conn.execute(f"SELECT count(*) FROM articles a WHERE {clause}", params).fetchone()[0]
    rows = store.conn.execute(
        f"""SELECT a.id, a.title, a.outlet, a.language, a.published, a.url, a.author
            FROM articles a WHERE {clause}
            ORDER BY a.published IS NULL, a.published DESC, a.id LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )
    items = [dict(r) for r in rows]
    stories: dict[str, str] = {}
    attrs: dict[str, list[str]] = defaultdict(list)
    if items:
        ids = [i["id"] for i in items]
        marks = ",".join("?" * len(items))
        stories = dict(store.conn.execute(
            f"SELECT article_id, story_id FROM story_members WHERE article_id IN ({marks})", ids
        ).fetchall())
        for aid, name in store.conn.execute(
            f"SELECT article_id, name FROM attributions WHERE article_id IN ({marks})", ids
        ):
            if name not in attrs[aid]:
                attrs[aid].append(name)
    for i in items:
        i["story"] = stories.get(i["id"])
        i["attributions"] = attrs.get(i["id"], [])
    return {"total": total, "limit": limit, "offset": offset, "items": items}


EXPORT_FIELDS = [
    "id", "title", "text", "published", "outlet", "author", "language", "url",
    "attributions", "story", "dateline", "source_path", "content_hash",
]


def export_records(store: Store) -> Iterator[dict[str, Any]]:
    """One flat record per article with the fields DESIGN.md promises (and a few more)."""
    stories = story_index(store)
    for article in store.iter_articles():
        d = article.to_dict()
        d["story"] = stories.get(article.id)
        yield {k: d.get(k) for k in EXPORT_FIELDS}


# -- entities ----------------------------------------------------------------------------


def list_entities(store: Store, **filters: Any) -> list[dict[str, Any]]:
    """Entities with their merged variants (``entities --json``); see
    ``wiretrace.store.entities.list_entities`` for the filters."""
    return entity_repo.list_entities(store, **filters)


def entities_page(
    store: Store, *, type: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    items = entity_repo.list_entities(store, type=type, q=q, limit=None, offset=0)
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset : offset + limit]}


def entity_detail(store: Store, entity_id: str) -> dict[str, Any]:
    """An entity page in one shape for every surface: plain lists like ``entities --json``,
    the details alongside."""
    entity = dict(entity_repo.get_entity(store, entity_id))
    variants = entity.get("variants", [])
    entity["variant_details"] = [
        v if isinstance(v, dict) else {"surface": v, "count": None, "reason": ""} for v in variants
    ]
    entity["variants"] = [v["surface"] for v in entity["variant_details"]]
    articles = entity.get("articles", [])
    entity["article_details"] = [a for a in articles if isinstance(a, dict)]
    entity["articles"] = [a["id"] if isinstance(a, dict) else a for a in articles]
    entity["outlets"] = [o["outlet"] if isinstance(o, dict) else o for o in entity.get("outlets", [])]
    stories = entity.get("stories", [])
    entity["stories"] = [s if isinstance(s, dict) else {"id": s, "title": None} for s in stories]
    tl = entity.get("timeline", [])
    if isinstance(tl, dict):
        tl = [{"date": k, "count": v} for k, v in sorted(tl.items())]
    entity["timeline"] = tl
    return entity


# -- search and facets -------------------------------------------------------------------

# Characters of text shown before and after a match in a snippet, and snippets per article:
# about two lines of a results list each. Chosen for reading, not measured.
SNIPPET_BEFORE = 70
SNIPPET_AFTER = 110
SNIPPETS_PER_ARTICLE = 3


@dataclass(frozen=True)
class SearchPlan:
    """What a query searches for: its words, and when the whole query names entities (by
    id, name or any spelling), every spelling of them and their recognised mentions, so
    "Лукашенко" finds the articles that write "Lukashenka" too."""

    q: str
    entities: tuple[dict[str, Any], ...]
    spellings: tuple[str, ...]


def search_plan(store: Store, q: str) -> SearchPlan:
    """The entities ``q`` names (every entity with it as a name or spelling, else the one
    the name matcher finds) and the spellings to search."""
    text = q.strip()
    rows = store.conn.execute(
        """SELECT DISTINCT e.id, e.name, e.type, e.article_count FROM entities e
           LEFT JOIN entity_variants v ON v.entity_id = e.id
           WHERE e.id = ? OR lower(e.name) = lower(?) OR lower(v.surface) = lower(?)
           ORDER BY e.article_count DESC, e.id""",
        (text, text, text),
    ).fetchall()
    ids = [r[0] for r in rows]
    if not ids and text:
        try:
            ids = [entity_repo.find_entity_id(store, text)]
        except NotFoundError:
            ids = []
    entities: list[dict[str, Any]] = []
    spellings: list[str] = [text] if text else []
    for entity_id in ids:
        row = store.conn.execute(
            "SELECT id, name, type FROM entities WHERE id = ?", (entity_id,)).fetchone()
        entities.append({"id": row[0], "name": row[1], "type": row[2]})
        for (surface,) in store.conn.execute(
            "SELECT surface FROM entity_variants WHERE entity_id = ? ORDER BY count DESC, surface",
            (entity_id,),
        ):
            if surface.casefold() not in {s.casefold() for s in spellings}:
                spellings.append(surface)
        if row[1].casefold() not in {s.casefold() for s in spellings}:
            spellings.append(row[1])
    return SearchPlan(q=text, entities=tuple(entities), spellings=tuple(spellings))


def matching_article_ids(store: Store, q: str | SearchPlan) -> list[str]:
    """Articles matching ``q``: its words in the title or text (full-text, accents ignored),
    or, when it names entities, any of their spellings or a recognised mention of them."""
    plan = q if isinstance(q, SearchPlan) else search_plan(store, q)
    found: dict[str, None] = {}
    for spelling in plan.spellings or (plan.q,):
        for article_id in store.search_article_ids(spelling, limit=SEARCH_HITS_MAX):
            found.setdefault(article_id)
    for entity in plan.entities:
        for article_id in entity_repo.article_ids_for_entity(store, entity["id"]):
            found.setdefault(article_id)
    return list(found)[:SEARCH_HITS_MAX]


def _fold(text: str) -> str:
    """``text`` lower-cased with accents removed, one character for one, so offsets in
    the folded text are offsets in ``text`` (Szijjártó and Szijjarto match)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)
        kept = "".join(c for c in base if not unicodedata.combining(c)).lower()
        out.append(kept if len(kept) == 1 else ch.lower() if len(ch.lower()) == 1 else ch)
    return "".join(out)


def _term_pattern(plan: SearchPlan) -> re.Pattern[str] | None:
    """One pattern for every spelling as a phrase and, for a free-text query, each word."""
    terms = {_fold(s) for s in plan.spellings if s.strip()}
    if not plan.entities:
        terms |= {_fold(w) for w in re.findall(r"\w+", plan.q) if len(w) > 1}
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    # a spelling matches at a word start and may run on into an inflection (Гриценка)
    return re.compile(rf"(?<!\w)(?:{alternatives})\w{{0,3}}(?!\w)")


def match_spans(text: str, pattern: re.Pattern[str] | None,
                extra: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) spans of the matches in ``text``."""
    spans = list(extra)
    if pattern is not None and text:
        spans += [m.span() for m in pattern.finditer(_fold(text))]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippets(text: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """Up to ``SNIPPETS_PER_ARTICLE`` passages around the matches, each ``{"text",
    "highlights": [[start, end], ...]}`` with offsets into the passage's own text."""
    windows: list[list[int]] = []
    for start, end in spans:
        lo = max(0, start - SNIPPET_BEFORE)
        hi = min(len(text), end + SNIPPET_AFTER)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        elif len(windows) < SNIPPETS_PER_ARTICLE:
            windows.append([lo, hi])
    out = []
    for lo, hi in windows:
        if lo > 0:  # start and end on a word boundary
            space = text.find(" ", lo, min(hi, lo + 20))
            lo = space + 1 if space != -1 else lo
        if hi < len(text):
            space = text.rfind(" ", max(lo, hi - 20), hi)
            hi = space if space != -1 else hi
        prefix = "…" if lo > 0 else ""
        suffix = "…" if hi < len(text) else ""
        marks = [[s - lo + len(prefix), min(e, hi) - lo + len(prefix)]
                 for s, e in spans if s >= lo and s < hi]
        passage = " ".join(text[lo:hi].split("\n"))
        out.append({"text": prefix + passage + suffix, "highlights": marks})
    return out


def search_articles(
    store: Store, q: str, *, lang: str | None = None, outlet: str | None = None,
    entity: str | None = None, since: str | None = None, until: str | None = None,
    signal: str | None = None, limit: int = 20, offset: int = 0,
) -> dict[str, Any]:
    """Article hits for ``q`` under the story list's filters, the most recent first, each
    with its story, snippets and highlighted matches (``title_highlights``, and each
    snippet's ``highlights``), plus what was searched: ``spellings`` and ``entities``."""
    plan = search_plan(store, q)
    page = articles_page(store, lang=lang, outlet=outlet, entity=entity, q=plan, since=since,
                         until=until, signal=signal, limit=limit, offset=offset)
    pattern = _term_pattern(plan)
    entity_ids = [e["id"] for e in plan.entities]
    titles = _story_titles(store, [i["story"] for i in page["items"] if i["story"]])
    for item in page["items"]:
        article = store.get_article(item["id"])
        mentioned = [(s, e) for s, e, eid in entity_repo.mention_spans(store, item["id"])
                     if eid in entity_ids]
        spans = match_spans(article.text, pattern, mentioned)
        item["story_title"] = titles.get(item["story"])
        item["title_highlights"] = [list(s) for s in match_spans(item["title"] or "", pattern)]
        item["matches"] = len(spans)
        item["snippets"] = snippets(article.text, spans)
    return {**page, "q": plan.q, "spellings": list(plan.spellings),
            "entities": list(plan.entities)}


def _story_titles(store: Store, story_ids: Sequence[str]) -> dict[str, str | None]:
    if not story_ids:
        return {}
    ids = sorted(set(story_ids))
    rows = store.conn.execute(
        f"SELECT id, title FROM stories WHERE id IN ({','.join('?' * len(ids))})", ids)
    return {r[0]: r[1] for r in rows}


def search(store: Store, q: str, *, limit: int = 20, **filters: Any) -> dict[str, Any]:
    """Articles (with snippets), their stories and the entities matching a query, any
    spelling of a name finding them all (``/api/search``): ``named`` are the entities the
    whole query names, ``spellings`` what was searched for them, ``stories`` those of every
    matching article, ``articles`` the first ``limit`` hits; ``filters`` are those of
    :func:`search_articles`."""
    hits = search_articles(store, q, limit=limit, **filters)
    story_ids = sorted({a["story"] for a in hits["items"] if a["story"]})
    plan = search_plan(store, q)
    all_ids = [a["id"] for a in articles_page(
        store, q=plan, limit=SEARCH_HITS_MAX, **filters)["items"]]
    stories = [
        {"id": sid, "title": title}
        for sid, title in sorted(_story_titles(store, sorted(
            stories_of_articles(store, all_ids) | set(story_ids))).items())
    ]
    return {"q": q, "total": hits["total"], "spellings": hits["spellings"],
            "named": hits["entities"], "articles": hits["items"], "stories": stories,
            "entities": entities_page(store, q=q, limit=limit)["items"]}


def facets(store: Store, limit: int = 60) -> dict[str, list[dict[str, Any]]]:
    """The languages and outlets of the stored articles, most frequent first (the filters
    the story list offers)."""
    langs = store.conn.execute(
        "SELECT language, count(*) FROM articles WHERE language IS NOT NULL GROUP BY language "
        "ORDER BY count(*) DESC LIMIT ?", (limit,)
    ).fetchall()
    outlets = store.conn.execute(
        "SELECT outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet "
        "ORDER BY count(*) DESC LIMIT ?", (limit,)
    ).fetchall()
    return {
        "languages": [{"value": r[0], "count": r[1]} for r in langs],
        "outlets": [{"value": r[0], "count": r[1]} for r in outlets],
    }
