"""The one batching helper the ingest loop and ``wiretrace import`` share."""

from __future__ import annotations

from collections.abc import Iterator

from wiretrace.batching import batched


def test_batches_keep_order_and_the_last_one_is_short():
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched(range(6), 3)) == [[0, 1, 2], [3, 4, 5]]
    assert list(batched([], 3)) == []


def test_a_batch_is_handed_over_before_the_next_item_is_read():
    # ingest commits each batch before reading on: an interrupted run keeps what it committed
    read: list[int] = []

    def source() -> Iterator[int]:
        for i in range(5):
            read.append(i)
            yield i

    batches = batched(source(), 2)
    assert next(batches) == [0, 1]
    assert read == [0, 1]
    assert next(batches) == [2, 3]
    assert read == [0, 1, 2, 3]
