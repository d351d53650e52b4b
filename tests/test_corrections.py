"""Corrections through the command line: each one takes effect, is logged with who, when and
why, stays in force through `recluster`, re-resolution and re-ingest, and can be undone.

Each test works on its own copy of the sample store and runs the CLI as a user would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from wiretrace.adapters.entities import resolve_store
from wiretrace.store import open_store

from .conftest import HOSTILE_RECORDS
from .test_cli_contract import assert_one_line_error, ok_json, wiretrace

pytestmark = pytest.mark.slow


@pytest.fixture
def db(sample_store_path: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "corrected.db"
    shutil.copy(sample_store_path, copy)
    return copy


def stories_of(db: Path) -> dict[str, str]:
    """Every article's story id, as `stories --json` gives it."""
    return {a: s["id"] for s in ok_json(wiretrace("stories", "--json", db=db)) for a in s["articles"]}


def together(where: dict[str, str], a: str, b: str) -> bool:
    return where[a] == where[b]


def big_stories(db: Path, n: int = 2) -> list[dict[str, Any]]:
    found = [s for s in ok_json(wiretrace("stories", "--json", db=db)) if len(s["articles"]) >= 4]
    assert len(found) >= n, "the sample corpus has several stories of four articles or more"
    return found[:n]


def log(db: Path) -> list[dict[str, Any]]:
    return ok_json(wiretrace("corrections", "--json", db=db))


def test_detach_is_logged_survives_recluster_and_undo_puts_it_back(db: Path) -> None:
    story = big_stories(db, 1)[0]
    member, others = story["articles"][1], [a for a in story["articles"] if a != story["articles"][1]]
    made = ok_json(wiretrace("story", "detach", story["id"], member, "--by", "alice",
                             "--reason", "reports another event", "--json", db=db))
    assert made["action"] == "story-detach" and made["by"] == "alice" and made["active"]
    assert made["reason"] == "reports another event" and made["at"]
    where = stories_of(db)
    assert not any(together(where, member, o) for o in others)
    assert where[member] == made["new_story"]

    # the clusterer put it in this story once; rebuilt from scratch, it would again
    rebuilt = ok_json(wiretrace("recluster", "--json", db=db))
    assert rebuilt["corrections_applied"] >= 1
    where = stories_of(db)
    assert not any(together(where, member, o) for o in others)
    assert all(together(where, others[0], o) for o in others)

    entry = log(db)[0]
    assert (entry["id"], entry["action"], entry["target"], entry["by"]) == (
        made["id"], "story-detach", story["id"], "alice")
    undone = ok_json(wiretrace("undo", str(made["id"]), "--by", "bob", "--reason", "it was right",
                               "--json", db=db))
    assert not undone["active"] and undone["undone_by"] == "bob"
    where = stories_of(db)
    assert all(together(where, member, o) for o in others)
    assert where[member] == story["id"]
    # undone means out of force: a recluster leaves it where the clusterer puts it
    assert ok_json(wiretrace("recluster", "--json", db=db))["corrections_applied"] == 0
    assert_one_line_error(wiretrace("undo", str(made["id"]), db=db), "undone already")


def test_split_and_merge_stay_through_recluster_and_undo_restores(db: Path) -> None:
    a, b = big_stories(db, 2)
    moved = a["articles"][-2:]
    split = ok_json(wiretrace("story", "split", a["id"], *moved, "--json", db=db))
    merged = ok_json(wiretrace("story", "merge", a["id"], b["id"], "-r", "one event",
                               "--json", db=db))
    ok_json(wiretrace("recluster", "--json", db=db))
    where = stories_of(db)
    kept = [x for x in a["articles"] if x not in moved]
    assert together(where, moved[0], moved[1])
    assert not together(where, moved[0], kept[0])  # the split stands
    assert all(together(where, kept[0], x) for x in [*kept, *b["articles"]])  # so does the merge
    # the merged-away id leads to the survivor
    shown = ok_json(wiretrace("stories", "--json", db=db))
    assert b["id"] not in {s["id"] for s in shown}

    ok_json(wiretrace("undo", str(merged["id"]), "--json", db=db))
    where = stories_of(db)
    assert not together(where, kept[0], b["articles"][0])
    assert all(together(where, b["articles"][0], x) for x in b["articles"])
    assert not together(where, moved[0], kept[0])  # the split is still in force
    ok_json(wiretrace("undo", str(split["id"]), "--json", db=db))
    where = stories_of(db)
    assert all(together(where, a["articles"][0], x) for x in a["articles"])


def test_story_corrections_refuse_what_cannot_be(db: Path) -> None:
    a, b = big_stories(db, 2)
    assert_one_line_error(wiretrace("story", "detach", a["id"], b["articles"][0], db=db),
                          "not in story")
    assert_one_line_error(wiretrace("story", "split", a["id"], *a["articles"], db=db),
                          "nothing would be left")
    assert_one_line_error(wiretrace("story", "merge", a["id"], a["id"], db=db), a["id"])
    assert_one_line_error(wiretrace("story", "merge", a["id"], "s-nope", db=db), "s-nope")
    assert_one_line_error(wiretrace("undo", "999", db=db), "#999")
    assert log(db) == []


def test_deleted_article_stays_deleted_on_reingest_until_restored(db: Path, tmp_path: Path) -> None:
    record = HOSTILE_RECORDS[0]
    before = stories_of(db)
    assert record["id"] in before
    made = ok_json(wiretrace("delete", record["id"], "--reason", "not news", "--json", db=db))
    assert made["action"] == "delete" and made["reason"] == "not news"
    assert_one_line_error(wiretrace("show", record["id"], db=db), record["id"])
    assert record["id"] not in stories_of(db)

    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps(record) + "\n", encoding="utf-8")
    renamed = tmp_path / "renamed.jsonl"  # the same content under another id
    renamed.write_text(json.dumps({**record, "id": "hostile-copy"}) + "\n", encoding="utf-8")
    summary = ok_json(wiretrace("ingest", str(again), str(renamed), "--json", db=db))
    assert (summary["new"], summary["deleted"]) == (0, 2)
    assert record["id"] not in stories_of(db)

    summary = ok_json(wiretrace("ingest", str(again), "--restore-deleted", "--json", db=db))
    assert summary["new"] == 1
    assert record["id"] in stories_of(db)
    entry = next(c for c in log(db) if c["id"] == made["id"])
    assert not entry["active"] and "restore-deleted" in entry["undo_reason"]


def test_undoing_a_delete_stores_the_article_again_with_its_story(db: Path) -> None:
    story = big_stories(db, 1)[0]
    victim = story["articles"][-1]
    shown = ok_json(wiretrace("show", victim, "--json", db=db))
    made = ok_json(wiretrace("delete", victim, "--json", db=db))
    assert victim not in stories_of(db)
    ok_json(wiretrace("undo", str(made["id"]), "--json", db=db))
    back = ok_json(wiretrace("show", victim, "--json", db=db))
    assert (back["text"], back["title"], back["published"]) == (
        shown["text"], shown["title"], shown["published"])
    where = stories_of(db)
    assert together(where, victim, story["articles"][0])


def entity_with_variants(db: Path) -> dict[str, Any]:
    entities = ok_json(wiretrace("entities", "--json", db=db))
    return next(e for e in entities if e["type"] == "location" and len(e["variants"]) >= 3)


def test_rejected_variant_stays_out_through_resolution_and_undo_brings_it_back(db: Path) -> None:
    entity = entity_with_variants(db)
    surface = next(v for v in entity["variants"] if v != entity["name"])
    made = ok_json(wiretrace("entity", "reject-variant", entity["id"], surface, "-r", "not it",
                             "--json", db=db))
    assert made["action"] == "entity-reject-variant"
    page = ok_json(wiretrace("entity", entity["id"], "--json", db=db))
    assert surface not in {v["surface"] for v in page["variants"]}
    alone = ok_json(wiretrace("entity", surface, "--json", db=db))
    assert alone["id"] != entity["id"]
    assert "rejected from" in alone["variants"][0]["reason"] or any(
        "rejected from" in v["reason"] for v in alone["variants"])

    with open_store(db) as store:  # what every later ingest does: resolve all mentions again
        resolve_store(store)
    assert ok_json(wiretrace("entity", surface, "--json", db=db))["id"] != entity["id"]
    ok_json(wiretrace("recluster", "--json", db=db))
    assert ok_json(wiretrace("entity", surface, "--json", db=db))["id"] != entity["id"]

    ok_json(wiretrace("undo", str(made["id"]), "--json", db=db))
    assert ok_json(wiretrace("entity", surface, "--json", db=db))["id"] == entity["id"]


def test_entity_merge_and_split_are_imposed_and_undone(db: Path) -> None:
    entities = ok_json(wiretrace("entities", "--json", "--type", "person", db=db))
    a, b = entities[0], entities[1]
    merged = ok_json(wiretrace("entity", "merge", a["id"], b["id"], "--json", db=db))
    page = ok_json(wiretrace("entity", b["name"], "--json", db=db))
    surfaces = {v["surface"] for v in page["variants"]}
    assert a["name"] in surfaces and b["name"] in surfaces
    assert any("merged by correction" in v["reason"] for v in page["variants"])
    with open_store(db) as store:
        resolve_store(store)
    assert ok_json(wiretrace("entity", b["name"], "--json", db=db))["id"] == \
        ok_json(wiretrace("entity", a["name"], "--json", db=db))["id"]
    ok_json(wiretrace("undo", str(merged["id"]), "--json", db=db))
    assert ok_json(wiretrace("entity", b["name"], "--json", db=db))["id"] != \
        ok_json(wiretrace("entity", a["name"], "--json", db=db))["id"]

    place = entity_with_variants(db)
    off = [v for v in place["variants"] if v != place["name"]][:2]
    split = ok_json(wiretrace("entity", "split", place["id"], *off, "--json", db=db))
    one, two = (ok_json(wiretrace("entity", s, "--json", db=db))["id"] for s in off)
    assert one == two != ok_json(wiretrace("entity", place["id"], "--json", db=db))["id"]
    assert_one_line_error(wiretrace("entity", "split", place["id"], "Nowhere-at-all", db=db),
                          "not a spelling")
    ok_json(wiretrace("undo", str(split["id"]), "--json", db=db))
    assert ok_json(wiretrace("entity", off[0], "--json", db=db))["id"] == place["id"]


def test_entity_name_still_shows_the_entity(db: Path) -> None:
    entity = entity_with_variants(db)
    by_name = ok_json(wiretrace("entity", entity["name"], "--json", db=db))
    options_first = ok_json(wiretrace("entity", "--json", entity["name"], db=db))
    explicit = ok_json(wiretrace("entity", "show", entity["name"], "--json", db=db))
    assert by_name["id"] == options_first["id"] == explicit["id"] == entity["id"]


def test_detached_member_stays_detached_when_new_articles_join(db: Path, tmp_path: Path) -> None:
    """An ingest that grows the story (the incremental path, not a recluster) keeps the
    correction: a re-post of the detached article, which bridges it and the story, does not
    bring it back."""
    story = big_stories(db, 1)[0]
    member = story["articles"][1]
    others = [a for a in story["articles"] if a != member]
    ok_json(wiretrace("story", "detach", story["id"], member, "--json", db=db))
    shown = ok_json(wiretrace("show", member, "--json", db=db))
    repost = tmp_path / "repost.jsonl"
    repost.write_text(json.dumps({
        "id": "repost-of-detached", "text": shown["text"], "title": shown["title"],
        "outlet": "Copy Desk Daily", "published": shown["published"],
        "language": shown["language"]}) + "\n", encoding="utf-8")
    summary = ok_json(wiretrace("ingest", str(repost), "--json", db=db))
    assert summary["new"] == 1
    # the re-post joined the detached article and the clusterer merged it back: re-imposed
    assert summary["stages"]["stories"]["corrections_applied"] >= 1
    where = stories_of(db)
    assert "repost-of-detached" in where
    assert not any(together(where, member, o) for o in others)
