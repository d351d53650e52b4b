"""Read queries behind the REST API and pages: filtered, paged, and fast on large stores.

Story and entity lists are answered with SQL over the stage tables (one query for the page of
ids, one for their members), so a page costs the same on 100 or 100,000 articles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..errors import NotFoundError
from ..views import _has_table, article_view


def _members(store: Any, story_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    rows = store.conn.execute(
        f"""SELECT m.story_id, a.id, a.title, a.outlet, a.language, a.published
            FROM story_members m JOIN articles a ON a.id = m.article_id
            WHERE m.story_id IN ({marks})
            ORDER BY a.published IS NULL, a.published, a.id""",
        story_ids,
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r[0]].append(
            {"id": r[1], "title": r[2], "outlet": r[3], "language": r[4], "published": r[5]}
        )
    return out


def _story_row_dict(row: Any, members: list[dict[str, Any]]) -> dict[str, Any]:
    keys = row.keys()
    languages = sorted({m["language"] for m in members if m["language"]})
    outlets = sorted({m["outlet"] for m in members if m["outlet"]})
    dates = [m["published"] for m in members if m["published"]]
    return {
        "id": row["id"],
        "title": row["title"] if "title" in keys else None,
        "summary": row["summary"] if "summary" in keys else None,
        "articles": [m["id"] for m in members],
        "languages": languages,
        "outlets": outlets,
        "first_seen": (row["first_seen"] if "first_seen" in keys else None) or (min(dates) if dates else None),
        "last_seen": (row["last_seen"] if "last_seen" in keys else None) or (max(dates) if dates else None),
        "size": len(members),
    }


@dataclass(frozen=True)
class StoryFilters:
    """What the story list is narrowed to; every filter is optional (empty means all)."""

    lang: str | None = None
    outlet: str | None = None
    entity: str | None = None
    q: str | None = None
    since: str | None = None
    until: str | None = None
    min_size: int = 1


def stories_page(
    store: Any, filters: StoryFilters | None = None, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of stories matching ``filters``, largest and most recent first."""
    f = filters or StoryFilters()
    lang, outlet, entity, q = f.lang, f.outlet, f.entity, f.q
    since, until, min_size = f.since, f.until, f.min_size
    if not _has_table(store, "stories"):
        return {"total": 0, "limit": limit, "offset": offset, "items": []}
    where, params = ["1=1"], []
    member_filter = "EXISTS (SELECT 1 FROM story_members m JOIN articles a ON a.id = m.article_id WHERE m.story_id = s.id AND {})"
    if lang:
        where.append(member_filter.format("a.language = ?"))
        params.append(lang)
    if outlet:
        where.append(member_filter.format("a.outlet = ?"))
        params.append(outlet)
    if entity and _has_table(store, "mentions"):
        where.append(
            "EXISTS (SELECT 1 FROM story_members m JOIN mentions e ON e.article_id = m.article_id "
            "WHERE m.story_id = s.id AND e.entity_id = ?)"
        )
        params.append(entity)
    if q:
        ids = store.search_article_ids(q, limit=2000)
        if not ids:
            return {"total": 0, "limit": limit, "offset": offset, "items": []}
        where.append(
            "EXISTS (SELECT 1 FROM story_members m WHERE m.story_id = s.id AND m.article_id IN ({}))".format(",".join("?" * len(ids)))
        )
        params.extend(ids)
    if since:
        where.append("coalesce(s.last_seen, '9999') >= ?")
        params.append(since)
    if until:
        where.append("coalesce(s.first_seen, '0000') <= ? || 'T99'")
        params.append(until)
    if min_size > 1:
        where.append("s.size >= ?")
        params.append(min_size)
    clause = " AND ".join(where)
    total = store.conn.execute(f"SELECT count(*) FROM stories s WHERE {clause}", params).fetchone()[0]
    rows = store.conn.execute(
        f"""SELECT s.* FROM stories s WHERE {clause}
            ORDER BY s.size DESC, s.last_seen IS NULL, s.last_seen DESC, s.id
            LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    ).fetchall()
    members = _members(store, [r["id"] for r in rows])
    items = [_story_row_dict(r, members.get(r["id"], [])) for r in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def story_detail(store: Any, story_id: str) -> dict[str, Any]:
    from ..store.stories import get_story

    story = get_story(store, story_id)
    members = _members(store, [story["id"]]).get(story["id"], [])
    story = dict(story)
    links = {m["id"]: m for m in story.get("members", [])}
    for m in members:  # why each member is in the story, for the page's member list
        link = links.get(m["id"], {})
        m["link"] = {k: link.get(k) for k in ("link_score", "linked_by", "via", "detail")}
    story["article_details"] = members
    story["link_probability"] = _link_probability()
    story.setdefault("outlets", sorted({m["outlet"] for m in members if m["outlet"]}))
    story["entities"] = _story_entities(store, [m["id"] for m in members])
    return story


def _link_probability() -> float:
    """The P(same event) from which the clusterer links a pair (shown beside member scores)."""
    from ..stories.cluster import LINK_PROBABILITY

    return LINK_PROBABILITY


def _story_entities(store: Any, article_ids: list[str], limit: int = 40) -> list[dict[str, Any]]:
    if not article_ids or not _has_table(store, "mentions") or not _has_table(store, "entities"):
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


def story_trace(store: Any, story_id: str) -> dict[str, Any]:
    from ..store.traces import trace_story

    trace = trace_story(store, story_id)
    trace.setdefault("stale", False)  # true only when a read-only store computed it unsaved
    return trace


def articles_page(
    store: Any,
    *,
    lang: str | None = None,
    outlet: str | None = None,
    story: str | None = None,
    entity: str | None = None,
    q: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    where, params = ["1=1"], []
    if lang:
        where.append("a.language = ?")
        params.append(lang)
    if outlet:
        where.append("a.outlet = ?")
        params.append(outlet)
    if story and _has_table(store, "story_members"):
        where.append("a.id IN (SELECT article_id FROM story_members WHERE story_id = ?)")
        params.append(story)
    if entity and _has_table(store, "mentions"):
        where.append("a.id IN (SELECT article_id FROM mentions WHERE entity_id = ?)")
        params.append(entity)
    if q:
        ids = store.search_article_ids(q, limit=2000)
        if not ids:
            return {"total": 0, "limit": limit, "offset": offset, "items": []}
        where.append("a.id IN ({})".format(",".join("?" * len(ids))))
        params.extend(ids)
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
    stories = {}
    if items and _has_table(store, "story_members"):
        marks = ",".join("?" * len(items))
        stories = dict(store.conn.execute(
            f"SELECT article_id, story_id FROM story_members WHERE article_id IN ({marks})",
            [i["id"] for i in items],
        ).fetchall())
    attrs: dict[str, list[str]] = defaultdict(list)
    if items:
        marks = ",".join("?" * len(items))
        for aid, name in store.conn.execute(
            f"SELECT article_id, name FROM attributions WHERE article_id IN ({marks})",
            [i["id"] for i in items],
        ):
            if name not in attrs[aid]:
                attrs[aid].append(name)
    for i in items:
        i["story"] = stories.get(i["id"])
        i["attributions"] = attrs.get(i["id"], [])
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def article_detail(store: Any, article_id: str, *, include_raw: bool = False) -> dict[str, Any]:
    view = article_view(store, article_id, include_raw=include_raw)
    view["entities"] = _story_entities(store, [article_id], limit=60)
    return view


def entities_page(
    store: Any, *, type: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    if not _has_table(store, "entities"):
        return {"total": 0, "limit": limit, "offset": offset, "items": []}
    from ..store.entities import list_entities

    items = list_entities(store, type=type, q=q, limit=None, offset=0)
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset : offset + limit]}


def entity_detail(store: Any, entity_id: str) -> dict[str, Any]:
    if not _has_table(store, "entities"):
        raise NotFoundError(f"no entity {entity_id!r}")
    from ..store.entities import get_entity

    entity = dict(get_entity(store, entity_id))
    # One shape for every surface: plain lists like `entities --json`, details alongside.
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


def search(store: Any, q: str, *, limit: int = 20) -> dict[str, Any]:
    ids = store.search_article_ids(q, limit=limit)
    articles = []
    if ids:
        marks = ",".join("?" * len(ids))
        found = {r["id"]: dict(r) for r in store.conn.execute(
            f"SELECT id, title, outlet, language, published FROM articles WHERE id IN ({marks})", ids
        )}
        articles = [found[i] for i in ids if i in found]
    story_ids: list[str] = []
    if ids and _has_table(store, "story_members"):
        marks = ",".join("?" * len(ids))
        for (sid,) in store.conn.execute(
            f"SELECT DISTINCT story_id FROM story_members WHERE article_id IN ({marks})", ids
        ):
            story_ids.append(sid)
    stories = []
    if story_ids and _has_table(store, "stories"):
        marks = ",".join("?" * len(story_ids))
        stories = [dict(r) for r in store.conn.execute(
            f"SELECT id, title FROM stories WHERE id IN ({marks})", story_ids
        )]
    entities = []
    if _has_table(store, "entities"):
        entities = entities_page(store, q=q, limit=limit)["items"]
    return {"q": q, "articles": articles, "stories": stories, "entities": entities}


def facets(store: Any, limit: int = 60) -> dict[str, list[dict[str, Any]]]:
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


def ingest_jsonl(store: Any, body: bytes) -> dict[str, Any]:
    """Write path for ``--allow-writes`` servers: ingest posted JSONL records."""
    import tempfile
    from pathlib import Path

    from ..pipeline import ingest

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posted.jsonl"
        path.write_bytes(body)
        report = ingest(store, [str(path)])
    return {**report.counts(), "errors": [
        {"path": p, "code": c, "message": m} for p, c, m in report.errors
    ], "ids": report.stored_ids}
