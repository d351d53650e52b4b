"""`wiretrace demo`: the README's first command, end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_demo_runs_the_whole_pipeline_and_says_where_to_look(tmp_path):
    db, report = tmp_path / "demo.db", tmp_path / "report.html"
    res = subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "demo", "--report", str(report)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "160"},
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "Where to look" in res.stderr and str(db) in res.stderr
    assert "trace s-" in res.stdout  # the provenance tree of the largest story
    # the story it says it traces is the largest one, and the tree printed is that story's
    said = re.search(r"provenance of the largest story, (s-[0-9a-f]+) \((\d+) articles\)",
                     res.stderr)
    assert said, res.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "stories", "--json"],
        capture_output=True, text=True, timeout=600,
    )
    sizes = {s["id"]: len(s["articles"]) for s in json.loads(listed.stdout)}
    assert sizes[said.group(1)] == max(sizes.values()) == int(said.group(2))
    assert f"trace {said.group(1)}" in res.stdout
    html = report.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "<script" not in html
    assert html.count('class="story"') >= 3
    again = subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "demo", "--report", str(report)],
        capture_output=True, text=True, timeout=600,
    )
    assert again.returncode == 0 and "0 new" in again.stderr  # re-running is safe
