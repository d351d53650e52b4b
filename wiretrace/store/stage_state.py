"""Which stage has processed which article (``stage_state``), and the ingest's own writes.

The local pipeline's adapter over the store: it asks which articles a stage has not done at
its current version, records them done after the stage persisted its output, and stores each
article inside a savepoint so that one failure undoes only that article's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

# SQLite's default limit on host parameters in one statement is 999; chunks stay well below it.
_CHUNK = 500


def pending_articles(store: Any, stage: str, version: int) -> list[str]:
    """Articles ``stage`` has not processed at ``version``, oldest publication first."""
    rows = store.conn.execute(
        """SELECT a.id FROM articles a
           LEFT JOIN stage_state s ON s.article_id = a.id AND s.stage = ? AND s.version = ?
           WHERE s.article_id IS NULL ORDER BY a.published IS NULL, a.published, a.id""",
        (stage, version),
    )
    return [r[0] for r in rows]


def mark_done(store: Any, stage: str, version: int, ids: Iterable[str]) -> None:
    """Record ``ids`` as processed by ``stage`` at ``version`` (one transaction)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO stage_state(article_id, stage, version, done_at) VALUES (?,?,?,?)",
            [(i, stage, version, now) for i in ids],
        )


def reset_stage(store: Any, stage: str) -> None:
    """Forget every article's ``stage`` state, so the next run processes them all again."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM stage_state WHERE stage = ?", (stage,))


def forget_article(store: Any, article_id: str) -> None:
    """Every later stage must redo an article whose content changed (call inside a
    transaction: the new content and the forgetting commit together)."""
    store.conn.execute("DELETE FROM stage_state WHERE article_id = ?", (article_id,))


def put_in_savepoint(store: Any, article: Any, on_error: Callable[[Exception], Any]) -> Any:
    """``store.put_article(article)`` inside a savepoint: a failure rolls back only this
    article's rows and returns ``on_error(exc)`` instead of the article's state."""
    store.conn.execute("SAVEPOINT put_article")
    try:
        state = store.put_article(article)
    except Exception as exc:  # any failure of one article is reported; the batch goes on
        store.conn.execute("ROLLBACK TO put_article")
        store.conn.execute("RELEASE put_article")
        return on_error(exc)
    store.conn.execute("RELEASE put_article")
    return state


def stories_gaining(store: Any, ids: list[str]) -> dict[str, int]:
    """Stories of more than one article holding any of ``ids``, with how many of ``ids`` each
    holds (the stories a trace must be brought up to date for)."""
    gained: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for story_id, count in store.conn.execute(
            f"""SELECT m.story_id, count(*) FROM story_members m WHERE m.article_id IN ({marks})
                GROUP BY m.story_id
                HAVING (SELECT count(*) FROM story_members x WHERE x.story_id = m.story_id) > 1""",
            chunk,
        ):
            gained[story_id] = gained.get(story_id, 0) + int(count)
    return gained


__all__ = [
    "forget_article",
    "mark_done",
    "pending_articles",
    "put_in_savepoint",
    "reset_stage",
    "stories_gaining",
]
