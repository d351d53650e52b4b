"""Ingest end to end through the real CLI: summaries, exit codes, re-runs, interruptions."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PAGE = """Home > World > Europe
Port workers in {city} extend strike for a {n}th day

{city}, March 3 (Reuters) - Dock workers at the port of {city} extended their strike on Monday, leaving {n} container ships waiting at anchor, the union said.
The union is demanding a pay rise of {pct} percent and limits on night shifts.
Port authority spokesman Tomas Berg said talks would resume on Wednesday.
Related
- Ferry operator cancels weekend sailings
- Fuel prices rise for a third week
"""


def run_cli(db: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "COLUMNS": "200"},
    )


def write_pages(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"page-{i:04d}.txt"
        p.write_text(PAGE.format(city=f"Harbourtown{i}", n=i + 3, pct=5 + i % 7), encoding="utf-8")
        paths.append(p)
    return paths


@pytest.fixture
def messy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "scraped"
    write_pages(folder / "good", 3)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    good = gzip.compress(PAGE.format(city="Gdansk", n=4, pct=9).encode())
    (folder / "truncated.txt.gz").write_bytes(good[: len(good) // 2])
    (folder / "records.jsonl").write_text(
        json.dumps({"id": "rec-1", "text": "Floods hit the northern valley on Tuesday, officials said. "
                    "Rescue teams evacuated 400 people.", "title": "Floods hit valley",
                    "published": "2025-03-04T10:00:00Z", "outlet": "Valley Post"}) + "\n"
        + '{"id": "rec-2", "text": "broken json\n',
        encoding="utf-8",
    )
    (folder / "blocked.html").write_text(
        "<html><head><title>Just a moment...</title></head><body><main>"
        "<h1>Please verify you are a human</h1>"
        "<p>We have detected unusual traffic from your network. Please complete the captcha "
        "below to continue to the article.</p><p>Why am I seeing this? Automated requests from "
        "your IP address look like a bot to us.</p></main></body></html>",
        encoding="utf-8",
    )
    (folder / "cp1251.txt").write_bytes(
        "Забастовка в порту продолжается\n\nДокеры порта продолжили забастовку в понедельник, "
        "сообщил профсоюз. Переговоры возобновятся в среду.\n".encode("cp1251")
    )
    return folder


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_bad_files_are_reported_and_the_rest_is_stored(messy_folder: Path, db_path: Path):
    res = run_cli(db_path, "ingest", "--no-stories", str(messy_folder))
    assert res.returncode == 1, res.stderr
    for bad in ("empty.txt", "image.html", "truncated.txt.gz", "records.jsonl"):
        lines = [line for line in res.stderr.splitlines() if bad in line]
        assert lines, f"no error line for {bad}:\n{res.stderr}"
    assert "failed" in res.stderr
    blocked = [line for line in res.stderr.splitlines() if "blocked.html" in line]
    assert blocked and "not an article" in blocked[0] and "bot check" in blocked[0], blocked
    ids = {r[0] for r in sqlite3.connect(db_path).execute("SELECT id FROM articles")}
    assert "blocked.html" not in ids
    assert {"good/page-0000.txt", "good/page-0001.txt", "good/page-0002.txt", "rec-1", "cp1251.txt"} <= ids
    text = sqlite3.connect(db_path).execute("SELECT text FROM articles WHERE id='cp1251.txt'").fetchone()[0]
    assert "Докеры порта продолжили забастовку" in text


def test_ingesting_the_folder_that_holds_the_store_skips_the_store(tmp_path: Path):
    """``wiretrace ingest .`` with the default ./wiretrace.db beside the pages."""
    folder = tmp_path / "work"
    write_pages(folder, 2)
    db = folder / "wiretrace.db"
    first = run_cli(db, "ingest", "--no-stories", "--json", str(folder))
    assert first.returncode == 0, first.stderr
    again = run_cli(db, "ingest", "--no-stories", "--json", str(folder))  # -wal, -shm exist now
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["unchanged"] == 2
    assert not [line for line in again.stderr.splitlines()
                if "wiretrace.db" in line and not line.startswith("ingested")]
    named = run_cli(db, "ingest", "--no-stories", str(db))
    assert named.returncode == 1
    assert "store being written" in named.stderr


def test_reingest_is_a_no_op_and_changed_content_replaces(tmp_path: Path, db_path: Path):
    folder = tmp_path / "in"
    paths = write_pages(folder, 3)
    first = run_cli(db_path, "ingest", "--no-stories", "--json", str(folder))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["new"] == 3
    again = run_cli(db_path, "ingest", "--no-stories", "--json", str(folder))
    summary = json.loads(again.stdout)
    assert (summary["new"], summary["unchanged"], summary["changed"]) == (0, 3, 0)
    paths[1].write_text(PAGE.format(city="Newport", n=11, pct=3), encoding="utf-8")
    third = json.loads(run_cli(db_path, "ingest", "--no-stories", "--json", str(folder)).stdout)
    assert (third["changed"], third["unchanged"]) == (1, 2)
    assert _count(db_path, "SELECT count(*) FROM articles") == 3
    assert _count(db_path, "SELECT count(*) FROM articles WHERE text LIKE '%Newport%'") == 1


# How long the interrupted ingest may run between two looks at the store: short against one
# batch of pages, so the first commit is seen long before the run could finish.
STEP_SECONDS = 0.01
INTERRUPTED_PAGES = 400


def _stored_now(db: Path) -> int:
    """Articles committed so far, read without creating the file or waiting on a lock."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0)
    except sqlite3.Error:
        return 0
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:  # no schema yet, or the writer holds the lock this instant
        return 0
    finally:
        conn.close()


def _run_until_first_commit(proc: subprocess.Popen[bytes], db: Path, timeout: float) -> int:
    """Let ``proc`` run in short steps, stopped (SIGSTOP) while the store is read, until it
    has committed its first batch; return the articles stored then, ``proc`` left stopped.

    Stepping bounds how far the run gets between two looks whatever the machine's load: the
    ingest is stopped while the reader opens and reads the store, however long that takes on
    a busy machine, so the first commit is seen within one step of work of happening.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(STEP_SECONDS)
        os.kill(proc.pid, signal.SIGSTOP)
        stored = _stored_now(db)
        if stored:
            return stored
    return 0


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_ingest_leaves_a_consistent_store_and_rerun_completes(tmp_path: Path, sig: int):
    db = tmp_path / "kill.db"
    folder = tmp_path / "many"
    total = INTERRUPTED_PAGES
    write_pages(folder, total)
    proc = subprocess.Popen(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "ingest", "--no-stories", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        # Ctrl-C as in a terminal, even where the tests run in the background (a shell starts
        # background jobs with SIGINT ignored, and the child would inherit that)
        preexec_fn=_default_sigint,
    )
    try:
        at_signal = _run_until_first_commit(proc, db, timeout=120)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        # the run is stopped mid-way: part of the pages stored, the rest still to do
        assert 0 < at_signal < total
        proc.send_signal(sig)
        os.kill(proc.pid, signal.SIGCONT)  # a stopped process takes SIGINT once it runs again
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # the signal, not the end of the work, ended the run
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 130), err.decode()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    partial = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert at_signal <= partial < total
    # Articles are written whole or not at all: every stored article has its attribution rows.
    orphans = conn.execute(
        "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM attributions t WHERE t.article_id = a.id)"
    ).fetchone()[0]
    conn.close()
    assert orphans == 0
    res = run_cli(db, "ingest", "--no-stories", "--json", str(folder))
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["new"] + summary["unchanged"] == total
    assert summary["unchanged"] == partial
    assert _count(db, "SELECT count(*) FROM articles") == total
    assert _count(db, "SELECT count(DISTINCT id) FROM articles") == total


def test_show_and_export_expose_the_contract_fields(tmp_path: Path, db_path: Path):
    folder = tmp_path / "in"
    write_pages(folder, 2)
    assert run_cli(db_path, "ingest", "--no-stories", str(folder)).returncode == 0
    shown = json.loads(run_cli(db_path, "show", "page-0001.txt", "--json").stdout)
    assert "Dock workers at the port of Harbourtown1" in shown["text"]
    assert "Ferry operator cancels weekend sailings" not in shown["text"]
    assert any("Ferry operator" in r["text"] for r in shown["removed"])
    assert all(r["reason"] for r in shown["removed"])
    assert "Reuters" in shown["attributions"]
    missing = run_cli(db_path, "show", "nope.txt", "--json")
    assert missing.returncode == 1 and "nope.txt" in missing.stderr

    lines = run_cli(db_path, "export", "--format", "jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    for key in ("id", "title", "text", "published", "outlet", "author", "language", "url", "attributions", "story"):
        assert key in records[0]
    csv_out = tmp_path / "out.csv"
    assert run_cli(db_path, "export", "--format", "csv", "-o", str(csv_out)).returncode == 0
    assert csv_out.read_text(encoding="utf-8").splitlines()[0].startswith("id,title,text")
    pq = tmp_path / "out.parquet"
    assert run_cli(db_path, "export", "--format", "parquet", "-o", str(pq)).returncode == 0
    import pyarrow.parquet as pqm

    table = pqm.read_table(pq)
    assert table.num_rows == 2 and "attributions" in table.column_names
