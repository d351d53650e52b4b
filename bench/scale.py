"""Scale-out: the single-process pipeline against ``wiretrace batch`` on a local Ray cluster
with 1 and with 2 worker processes, on the same generated corpus.

Prints articles/s for each, the ratio of the Ray path to the single-process path (at 1 worker
it is the cost of Ray's scheduling and the dataset's I/O: the issue asks it to stay above
0.8, i.e. under 25% overhead), seconds per step, and peak memory (VmHWM) of the driver and of
each Ray worker process. Both paths run the same stages (extraction, representations,
stories, entities, traces, signals) with the same embedding backend: the hashed
bag-of-words backend of the batch tests by default (``--model`` uses the shipped model, whose
cost then dominates both sides). The clusters are started with ``ray start`` in a private temp
folder and stopped by process group; nothing else on the machine is touched.

The machine may be shared: compare the ratios, and read the load average printed with them.

    python bench/scale.py [--events 100] [--per-event 6] [--singles 0] [--model] [--workers 1 2]

``--allsides`` instead runs the AllSides dev set (../shared/data) with the shipped model
through ``ingest`` and through ``batch`` (2 workers) and prints both B-cubed F1 against the
labelled events, scored as eval/clustering.py scores them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RAY = str(Path(sys.executable).with_name("ray"))
STAGES = ("representations", "stories", "entities", "traces", "signals")  # the dataset's


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _session_pids(session: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2 :].split()[3]) == session:
                out.append(int(entry))
    return out


def _is_worker(pid: int) -> bool:
    """A task or actor process (its title ``ray::NAME``), not one of the node's agents."""
    try:
        name = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].split(b" ")[0]
    except OSError:
        return False
    return name.startswith(b"ray::") and b"Agent" not in name


def single(corpus: Path, model: bool, work: Path) -> dict[str, Any]:
    """The single-process path in this process (peak RSS read after it)."""
    from wiretrace.pipeline import ingest, run_pending_stages, store_stages
    from wiretrace.store import open_store

    if not model:
        _hash_backend_everywhere()
    store = open_store(work / "single.db")
    t0 = time.perf_counter()
    report = ingest(store, [str(corpus)], run_stages=False)
    extract = time.perf_counter() - t0
    stages = run_pending_stages(store, stages=[s for s in store_stages() if s.name in STAGES])
    total = time.perf_counter() - t0
    store.close()
    return {
        "articles": report.new, "seconds": round(total, 2),
        "steps": {"extract": round(extract, 2),
                  **{k: v.get("seconds") for k, v in stages.items() if isinstance(v, dict)}},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


class Cluster:
    def __init__(self, workers: int) -> None:
        self.tmp = tempfile.mkdtemp(prefix="wt-scale-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"127.0.0.1:{port}"
        env = {**os.environ, "RAY_TMPDIR": self.tmp, "RAY_AUTH_MODE": "disabled",
               "PYTHONPATH": str(ROOT)}
        log = open(Path(self.tmp) / "head.log", "wb")  # noqa: SIM115
        self.head = subprocess.Popen(
            [RAY, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
             "--num-cpus", str(workers), "--temp-dir", self.tmp, "--include-dashboard", "false",
             "--disable-usage-stats", "--block"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=str(ROOT))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            probe = subprocess.run([RAY, "status", "--address", self.address],
                                   capture_output=True, env=env)
            if probe.returncode == 0:
                break
            time.sleep(1)
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._sample, daemon=True)
        self._watch.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in _session_pids(self.head.pid):
                if _is_worker(pid):
                    self.peaks[pid] = max(self.peaks.get(pid, 0), _status_kb(pid, "VmHWM"))
            time.sleep(0.5)

    def stop(self) -> None:
        self._stop.set()
        self._watch.join()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.head.pid, sig)
                self.head.wait(timeout=20)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        for pid in _session_pids(self.head.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def batch(corpus: Path, model: bool, work: Path, workers: int) -> dict[str, Any]:
    from tests.test_batch_support import HashBackend
    from wiretrace.batch import run_batch

    cluster = Cluster(workers)
    try:
        t0 = time.perf_counter()
        report = run_batch([str(corpus)], work / f"dataset-{workers}", address=cluster.address,
                           workers=workers, backend=None if model else HashBackend)
        seconds = time.perf_counter() - t0
    finally:
        cluster.stop()
    peaks = sorted(cluster.peaks.values(), reverse=True)
    return {
        "articles": report.articles, "seconds": round(seconds, 2), "steps": report.steps,
        "worker_processes": len(peaks),
        "peak_rss_mb_per_worker": [round(p / 1024, 1) for p in peaks[:8]],
    }


def _hash_backend_everywhere() -> Any:
    """The test backend wherever the single-machine path asks for the default one."""
    import wiretrace.adapters.stories as story_adapter
    import wiretrace.embeddings as embeddings
    import wiretrace.representations as representations
    import wiretrace.store.representations as stored
    from tests.test_batch_support import HashBackend

    backend = HashBackend()
    for module in (embeddings, representations, stored, story_adapter):
        module.get_backend = lambda spec=None, b=backend: b  # type: ignore[attr-defined]
    return HashBackend


def allsides(work: Path, workers: int, model: bool) -> dict[str, Any]:
    """B-cubed F1 of the AllSides dev stories through ``ingest`` and through ``batch``."""
    sys.path.insert(0, str(ROOT / "eval"))
    from clustering import ALLSIDES, bcubed, load_allsides  # type: ignore[import-not-found]

    from wiretrace.batch.dataset import Dataset

    rows = load_allsides(ALLSIDES)
    gold = {str(r["id"]): str(r["event"]) for r in rows}
    corpus = work / "allsides"
    corpus.mkdir(parents=True, exist_ok=True)
    with (corpus / "allsides.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:  # the labels stay out of the input
            fh.write(json.dumps({k: v for k, v in r.items() if k not in ("event", "topic")},
                                ensure_ascii=False) + "\n")
    from wiretrace.pipeline import ingest, run_pending_stages, store_stages
    from wiretrace.store import open_store

    factory = None if model else _hash_backend_everywhere()
    store = open_store(work / "allsides.db")
    ingest(store, [str(corpus)], run_stages=False)
    run_pending_stages(store, stages=[s for s in store_stages()
                                      if s.name in ("representations", "stories")])
    from wiretrace.store.stories import story_index

    single = story_index(store)
    store.close()
    out: dict[str, Any] = {"single": bcubed({a: single.get(a, "none:" + a) for a in gold}, gold)}
    cluster = Cluster(workers)
    try:
        from wiretrace.batch import run_batch

        run_batch([str(corpus)], work / "allsides-dataset", address=cluster.address,
                  workers=workers, backend=factory)
    finally:
        cluster.stop()
    members = {m["article_id"]: m["story_id"]
               for m in Dataset(work / "allsides-dataset").rows("members")}
    out["batch"] = bcubed({a: members.get(a, "none:" + a) for a in gold}, gold)
    out["same_stories"] = single == members
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--per-event", type=int, default=6)
    parser.add_argument("--singles", type=int, default=0,
                        help="reports of events nobody else covers, added to the corpus")
    parser.add_argument("--model", action="store_true", help="embed with the shipped model")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, help="keep the corpus, store and datasets here")
    parser.add_argument("--allsides", action="store_true",
                        help="B-cubed of the AllSides dev set through ingest and through batch")
    args = parser.parse_args()
    if args.allsides:
        work = args.keep or Path(tempfile.mkdtemp(prefix="wt-bench-allsides-"))
        found = allsides(work, max(args.workers), args.model)
        print(f"AllSides dev, {'shipped model' if args.model else 'test backend (hashed)'}:")
        for name in ("single", "batch"):
            p, r, f = found[name]
            print(f"{name:>6}: B3 P={p:.3f} R={r:.3f} F1={f:.3f}")
        print(f"same stories: {found['same_stories']}")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return 0

    from tests.test_batch_support import write_corpus

    work = args.keep or Path(tempfile.mkdtemp(prefix="wt-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    write_corpus(corpus, args.events, args.per_event, singles=args.singles)
    print(f"corpus: {args.events * args.per_event + args.singles} articles in {corpus}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    results: dict[str, Any] = {}
    # the single-process run goes in a child process, so its memory is its own
    child = subprocess.run(
        [sys.executable, __file__, "--_single", str(corpus), str(work),
         *(["--model"] if args.model else [])], capture_output=True, text=True)
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        return 1
    results["single"] = json.loads(child.stdout.strip().splitlines()[-1])
    base = results["single"]["articles"] / results["single"]["seconds"]
    print(f"single process: {base:.1f} articles/s  {json.dumps(results['single'])}", flush=True)
    for n in args.workers:
        run = batch(corpus, args.model, work, n)
        rate = run["articles"] / run["seconds"]
        run["ratio_to_single"] = round(rate / base, 3)
        results[f"batch-{n}"] = run
        print(f"batch, {n} worker(s): {rate:.1f} articles/s, ratio {rate / base:.2f}  "
              f"{json.dumps(run)}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(json.dumps(results))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_single":
        print(json.dumps(single(Path(sys.argv[2]), "--model" in sys.argv, Path(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
