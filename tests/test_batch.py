"""``wiretrace batch`` on a real local Ray cluster (a head and a second worker node on
127.0.0.1, started with ``ray start``) against the single-machine ``ingest`` on the same input
(the bundled sample corpus and a generated corpus of 3,000 articles): the same stories
(membership, ids, links), traces and entities; bad input as error rows; a re-run that skips
what is done; worker processes killed mid-run that change nothing.

Both paths embed with the cheap deterministic ``HashBackend`` (tests/test_batch_support.py),
so the comparison is exact and fast; everything else is the shipped pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed: pip install 'wiretrace[ray]'")

import wiretrace  # noqa: E402
from wiretrace.adapters.signals import trace_signals  # noqa: E402
from wiretrace.batch import import_dataset, run_batch  # noqa: E402
from wiretrace.batch.dataset import Dataset  # noqa: E402
from wiretrace.pipeline import ingest  # noqa: E402
from wiretrace.store import open_store  # noqa: E402
from wiretrace.store.signals import latest_signals  # noqa: E402

from .test_batch_support import BackgroundIngest, HashBackend, write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "wiretrace" / "data" / "sample" / "articles"
RAY = str(Path(sys.executable).with_name("ray"))
# The generated corpus: 60 events told by 6 outlets each, and 2,640 reports nobody else
# covers (most of a real feed): 3,000 articles, 55 files of JSONL and a bad file.
EVENTS, PER_EVENT, SINGLES = 60, 6, 2640
# A fine grain (many small units of work) gives the killed-worker run work to interrupt.
GRAIN = {"files_per_unit": 2, "articles_per_part": 250}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _session_pids(session: int) -> list[int]:
    """Processes of one session (the cluster's nodes and their workers)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[3]) == session:  # field 6 of stat: the session id
            out.append(int(entry))
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Cluster:
    """A head and one worker node, each one CPU, in their own sessions and temp folder."""

    def __init__(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="wt-ray-")
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.nodes: list[subprocess.Popen[bytes]] = []
        # a private cluster on the loopback address, without the token Ray 2.60 asks by default
        env = {**os.environ, "RAY_TMPDIR": self.tmp, "RAY_USAGE_STATS_ENABLED": "0",
               "RAY_AUTH_MODE": "disabled", "PYTHONPATH": str(ROOT)}
        self.env = env
        common = ["--num-cpus", "1", "--object-store-memory", str(80 * 1024 * 1024),
                  "--disable-usage-stats", "--block"]
        try:
            self._boot(common, env)
        except BaseException:
            self.stop()
            raise

    def _boot(self, common: list[str], env: dict[str, str]) -> None:
        self._start([RAY, "start", "--head", "--node-ip-address", "127.0.0.1",
                     "--port", str(self.port), "--temp-dir", self.tmp,
                     "--include-dashboard", "false", *common], env)
        self._wait_nodes(1)
        self._start([RAY, "start", "--address", self.address, "--node-ip-address", "127.0.0.1",
                     *common], env)
        self._wait_nodes(2)

    def _start(self, cmd: list[str], env: dict[str, str]) -> None:
        log = open(Path(self.tmp) / f"node-{len(self.nodes)}.log", "wb")  # noqa: SIM115
        self.nodes.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True, cwd=str(ROOT)))

    def _wait_nodes(self, n: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            probe = subprocess.run(
                [RAY, "status", "--address", self.address], capture_output=True, text=True,
                env=self.env,
            )
            if probe.returncode == 0 and probe.stdout.count("node_") >= n:
                return
            time.sleep(1.0)
        raise RuntimeError(f"the Ray cluster did not come up with {n} nodes:\n{probe.stdout}{probe.stderr}")

    def worker_pids(self) -> list[int]:
        """Task and actor processes (``ray::...``) currently running work on either node."""
        pids = []
        for node in self.nodes:
            for pid in _session_pids(node.pid):
                line = _cmdline(pid)
                name = line.split(" ")[0]
                # ray::IDLE waits for work; the agents (ray::DashboardAgent, ...) are part of
                # the node itself: killing one takes its raylet and every process on it down
                if name.startswith("ray::") and name != "ray::IDLE" and "Agent" not in name:
                    pids.append(pid)
        return pids

    def stop(self) -> None:
        for node in reversed(self.nodes):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(node.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    node.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue
            for pid in _session_pids(node.pid):  # anything left in the node's session
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    c = Cluster()
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def hash_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads in this process that may embed (a trace recomputed) use the test backend too."""
    import wiretrace.adapters.stories as story_adapter
    import wiretrace.embeddings as embeddings
    import wiretrace.representations as representations
    import wiretrace.store.representations as stored

    backend = HashBackend()
    for module in (embeddings, representations, stored, story_adapter):
        monkeypatch.setattr(module, "get_backend", lambda spec=None: backend)


def _plain(value: Any) -> Any:
    """A record without the times it was computed at or took."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()
                if k not in ("seconds", "computed_at", "stored_at", "updated_at", "created_at")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _assert_same_stories_and_traces(single: Any, imported: Any) -> list[dict[str, Any]]:
    stories = wiretrace.list_stories(single)
    assert _plain(wiretrace.list_stories(imported)) == _plain(stories)
    traced = [s for s in stories if len(s["articles"]) > 1]
    assert traced, "the corpus should hold stories of several articles"
    for story in traced:
        assert _plain(wiretrace.trace_story(imported, story["id"])) == _plain(
            wiretrace.trace_story(single, story["id"])), story["id"]
    return stories


def _tables(root: Path) -> dict[str, list[dict[str, Any]]]:
    ds = Dataset(root)
    out = {}
    for table in ("articles", "stories", "members", "traces", "entities", "mentions", "signals",
                  "errors"):
        rows = list(ds.rows(table))
        if table == "traces":
            rows = [{**r, "trace_json": _plain(json.loads(r["trace_json"]))} for r in rows]
        out[table] = rows
    return out


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch-corpus")
    write_corpus(folder, EVENTS, PER_EVENT, singles=SINGLES)
    return folder


@pytest.fixture(scope="session", autouse=True)
def single_paths(corpus: Path, tmp_path_factory: pytest.TempPathFactory,
                 ) -> Iterator[dict[str, BackgroundIngest]]:
    """The single-machine path on both corpora, started before the cluster boots and run
    beside it (child processes): the stores the batch results are compared with."""
    folder = tmp_path_factory.mktemp("single")
    runs = {
        "sample": BackgroundIngest(SAMPLE, folder / "sample.db",
                                   ("representations", "stories", "entities", "traces",
                                    "signals")),
        "generated": BackgroundIngest(corpus, folder / "generated.db",
                                      ("representations", "stories", "traces")),
    }
    try:
        yield runs
    finally:
        for run in runs.values():
            run.stop()


@dataclass
class KilledRun:
    out: Path
    killed: list[int]


@pytest.fixture(scope="session")
def corpus_dataset(cluster: Cluster, corpus: Path, tmp_path_factory: pytest.TempPathFactory,
                   ) -> KilledRun:
    """The generated corpus through ``batch``, with two worker processes running its tasks
    killed (SIGKILL) on the way: what it writes must equal ``ingest``'s result all the same."""
    out = tmp_path_factory.mktemp("batch-out") / "dataset"
    killed: list[int] = []
    stop = threading.Event()

    def killer() -> None:
        # once the run has started work, kill a process running a task or an actor, twice
        started = out / "_work" / "extract"
        while not stop.is_set() and not (started.is_dir() and any(started.glob("*.done"))):
            time.sleep(0.05)
        while not stop.is_set() and len(killed) < 2:
            busy = cluster.worker_pids()
            if busy:
                os.kill(busy[0], signal.SIGKILL)
                killed.append(busy[0])
                time.sleep(3.0)
            time.sleep(0.05)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        run_batch([str(corpus)], out, address=cluster.address, backend=HashBackend, **GRAIN)
    finally:
        stop.set()
        thread.join()
    return KilledRun(out, killed)


def test_sample_corpus_through_batch_equals_ingest(
    cluster: Cluster, single_paths: dict[str, BackgroundIngest], tmp_path: Path,
    hash_backend: None,
) -> None:
    out = tmp_path / "sample-dataset"
    report = run_batch([str(SAMPLE)], out, address=cluster.address, backend=HashBackend)
    assert report.failed == 0 and report.articles > 50

    # Parquet that pandas-style readers take as it is, one row per article, story and member
    tables = _tables(out)
    ids = [a["id"] for a in tables["articles"]]
    assert len(ids) == len(set(ids)) == report.articles
    members = {m["article_id"] for m in tables["members"]}
    assert members == set(ids)
    assert sum(s["size"] for s in tables["stories"]) == len(ids)

    single = open_store(single_paths["sample"].wait())
    imported = open_store(tmp_path / "imported.db")
    summary = import_dataset(imported, out)
    assert summary.articles == len(ids)

    # signals: the dataset's and, stored by the import before any read could compute one,
    # the imported store's are ingest's (same version key, same values)
    expected = {aid: latest_signals(single, aid, single.get_article(aid).content_hash)
                for aid in ids}
    assert all(v is not None for v in expected.values())
    assert {s["article_id"]: (s["model_version"], json.loads(s["signals_json"]))
            for s in tables["signals"]} == expected
    assert {aid: latest_signals(imported, aid, imported.get_article(aid).content_hash)
            for aid in ids} == expected
    names = sorted({n for s in tables["signals"] for n in s["names"]})
    assert len(names) > 1
    for name in names:  # the signal filter of `stories` reads what the import stored
        assert _plain(wiretrace.list_stories(imported, signal=name)) == _plain(
            wiretrace.list_stories(single, signal=name)), name

    stories = _assert_same_stories_and_traces(single, imported)
    for story in (s for s in stories if len(s["articles"]) > 1):
        # what `trace --json` prints: each article's signals in its entry
        both = [trace_signals(store, wiretrace.trace_story(store, story["id"]), story["id"])
                for store in (single, imported)]
        assert _plain(both[0]) == _plain(both[1])
        assert all("signals" in e for e in both[1]["articles"].values())
    assert _plain(wiretrace.list_entities(imported)) == _plain(wiretrace.list_entities(single))
    before = _plain(wiretrace.list_stories(imported))
    assert import_dataset(imported, out).articles == 0  # the same dataset again: nothing new
    assert _plain(wiretrace.list_stories(imported)) == before

    # the command line: a filtered import keeps only what the filter selects
    db = tmp_path / "bg.db"
    done = subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "import", str(out), "--lang", "bg",
         "--json"], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["articles"] == sum(
        1 for a in tables["articles"] if a["language"] == "bg") > 0
    listed = subprocess.run(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "stories", "--json"],
        capture_output=True, text=True, cwd=str(ROOT))
    assert listed.returncode == 0, listed.stderr
    assert {"bg"} == {lang for s in json.loads(listed.stdout) for lang in s["languages"]}

    # the whole dataset into that store: the other articles join its collection as an ingest
    # of the same inputs into a copy of it adds them (stories, traces, entities, signals)
    reference = tmp_path / "reference.db"
    shutil.copy(db, reference)
    by_ingest = open_store(reference)
    ingest(by_ingest, [str(SAMPLE)])
    into = open_store(db)
    added = import_dataset(into, out)
    assert added.articles == len(ids) - json.loads(done.stdout)["articles"]
    stories = _assert_same_stories_and_traces(by_ingest, into)
    assert sorted(a for s in stories for a in s["articles"]) == sorted(ids)  # each once
    assert _plain(wiretrace.list_entities(into)) == _plain(wiretrace.list_entities(by_ingest))
    assert {a: latest_signals(into, a, into.get_article(a).content_hash) for a in ids} == {
        a: latest_signals(by_ingest, a, by_ingest.get_article(a).content_hash) for a in ids}
    assert import_dataset(into, out).articles == 0


def test_generated_corpus_through_batch_equals_ingest_with_bad_input_as_rows(
    corpus: Path, corpus_dataset: KilledRun, cluster: Cluster,
    single_paths: dict[str, BackgroundIngest], tmp_path: Path, hash_backend: None,
) -> None:
    tables = _tables(corpus_dataset.out)
    assert len(tables["articles"]) == EVENTS * PER_EVENT + SINGLES
    reasons = {(Path(e["path"].split(":")[0]).name, e["code"]) for e in tables["errors"]}
    assert reasons == {("zz-binary.txt", "E102"), ("feed-000.jsonl", "E106")}  # and no other

    single = open_store(single_paths["generated"].wait())
    imported = open_store(tmp_path / "imported.db")
    import_dataset(imported, corpus_dataset.out)
    stories = _assert_same_stories_and_traces(single, imported)
    sizes = [len(s["articles"]) for s in stories]
    assert sum(1 for n in sizes if n > 1) >= EVENTS / 2  # reports of one event did join
    assert sum(1 for n in sizes if n == 1) >= SINGLES  # and the lone reports stayed alone

    # a re-run on the same folder does nothing again and changes nothing
    again = run_batch([str(corpus)], corpus_dataset.out, address=cluster.address,
                      backend=HashBackend, **GRAIN)
    assert set(again.steps.values()) == {"done before"}
    assert _tables(corpus_dataset.out) == tables


def test_a_worker_killed_mid_run_leaves_no_duplicates_and_no_gaps(
    corpus_dataset: KilledRun,
) -> None:
    """The run above lost worker processes and still equals ``ingest``; here its tables are
    checked for what a retry could break: each row once, every article in every table."""
    assert corpus_dataset.killed, "no worker process was seen running work"
    tables = _tables(corpus_dataset.out)
    ids = [a["id"] for a in tables["articles"]]
    assert len(ids) == len(set(ids)) == EVENTS * PER_EVENT + SINGLES
    assert sorted(m["article_id"] for m in tables["members"]) == sorted(ids)
    assert sorted(a for s in tables["stories"] for a in s["articles"]) == sorted(ids)
    reprs = [r["id"] for r in Dataset(corpus_dataset.out).rows("representations", ["id"])]
    assert sorted(reprs) == sorted(ids)
    spans = [(m["article_id"], m["start"], m["end"]) for m in tables["mentions"]]
    assert len(spans) == len(set(spans)) and set(ids) >= {a for a, _, _ in spans}
    assert all(m["entity_id"] for m in tables["mentions"])
    traced = [t["story_id"] for t in tables["traces"]]
    assert sorted(traced) == sorted(s["id"] for s in tables["stories"] if s["size"] > 1)


def test_the_batch_command_with_the_shipped_model(cluster: Cluster, tmp_path: Path) -> None:
    """The command as a user runs it: the default model, a bad line reported, exit 1."""
    feed = tmp_path / "feed.jsonl"
    records = [
        {"id": "a", "title": "Port of Tallinn to close for repairs",
         "text": "The port of Tallinn will close for two weeks of repairs, officials said.",
         "published": "2025-03-03T09:00:00Z", "outlet": "Baltic Wire"},
        {"id": "b", "title": "Tallinn port shuts for repairs",
         "text": "Tallinn's port shuts for two weeks from Monday for repairs, the city said.",
         "published": "2025-03-03T11:00:00Z", "outlet": "Harbour Times"},
    ]
    feed.write_text("\n".join(json.dumps(r) for r in records) + "\n{\"id\": \"c\", \"text\":\n",
                    encoding="utf-8")
    out = tmp_path / "dataset"
    done = subprocess.run(
        [sys.executable, "-m", "wiretrace", "batch", str(feed), "--out", str(out), "--ray",
         cluster.address, "--json"], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 1, done.stderr  # one line failed, and was reported
    summary = json.loads(done.stdout)
    assert (summary["articles"], summary["failed"]) == (2, 1)
    errors = list(Dataset(out).rows("errors"))
    assert [e["path"] for e in errors] == [f"{feed}:3"]
    backend = json.loads((out / "dataset.json").read_text())["backend"]
    assert backend and not any(name.startswith("test-") for name in backend)
