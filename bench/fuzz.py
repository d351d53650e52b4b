"""Hostile-input fuzzing through the real CLI, and kill -9 trials during ingest.

Part 1 writes ``--files`` generated hostile files (``tests/hostile.py``: bombs, XXE, lying and
truncated WARCs, huge attributes and lines, deep nesting, lone surrogates, markup in names,
junk bytes, FIFOs, symlink loops ...) and runs ``wiretrace ingest --no-stories`` over them. It
prints crashes (exit code other than 0/1, or a traceback), hangs (a run over its overall
limit, or a document over its budget without being stopped), peak RSS and files per second.

Part 2 runs ``--kills`` trials: start ``wiretrace ingest`` on a corpus of good and bad files,
SIGKILL it at a random moment, check ``PRAGMA integrity_check``, and go on; every tenth trial
and at the end the ingest is run to completion and the store is compared with a reference
store built without interruption: no article lost, none duplicated, no run left "running".

    python bench/fuzz.py [--files 10000] [--kills 100] [--seed 0] [--doc-timeout 10]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import make_corpus  # noqa: E402

# Files in the kill-trial corpus: enough that a full ingest takes several seconds on 2 cores.
KILL_CORPUS_FILES = 250
# Kill within this many seconds of the start: every phase (reading, extraction, writes) is
# reached, and each trial resumes what the last left, so later trials land later in the work.
KILL_WITHIN_S = 10.0


def wiretrace(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "wiretrace", "--db", str(db), *args]


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def fuzz(files: int, seed: int, doc_timeout: float, workdir: Path) -> dict:
    corpus = workdir / "hostile"
    started = time.monotonic()
    kinds = make_corpus(corpus, files, seed=seed)
    print(
        f"corpus: {files} files in {time.monotonic() - started:.1f} s; kinds: {json.dumps(kinds)}",
        flush=True,
    )
    db = workdir / "fuzz.db"
    limit = max(600.0, files * 2.0)  # generous: a run this slow is hung, not slow
    cmd = wiretrace(
        db,
        "ingest",
        "--no-stories",
        "--json",
        "--quiet",
        "--doc-timeout",
        str(doc_timeout),
        str(corpus),
    )
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
        hung = 0
    except subprocess.TimeoutExpired as exc:
        proc = subprocess.CompletedProcess(cmd, -9, exc.stdout or "", exc.stderr or "")
        hung = 1
    wall = time.monotonic() - started
    crash = int(proc.returncode not in (0, 1) or "Traceback" in (proc.stderr or ""))
    summary = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode in (0, 1) else {}
    codes = collections.Counter(e["code"] for e in summary.get("errors", []))
    over_budget = [e for e in summary.get("errors", []) if e["code"] == "E202"]
    timed_out = [e for e in over_budget if "time budget" in e["message"]]
    conn = sqlite3.connect(db)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    result = {
        "files": files,
        "documents_stored": summary.get("new", 0),
        "documents_failed": summary.get("failed", 0),
        "error_codes": dict(sorted(codes.items())),
        "over_budget": len(over_budget),
        "stopped_at_time_budget": len(timed_out),
        "crashes": crash,
        "hangs": hung,
        "exit_code": proc.returncode,
        "wall_s": round(wall, 1),
        "files_per_s": round(files / wall, 1),
        "files_per_s_per_core": round(files / wall / max(1, len(os.sched_getaffinity(0))), 1),
        "peak_rss_mb": round(children_peak_rss_mb(), 1),
        "integrity": integrity,
    }
    if crash:
        result["stderr_tail"] = (proc.stderr or "")[-2000:]
    return result


def _articles(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT id, content_hash FROM articles").fetchall())
    finally:
        conn.close()


def _check(db: Path) -> tuple[str, int, int, int]:
    """Integrity, articles, full-text rows and runs still marked running."""
    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        fts = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        running = conn.execute(
            "SELECT count(*) FROM ingest_runs WHERE status = 'running'"
        ).fetchone()[0]
        return integrity, articles, fts, running
    finally:
        conn.close()


def kills(trials: int, seed: int, workdir: Path) -> dict:
    rng = random.Random(seed)
    corpus = workdir / "kill-corpus"
    make_corpus(corpus, KILL_CORPUS_FILES, seed=seed + 1, specials=False)
    reference = workdir / "reference.db"
    started = time.monotonic()
    subprocess.run(
        wiretrace(reference, "ingest", "--no-stories", "--quiet", str(corpus)), capture_output=True
    )
    full_s = time.monotonic() - started
    expected = _articles(reference)
    print(
        f"kill corpus: {KILL_CORPUS_FILES} files, {len(expected)} articles, full ingest {full_s:.1f} s",
        flush=True,
    )
    db = workdir / "killed.db"
    bad_integrity = lost = duplicated = left_running = 0
    completions = 0
    for trial in range(1, trials + 1):
        proc = subprocess.Popen(
            wiretrace(db, "ingest", "--no-stories", "--quiet", str(corpus)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.2, max(1.0, min(full_s, KILL_WITHIN_S))))
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its workers, as a crash would
        except ProcessLookupError:
            pass
        proc.wait()
        integrity, _, _, _ = _check(db)
        bad_integrity += integrity != "ok"
        if trial % 10 == 0 or trial == trials:
            subprocess.run(
                wiretrace(db, "ingest", "--no-stories", "--quiet", str(corpus)), capture_output=True
            )
            completions += 1
            integrity, count, fts, running = _check(db)
            got = _articles(db)
            bad_integrity += integrity != "ok"
            lost += len(set(expected) - set(got))
            duplicated += (count - len(set(i for i, _ in got))) + abs(fts - count)
            left_running += running
            print(
                f"trial {trial}: integrity {integrity}, {count} articles (expected {len(expected)}), "
                f"lost {len(set(expected) - set(got))}, runs left running {running}",
                flush=True,
            )
    # the last word: a store built in one go now, by the same code, holds exactly what the
    # killed-and-resumed one does
    final_reference = workdir / "reference-final.db"
    subprocess.run(
        wiretrace(final_reference, "ingest", "--no-stories", "--quiet", str(corpus)),
        capture_output=True,
    )
    want, got = set(_articles(final_reference)), set(_articles(db))
    print(
        f"final: {len(got)} articles after {trials} kills, {len(want)} in a store built in one go",
        flush=True,
    )
    return {
        "trials": trials,
        "final_articles": len(got),
        "final_reference_articles": len(want),
        "final_missing": len(want - got),
        "final_extra": len(got - want),
        "completed_resumes": completions,
        "integrity_failures": bad_integrity,
        "articles_lost": lost,
        "articles_duplicated": duplicated,
        "runs_left_running_after_resume": left_running,
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--files", type=int, default=10_000, help="hostile files to generate and ingest"
    )
    ap.add_argument("--kills", type=int, default=100, help="kill -9 trials")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--doc-timeout", type=float, default=10.0, help="per-document budget passed to ingest"
    )
    ap.add_argument(
        "--workdir", type=Path, default=None, help="where to write (default: a temp folder)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wiretrace-fuzz-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.files:
            result = fuzz(args.files, args.seed, args.doc_timeout, workdir)
            print("fuzz:", json.dumps(result, indent=2), flush=True)
        if args.kills:
            result = kills(args.kills, args.seed, workdir)
            print("kill -9:", json.dumps(result, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
