"""Corrections repository (migration 0050): the audit log of what an analyst changed, the
articles deleted by hand, and the story moves that put corrections into effect.

A correction is recorded once and stays in force until undone: ``apply_story_corrections``
re-imposes every story correction after clustering (an ingest or a recluster), and the entity
adapter re-imposes entity corrections after each resolution. Deleted articles are listed in
``deleted_articles`` so that ingest can refuse to bring them back silently.
"""

from __future__ import annotations

import base64
import getpass
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..errors import CorrectionError, NotFoundError
from ..records import Article
from .base import Store
from .sqlite import article_identity
from .stories import _members_info, _time_key, _write_summary, chunks

STORY_ACTIONS = ("story-split", "story-detach", "story-merge")
ENTITY_ACTIONS = ("entity-merge", "entity-split", "entity-reject-variant")
ACTIONS = ("delete", *STORY_ACTIONS, *ENTITY_ACTIONS)

# Columns of ``articles`` a deleted article's snapshot keeps (all but ``seq``, which SQLite
# hands out again on restore).
_ARTICLE_COLUMNS = (
    "id", "content_hash", "source_path", "source_kind", "raw", "encoding", "title", "text",
    "published", "outlet", "author", "url", "dateline", "language", "language_confidence",
    "metadata_json", "removed_json", "paragraph_languages_json", "extraction_method",
    "extra_json", "notes_json", "ingested_at", "identity",
)
# What a member row says about why it is in its story; a story correction's snapshot keeps it
# so that undo puts the member back as it was.
_LINK_COLUMNS = ("score", "via", "linked_by", "link_score", "link_detail")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- the log ------------------------------------------------------------------------------


def record(
    store: Store, action: str, target: str, args: dict[str, Any], before: dict[str, Any],
    *, by: str, reason: str | None,
) -> int:
    """Add a correction to the log (inside the caller's transaction, if any); its id."""
    if action not in ACTIONS:
        raise CorrectionError(f"unknown correction {action!r}; one of: {', '.join(ACTIONS)}")
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO corrections(action, target, args_json, before_json, by, reason, at) "
            "VALUES (?,?,?,?,?,?,?)",
            (action, target, json.dumps(args, ensure_ascii=False),
             json.dumps(before, ensure_ascii=False), by, reason or None, _now()),
        )
    return int(cur.lastrowid or 0)


def _row(row: Any, *, with_before: bool = False) -> dict[str, Any]:
    out = {
        "id": row["id"], "action": row["action"], "target": row["target"],
        "args": json.loads(row["args_json"]), "by": row["by"], "reason": row["reason"],
        "at": row["at"], "active": row["undone_at"] is None, "undone_at": row["undone_at"],
        "undone_by": row["undone_by"], "undo_reason": row["undo_reason"],
    }
    if with_before:
        out["before"] = json.loads(row["before_json"])
    return out


def get_correction(store: Store, correction_id: int, *, with_before: bool = False) -> dict[str, Any]:
    row = store.conn.execute("SELECT * FROM corrections WHERE id = ?", (correction_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no correction #{correction_id} (see `wiretrace corrections`)")
    return _row(row, with_before=with_before)


def list_corrections(
    store: Store, *, include_undone: bool = True, target: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The log, newest first: id, action, target, args, by, reason, at, active, undone_*."""
    where, params = [], []
    if not include_undone:
        where.append("undone_at IS NULL")
    if target:
        where.append("target = ?")
        params.append(target)
    sql = "SELECT * FROM corrections"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [_row(r) for r in store.conn.execute(sql, params)]


def active_corrections(store: Store, actions: Sequence[str]) -> list[dict[str, Any]]:
    """Corrections in force among ``actions``, oldest first (the order they are re-applied)."""
    marks = ",".join("?" * len(actions))
    return [_row(r) for r in store.conn.execute(
        f"SELECT * FROM corrections WHERE undone_at IS NULL AND action IN ({marks}) ORDER BY id",
        list(actions),
    )]


def mark_undone(store: Store, correction_id: int, *, by: str, reason: str | None) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE corrections SET undone_at = ?, undone_by = ?, undo_reason = ? WHERE id = ?",
            (_now(), by, reason or None, correction_id),
        )


# -- deleted articles ---------------------------------------------------------------------


def article_snapshot(store: Store, article_id: str) -> dict[str, Any]:
    """Everything needed to store the article again: its row and its attributions."""
    row = store.conn.execute(
        f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no article with id {article_id!r}")
    values = dict(zip(_ARTICLE_COLUMNS, row, strict=True))
    values["raw"] = base64.b64encode(bytes(values["raw"] or b"")).decode("ascii")
    attributions = [dict(r) for r in store.conn.execute(
        'SELECT name, surface, start, "end", kind FROM attributions WHERE article_id = ?',
        (article_id,),
    )]
    return {"article": values, "attributions": attributions}


def story_of(store: Store, article_id: str) -> str | None:
    row = store.conn.execute(
        "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def delete_article(store: Store, article_id: str, correction_id: int, identity: str | None) -> None:
    """Remove the article and everything derived from it (the schema cascades), remember the
    deletion for ingest, and bring the story it left up to date."""
    with store.transaction() as conn:
        story = story_of(store, article_id)
        conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        conn.execute(
            "INSERT OR REPLACE INTO deleted_articles(article_id, identity, correction_id) "
            "VALUES (?,?,?)", (article_id, identity, correction_id),
        )
        if story:
            refresh_stories(store, [story])


def restore_article(store: Store, snapshot: dict[str, Any]) -> str:
    """Store a deleted article again from its snapshot; the later stages see it as new."""
    values = dict(snapshot["article"])
    values["raw"] = base64.b64decode(values["raw"])
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM articles WHERE id = ?", (values["id"],)).fetchone():
            raise CorrectionError(
                f"article {values['id']!r} is stored again already (re-ingested); nothing to restore"
            )
        conn.execute(
            f"INSERT INTO articles({', '.join(_ARTICLE_COLUMNS)}) "
            f"VALUES ({','.join('?' * len(_ARTICLE_COLUMNS))})",
            [values[c] for c in _ARTICLE_COLUMNS],
        )
        conn.executemany(
            'INSERT INTO attributions(article_id, name, surface, start, "end", kind) '
            "VALUES (?,?,?,?,?,?)",
            [(values["id"], a["name"], a["surface"], a["start"], a["end"], a["kind"])
             for a in snapshot.get("attributions", [])],
        )
        conn.execute("DELETE FROM deleted_articles WHERE article_id = ?", (values["id"],))
    return str(values["id"])


def deleted_as(store: Store, article_id: str, identity: str | None) -> int | None:
    """The correction that deleted an article with this id or this identity, or None."""
    row = store.conn.execute(
        "SELECT correction_id FROM deleted_articles WHERE article_id = ? "
        "OR (identity IS NOT NULL AND identity = ?) ORDER BY correction_id DESC LIMIT 1",
        (article_id, identity),
    ).fetchone()
    return None if row is None else int(row[0])


def deleted_by(store: Store, article: Article) -> int | None:
    """The correction that deleted this article (same id, or same text, title and outlet),
    or None: ingest skips such an article unless told to restore it. With nothing deleted
    (the usual case) it costs one lookup, not a digest of the text."""
    if store.conn.execute("SELECT 1 FROM deleted_articles LIMIT 1").fetchone() is None:
        return None
    md = article.metadata
    return deleted_as(store, article.id, article_identity(article.text, md.title, md.outlet, md.url))


def current_user() -> str:
    """Who made a change when nobody said (``--by``): the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def lift_deletion(store: Store, correction_id: int, *, by: str | None = None,
                  reason: str = "stored again by ingest --restore-deleted") -> None:
    """The deleted article came back on purpose (ingest told to restore it): the deletion is
    undone in the log and ingest no longer refuses it."""
    by = by or current_user()
    with store.transaction() as conn:
        conn.execute("DELETE FROM deleted_articles WHERE correction_id = ?", (correction_id,))
        conn.execute(
            "UPDATE corrections SET undone_at = ?, undone_by = ?, undo_reason = ? "
            "WHERE id = ? AND undone_at IS NULL",
            (_now(), by, reason, correction_id),
        )


# -- stories ------------------------------------------------------------------------------


def memberships(store: Store) -> dict[str, str]:
    """Every stored article's story."""
    return {r[0]: r[1] for r in store.conn.execute("SELECT article_id, story_id FROM story_members")}


def member_snapshot(store: Store, article_ids: Iterable[str]) -> dict[str, Any]:
    """Where each article is and why, with the seq of each story named, for undo."""
    members: dict[str, Any] = {}
    for chunk in chunks(list(article_ids), 500):
        marks = ",".join("?" * len(chunk))
        for row in store.conn.execute(
            f"SELECT article_id, story_id, {', '.join(_LINK_COLUMNS)} FROM story_members "
            f"WHERE article_id IN ({marks})", chunk,
        ):
            members[row["article_id"]] = {"story": row["story_id"],
                                          **{c: row[c] for c in _LINK_COLUMNS}}
    stories = sorted({m["story"] for m in members.values()})
    seqs = {}
    for chunk in chunks(stories, 500):
        marks = ",".join("?" * len(chunk))
        seqs.update({r[0]: r[1] for r in store.conn.execute(
            f"SELECT id, seq FROM stories WHERE id IN ({marks})", chunk)})
    return {"members": members, "seqs": seqs}


def _ensure_story(store: Store, story_id: str, seq: int | None = None) -> None:
    conn = store.conn
    if conn.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone():
        return
    if seq is None:
        seq = int(conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM stories").fetchone()[0])
    at = _now()
    conn.execute(
        "INSERT INTO stories(id, seq, created_at, updated_at) VALUES (?,?,?,?)",
        (story_id, seq, at, at),
    )


def _move(store: Store, article_ids: Sequence[str], story_id: str, detail: str) -> None:
    store.conn.executemany(
        "UPDATE story_members SET story_id = ?, linked_by = 'correction', link_detail = ?, "
        "via = NULL, score = NULL, link_score = NULL WHERE article_id = ?",
        [(story_id, detail, a) for a in article_ids],
    )


def restore_members(store: Store, snapshot: dict[str, Any]) -> set[str]:
    """Put the articles of a member snapshot back in the stories they were in, as they were
    linked there; the stories touched (those left and those rejoined)."""
    touched: set[str] = set()
    current = memberships(store)
    seqs = snapshot.get("seqs", {})
    with store.transaction() as conn:
        for article_id, was in snapshot.get("members", {}).items():
            now = current.get(article_id)
            if now is None:  # deleted since, or not in any story
                continue
            _ensure_story(store, was["story"], seqs.get(was["story"]))
            conn.execute(
                f"UPDATE story_members SET story_id = ?, {', '.join(c + ' = ?' for c in _LINK_COLUMNS)} "
                "WHERE article_id = ?",
                [was["story"], *(was[c] for c in _LINK_COLUMNS), article_id],
            )
            conn.execute(
                "DELETE FROM story_merges WHERE from_story = ? AND reason LIKE 'correction #%'",
                (was["story"],),
            )
            touched.update((now, was["story"]))
        refresh_stories(store, touched)
    return touched


def new_story_id(store: Store, article_ids: Sequence[str], founder_id: Any) -> str:
    """An id for a story split off by hand: the clusterer's id for its earliest article (so a
    recluster that founds the same story gives it the same id), made unique if taken."""
    dates = published_of(store, article_ids)
    first = min(article_ids, key=lambda a: _time_key(a, dates.get(a)))
    candidate, n = founder_id(first), 2
    while store.conn.execute("SELECT 1 FROM stories WHERE id = ?", (candidate,)).fetchone():
        candidate, n = founder_id(f"{first}#{n}"), n + 1
    return str(candidate)


def published_of(store: Store, article_ids: Sequence[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for chunk in chunks(list(article_ids), 500):
        marks = ",".join("?" * len(chunk))
        out.update({r[0]: r[1] for r in store.conn.execute(
            f"SELECT id, published FROM articles WHERE id IN ({marks})", chunk)})
    return out


def split_off(store: Store, article_ids: Sequence[str], detail: str) -> str:
    """Move ``article_ids`` (members of one story) into a new story of their own; its id."""
    from ..stories.cluster import story_id_for  # see store.stories.parse_time

    with store.transaction():
        before = {memberships(store).get(a) for a in article_ids}
        new_id = new_story_id(store, article_ids, story_id_for)
        _ensure_story(store, new_id)
        _move(store, article_ids, new_id, detail)
        refresh_stories(store, [new_id, *(s for s in before if s)])
    return new_id


def merge_stories(store: Store, into: str, others: Sequence[str], detail: str, reason: str) -> None:
    """Move every member of ``others`` into ``into`` and record each merge, so the merged-away
    ids resolve to the survivor as after an automatic merge."""
    with store.transaction() as conn:
        at = _now()
        for other in others:
            members = [r[0] for r in conn.execute(
                "SELECT article_id FROM story_members WHERE story_id = ?", (other,))]
            _move(store, members, into, detail)
            conn.execute("DELETE FROM stories WHERE id = ?", (other,))
            conn.execute(
                "INSERT INTO story_merges(from_story, into_story, at, reason) VALUES (?,?,?,?)",
                (other, into, at, reason),
            )
        refresh_stories(store, [into])


def refresh_stories(store: Store, story_ids: Iterable[str]) -> None:
    """Title, summary, size, languages and dates of stories whose members changed by hand;
    stories left empty are removed."""
    ids = sorted(set(story_ids))
    with store.transaction() as conn:
        infos = _members_info(store, ids)
        at = _now()
        for sid in ids:
            if infos.get(sid):
                _write_summary(store, sid, infos[sid], at)
            else:
                conn.execute("DELETE FROM stories WHERE id = ?", (sid,))


def apply_story_corrections(store: Store) -> dict[str, int]:
    """Re-impose every story correction in force, oldest first, on the stored stories (after
    clustering changed them): a split-off or detached group that shares a story with the
    members it was separated from is separated again; stories merged by hand that the
    clusterer left apart are merged again. Returns how many corrections had to act."""
    from ..stories.cluster import story_id_for  # see store.stories.parse_time

    acted = 0
    with store.transaction():
        for c in active_corrections(store, STORY_ACTIONS):
            where = memberships(store)
            args = c["args"]
            detail = f"correction #{c['id']} ({c['action']}) by {c['by']}" + (
                f": {c['reason']}" if c["reason"] else "")
            if c["action"] in ("story-split", "story-detach"):
                by_story: dict[str, list[str]] = defaultdict(list)
                for a in args.get("articles", []):
                    if a in where:
                        by_story[where[a]].append(a)
                rest = {where[a] for a in args.get("rest", []) if a in where}
                for sid, group in by_story.items():
                    if sid in rest:
                        new_id = new_story_id(store, group, story_id_for)
                        _ensure_story(store, new_id)
                        _move(store, group, new_id, detail)
                        refresh_stories(store, [sid, new_id])
                        acted += 1
            elif c["action"] == "story-merge":
                group = [a for a in args.get("articles", []) if a in where]
                held = {where[a] for a in group}
                if len(held) < 2:
                    continue
                anchor = next((where[a] for a in args.get("into_articles", []) if a in where), None)
                into = anchor or min(held)
                merge_stories(store, into, sorted(held - {into}), detail, f"correction #{c['id']}")
                acted += 1
    return {"corrections_applied": acted}


def stories_exist(store: Store, story_ids: Sequence[str]) -> list[str]:
    """The ids among ``story_ids`` that name no stored story."""
    return [s for s in story_ids
            if not store.conn.execute("SELECT 1 FROM stories WHERE id = ?", (s,)).fetchone()]


# -- entities -----------------------------------------------------------------------------


def entity_surfaces(store: Store, entity_id: str) -> dict[str, Any]:
    """An entity's name, type and every surface form merged into it (most frequent first)."""
    row = store.conn.execute("SELECT id, name, type FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no entity with id {entity_id!r}")
    surfaces = [r[0] for r in store.conn.execute(
        "SELECT surface FROM entity_variants WHERE entity_id = ? ORDER BY count DESC, surface",
        (entity_id,))]
    return {"id": row["id"], "name": row["name"], "type": row["type"], "surfaces": surfaces}
