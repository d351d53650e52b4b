"""Rich progress display for long runs (stderr only, quiet when not a terminal)."""

from __future__ import annotations

from collections.abc import Callable
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


def make_progress() -> Progress:
    """Stage name, bar, done/total, rate, elapsed and the time left (ETA) per stage."""
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
        disable=not err.is_terminal,
    )


class RichObserver(IngestObserver):
    """Shows documents read and each later stage; prints one line per failed file."""

    def __init__(self, progress: Progress, quiet: bool = False) -> None:
        self.progress = progress
        self.quiet = quiet
        self.docs = progress.add_task("reading documents", total=None)

    def document_done(self, path: str, ok: bool) -> None:
        self.progress.advance(self.docs)

    def error(self, path: str, code: str, message: str) -> None:
        if not self.quiet:
            self.progress.console.print(
                f"[red]✗[/] {escape(path)}: {escape(message)} [dim]({escape(code)})[/]", highlight=False
            )

    def stage_started(self, name: str, total: int) -> Callable[[int], None] | None:
        task = self.progress.add_task(escape(name), total=total)
        return lambda n=1: self.progress.advance(task, n)

    def stage_finished(self, name: str, summary: Any) -> None:
        pass
