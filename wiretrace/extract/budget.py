"""The per-document budget: one page can never stall a run or exhaust memory.

Extraction runs in worker processes (:class:`WorkerPool`). The parent watches each worker's
wall-clock time and resident memory on the document it holds; a worker over budget is killed
and replaced, and the document gets an over-budget result while the run goes on. With one
worker the document runs in-process under a ``SIGALRM`` timer (:func:`run_in_process`), which
stops Python code but not a single long C call; the pre-checks in ``guards`` keep the known
C-heavy shapes out.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["DEFAULT_DOC_SECONDS", "Budget", "WorkerPool", "default_workers", "run_in_process"]

# A news page takes well under a second to extract (the bench/ingest.py median is ~50 ms); 30 s
# is the slowest legitimate page seen times ten, and short enough that a hostile page costs little.
DEFAULT_DOC_SECONDS = 30.0
# A worker holds its imports (~250 MB resident) plus one document; 2 GB leaves room for the
# largest page allowed by the guards, at most an eighth of the machine's memory per worker.
MAX_WORKER_MB = 2048
# How often the parent looks at workers' clocks and memory while it waits for results.
POLL_SECONDS = 0.2
# A worker that grew past this share of its memory budget is replaced after its document, so
# memory kept by one big page is not charged to the next.
RECYCLE_SHARE = 0.5
# Workers that die before they are ready, in a row, before the pool gives up on processes and
# runs the rest in-process (a broken installation, a machine out of processes).
MAX_START_FAILURES = 5
# Modules a fresh worker needs: imported once in the fork server, so replacing a killed worker
# costs a fork, not a second of imports.
PRELOAD = [
    "wiretrace.pipeline",
    "wiretrace.extract.html",
    "wiretrace.metadata",
    "wiretrace.language",
]


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _machine_mb() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 20)
    except (AttributeError, ValueError, OSError):
        return None


@dataclass(frozen=True)
class Budget:
    """What one document may use: wall-clock seconds and worker memory in MB (None: no cap)."""

    seconds: float | None = DEFAULT_DOC_SECONDS
    memory_mb: int | None = field(default=None)

    def memory_cap(self, workers: int) -> int | None:
        if self.memory_mb is not None:
            return self.memory_mb
        machine = _machine_mb()
        if machine is None:
            return MAX_WORKER_MB
        return max(512, min(MAX_WORKER_MB, machine // max(8, workers)))


OverBudget = Callable[[Any, str], Any]  # (item, reason) -> the result to report for it


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so library ``except Exception`` cannot swallow it."""


def run_in_process(
    func: Callable[[Any], Any], item: Any, seconds: float | None, over: OverBudget
) -> Any:
    """``func(item)`` here, stopped after ``seconds`` where a timer can interrupt it.

    Timers only work in the main thread (a web server's ingest runs elsewhere): there the
    pre-checks are the only guard.
    """
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        return func(item)

    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return func(item)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    except _Timeout:
        return over(item, f"over the time budget of {seconds:g} s")


def _rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux); None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)
    except (OSError, ValueError, IndexError):
        return None


def _watch_parent(parent: int) -> None:
    """Exit when the process that started us is gone (killed with -9, say)."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass


def _worker_main(
    conn: Connection, func: Callable[[Any], Any], warm: Callable[[], Any] | None, parent: int
) -> None:
    """Warm up, say so, then take (index, item) and send back (index, func(item)) until told
    to stop. Warming up first keeps one-time loading out of the first document's budget."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if warm is not None:
        try:
            warm()
        except Exception:  # noqa: BLE001 - a failed warm-up only means a slower first document
            pass
    try:
        conn.send(_READY)
    except OSError:
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, item = message
        result = func(item)
        try:
            conn.send((index, result))
        except (BrokenPipeError, OSError):
            return
        except Exception as exc:  # a result that cannot be pickled
            conn.send((index, _Unsendable(f"{type(exc).__name__}: {exc}")))


@dataclass
class _Unsendable:
    reason: str


_READY = "ready"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    index: int | None = None
    started: float = 0.0
    ready: bool = False


class WorkerPool:
    """Processes that run ``func`` on one item at a time, each item within ``budget``.

    ``over(item, reason)`` makes the result reported for an item whose worker was killed (over
    time or memory) or died. Workers start on first use and are replaced as they are killed.
    """

    def __init__(
        self,
        func: Callable[[Any], Any],
        workers: int,
        budget: Budget,
        over: OverBudget,
        warm: Callable[[], Any] | None = None,
    ) -> None:
        self.func = func
        self.warm = warm
        self.size = max(1, workers)
        self.budget = budget
        self.memory_mb = budget.memory_cap(self.size)
        self.over = over
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.workers: list[_Worker] = []
        self.killed = 0
        self.start_failures = 0

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main, args=(child_end, self.func, self.warm, os.getpid()), daemon=True
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _stop(self, worker: _Worker, *, kill: bool) -> None:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.conn.send(None)
            except OSError:
                worker.process.kill()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        worker.conn.close()

    def _replace(self, worker: _Worker, *, kill: bool) -> None:
        self._stop(worker, kill=kill)
        self.workers[self.workers.index(worker)] = self._start()

    def map(self, items: Sequence[Any]) -> list[Any]:
        """Results for ``items``, in order; an item over budget gets ``over``'s result."""
        if not items:
            return []
        while len(self.workers) < min(self.size, len(items)):
            self.workers.append(self._start())
        results: list[Any] = [None] * len(items)
        pending = deque(range(len(items)))
        busy: dict[Connection, _Worker] = {}
        while pending or busy:
            if self.start_failures >= MAX_START_FAILURES and not busy:
                for index in pending:  # no working processes: carry on here, under the timer
                    results[index] = run_in_process(
                        self.func, items[index], self.budget.seconds, self.over
                    )
                break
            for worker in list(self.workers):
                if not pending:
                    break
                if worker.ready and worker.index is None:
                    index = pending.popleft()
                    try:
                        worker.conn.send((index, items[index]))
                    except OSError:  # died while idle: replace it and try again
                        pending.appendleft(index)
                        self._replace(worker, kill=True)
                        continue
                    worker.index, worker.started = index, time.monotonic()
                    busy[worker.conn] = worker
            starting = {w.conn: w for w in self.workers if not w.ready}
            for conn in wait([*busy, *starting], timeout=POLL_SECONDS):
                if conn in starting:
                    self._started(starting[conn])  # type: ignore[index]
                    continue
                worker = busy.pop(conn)  # type: ignore[call-overload]
                index = worker.index
                assert index is not None
                try:
                    got, result = conn.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):
                    self._stop(worker, kill=True)
                    code = worker.process.exitcode
                    how = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
                    results[index] = self.over(items[index], f"the worker died ({how})")
                    self.workers[self.workers.index(worker)] = self._start()
                    continue
                if isinstance(result, _Unsendable):
                    result = self.over(
                        items[index], f"result could not be returned ({result.reason})"
                    )
                results[got] = result
                worker.index = None
                rss = _rss_mb(worker.process.pid)
                if self.memory_mb and rss is not None and rss > self.memory_mb * RECYCLE_SHARE:
                    self._replace(worker, kill=False)
            now = time.monotonic()
            for conn, worker in list(busy.items()):
                index = worker.index
                assert index is not None
                reason = None
                if self.budget.seconds is not None and now - worker.started > self.budget.seconds:
                    reason = f"over the time budget of {self.budget.seconds:g} s"
                elif self.memory_mb:
                    rss = _rss_mb(worker.process.pid)
                    if rss is not None and rss > self.memory_mb:
                        reason = f"over the memory budget of {self.memory_mb} MB"
                if reason is not None:
                    del busy[conn]
                    results[index] = self.over(items[index], reason)
                    self.killed += 1
                    self._replace(worker, kill=True)
        return results

    def _started(self, worker: _Worker) -> None:
        """Take a starting worker's ready message; replace it if it died on the way."""
        try:
            worker.ready = worker.conn.recv() == _READY
        except (EOFError, OSError):
            worker.ready = False
        if worker.ready:
            self.start_failures = 0
        else:
            self.start_failures += 1
            self._replace(worker, kill=True)

    def close(self) -> None:
        """Stop every worker (killing any still busy)."""
        for worker in self.workers:
            self._stop(worker, kill=worker.index is not None or not worker.ready)
        self.workers = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
