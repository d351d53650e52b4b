"""Content identity and story dates, through the real CLI on a real store.

The same article reached under another path or id is recognised as already stored (not stored
twice); the same text from another outlet is a copy to trace and is stored. A story's dates
come from its members' pages (publication, else when the page was read), never from when it
was ingested.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from wiretrace.store.sqlite import SQLiteStore

STRIKE = """Dock strike in {city} enters its {n}th day

Dock workers at the port of {city} extended their strike on Monday, leaving {n} container ships
waiting at anchor, the union said.

The union is demanding a pay rise of {pct} percent and limits on night shifts; the port
authority said talks would resume on Wednesday.
"""

FLOOD = """Floods close the northern valley road

Floods closed the northern valley road on Tuesday and rescue teams evacuated 400 people from
three villages, regional officials said.
"""


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )


def ingest(db: Path, *paths: Path | str, extra: tuple[str, ...] = ("--no-stories",)) -> dict:
    res = run_cli(db, "ingest", *extra, "--json", *map(str, paths))
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    summary["_stderr"] = res.stderr
    return summary


def stored_ids(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in conn.execute("SELECT id FROM articles"))
    finally:
        conn.close()


def write_corpus(root: Path) -> None:
    """``root/seeds`` holds two pages; ``root`` holds them (under seeds/) and one more."""
    (root / "seeds").mkdir(parents=True)
    for i, city in enumerate(("Harbourtown", "Saltmarsh")):
        (root / "seeds" / f"{city.lower()}.txt").write_text(
            STRIKE.format(city=city, n=i + 3, pct=5 + i), encoding="utf-8"
        )
    (root / "flood.txt").write_text(FLOOD, encoding="utf-8")


def test_a_folder_then_its_parent_stores_each_page_once(tmp_path: Path) -> None:
    db, corpus = tmp_path / "w.db", tmp_path / "corpus"
    write_corpus(corpus)
    first = ingest(db, corpus / "seeds")
    assert (first["new"], first["duplicate"]) == (2, 0)

    second = ingest(db, corpus)
    assert (second["new"], second["duplicate"], second["failed"]) == (1, 2, 0)
    assert {(d["id"], d["same_as"]) for d in second["duplicates"]} == {
        ("seeds/harbourtown.txt", "harbourtown.txt"),
        ("seeds/saltmarsh.txt", "saltmarsh.txt"),
    }
    assert "2 already stored (same content)" in second["_stderr"]
    assert stored_ids(db) == ["flood.txt", "harbourtown.txt", "saltmarsh.txt"]

    third = ingest(db, corpus)  # re-running changes nothing
    assert (third["new"], third["unchanged"], third["duplicate"]) == (0, 1, 2)
    assert stored_ids(db) == ["flood.txt", "harbourtown.txt", "saltmarsh.txt"]


def test_keep_duplicates_stores_both(tmp_path: Path) -> None:
    db, corpus = tmp_path / "w.db", tmp_path / "corpus"
    write_corpus(corpus)
    ingest(db, corpus / "seeds")
    summary = ingest(db, corpus, extra=("--no-stories", "--keep-duplicates"))
    assert (summary["new"], summary["duplicate"]) == (3, 0)
    assert len(stored_ids(db)) == 5


def test_copies_within_one_run_and_resaved_whitespace_are_one_article(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    page = STRIKE.format(city="Eastport", n=4, pct=7)
    (folder / "a" / "page.txt").write_text(page, encoding="utf-8")
    (folder / "b" / "page.txt").write_text(page, encoding="utf-8")
    # the same page saved again with Windows line ends and trailing blanks
    (folder / "b" / "resaved.txt").write_bytes(page.replace("\n", "  \r\n").encode())
    summary = ingest(tmp_path / "w.db", folder)
    assert (summary["new"], summary["duplicate"]) == (1, 2)
    assert {d["same_as"] for d in summary["duplicates"]} == {"a/page.txt"}
    assert stored_ids(tmp_path / "w.db") == ["a/page.txt"]


def test_a_changed_file_at_the_same_path_still_replaces_its_article(tmp_path: Path) -> None:
    db, folder = tmp_path / "w.db", tmp_path / "in"
    folder.mkdir()
    page = folder / "page.txt"
    page.write_text(STRIKE.format(city="Eastport", n=4, pct=7), encoding="utf-8")
    ingest(db, folder)
    page.write_text(STRIKE.format(city="Eastport", n=5, pct=7), encoding="utf-8")
    summary = ingest(db, folder)
    assert (summary["changed"], summary["duplicate"]) == (1, 0)
    assert stored_ids(db) == ["page.txt"]


def test_the_same_text_from_another_outlet_is_a_copy_not_a_duplicate(tmp_path: Path) -> None:
    text = FLOOD.split("\n\n", 1)[1]
    base = {"title": "Floods close the valley road", "text": text}
    records = [
        {"id": "vp-1", "outlet": "Valley Post", **base},
        {"id": "ht-1", "outlet": "Harbour Times", **base},  # another outlet: stored
        {"id": "vp-2", "outlet": "valley  post", **base},  # the first again under a new id
        {"id": "web-1", "url": "https://www.example-news.test/a/1", **base},
        {"id": "web-2", "url": "https://example-news.test/amp/1", **base},  # same site
        {"id": "bare-1", **base},
        {"id": "bare-2", **base},  # no outlet either: the same article
        {"id": "retitled", "outlet": "Valley Post", **{**base, "title": "Valley road shut"}},
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    summary = ingest(tmp_path / "w.db", path)
    same_as = {d["id"]: d["same_as"] for d in summary["duplicates"]}
    assert same_as == {"vp-2": "vp-1", "web-2": "web-1", "bare-2": "bare-1"}
    assert stored_ids(tmp_path / "w.db") == ["bare-1", "ht-1", "retitled", "vp-1", "web-1"]


def test_a_store_from_before_identities_finds_its_old_articles(tmp_path: Path) -> None:
    db, folder = tmp_path / "w.db", tmp_path / "in"
    folder.mkdir()
    (folder / "old.txt").write_text(FLOOD, encoding="utf-8")
    ingest(db, folder)
    conn = sqlite3.connect(db)  # as a store written before the identity column was filled
    conn.execute("UPDATE articles SET identity = NULL")
    conn.commit()
    conn.close()
    with SQLiteStore(db) as store:  # opening it for writing fills the identities in
        assert (
            store.conn.execute("SELECT count(*) FROM articles WHERE identity IS NULL").fetchone()[0]
            == 0
        )
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "new-name.txt").write_text(FLOOD, encoding="utf-8")
    summary = ingest(db, tmp_path / "copy")
    assert summary["duplicates"] == [
        {
            "path": str(tmp_path / "copy" / "new-name.txt"),
            "id": "new-name.txt",
            "same_as": "old.txt",
        }
    ]


def test_story_dates_come_from_pages_never_from_the_ingest(tmp_path: Path) -> None:
    """Undated members: no dates. Members read at known times: those times, in UTC. Dated
    members: their publication dates. Listing and ordering work with undated stories."""
    db = tmp_path / "w.db"
    strike = STRIKE.format(city="Northgate", n=6, pct=8).split("\n\n", 1)[1]
    flood = FLOOD.split("\n\n", 1)[1]
    fire = (
        "A fire destroyed a timber warehouse in the old harbour district of Westmere on "
        "Sunday night; firefighters fought the blaze for nine hours and nobody was hurt, "
        "the fire service said."
    )
    records = [
        {
            "id": "strike-a",
            "outlet": "Coast Daily",
            "title": "Northgate dock strike goes on",
            "text": strike,
        },
        {
            "id": "strike-b",
            "outlet": "Port News",
            "title": "Dock strike in Northgate continues",
            "text": strike + " Shipping lines are diverting vessels.",
        },
        {
            "id": "flood-a",
            "outlet": "Valley Post",
            "title": "Valley road closed",
            "text": flood,
            "crawled": "2024-05-02T08:15:00+02:00",
        },
        {
            "id": "flood-b",
            "outlet": "Hill Herald",
            "title": "Floods shut valley road",
            "text": flood + " The road may stay closed for a week.",
            "scraped_at": "2024-05-03T21:00:00Z",
        },
        {
            "id": "fire-a",
            "outlet": "Westmere Gazette",
            "title": "Warehouse fire in Westmere",
            "text": fire,
            "published": "2023-11-12T23:30:00Z",
            "crawled": "2024-01-01T00:00:00Z",
        },
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    ingest(db, path, extra=())
    res = run_cli(db, "stories", "--json")
    assert res.returncode == 0, res.stderr
    by_member = {a: s for s in json.loads(res.stdout) for a in s["articles"]}
    assert by_member["strike-a"]["id"] == by_member["strike-b"]["id"]
    assert (by_member["strike-a"]["first_seen"], by_member["strike-a"]["last_seen"]) == (None, None)
    assert by_member["flood-a"]["id"] == by_member["flood-b"]["id"]
    assert (by_member["flood-a"]["first_seen"], by_member["flood-a"]["last_seen"]) == (
        "2024-05-02T06:15:00+00:00",
        "2024-05-03T21:00:00+00:00",
    )
    assert by_member["fire-a"]["first_seen"] == "2023-11-12T23:30:00+00:00"

    table = run_cli(db, "stories")
    assert table.returncode == 0, table.stderr
    rebuilt = run_cli(db, "recluster")
    assert rebuilt.returncode == 0, rebuilt.stderr
    after = {
        a: s for s in json.loads(run_cli(db, "stories", "--json").stdout) for a in s["articles"]
    }
    assert after["strike-b"]["first_seen"] is None
    assert after["flood-b"]["last_seen"] == "2024-05-03T21:00:00+00:00"
