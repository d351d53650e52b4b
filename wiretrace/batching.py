"""Fixed-size batches of a stream, for every loop that commits or ships work in batches (the
ingest pipeline, ``wiretrace import``). A module of its own so stages and the batch layer can
use it without importing the pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), read lazily from ``items``
    so a batch is processed before the next is read."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
