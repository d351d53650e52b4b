"""Entities repository: mentions, entities and their variants (migration 0005).

The entities stage (``wiretrace.entities.update``) recognises and resolves; this module
writes what it decided and answers the entity list and page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import NotFoundError
from ..lang.names import skeleton
from .base import Store

if TYPE_CHECKING:
    from ..entities.merge import Entity
    from ..entities.recognize import Mention


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_mentions(store: Store, batch: Sequence[tuple[str, Sequence[Mention]]]) -> None:
    """Replace the mentions of each article in ``batch`` (one transaction)."""
    with store.transaction() as conn:
        for article_id, mentions in batch:
            conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
            conn.executemany(
                'INSERT OR REPLACE INTO mentions(article_id, entity_id, start, "end", surface, lemma, type) '
                "VALUES (?, NULL, ?, ?, ?, ?, ?)",
                [(article_id, m.start, m.end, m.text, m.lemma, m.type) for m in mentions],
            )


def stored_mentions(store: Store) -> list[Any]:
    """Every stored mention (article_id, entity_id, start, end, surface, lemma, type)."""
    return store.conn.execute(
        'SELECT article_id, entity_id, start, "end", surface, lemma, type FROM mentions '
        'ORDER BY article_id, start'
    ).fetchall()


def entity_ids(store: Store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT id FROM entities")}


def save_entities(store: Store, entities: Sequence[Entity], ids: Sequence[str]) -> int:
    """Write resolved entities under ``ids``, their variants and mention links, and drop
    entities no longer resolved (one transaction). Returns how many were dropped."""
    now = _now()
    with store.transaction() as conn:
        conn.execute("DELETE FROM entity_variants")
        keep = set(ids)
        stale = [r[0] for r in conn.execute("SELECT id FROM entities") if r[0] not in keep]
        conn.executemany("DELETE FROM entities WHERE id = ?", [(i,) for i in stale])
        for entity, entity_id in zip(entities, ids, strict=True):
            conn.execute(
                "INSERT INTO entities(id, name, type, key, article_count, mention_count, updated_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET name=excluded.name, "
                "type=excluded.type, key=excluded.key, article_count=excluded.article_count, "
                "mention_count=excluded.mention_count, updated_at=excluded.updated_at",
                (entity_id, entity.name, entity.type, entity.key, len(entity.articles),
                 len(entity.mentions), now),
            )
            conn.executemany(
                "INSERT INTO entity_variants(entity_id, surface, count, reason, rule, score) "
                "VALUES (?,?,?,?,?,?)",
                [(entity_id, v.surface, v.count, v.reason, v.rule, round(v.score, 4))
                 for v in entity.variants],
            )
            conn.executemany(
                'UPDATE mentions SET entity_id = ? WHERE article_id = ? AND start = ? AND "end" = ?',
                [(entity_id, a, m.start, m.end) for a, m in entity.mentions],
            )
    return len(stale)


# -- read side -----------------------------------------------------------------------------


def _like_literal(text: str) -> str:
    """``text`` for a LIKE pattern with ESCAPE '\\': its % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_entities(
    store: Store,
    *,
    type: str | None = None,
    q: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    min_articles: int = 0,
) -> list[dict[str, Any]]:
    """Entities, most widely reported first: id, name, type, variants, articles, counts."""
    where, params = ["article_count >= ?"], [min_articles]
    if type:
        where.append("type = ?")
        params.append(type)
    if q:
        like = f"%{_like_literal(q.lower())}%"
        skel = skeleton(q)  # empty for punctuation alone, which must not match every key
        where.append(
            "(lower(name) LIKE ? ESCAPE '\\' OR (? != '' AND key LIKE ? ESCAPE '\\') OR id IN "
            "(SELECT entity_id FROM entity_variants WHERE lower(surface) LIKE ? ESCAPE '\\'))"
        )
        params += [like, skel, f"%{_like_literal(skel)}%", like]
    sql = (f"SELECT id, name, type, article_count, mention_count FROM entities WHERE {' AND '.join(where)} "
           "ORDER BY article_count DESC, mention_count DESC, name LIMIT ? OFFSET ?")
    params += [limit if limit is not None else -1, offset]
    rows = store.conn.execute(sql, params).fetchall()
    out = []
    for row in rows:
        variants = [r[0] for r in store.conn.execute(
            "SELECT surface FROM entity_variants WHERE entity_id = ? ORDER BY count DESC, surface",
            (row["id"],))]
        out.append({
            "id": row["id"], "name": row["name"], "type": row["type"], "variants": variants,
            "articles": article_ids_for_entity(store, row["id"]),
            "article_count": row["article_count"], "mention_count": row["mention_count"],
        })
    return out


def find_entity_id(store: Store, entity_id_or_name: str) -> str:
    """An entity id from an id, a canonical name, a variant as written, or any spelling."""
    conn = store.conn
    text = entity_id_or_name.strip()
    for sql in (
        "SELECT id FROM entities WHERE id = ?",
        "SELECT id FROM entities WHERE lower(name) = lower(?) ORDER BY article_count DESC",
        "SELECT v.entity_id FROM entity_variants v JOIN entities e ON e.id = v.entity_id "
        "WHERE lower(v.surface) = lower(?) ORDER BY e.article_count DESC",
    ):
        row = conn.execute(sql, (text,)).fetchone()
        if row:
            return str(row[0])
    # any other spelling: the entities stage's own decision over the candidates sharing the
    # name's last skeleton token (imported here: that stage persists through this module)
    from ..entities.merge import same_entity

    key = skeleton(text)
    for row in conn.execute(
        "SELECT id, name, type FROM entities WHERE key LIKE ? ESCAPE '\\' "
        "ORDER BY article_count DESC LIMIT 50",
        (f"%{_like_literal(key.split()[-1] if key else key)}%",),
    ):
        if same_entity(text, row["name"], type=row["type"]).same:
            return str(row["id"])
    raise NotFoundError(f"no entity named {entity_id_or_name!r}")


def article_ids_for_entity(store: Store, entity_id: str) -> list[str]:
    """Ids of the articles that mention the entity, oldest first."""
    rows = store.conn.execute(
        "SELECT DISTINCT m.article_id FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.entity_id = ? ORDER BY a.published IS NULL, a.published, m.article_id",
        (entity_id,),
    )
    return [r[0] for r in rows]


def mention_spans(store: Store, article_id: str) -> list[tuple[int, int, str | None]]:
    """(start, end, entity id) of each stored mention in one article."""
    return [tuple(r) for r in store.conn.execute(
        'SELECT start, "end", entity_id FROM mentions WHERE article_id = ?', (article_id,)
    )]


def get_entity(store: Store, entity_id_or_name: str) -> dict[str, Any]:
    """An entity page: variants with why they were merged, articles, stories, outlets, timeline."""
    entity_id = find_entity_id(store, entity_id_or_name)
    conn = store.conn
    row = conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    variants = [
        {"surface": r["surface"], "count": r["count"], "reason": r["reason"], "rule": r["rule"],
         "score": r["score"]}
        for r in conn.execute(
            "SELECT surface, count, reason, rule, score FROM entity_variants WHERE entity_id = ? "
            "ORDER BY count DESC, surface", (entity_id,))
    ]
    articles = []
    timeline: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    for r in conn.execute(
        "SELECT a.id, a.title, a.published, a.outlet, a.language, count(*) AS n FROM mentions m "
        "JOIN articles a ON a.id = m.article_id WHERE m.entity_id = ? GROUP BY a.id "
        "ORDER BY a.published IS NULL, a.published, a.id", (entity_id,)
    ):
        articles.append({"id": r["id"], "title": r["title"], "published": r["published"],
                         "outlet": r["outlet"], "language": r["language"], "mentions": r["n"]})
        timeline[(r["published"] or "undated")[:10]] += r["n"]
        if r["outlet"]:
            outlets[r["outlet"]] += 1
    return {
        "id": entity_id,
        "name": row["name"],
        "type": row["type"],
        "variants": variants,
        "articles": articles,
        "stories": _stories_for(store, [a["id"] for a in articles]),
        "outlets": [{"outlet": o, "articles": n} for o, n in outlets.most_common()],
        "timeline": dict(sorted(timeline.items())),
        "article_count": row["article_count"],
        "mention_count": row["mention_count"],
    }


def _stories_for(store: Store, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not article_ids:
        return []
    members: dict[str, list[str]] = defaultdict(list)
    for aid in article_ids:
        for r in store.conn.execute("SELECT story_id FROM story_members WHERE article_id = ?", (aid,)):
            members[r[0]].append(aid)
    titles: dict[str, str | None] = {}
    for sid in members:
        r = store.conn.execute("SELECT title FROM stories WHERE id = ?", (sid,)).fetchone()
        titles[sid] = r[0] if r else None
    return [{"id": sid, "title": titles.get(sid), "articles": ids} for sid, ids in members.items()]
