"""Signals computed at ingest as a declared stage: every article's signals are stored, so the
signal filter covers every article and a read-only reader finds them without recomputing;
a story that gains a member has its other members' relative signals brought up to date; the
trace's per-article entry carries them (``trace --json`` and the trace API)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from wiretrace.cli.app import app
from wiretrace.records import Article, Metadata
from wiretrace.signals import STAGE, signals_of_article
from wiretrace.store import open_store

from .test_signals_surfaces import RECORDS
from .webserver import running_server

runner = CliRunner()


def _write(folder: Path, name: str, records: list[dict]) -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wire report and the unrelated one first; the spun copy in a later run, so the
    wire's story gains a member after the wire's signals were stored."""
    from wiretrace.pipeline import ingest

    folder = tmp_path_factory.mktemp("signals-stage")
    path = folder / "store.db"
    with open_store(path) as store:
        ingest(store, [str(_write(folder, "first.jsonl", [RECORDS[0], RECORDS[2]]))])
        ingest(store, [str(_write(folder, "second.jsonl", [RECORDS[1]]))])
    return path


def _rows(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT article_id, model_version, signals_json FROM article_signals")}


def _cli(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def _refuse_to_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any computation of signals fail, so a read can only succeed from the store."""
    import wiretrace.signals.article as article_module

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("signals were recomputed on a read")

    monkeypatch.setattr(article_module, "analyze_text", refuse)
    monkeypatch.setattr(article_module, "relative_signals", refuse)


def test_the_stage_is_pure_and_declares_what_it_reads():
    assert STAGE.name == "signals" and "traces" in STAGE.requires and "signals" in STAGE.writes
    article = Article(id="plain", source_path="-", source_kind="record", content_hash="-",
                      raw_bytes=b"", encoding=None, text=RECORDS[2]["text"],
                      metadata=Metadata(title=RECORDS[2]["title"]), language="en")
    out = signals_of_article(article)  # no store, no trace
    assert out["genre"] in out["genre_scores"] and "relative" not in out
    assert f"genre:{out['genre']}" in out["names"]


def test_ingest_stores_the_signals_of_every_article(db: Path):
    assert set(_rows(db)) == {r["id"] for r in RECORDS}
    # the filter finds the spun copy's story without anyone asking for its signals first
    code, out, err = _cli(db, "stories", "--json", "--signal", "escalation")
    assert code == 0, err
    code2, out2, _ = _cli(db, "show", "spun-a", "--json", "--no-signals")
    assert code2 == 0
    assert [s["id"] for s in json.loads(out)] == [json.loads(out2)["story"]]


def test_a_read_only_read_finds_stored_signals_and_computes_nothing(db: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    from wiretrace.adapters.signals import article_signals

    stored = _rows(db)
    _refuse_to_compute(monkeypatch)
    with open_store(db, readonly=True) as store:
        for aid, (_, raw) in stored.items():
            assert article_signals(store, aid) == json.loads(raw), aid
    # the wire's entry changed when the spun copy joined its story: its stored signals were
    # refreshed by the second run (a read above would otherwise have had to recompute)
    assert json.loads(stored["spun-a"][1])["relative"]["source"] == "wire-a"
    code, out, err = _cli(db, "show", "spun-a", "--json")
    assert code == 0, err
    assert json.loads(out)["signals"] == json.loads(stored["spun-a"][1])
    assert _rows(db) == stored


def test_trace_json_carries_each_articles_signals(db: Path, tmp_path: Path):
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    code, out, _ = _cli(copy, "show", "spun-a", "--json", "--no-signals")
    story = json.loads(out)["story"]
    code, out, err = _cli(copy, "trace", story, "--json")
    assert code == 0, err
    entries = json.loads(out)["articles"]
    assert {"wire-a", "spun-a"} <= set(entries)
    spun = entries["spun-a"]["signals"]
    assert spun["relative"]["source"] == "wire-a"
    assert {t["name"] for t in spun["relative"]["added_techniques"]} & {
        "Loaded_Language", "Name_Calling-Labeling"}
    assert any("nuclear" in e["text"] for e in spun["relative"]["escalations"])
    assert all({"name", "score", "start", "end", "reason"} <= set(t) for t in spun["techniques"])
    text = json.loads(_cli(copy, "show", "spun-a", "--json", "--no-signals")[1])["text"]
    assert any("traitors" in text[t["start"]:t["end"]] for t in spun["techniques"])
    assert "relative" not in entries["wire-a"]["signals"]
    # a trace of chosen articles shows signals for that trace and keeps none of them
    before = _rows(copy)
    code, out, err = _cli(copy, "trace", "--articles", "wire-a", "spun-a", "--json")
    assert code == 0, err
    assert "signals" in json.loads(out)["articles"]["spun-a"]
    assert _rows(copy) == before


def test_trace_api_carries_the_same_signals(db: Path, monkeypatch: pytest.MonkeyPatch):
    code, out, _ = _cli(db, "show", "spun-a", "--json", "--no-signals")
    story = json.loads(out)["story"]
    stored = {aid: json.loads(raw) for aid, (_, raw) in _rows(db).items()}
    with running_server(str(db)) as base, httpx.Client(base_url=base, timeout=120) as client:
        r = client.get(f"/api/stories/{story}/trace")
    assert r.status_code == 200, r.text
    entry = r.json()["articles"]["spun-a"]["signals"]
    assert entry["relative"] == stored["spun-a"]["relative"]
    assert entry["names"] == stored["spun-a"]["names"]
