"""The stage contract: each stage's name, version, what it reads and what it writes.

Every stage module declares one ``Stage`` (spaCy-components style) next to the code it runs.
``process`` is pure: records in, records out, no store and no hidden globals, so the same
contract can be scheduled by the local pipeline, a process pool or a distributed runner; the
runner supplies the adapter that loads a stage's inputs and persists what it writes (for the
local pipeline, ``wiretrace.pipeline`` over ``wiretrace.store``). ``validate_chain`` checks at
start-up that every requirement is written by an earlier stage or given to the run, so a
mis-ordered or missing stage is a clear error before any document is read.

Names of the data a stage reads or writes are plain strings (``"document"``, ``"cleaned"``,
``"article"``, ``"representations"`` ...); they only have to agree between stages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import StageChainError


@dataclass(frozen=True)
class Stage:
    """One stage's contract.

    ``process`` takes one record (``per_record=True``: a raw document, an article) or one
    batch (a list of records) and returns the stage's output for it, touching nothing else.
    ``version`` changes when the output for the same input changes, so stored results of an
    older version are recomputed.
    """

    name: str
    version: int
    requires: tuple[str, ...]
    writes: tuple[str, ...]
    process: Callable[..., Any]
    per_record: bool = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.process(*args, **kwargs)

    def map(self, records: Iterable[Any], **kwargs: Any) -> list[Any]:
        """The stage over a batch: one call per record for per-record stages, else one call."""
        if self.per_record:
            return [self.process(record, **kwargs) for record in records]
        return list(self.process(list(records), **kwargs))


def validate_chain(stages: Sequence[Stage], given: Iterable[str]) -> None:
    """Raise ``StageChainError`` unless each stage's requirements are ``given`` to the run or
    written by a stage before it, and no two stages share a name."""
    available = set(given)
    seen: set[str] = set()
    for stage in stages:
        if stage.name in seen:
            raise StageChainError(f"stage {stage.name!r} appears twice in the chain")
        seen.add(stage.name)
        missing = [need for need in stage.requires if need not in available]
        if missing:
            have = ", ".join(sorted(available)) or "nothing"
            raise StageChainError(
                f"stage {stage.name!r} requires {', '.join(map(repr, missing))}, which no earlier "
                f"stage writes (available: {have})"
            )
        available.update(stage.writes)


__all__ = ["Stage", "StageChainError", "validate_chain"]
