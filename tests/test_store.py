"""The SQLite store: migrations, transactions, re-ingest semantics, search."""

from __future__ import annotations

import sqlite3

import pytest

from wiretrace.errors import NotFoundError, SchemaVersionError
from wiretrace.records import Article, Attribution, Evidence, Metadata, Removal
from wiretrace.store import open_store
from wiretrace.store.sqlite import migrations


def make_article(article_id: str = "a1", text: str = "Первый абзац.\n\nSecond paragraph.", **kw) -> Article:
    md = Metadata(
        title=kw.get("title", "Заголовок"),
        published=kw.get("published", "2025-10-17T17:16:00"),
        outlet="Example Daily",
        attributions=[Attribution(name="Reuters", surface="«Рейтер»", start=0, end=7)],
        evidence={"published": Evidence(source="dateline", text="17 Октомври, 2025 17:16")},
    )
    raw = kw.get("raw", text.encode("cp1251", errors="replace"))
    return Article(
        id=article_id,
        source_path=f"in/{article_id}.txt",
        source_kind="text",
        content_hash=kw.get("content_hash", f"hash-{article_id}-{len(text)}"),
        raw_bytes=raw,
        encoding="cp1251",
        text=text,
        metadata=md,
        language="ru",
        removed=[Removal(text="Читайте также", reason="related-links", line=3, score=0.97)],
    )


def test_migrations_are_applied_in_order_and_recorded(store):
    versions = [v for v, _, _ in migrations()]
    assert versions == sorted(versions)
    assert store.schema_version() == versions[-1]
    applied = [r[0] for r in store.conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert applied == versions


def test_reopening_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "x.db"
    with open_store(path) as s1:
        s1.put_article(make_article())
    with open_store(path) as s2:
        assert s2.migrate() == []
        assert s2.count_articles() == 1


def test_wal_journal_mode(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_round_trip_keeps_original_bytes_and_every_field(store):
    article = make_article()
    assert store.put_article(article) == "new"
    back = store.get_article("a1")
    assert back.raw_bytes == article.raw_bytes
    assert back.text == article.text
    assert back.metadata.attributions[0].name == "Reuters"
    assert back.metadata.evidence["published"].text == "17 Октомври, 2025 17:16"
    assert back.removed[0].reason == "related-links"
    assert back.paragraphs == ["Первый абзац.", "Second paragraph."]


def test_identical_content_is_a_no_op_and_changed_content_replaces(store):
    store.put_article(make_article())
    assert store.put_article(make_article()) == "same"
    assert store.count_articles() == 1
    changed = make_article(text="Новый текст.", content_hash="other")
    assert store.put_article(changed) == "changed"
    assert store.get_article("a1").text == "Новый текст."
    assert store.count_articles() == 1


def test_failed_transaction_leaves_nothing_half_written(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put_article(make_article("a1"))
            store.put_article(make_article("a2"))
            raise RuntimeError("crash in the middle of a batch")
    assert store.count_articles() == 0
    assert store.conn.execute("SELECT count(*) FROM attributions").fetchone()[0] == 0


def test_deleting_an_article_cascades_to_attributions(store):
    store.put_article(make_article())
    with store.transaction():
        store.conn.execute("DELETE FROM articles WHERE id = 'a1'")
    assert store.conn.execute("SELECT count(*) FROM attributions").fetchone()[0] == 0


def test_missing_article_raises_not_found(store):
    with pytest.raises(NotFoundError):
        store.get_article("nope")


def test_full_text_search_treats_query_as_words(store):
    store.put_article(make_article("a1", text="Лукашенко пригласил Орбана в Минск."))
    store.put_article(make_article("a2", text="Port workers strike in Rotterdam."))
    assert store.search_article_ids("Минск") == ["a1"]
    assert store.search_article_ids('rotterdam" strike*') == ["a2"]
    assert store.search_article_ids("   ") == []


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (9999, 'future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaVersionError):
        open_store(path)


def test_a_migration_missing_from_an_existing_store_is_applied(tmp_path):
    """A store migrated by a build that lacked one migration gets it on the next open."""
    path = tmp_path / "old.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE stage_state")
    conn.execute("DELETE FROM schema_migrations WHERE name = 'stage_state'")
    conn.commit()
    conn.close()
    with open_store(path) as s:
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "stage_state" in tables
        names = {r[0] for r in s.conn.execute("SELECT name FROM schema_migrations")}
        assert "stage_state" in names


def test_pending_migrations_apply_in_version_order(tmp_path):
    path = tmp_path / "fresh.db"
    with open_store(path) as s:
        rows = [r[0] for r in s.conn.execute("SELECT version FROM schema_migrations ORDER BY rowid")]
    assert rows == sorted(rows)
