"""Hostile inputs: each one fails alone, with a coded error naming the file (and line), and
the run goes on. Everything runs through the real CLI or the real readers."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wiretrace.errors import MalformedRecordError, OverBudgetError, SourceError
from wiretrace.records import RawDocument
from wiretrace.sources import read_file

GOOD = (
    "The harbour board of {town} voted on Tuesday to close the old ferry pier for repairs, "
    "saying the timber piles had rotted faster than expected. Ferries will use the cargo quay "
    "until the work ends in the spring, the board said in a statement."
)


def good_record(i: int, **extra: object) -> str:
    return json.dumps({"id": f"rec-{i}", "text": GOOD.format(town=f"Town{i}"), **extra})


def run_cli(db: Path, *args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    """The real CLI; ingest runs in-process (``--workers 1``) unless a test asks for workers,
    since starting worker processes is the slow part of a tiny run."""
    if args and args[0] == "ingest" and "--workers" not in args:
        args = ("ingest", "--workers", "1", *args[1:])
    return subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def stored_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM articles")}
    finally:
        conn.close()


def summary_of(proc: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(proc.stdout.strip().splitlines()[-1])


def read_all(path: Path) -> list[RawDocument | SourceError]:
    return list(read_file(path, path.name))


# -- JSONL: line by line, whatever the lines hold ---------------------------------------------


def test_lone_surrogates_in_text_or_id_are_per_line_errors(tmp_path: Path, db_path: Path):
    path = tmp_path / "surrogates.jsonl"
    lines = [
        good_record(1),
        '{"id": "bad-text", "text": "' + GOOD.format(town="X") + ' \\udfff"}',
        '{"id": "bad-id\\ud800", "text": "' + GOOD.format(town="Y") + '"}',
        good_record(4),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli(db_path, "ingest", "--no-stories", "--json", str(path))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert stored_ids(db_path) == {"rec-1", "rec-4"}
    errors = summary_of(proc)["errors"]
    assert sorted(e["path"] for e in errors) == [f"{path}:2", f"{path}:3"]
    assert all(e["code"] == MalformedRecordError.code for e in errors)
    assert all("surrogate" in e["message"] for e in errors)


def test_jsonl_whose_first_line_is_an_array_is_still_read_line_by_line(tmp_path: Path):
    path = tmp_path / "first-array.jsonl"
    path.write_text("\n".join(["[1]", good_record(1), "{broken", good_record(2)]) + "\n")
    items = read_all(path)
    docs = [i for i in items if isinstance(i, RawDocument)]
    errors = [i for i in items if isinstance(i, SourceError)]
    assert [d.id for d in docs] == ["rec-1", "rec-2"]
    assert sorted(e.path for e in errors) == [f"{path}:1", f"{path}:3"]


def test_deeply_nested_jsonl_line_is_one_error_and_the_file_goes_on(tmp_path: Path):
    path = tmp_path / "deep.jsonl"
    deep = "[" * 5000 + "]" * 5000
    deep_object = '{"a":' * 1200 + "1" + "}" * 1200
    path.write_text("\n".join([good_record(1), deep, deep_object, good_record(2)]) + "\n")
    items = read_all(path)
    assert [i.id for i in items if isinstance(i, RawDocument)] == ["rec-1", "rec-2"]
    errors = [i for i in items if isinstance(i, SourceError)]
    assert [e.path for e in errors] == [f"{path}:2", f"{path}:3"]
    assert all(isinstance(e, MalformedRecordError) and "deep" in e.message for e in errors)


def test_deeply_nested_json_array_element_is_reported_not_raised(tmp_path: Path):
    path = tmp_path / "deep.json"
    path.write_text("[" + good_record(1) + "," + "[" * 5000 + "]" * 5000 + "]")
    items = read_all(path)
    assert [i.id for i in items if isinstance(i, RawDocument)] == ["rec-1"]
    errors = [i for i in items if isinstance(i, SourceError)]
    assert errors and all("RecursionError" not in e.message for e in errors)


def test_extraction_error_for_a_record_names_its_line(tmp_path: Path, db_path: Path):
    path = tmp_path / "records.jsonl"
    captcha = (
        "Please verify you are a human. We have detected unusual traffic from your network. "
        "Please complete the captcha below to continue."
    )
    path.write_text("\n".join([good_record(1), json.dumps({"id": "c", "text": captcha})]) + "\n")
    proc = run_cli(db_path, "ingest", "--no-stories", "--json", str(path))
    assert proc.returncode == 1
    errors = summary_of(proc)["errors"]
    assert [e["path"] for e in errors] == [f"{path}:2"]
    assert errors[0]["code"].startswith("E20")


def test_oversized_title_is_truncated_with_a_note(tmp_path: Path, db_path: Path):
    path = tmp_path / "big-title.jsonl"
    path.write_text(good_record(1, title="Pier closes " * 200_000) + "\n")
    proc = run_cli(db_path, "ingest", "--no-stories", str(path))
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(run_cli(db_path, "show", "rec-1", "--json").stdout)
    assert 0 < len(shown["title"]) <= 1000
    assert any("title" in note and "truncated" in note for note in shown["notes"])


# -- text cleaning: a single paragraph without a final full stop --------------------------------


def test_one_paragraph_without_final_full_stop_is_an_article(tmp_path: Path, db_path: Path):
    text = (
        GOOD.format(town="Eastport").removesuffix(".")
        + ". Opponents said it would raise the cost. after"
    )
    path = tmp_path / "no-stop.txt"
    path.write_text(text, encoding="utf-8")
    proc = run_cli(db_path, "ingest", "--no-stories", str(path))
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(run_cli(db_path, "show", "no-stop.txt", "--json").stdout)
    assert "timber piles had rotted" in shown["text"]


# -- rich markup in paths and ids ------------------------------------------------------------------


def test_markup_in_paths_and_ids_is_printed_literally(tmp_path: Path, db_path: Path):
    folder = tmp_path / "in"
    (folder / "a[").mkdir(parents=True)
    (folder / "a[" / "]b.txt").write_bytes(b"")  # the path reads "a[/]b.txt"
    (folder / "[bold]c.txt").write_bytes(b"\x00\x01\x02" * 50)
    (folder / "ids.jsonl").write_text(json.dumps({"id": "[/]", "text": ""}) + "\n")
    proc = run_cli(db_path, "ingest", "--no-stories", str(folder))
    assert proc.returncode == 1, proc.stderr
    assert "MarkupError" not in proc.stderr and "Traceback" not in proc.stderr
    assert "a[/]b.txt" in proc.stderr
    assert "[bold]c.txt" in proc.stderr


# -- budgets -----------------------------------------------------------------------------------


def test_element_with_200k_attributes_is_refused_quickly(tmp_path: Path, db_path: Path):
    attrs = " ".join(f"a{i}=x" for i in range(200_000))
    page = f"<html><body><div {attrs}>hi</div><p>{GOOD.format(town='Q')}</p></body></html>"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "attrs.html").write_text(page)
    (tmp_path / "in" / "fine.txt").write_text(GOOD.format(town="Fine"))
    started = time.monotonic()
    proc = run_cli(
        db_path,
        "ingest",
        "--workers",
        "2",
        "--no-stories",
        "--json",
        str(tmp_path / "in"),
        timeout=120,
    )
    assert time.monotonic() - started < 60
    assert proc.returncode == 1, proc.stderr
    errors = summary_of(proc)["errors"]
    assert [(Path(e["path"]).name, e["code"]) for e in errors] == [
        ("attrs.html", OverBudgetError.code)
    ]
    assert stored_ids(db_path) == {"fine.txt"}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_over_the_time_budget_is_an_error_and_the_run_goes_on(
    tmp_path: Path, db_path: Path, workers: str
):
    # A page just under the size limit with many short lines keeps the line classifier busy for
    # seconds; a budget of 1 s must stop it, whether it runs in a worker or in-process.
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [f"Headline {i} of the day said the board on Tuesday" for i in range(18_000)]
    (folder / "slow.txt").write_text("\n".join(lines))
    (folder / "fine.txt").write_text(GOOD.format(town="Fine"))
    started = time.monotonic()
    proc = run_cli(
        db_path,
        "ingest",
        "--no-stories",
        "--json",
        "--workers",
        workers,
        "--doc-timeout",
        "1",
        str(folder),
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    errors = summary_of(proc)["errors"]
    assert [(Path(e["path"]).name, e["code"]) for e in errors] == [
        ("slow.txt", OverBudgetError.code)
    ]
    assert "time budget" in errors[0]["message"]
    assert stored_ids(db_path) == {"fine.txt"}
    assert elapsed < 60


def _peak_rss_mb_of(cmd: list[str]) -> tuple[int, float]:
    """Run ``cmd`` and return its exit code and the peak RSS (MB) of it and its children."""
    probe = (
        "import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], capture_output=True, text=True, timeout=300
    )
    code, kb = out.stdout.split()
    return int(code), int(kb) / 1024


def test_huge_single_line_text_file_stays_in_memory_proportion(tmp_path: Path, db_path: Path):
    size = 30_000_000
    words = "the board said the pier would close for repairs on tuesday "
    path = tmp_path / "one-line.txt"
    path.write_text((words * (size // len(words) + 1))[:size])
    baseline_code, baseline = _peak_rss_mb_of(
        [sys.executable, "-c", "import wiretrace.pipeline, wiretrace.cli"]
    )
    assert baseline_code == 0
    started = time.monotonic()
    code, peak = _peak_rss_mb_of(
        [
            sys.executable,
            "-m",
            "wiretrace",
            "--db",
            str(db_path),
            "ingest",
            "--no-stories",
            "--workers",
            "1",
            str(path),
        ]
    )
    assert time.monotonic() - started < 120
    assert code == 1
    # a few copies of the input at most (bytes, decoded text), never one per word
    assert peak - baseline < 6 * size / 1e6, (peak, baseline)


# -- exit codes and runs -------------------------------------------------------------------------


def test_exit_codes_mean_ok_partial_usage(tmp_path: Path, db_path: Path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD.format(town="A"))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    assert run_cli(db_path, "ingest", "--no-stories", str(good)).returncode == 0
    assert run_cli(db_path, "ingest", "--no-stories", str(good), str(bad)).returncode == 1
    assert run_cli(db_path, "ingest", "--no-such-option", str(good)).returncode == 2
    assert run_cli(db_path, "ingest", "--doc-timeout", "-3", str(good)).returncode == 2


def test_an_internal_error_exits_3_with_the_traceback_in_a_log(tmp_path: Path):
    script = (
        "import sys\n"
        "from wiretrace.cli import app, main\n"
        "@app.command('explode')\n"
        "def explode() -> None:\n"
        "    raise RuntimeError('boom')\n"
        "sys.argv = ['wiretrace', '--db', sys.argv[1], 'explode']\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "internal error" in lines[0]
    logs = list(tmp_path.glob("wiretrace-crash-*.log"))
    assert len(logs) == 1 and "RuntimeError: boom" in logs[0].read_text()
    assert str(logs[0]) in lines[0]


def test_a_killed_run_is_marked_interrupted_by_the_next(tmp_path: Path, db_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"p{i}.txt").write_text(GOOD.format(town=f"T{i}"))
    assert run_cli(db_path, "ingest", "--no-stories", str(folder)).returncode == 0
    conn = sqlite3.connect(db_path)
    # a run left as a process killed with -9 leaves it: running, by a process that is gone
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    conn.execute(
        "INSERT INTO ingest_runs(started_at, status, paths_json, pid) VALUES ('2025-01-01', 'running', '[]', ?)",
        (dead.pid,),
    )
    conn.execute(
        "INSERT INTO ingest_runs(started_at, status, paths_json, pid) VALUES ('2025-01-01', 'running', '[]', ?)",
        (os.getpid(),),  # a live process: left alone
    )
    conn.commit()
    conn.close()
    assert run_cli(db_path, "ingest", "--no-stories", str(folder)).returncode == 0
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT pid, status FROM ingest_runs ORDER BY id").fetchall()
    conn.close()
    assert rows[1] == (dead.pid, "interrupted")
    assert rows[2] == (os.getpid(), "running")
    assert [status for _, status in rows[::3]] == ["ok", "ok"]


def test_gzip_bomb_and_truncated_gzip_are_bounded(tmp_path: Path):
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"A" * 50_000_000))
    items = list(read_file(bomb, bomb.name, max_bytes=10_000_000))
    assert len(items) == 1 and isinstance(items[0], SourceError)


def test_json_lines_saved_as_json_with_an_array_first_are_read_line_by_line(tmp_path: Path):
    path = tmp_path / "export.json"
    path.write_text("\n".join(["[1, 2]", good_record(1), "{broken", good_record(2)]) + "\n")
    items = read_all(path)
    assert [i.id for i in items if isinstance(i, RawDocument)] == ["rec-1", "rec-2"]
    assert sorted(i.path for i in items if isinstance(i, SourceError)) == [f"{path}:1", f"{path}:3"]


def test_a_worker_over_the_memory_budget_is_killed_and_replaced(tmp_path: Path, store):
    from wiretrace.pipeline import ingest

    folder = tmp_path / "in"
    folder.mkdir()
    lines = [f"Headline {i} of the day said the board on Tuesday" for i in range(18_000)]
    (folder / "a-slow.txt").write_text("\n".join(lines))
    (folder / "b-fine.txt").write_text(GOOD.format(town="Fine"))
    # a cap below what any worker holds: the long page is stopped while it runs; the short
    # one may finish before the next look at the worker's memory, or be stopped the same way
    report = ingest(
        store, [str(folder)], workers=2, run_stages=False, doc_timeout=60, doc_memory_mb=1
    )
    by_name = {Path(p).name: (code, message) for p, code, message in report.errors}
    assert by_name["a-slow.txt"][0] == OverBudgetError.code
    assert "memory budget of 1 MB" in by_name["a-slow.txt"][1]
    assert report.new + report.failed == 2


@pytest.mark.parametrize("name", ["deep-first.jsonl", "deep-first.json"])
def test_a_deeply_nested_first_line_does_not_lose_the_file(tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_text(
        "\n".join(['{"a":' * 1500 + "1" + "}" * 1500, good_record(1), good_record(2)]) + "\n"
    )
    items = read_all(path)
    assert [i.id for i in items if isinstance(i, RawDocument)] == ["rec-1", "rec-2"]
    assert [i.path for i in items if isinstance(i, SourceError)] == [f"{path}:1"]
