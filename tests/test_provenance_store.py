"""The stored path: `trace_story` reads a story's members, caches the trace, and recomputes it
when the membership changes; `wiretrace trace` prints it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from wiretrace.cli.app import app
from wiretrace.embeddings import get_backend
from wiretrace.store.representations import save_representations
from wiretrace.store.traces import trace_story

from .test_provenance import load_story

pytestmark = pytest.mark.slow  # the representation cache is keyed by the model's backend


def _put_story(store, story_id: str, ids: list[str]) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO stories(id, seq, title, size, created_at, updated_at) "
            "VALUES (?, 1, 'fire', ?, '2025-02-10', '2025-02-10')",
            (story_id, len(ids)),
        )
        conn.execute("DELETE FROM story_members WHERE story_id = ?", (story_id,))
        conn.executemany(
            "INSERT INTO story_members(story_id, article_id, added_at) VALUES (?, ?, '2025-02-10')",
            [(story_id, i) for i in ids],
        )


@pytest.fixture
def fire_store(store):
    articles, reprs = load_story("fire_story")
    with store.transaction():
        for article in articles:
            store.put_article(article)
    save_representations(store, reprs.values(), get_backend().name)
    return store, articles


def test_trace_story_caches_and_invalidates(fire_store):
    store, articles = fire_store
    first_ids = [a.id for a in articles if a.id != "mirror/chain"]
    _put_story(store, "s-fire", first_ids)
    trace = trace_story(store, "s-fire")
    assert trace["story"] == "s-fire"
    assert set(trace["articles"]) == set(first_ids)
    row = store.conn.execute("SELECT members_hash, trace_json FROM traces").fetchone()
    assert json.loads(row["trace_json"])["edges"] == trace["edges"]
    # A cached trace is returned as stored while the members are unchanged.
    store.conn.execute("UPDATE traces SET trace_json = ?", (json.dumps({"cached": True}),))
    assert trace_story(store, "s-fire") == {"cached": True}
    # A new member invalidates it.
    _put_story(store, "s-fire", first_ids + ["mirror/chain"])
    again = trace_story(store, "s-fire")
    assert "mirror/chain" in again["articles"]
    assert {e["to"]: e["from"] for e in again["edges"]}["mirror/chain"] == "voice/spin"
    new_hash = store.conn.execute("SELECT members_hash FROM traces").fetchone()["members_hash"]
    assert new_hash != row["members_hash"]


def test_cli_trace_json_and_tree(fire_store, db_path, tmp_path):
    store, articles = fire_store
    _put_story(store, "s-fire", [a.id for a in articles])
    path = store.path
    store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["--db", path, "trace", "s-fire", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"story", "origins", "edges", "articles", "date_conflicts"}
    # The summary in its own words is below the display threshold: a root, shown as such.
    assert data["origins"] == ["harbour/orig", "digest/summary"]
    assert "digest/summary" not in {e["to"] for e in data["edges"]}
    every = runner.invoke(app, ["--db", path, "trace", "s-fire", "--json", "--all-edges"])
    hidden = [e for e in json.loads(every.stdout)["edges"] if e.get("hidden")]
    assert [(e["from"], e["to"]) for e in hidden] == [("harbour/orig", "digest/summary")]
    assert hidden[0]["confidence"] < 0.5
    tree = runner.invoke(app, ["--db", path, "trace", "s-fire"])
    assert tree.exit_code == 0, tree.output
    assert "voice/spin" in tree.stdout and "rewrite" in tree.stdout
    assert "+ The disaster is yet another example" in tree.stdout
    assert "independent reporting" in tree.stdout
    chosen = runner.invoke(
        app, ["--db", path, "trace", "--articles", "harbour/orig", "herald/copy", "--json"]
    )
    assert chosen.exit_code == 0, chosen.output
    assert [(e["from"], e["to"], e["kind"]) for e in json.loads(chosen.stdout)["edges"]] == [
        ("harbour/orig", "herald/copy", "copy")
    ]
    missing = runner.invoke(app, ["--db", path, "trace", "no-such-story"])
    assert missing.exit_code != 0


# -- what traces change in the story list ---------------------------------------------------


@pytest.mark.slow
def test_story_titles_come_from_originals_and_spans_skip_contradicted_dates(sample_store_path):
    """Against the corpus truth: a story is named after an article nothing else in the story
    was derived into it from (never a spun rewrite or summary when an original is there), and
    its date span leaves out page dates the trace shows to be wrong."""
    from wiretrace.sample import load_truth
    from wiretrace.store import open_store

    truth = load_truth()
    derived = {d["to"]: d["kind"] for d in truth["derivations"]}
    wrong_dates = {aid for aid, info in truth["articles"].items() if info.get("page_date_wrong")}
    store = open_store(sample_store_path)
    try:
        rows = store.conn.execute(
            "SELECT id, title_article, last_seen FROM stories WHERE size > 1"
        ).fetchall()
        checked = 0
        for row in rows:
            members = store.conn.execute(
                "SELECT m.article_id, m.derivation, a.published FROM story_members m "
                "JOIN articles a ON a.id = m.article_id WHERE m.story_id = ?", (row["id"],)
            ).fetchall()
            ids = {m["article_id"] for m in members}
            assert all(m["derivation"] for m in members), "every traced member has a derivation"
            if any(i not in derived and i in truth["articles"] for i in ids):
                assert derived.get(row["title_article"]) not in ("rewrite", "summary"), row["id"]
                checked += 1
            late = [m["published"] for m in members if m["article_id"] in wrong_dates]
            for published in late:
                assert (row["last_seen"] or "") < published, (row["id"], published)
        assert checked >= 5
        assert any(
            m in wrong_dates for m in {r[0] for r in store.conn.execute(
                "SELECT article_id FROM story_members m JOIN stories s ON s.id = m.story_id "
                "WHERE s.size > 1")}
        ), "the corpus has a late re-post inside a story"
    finally:
        store.close()


@pytest.mark.slow
def test_a_trace_cached_before_derivations_were_recorded_fills_them_in(sample_store_path, tmp_path):
    import shutil

    from wiretrace.store import open_store

    copy = tmp_path / "old.db"
    shutil.copy(sample_store_path, copy)
    store = open_store(copy)
    try:
        story_id = store.conn.execute(
            "SELECT id FROM stories WHERE size > 1 ORDER BY size DESC LIMIT 1"
        ).fetchone()[0]
        with store.transaction() as conn:  # as a store written before migration 0007 looks
            conn.execute("UPDATE story_members SET derivation = NULL WHERE story_id = ?", (story_id,))
        trace_story(store, story_id)
        missing = store.conn.execute(
            "SELECT count(*) FROM story_members WHERE story_id = ? AND derivation IS NULL",
            (story_id,),
        ).fetchone()[0]
        assert missing == 0
    finally:
        store.close()
