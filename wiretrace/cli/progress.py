"""Rich progress display for long runs (stderr only, quiet when not a terminal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ..pipeline import IngestObserver
from .app import err


def make_progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
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
            self.progress.console.print(f"[red]✗[/] {path}: {message} [dim]({code})[/]", highlight=False)

    def stage_started(self, name: str, total: int) -> Callable[[int], None] | None:
        task = self.progress.add_task(f"{name}", total=total)
        return lambda n=1: self.progress.advance(task, n)

    def stage_finished(self, name: str, summary: Any) -> None:
        pass
