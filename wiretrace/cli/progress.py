"""Progress for long runs, on stderr only: a Rich display on a terminal, plain lines in a
log (a pipe, a file, CI), so a two-minute run is never silent there."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..pipeline import IngestObserver
from .app import err


class RateColumn(ProgressColumn):
    """Articles (or documents) per second over the task's recent progress."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")


# Seconds between two progress lines of one task when stderr is not a terminal: a log shows
# the run is alive every few seconds without a line per document (a two-minute ingest of a
# few thousand pages writes a few dozen lines). Chosen for readability, not measured.
LINE_INTERVAL_SECONDS = 5.0


@dataclass
class _LineTask:
    description: str
    total: int | None
    completed: int = 0
    started: float = 0.0
    printed: float = 0.0
    finished: bool = False


class LineProgress:
    """The part of ``rich.progress.Progress`` the commands use, written as plain lines:
    ``representations: 120/600 (3.2/s, 38s left)`` at most every ``interval`` seconds per
    task, and one line when a task completes (or when the run ends)."""

    def __init__(self, console: Any, interval: float = LINE_INTERVAL_SECONDS) -> None:
        self.console = console
        self.interval = interval
        self.tasks: list[_LineTask] = []

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        for task in self.tasks:
            if not task.finished and task.completed:
                self._line(task, done=True)

    def add_task(self, description: str, total: float | None = None, **_: Any) -> int:
        now = time.monotonic()
        self.tasks.append(_LineTask(description, None if total is None else int(total),
                                    started=now, printed=now))
        return len(self.tasks) - 1

    def advance(self, task_id: int, advance: float = 1) -> None:
        task = self.tasks[task_id]
        task.completed += int(advance)
        now = time.monotonic()
        if task.total is not None and task.completed >= task.total and not task.finished:
            self._line(task, done=True)
        elif now - task.printed >= self.interval:
            self._line(task)

    def _line(self, task: _LineTask, *, done: bool = False) -> None:
        now = time.monotonic()
        elapsed = max(now - task.started, 1e-9)
        rate = task.completed / elapsed
        count = f"{task.completed}/{task.total}" if task.total is not None else str(task.completed)
        if done:
            tail = f"done in {elapsed:.1f}s"
            task.finished = True
        else:
            tail = f"{rate:.1f}/s"
            if task.total and rate > 0:
                tail += f", {(task.total - task.completed) / rate:.0f}s left"
        task.printed = now
        self.console.print(f"{task.description}: {count} ({tail})", highlight=False,
                           markup=False)


def make_progress() -> Progress | LineProgress:
    """On a terminal: stage name, bar, done/total, rate, elapsed and the time left (ETA) per
    stage; elsewhere the same figures as plain lines (:class:`LineProgress`)."""
    if not err.is_terminal:
        return LineProgress(err)
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


class RichObserver(IngestObserver):
    """Shows documents read and each later stage; prints one line per failed file."""

    def __init__(
        self, progress: Progress | LineProgress, quiet: bool = False, *, documents: bool = True
    ) -> None:
        self.progress = progress
        self.quiet = quiet
        self.docs = progress.add_task("reading documents", total=None) if documents else None

    def document_done(self, path: str, ok: bool) -> None:
        if self.docs is not None:
            self.progress.advance(self.docs)

    def error(self, path: str, code: str, message: str) -> None:
        if not self.quiet:
            self.progress.console.print(
                f"[red]✗[/] {escape(path)}: {escape(message)} [dim]({escape(code)})[/]", highlight=False
            )

    def stage_started(self, name: str, total: int) -> Callable[[int], None] | None:
        label = escape(name) if isinstance(self.progress, Progress) else name
        task = self.progress.add_task(label, total=total)
        return lambda n=1: self.progress.advance(task, n)

    def stage_finished(self, name: str, summary: Any) -> None:
        pass
