"""Signals repository: an article's stored manipulation signals and the names found in them.

``wiretrace.signals`` computes signals (no store); this module keeps them in
``article_signals`` (migration 0020), keyed by the article's content hash and the models'
version, so a changed article or a retrained model is recomputed, never served stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ..errors import UnknownSignalError
from .base import Store


def load_signals(store: Store, article_id: str, content_hash: str, model_version: str) -> Any:
    """The stored signals of an article if computed from this content by these models."""
    row = store.conn.execute(
        "SELECT signals_json FROM article_signals WHERE article_id = ? AND content_hash = ? "
        "AND model_version = ?",
        (article_id, content_hash, model_version),
    ).fetchone()
    return json.loads(row[0]) if row else None


def latest_signals(store: Store, article_id: str, content_hash: str) -> tuple[str, Any] | None:
    """(model version, signals) stored for an article with this content, whatever the
    version: the part of the signals that does not depend on the trace can be reused."""
    row = store.conn.execute(
        "SELECT model_version, signals_json FROM article_signals WHERE article_id = ? "
        "AND content_hash = ?", (article_id, content_hash),
    ).fetchone()
    return (row[0], json.loads(row[1])) if row else None


def save_signals(store: Store, article_id: str, content_hash: str, model_version: str,
                 signals: dict[str, Any], names: Iterable[str]) -> None:
    """Replace an article's signals and names in one transaction."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO article_signals(article_id, content_hash, model_version, "
            "computed_at, signals_json) VALUES (?, ?, ?, ?, ?)",
            (article_id, content_hash, model_version,
             datetime.now(UTC).isoformat(timespec="seconds"),
             json.dumps(signals, ensure_ascii=False)),
        )
        conn.execute("DELETE FROM article_signal_names WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT OR IGNORE INTO article_signal_names(article_id, name) VALUES (?, ?)",
            [(article_id, n) for n in sorted(set(names))],
        )


def signal_name_choices() -> tuple[str, ...]:
    """Every name a signal filter accepts: the names ``signal_names`` can store (each
    SemEval technique, ``added:TECHNIQUE``, ``genre:GENRE`` and the relative signals)."""
    from ..signals.model import GENRES, TECHNIQUES

    return (*TECHNIQUES, *(f"added:{t}" for t in TECHNIQUES), *(f"genre:{g}" for g in GENRES),
            "escalation", "dropped-hedge", "sensational-headline")


def check_signal_name(name: str) -> str:
    """``name`` when a signal filter may use it; otherwise an error listing the valid names."""
    choices = signal_name_choices()
    if name not in choices:
        raise UnknownSignalError(f"unknown signal {name!r}; valid signals: {', '.join(choices)}")
    return name


def articles_with_signal(store: Store, name: str) -> list[str]:
    """Ids of articles whose stored signals include ``name``, computed from the article's
    current content (signals of an earlier version of an article do not count)."""
    rows = store.conn.execute(
        "SELECT n.article_id FROM article_signal_names n "
        "JOIN article_signals s ON s.article_id = n.article_id "
        "JOIN articles a ON a.id = n.article_id AND a.content_hash = s.content_hash "
        "WHERE n.name = ? ORDER BY n.article_id", (name,)
    ).fetchall()
    return [r[0] for r in rows]


__all__ = ["articles_with_signal", "check_signal_name", "latest_signals", "load_signals",
           "save_signals",
           "signal_name_choices"]
