"""The command line where a user first trips: misplaced options, near-miss ids, bad stores,
busy ports, bad filter values, logs without a terminal. Each runs the real CLI in a
subprocess, as a user's shell or script would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import wiretrace

from .webserver import running_server

pytestmark = pytest.mark.slow

# Three short reports written for these tests: two of one event, one of another.
RECORDS = [
    {"id": "ferry-1", "outlet": "Harbour Gazette", "language": "en",
     "published": "2025-06-02T08:00:00Z",
     "title": "Ferry runs aground off Kalmar, 40 passengers taken ashore",
     "text": "A passenger ferry ran aground off Kalmar on Monday morning and all 40 passengers "
             "were taken ashore by the coast guard, said Ingrid Solberg, a spokeswoman for the "
             "Swedish Maritime Administration. The ferry had left Borgholm at seven. Divers "
             "were inspecting the hull, Solberg said, and the route would stay closed."},
    {"id": "ferry-2", "outlet": "Baltic Wire", "language": "en",
     "published": "2025-06-02T10:30:00Z",
     "title": "Coast guard rescues 40 after ferry grounding near Kalmar",
     "text": "Forty passengers were brought ashore after a ferry ran aground near Kalmar on "
             "Monday, the Swedish Maritime Administration said. Spokeswoman Ingrid Solberg said "
             "divers were inspecting the hull of the ferry, which had left Borgholm at seven, "
             "and that the route would stay closed until the inspection ends."},
    {"id": "orchard-1", "outlet": "Valley Post", "language": "en",
     "published": "2025-06-03T09:00:00Z",
     "title": "Late frost damages apple orchards in Styria",
     "text": "A late frost damaged apple orchards across Styria overnight, farmers said on "
             "Tuesday. Growers' association head Matthias Krenn said up to a third of the "
             "blossom was lost in the worst-hit valleys and that insurers had been notified."},
]


def run(*args: str, db: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, with stderr a pipe (not a terminal)."""
    env = {k: v for k, v in os.environ.items() if k != "WIRETRACE_DB"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    env["COLUMNS"] = "200"
    command = [sys.executable, "-m", "wiretrace"] + (["--db", str(db)] if db else [])
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def one_line_failure(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def stories(sample_store_path: Path) -> list[dict[str, Any]]:
    result = run("stories", "--json", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def small_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("records") / "reports.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_db_after_the_command_says_it_goes_before(sample_store_path: Path) -> None:
    stderr = one_line_failure(run("stories", "--db", str(sample_store_path)), 2)
    assert "--db goes before the command" in stderr
    assert "wiretrace --db PATH stories" in stderr


def test_version(tmp_path: Path) -> None:
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wiretrace {wiretrace.__version__}"


def test_show_without_extension_suggests_the_stored_id(
    sample_store_path: Path, stories: list[dict[str, Any]]
) -> None:
    article = next(a for s in stories for a in s["articles"] if a.endswith(".txt"))
    stderr = one_line_failure(run("show", article.removesuffix(".txt"), db=sample_store_path), 1)
    assert f"did you mean {article}" in stderr


def test_trace_of_an_article_id_points_to_its_story(
    sample_store_path: Path, stories: list[dict[str, Any]]
) -> None:
    story = next(s for s in stories if len(s["articles"]) > 1)
    article = story["articles"][-1]
    stderr = one_line_failure(run("trace", article, db=sample_store_path), 1)
    assert "is an article" in stderr
    assert f"wiretrace trace {story['id']}" in stderr


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("meeting notes, not a database\n", encoding="utf-8")
    for args in (["stories"], ["ingest", str(notes)], ["show", "x"]):
        stderr = one_line_failure(run(*args, db=notes), 2)
        assert "not a wiretrace store" in stderr
    assert notes.read_text(encoding="utf-8") == "meeting notes, not a database\n"
    assert not list(tmp_path.glob("wiretrace-crash-*"))


def test_db_in_a_missing_folder_is_refused_not_created(tmp_path: Path, small_records: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "x.db"
    stderr = one_line_failure(run("ingest", str(small_records), db=target), 2)
    assert "does not exist" in stderr
    assert not (tmp_path / "no").exists()


def test_busy_port_is_one_line_before_any_banner(sample_store_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        result = run("serve", "--port", str(port), db=sample_store_path, timeout=60)
    stderr = one_line_failure(result, 1)
    assert "already in use" in stderr and "--port" in stderr
    assert "http://" not in stderr  # no banner announcing a server that never started


def test_bad_filter_values_are_rejected_listing_the_valid_ones(sample_store_path: Path) -> None:
    stderr = one_line_failure(run("stories", "--lang", "English", db=sample_store_path), 2)
    assert "English" in stderr and " en," in stderr and " bg," in stderr
    stderr = one_line_failure(run("stories", "--since", "yesterday", db=sample_store_path), 2)
    assert "YYYY-MM-DD" in stderr
    stderr = one_line_failure(run("stories", "--until", "2025-02-30", db=sample_store_path), 2)
    assert "2025-02-30" in stderr
    # a valid code and a month are accepted
    assert run("stories", "--lang", "EN", "--since", "2025-10", db=sample_store_path).returncode == 0


def test_api_rejects_bad_filter_values_with_a_422(sample_store_path: Path) -> None:
    with running_server(str(sample_store_path)) as base:
        for path in ("/api/stories", "/api/articles"):
            bad = httpx.get(base + path, params={"lang": "English"}, timeout=60)
            assert bad.status_code == 422
            assert " en," in json.dumps(bad.json(), ensure_ascii=False)
            assert httpx.get(base + path, params={"since": "last week"},
                             timeout=60).status_code == 422
        good = httpx.get(base + "/api/stories", params={"lang": "bg"}, timeout=60)
        assert good.status_code == 200 and good.json()["items"]
        page = httpx.get(base + "/", params={"lang": "English"}, timeout=60)
        assert page.status_code == 422 and "ISO 639-1" in page.text


def test_ingest_without_a_terminal_writes_progress_lines_and_its_summary_to_stderr(
    tmp_path: Path, small_records: Path
) -> None:
    """A log of a run shows each stage's progress as plain lines; stdout stays for data."""
    db = tmp_path / "log.db"
    result = run("ingest", str(small_records), db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    for stage in ("representations", "stories", "entities"):
        assert any(line.startswith(f"{stage}: 3/3 (done in") for line in lines), result.stderr
    assert any(line.startswith("ingested: 3 new") for line in lines)
    assert "\x1b[" not in result.stderr  # no terminal control sequences in a log


def test_recluster_after_ingest_without_stories_builds_entities(
    tmp_path: Path, small_records: Path
) -> None:
    db = tmp_path / "later.db"
    assert run("ingest", "--no-stories", str(small_records), db=db).returncode == 0
    before = run("entities", "--json", db=db)
    assert before.returncode == 0 and json.loads(before.stdout) == []
    result = run("recluster", "--json", db=db)
    assert result.returncode == 0, result.stderr
    assert "entities" in json.loads(result.stdout)["stages"]
    names = {e["name"] for e in json.loads(run("entities", "--json", db=db).stdout)}
    assert "Ingrid Solberg" in names and "Kalmar" in names
    listed = json.loads(run("stories", "--json", db=db).stdout)
    assert {"ferry-1", "ferry-2"} in [set(s["articles"]) for s in listed]
