"""The margin aligner shared by same-event scoring and provenance alignment."""

from __future__ import annotations

import numpy as np

from wiretrace.lang.align import margin_align, margin_matrix, margin_scores, mutual_best


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_a_shuffled_paraphrase_is_paired_back_in_order() -> None:
    rng = np.random.default_rng(3)
    a = _unit(rng.normal(size=(12, 48)))
    order = rng.permutation(12)
    b = _unit(a[order] + 0.3 * rng.normal(size=(12, 48)))
    pairs = margin_align(a, b)
    assert {(p.a, p.b) for p in pairs} == {(int(order[j]), j) for j in range(12)}
    assert [p.cosine for p in pairs] == sorted((p.cosine for p in pairs), reverse=True)


def test_a_hub_sentence_close_to_everything_is_not_paired() -> None:
    rng = np.random.default_rng(5)
    a = _unit(rng.normal(size=(8, 32)))
    hub = _unit(a.mean(axis=0, keepdims=True))
    sims = np.vstack([a, hub]) @ a.T
    margins = margin_matrix(sims)
    assert (8, 0) not in {(i, j) for i, j in mutual_best(margins)}
    assert margins[:8].diagonal().min() > margins[8].max()  # true pairs stand out, the hub does not


def test_margins_divide_by_each_side_neighbourhood() -> None:
    sims = np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32)
    margins = margin_matrix(sims, k=2)
    expected = 0.9 / ((0.5 + 0.55) / 2)  # row mean 0.5, column mean 0.55
    assert abs(float(margins[0, 0]) - expected) < 1e-6
    assert mutual_best(margins) == [(0, 0), (1, 1)]


def test_edges() -> None:
    a = _unit(np.random.default_rng(1).normal(size=(3, 16)))
    assert margin_align(a, np.zeros((0, 16))) == []
    sims, margins = margin_scores(a, np.zeros((0, 16)))
    assert sims.size == 0 and margins.size == 0
    lone = margin_align(a[:1], a[1:2])
    assert len(lone) == 1 and lone[0].margin == 1.0
    assert mutual_best(np.zeros((0, 0))) == []
