"""Stories repository: reading the clustering state back, writing its changes, and queries.

Tables (migration 0003): ``stories``, ``story_members``, ``story_merges``, ``storylines``,
``storyline_members``. Story rows carry a default title and summary; a title in a requested
language is chosen at query time from the members' stored centrality.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import NotFoundError
from .base import Store

if TYPE_CHECKING:
    from ..stories.cluster import StoryClusterer

SUMMARY_MAX_CHARS = 320


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_time(value: str | None) -> float | None:
    """The clusterer's reading of a page date (seconds since the epoch), so that the store
    orders and spans members exactly as the stories stage compares them.

    Imported when called: the stories stage persists through this module, so importing the
    stage here at load time would make the two modules import each other.
    """
    from ..stories.cluster import parse_time as parse

    return parse(value)


# -- reading state ------------------------------------------------------------------------


def load_state(store: Store) -> list[tuple[str, int, list[str]]]:
    """Persisted stories as (story id, seq, [member article ids]), oldest first."""
    members: dict[str, list[str]] = defaultdict(list)
    for row in store.conn.execute("SELECT story_id, article_id FROM story_members"):
        members[row[0]].append(row[1])
    return [
        (row[0], int(row[1]), members.get(row[0], []))
        for row in store.conn.execute("SELECT id, seq FROM stories ORDER BY seq, id")
    ]


def doc_vectors(store: Store, backend_name: str) -> dict[str, np.ndarray]:
    """Cached doc vectors of every article for one embedding backend."""
    out = {}
    for row in store.conn.execute(
        "SELECT article_id, dim, vectors FROM embeddings WHERE backend = ? AND kind = 'doc'",
        (backend_name,),
    ):
        out[row[0]] = np.frombuffer(row[2], dtype=np.float16).astype(np.float32)[: row[1]]
    return out


def join_scores(store: Store) -> dict[str, float | None]:
    """The similarity with which each member joined its story (None for founders)."""
    return {r[0]: r[1] for r in store.conn.execute("SELECT article_id, score FROM story_members")}


def published_dates(store: Store) -> dict[str, str | None]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT id, published FROM articles")}


def article_languages(store: Store) -> dict[str, str | None]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT id, language FROM articles")}


# -- writing ------------------------------------------------------------------------------


@dataclass
class _MemberInfo:
    article_id: str
    language: str | None
    title: str | None
    published: str | None
    centrality: float | None
    added_at: str | None
    derivation: str | None = None  # from the story's trace: origin, copy, ..., rewrite
    date_conflict: bool = False  # the trace holds dated evidence against its page date
    link: dict[str, Any] | None = None  # why it is in the story (see member_link)
    outlet: str | None = None
    read_at: str | None = None  # when the page was crawled or scraped, from its record (UTC)


def save_changes(
    store: Store,
    clusterer: StoryClusterer,
    new_article_ids: Iterable[str],
    *,
    replace_all: bool = False,
) -> set[str]:
    """Write what ``clusterer`` decided for ``new_article_ids``: merges, new stories, members.

    Returns the ids of the stories that changed. With ``replace_all`` every story is rewritten
    (after a recluster).
    """
    at = now_iso()
    new_ids = list(new_article_ids)
    touched: set[str] = set()
    with store.transaction() as conn:
        if replace_all:
            conn.execute("DELETE FROM storylines")
            conn.execute("DELETE FROM story_merges")
            conn.execute("DELETE FROM stories")
        existing = {r[0] for r in conn.execute("SELECT id FROM stories")}
        for merge in clusterer.merges:
            # members stored earlier keep their first link, under the merge that moved them
            conn.execute(
                "UPDATE story_members SET story_id = ?, linked_by = 'merge', link_detail = ? "
                "|| coalesce(' (it had joined ' || story_id || ': ' || link_detail || ')', '') "
                "WHERE story_id = ?",
                (merge.into_story,
                 f"came with story {merge.from_story}, merged into {merge.into_story}: "
                 f"{merge.reason}", merge.from_story),
            )
            conn.execute("DELETE FROM stories WHERE id = ?", (merge.from_story,))
            conn.execute(
                "INSERT INTO story_merges(from_story, into_story, at, reason) VALUES (?,?,?,?)",
                (merge.from_story, merge.into_story, at, merge.reason),
            )
            existing.discard(merge.from_story)
            touched.add(merge.into_story)
        for sid, story in clusterer.stories.items():
            if sid not in existing:
                conn.execute(
                    "INSERT INTO stories(id, seq, created_at, updated_at) VALUES (?,?,?,?)",
                    (sid, story.seq, at, at),
                )
                existing.add(sid)
        for aid in new_ids:
            sid = clusterer.story_of.get(aid)
            if sid is None:
                continue
            link = clusterer.links.get(aid)
            conn.execute(
                "INSERT OR REPLACE INTO story_members(story_id, article_id, score, via, "
                "linked_by, link_score, link_detail, added_at) VALUES (?,?,?,?,?,?,?,?)",
                (sid, aid, link.score if link else None, link.via if link else None,
                 link.linked_by if link else None, link.link_score if link else None,
                 link.detail if link else None, at),
            )
            touched.add(sid)
        refresh_stories(store, clusterer, touched, at=at)
        conn.execute(
            "DELETE FROM stories WHERE NOT EXISTS "
            "(SELECT 1 FROM story_members m WHERE m.story_id = stories.id)"
        )
    return touched


def _members_info(store: Store, story_ids: Sequence[str]) -> dict[str, list[_MemberInfo]]:
    out: dict[str, list[_MemberInfo]] = defaultdict(list)
    for chunk in chunks(list(story_ids), 500):
        marks = ",".join("?" * len(chunk))
        for row in store.conn.execute(
            f"""SELECT m.story_id, m.article_id, m.centrality, m.added_at, m.derivation,
                       m.date_conflict, m.via, m.linked_by, m.link_score, m.link_detail,
                       a.language, a.title, a.published, a.outlet, a.extra_json
                FROM story_members m JOIN articles a ON a.id = m.article_id
                WHERE m.story_id IN ({marks})""",
            chunk,
        ):
            out[row["story_id"]].append(_MemberInfo(
                row["article_id"], row["language"], row["title"], row["published"],
                row["centrality"], row["added_at"], row["derivation"], bool(row["date_conflict"]),
                member_link(row), row["outlet"], read_at(row["extra_json"]),
            ))
    return out


def member_link(row: Any) -> dict[str, Any]:
    """Why a member is in its story, as the JSON contract gives it: ``{"id", "link_score",
    "linked_by", "via", "detail"}`` (see ``cluster.SIGNALS`` for ``linked_by``).

    ``link_score`` is what the signal decided on: for the pair scorer, P(same event) with
    ``via``, which the clusterer accepts from 0.02 (``LINK_PROBABILITY``) because the link
    must also be confirmed by the story's members and stand out from other stories, where
    ``compare`` judges a pair alone at 0.5."""
    return {
        "id": row["article_id"],
        "link_score": row["link_score"],
        "linked_by": row["linked_by"],
        "via": row["via"],
        "detail": row["link_detail"],
    }


def choose_title_article(members: Sequence[_MemberInfo], language: str | None = None) -> str | None:
    """The member whose title names the story: one in ``language`` when there is one, with a
    title, an original report (a root of the story's trace) before anything derived from it,
    where rewrites bring their own spin and clickbait, then the most central. When the origin
    is an agency outside the collection, or the story is not traced yet, centrality decides."""
    def rank(m: _MemberInfo) -> tuple[bool, bool, bool, float, str]:
        return (
            not (language and m.language == language),
            not (m.title or "").strip(),
            m.derivation != "origin",
            -(m.centrality if m.centrality is not None else -1.0),
            m.article_id,
        )

    return min(members, key=rank).article_id if members else None


def lead_sentence(store: Store, article_id: str, title: str | None) -> str | None:
    """The first real sentence of an article (not its title, a dateline or a byline)."""
    norm_title = " ".join((title or "").split()).lower()
    fallback = None
    for row in store.conn.execute(
        "SELECT text FROM sentences WHERE article_id = ? ORDER BY idx LIMIT 8", (article_id,)
    ):
        text = " ".join(row[0].split())
        if not text or text.lower() == norm_title:
            continue
        fallback = fallback or text
        if len(text.split()) >= 6:
            return _clip(text)
    if fallback:
        return _clip(fallback)
    row = store.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return None
    for para in row[0].split("\n"):
        para = " ".join(para.split())
        if para and para.lower() != norm_title:
            return _clip(para)
    return None


def _clip(text: str) -> str:
    if len(text) <= SUMMARY_MAX_CHARS:
        return text
    cut = text[:SUMMARY_MAX_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def _date_range(members: Sequence[_MemberInfo]) -> tuple[str | None, str | None]:
    """First and last page date of the members, leaving out dates the trace contradicts (a
    re-post stamped months later) unless every date is contradicted. A story none of whose
    members is dated spans the times its pages were read (crawled, scraped) where the records
    say, else it has no dates: when it was ingested says nothing of when it happened."""
    trusted = [m for m in members if not m.date_conflict] or list(members)
    for values in ([m.published for m in trusted], [m.read_at for m in members]):
        dated = [(parse_time(v), v) for v in values if v]
        dated = [(t, v) for t, v in dated if t is not None]
        if dated:
            return min(dated)[1], max(dated)[1]
    return None, None


def read_at(extra_json: str | None) -> str | None:
    """When the page was read, from the record fields kept beside the article (``crawled``,
    ``scraped_at``, a WARC record's date ...): the earliest such time in UTC, or None."""
    from ..lang.dates import to_utc  # see parse_time
    from ..metadata import READ_AT_FIELDS

    try:
        extra = json.loads(extra_json or "{}")
    except ValueError:
        return None
    if not isinstance(extra, dict):
        return None
    found = []
    for key in READ_AT_FIELDS:
        value = extra.get(key)
        if isinstance(value, str) and (t := parse_time(value.strip())) is not None:
            found.append((t, to_utc(value.strip())))
    return min(found)[1] if found else None


def refresh_stories(
    store: Store, clusterer: StoryClusterer, story_ids: Iterable[str], *, at: str | None = None
) -> None:
    """Recompute centrality, title, summary, size, languages and dates of ``story_ids``."""
    at = at or now_iso()
    ids = [s for s in story_ids if s in clusterer.stories]
    conn = store.conn
    for sid in ids:
        for aid in clusterer.stories[sid].members:
            conn.execute(
                "UPDATE story_members SET centrality = ? WHERE article_id = ?",
                (round(clusterer.centrality(aid), 5), aid),
            )
    infos = _members_info(store, ids)
    for sid in ids:
        _write_summary(store, sid, infos.get(sid, []), at)


def _write_summary(store: Store, story_id: str, members: Sequence[_MemberInfo], at: str) -> None:
    """Store the story's title, summary, size, languages and date range from its members."""
    if not members:
        return
    chosen = choose_title_article(members)
    title = next((m.title for m in members if m.article_id == chosen), None)
    summary = lead_sentence(store, chosen, title) if chosen else None
    first, last = _date_range(members)
    languages = sorted({m.language for m in members if m.language})
    store.conn.execute(
        """UPDATE stories SET title = ?, summary = ?, title_article = ?, size = ?,
               languages_json = ?, first_seen = ?, last_seen = ?, updated_at = ?
           WHERE id = ?""",
        (title, summary, chosen, len(members), json.dumps(languages), first, last, at, story_id),
    )


def apply_trace(store: Store, story_id: str, trace: dict[str, Any]) -> None:
    """Record what a story's trace says about each member (how it derives, whether its page
    date is contradicted) and re-choose the story's title and date range with it.

    Runs inside the caller's transaction.
    """
    conflicts = {c.get("article") for c in trace.get("date_conflicts", [])}
    for article_id, info in trace.get("articles", {}).items():
        store.conn.execute(
            "UPDATE story_members SET derivation = ?, date_conflict = ? "
            "WHERE story_id = ? AND article_id = ?",
            (info.get("kind") or "origin", int(article_id in conflicts), story_id, article_id),
        )
    _write_summary(store, story_id, _members_info(store, [story_id]).get(story_id, []), now_iso())


def rebuild_storylines(store: Store, clusterer: StoryClusterer) -> int:
    """Recompute storylines over all stories (cheap: one vector per story). Returns the count."""
    from ..stories.storylines import (  # see parse_time
        link_storylines,
        profiles_of,
        summarize_storylines,
    )

    names_of: dict[str, dict[str, Any]] = {}
    for row in store.conn.execute("SELECT article_id, features_json FROM article_features"):
        try:
            feats = json.loads(row[1])
            names_of[row[0]] = {
                "names": list(feats.get("names") or []),
                "name_forms": dict(feats.get("name_forms") or {}),
            }
        except (ValueError, AttributeError, TypeError):
            continue
    profiles = profiles_of(clusterer, lambda a: names_of.get(a, {"names": []}))
    lines = link_storylines(profiles)
    summaries = summarize_storylines(profiles, lines)
    at = now_iso()
    with store.transaction() as conn:
        old = {r[0]: r[1] for r in conn.execute("SELECT id, created_at FROM storylines")}
        conn.execute("DELETE FROM storylines")
        for line_id, members in lines.items():
            marks = ",".join("?" * len(members))
            dates = conn.execute(
                f"SELECT min(first_seen), max(last_seen) FROM stories WHERE id IN ({marks})",
                [m for m, _ in members],
            ).fetchone()
            title_row = conn.execute(
                "SELECT title FROM stories WHERE id = ?", (members[-1][0],)
            ).fetchone()
            conn.execute(
                "INSERT INTO storylines(id, title, first_seen, last_seen, created_at, updated_at, "
                "summary_json) VALUES (?,?,?,?,?,?,?)",
                (line_id, title_row[0] if title_row else None, dates[0], dates[1],
                 old.get(line_id, at), at,
                 json.dumps(summaries[line_id].to_dict(), ensure_ascii=False)
                 if line_id in summaries else None),
            )
            conn.executemany(
                "INSERT INTO storyline_members(storyline_id, story_id, score) VALUES (?,?,?)",
                [(line_id, sid, score) for sid, score in members],
            )
    return len(lines)


# -- queries ------------------------------------------------------------------------------


def story_article_ids(store: Store, story_id: str) -> list[str]:
    """Member article ids of a story, oldest first (undated last); merged ids resolve."""
    story_id = resolve_story_id(store, story_id)
    rows = store.conn.execute(
        """SELECT a.id, a.published FROM story_members m JOIN articles a ON a.id = m.article_id
           WHERE m.story_id = ?""",
        (story_id,),
    ).fetchall()
    return [r[0] for r in sorted(rows, key=lambda r: _time_key(r[0], r[1]))]


def _time_key(article_id: str, published: str | None) -> tuple[bool, float, str]:
    t = parse_time(published)
    return (t is None, t or 0.0, article_id)


def _require_story(store: Store, story_id: str) -> str:
    """The story id itself, or where it was merged into; NotFoundError when unknown."""
    seen = set()
    current = story_id
    while current not in seen:
        seen.add(current)
        if store.conn.execute("SELECT 1 FROM stories WHERE id = ?", (current,)).fetchone():
            if current != story_id:
                raise _Merged(current)
            return current
        row = store.conn.execute(
            "SELECT into_story FROM story_merges WHERE from_story = ? ORDER BY rowid DESC LIMIT 1",
            (current,),
        ).fetchone()
        if row is None:
            break
        current = row[0]
    raise NotFoundError(f"no story with id {story_id!r}")


class _Merged(Exception):
    def __init__(self, into: str) -> None:
        self.into = into


def resolve_story_id(store: Store, story_id: str) -> str:
    """Follow merges: the id a story has now (a merged-away id resolves to the survivor)."""
    try:
        return _require_story(store, story_id)
    except _Merged as merged:
        return merged.into


def story_records(
    store: Store, rows: Sequence[Any], title_language: str | None = None
) -> list[dict[str, Any]]:
    """The record of each story row, as every surface shows it (``stories --json``,
    ``/api/stories``, the story list page, the report); ``title_language`` picks a title in
    that language where a member has one."""
    ids = [r["id"] for r in rows]
    infos = _members_info(store, ids)
    lines: dict[str, str] = {}
    line_members: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in store.conn.execute(
            f"SELECT story_id, storyline_id FROM storyline_members WHERE story_id IN ({marks})",
            chunk,
        ):
            lines[r[0]] = r[1]
    for line_id in set(lines.values()):
        line_members[line_id] = [
            r[0] for r in store.conn.execute(
                """SELECT l.story_id FROM storyline_members l JOIN stories s ON s.id = l.story_id
                   WHERE l.storyline_id = ? ORDER BY s.seq""",
                (line_id,),
            )
        ]
    out = []
    for row in rows:
        sid = row["id"]
        members = sorted(infos.get(sid, []), key=lambda m: _time_key(m.article_id, m.published))
        title, summary, title_article = row["title"], row["summary"], row["title_article"]
        if title_language:
            chosen = choose_title_article(members, title_language)
            if chosen and chosen != title_article:
                title_article = chosen
                title = next((m.title for m in members if m.article_id == chosen), None)
                summary = lead_sentence(store, chosen, title)
        line_id = lines.get(sid)
        out.append({
            "id": sid,
            "title": title,
            "articles": [m.article_id for m in members],
            "languages": json.loads(row["languages_json"]),
            "outlets": sorted({m.outlet for m in members if m.outlet}),
            "first_seen": row["first_seen"],
            "last_seen": row["last_seen"],
            "size": row["size"],
            "summary": summary,
            "title_article": title_article,
            "storyline": line_id,
            "related_stories": [s for s in line_members.get(line_id, []) if s != sid],
            "members": [m.link for m in members if m.link is not None],
        })
    return out


def get_story(store: Store, story_id: str, *, title_language: str | None = None) -> dict[str, Any]:
    """One story with its members (score, link, centrality), merges and storyline.

    A story id that was merged away resolves to the story it was merged into.
    """
    sid = resolve_story_id(store, story_id)
    row = store.conn.execute("SELECT * FROM stories WHERE id = ?", (sid,)).fetchone()
    story = story_records(store, [row], title_language)[0]
    members = {
        r["article_id"]: r for r in store.conn.execute(
            """SELECT m.article_id, m.score, m.via, m.centrality, m.added_at, m.linked_by,
                      m.link_score, m.link_detail, a.title, a.language, a.outlet, a.published
               FROM story_members m JOIN articles a ON a.id = m.article_id WHERE m.story_id = ?""",
            (sid,),
        )
    }
    story["members"] = [
        {
            **member_link(members[aid]),
            "title": members[aid]["title"],
            "language": members[aid]["language"],
            "outlet": members[aid]["outlet"],
            "published": members[aid]["published"],
            "score": members[aid]["score"],
            "linked_to": members[aid]["via"],
            "centrality": members[aid]["centrality"],
            "added_at": members[aid]["added_at"],
        }
        for aid in story["articles"]
    ]
    story["outlets"] = sorted({m["outlet"] for m in story["members"] if m["outlet"]})
    story["merged_from"] = [
        {"story": r[0], "at": r[1], "reason": r[2]}
        for r in store.conn.execute(
            "SELECT from_story, at, reason FROM story_merges WHERE into_story = ? ORDER BY rowid",
            (sid,),
        )
    ]
    if story_id != sid:
        story["requested_id"] = story_id
    line_id = story["storyline"]
    if line_id:
        line = store.conn.execute("SELECT * FROM storylines WHERE id = ?", (line_id,)).fetchone()
        summary = _storyline_summary(line["summary_json"] if line else None)
        story["storyline_detail"] = {
            "id": line_id,
            "title": line["title"] if line else None,
            "label": summary.get("title"),
            "summary": summary.get("summary"),
            "events": summary.get("events"),
            "span": summary.get("span"),
            "evidence": summary.get("evidence", []),
            "first_seen": line["first_seen"] if line else None,
            "last_seen": line["last_seen"] if line else None,
            "stories": [
                {"id": r[0], "title": r[1], "first_seen": r[2], "last_seen": r[3], "size": r[4]}
                for r in store.conn.execute(
                    """SELECT s.id, s.title, s.first_seen, s.last_seen, s.size
                       FROM storyline_members l JOIN stories s ON s.id = l.story_id
                       WHERE l.storyline_id = ? ORDER BY s.seq""",
                    (line_id,),
                )
            ],
        }
    return story


def _storyline_summary(raw: str | None) -> dict[str, Any]:
    """The stored storyline summary, or {} for a store whose storylines predate it."""
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def story_index(store: Store) -> dict[str, str]:
    """article id -> story id for every clustered article."""
    return {r[0]: r[1] for r in store.conn.execute("SELECT article_id, story_id FROM story_members")}


def storyline_index(store: Store) -> dict[str, str]:
    """story id -> storyline id for every story in a storyline."""
    return {r[0]: r[1] for r in store.conn.execute("SELECT story_id, storyline_id FROM storyline_members")}


def story_of_article(store: Store, article_id: str) -> str | None:
    row = store.conn.execute(
        "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
    ).fetchone()
    return row[0] if row else None


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = [
    "apply_trace",
    "article_languages",
    "choose_title_article",
    "doc_vectors",
    "get_story",
    "lead_sentence",
    "story_records",
    "load_state",
    "member_link",
    "join_scores",
    "published_dates",
    "rebuild_storylines",
    "refresh_stories",
    "resolve_story_id",
    "save_changes",
    "story_article_ids",
    "story_of_article",
]
