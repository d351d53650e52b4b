"""The margin aligner: which sentences of two texts (any two languages) say the same thing.

A raw cosine between multilingual sentence vectors is inflated for some sentences ("hub"
sentences near everything); the ratio margin (Artetxe & Schwenk 2019) divides a pair's
cosine by the mean cosine of each side's ``k`` nearest neighbours, so a pair counts only
when it stands out from both sentences' neighbourhoods. Same-event scoring and the
provenance alignment both pair sentences with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Neighbours in the margin's denominator: the value of Artetxe & Schwenk's bitext mining;
# news articles of 10-40 sentences have few true counterparts per sentence.
MARGIN_K = 4


@dataclass(frozen=True)
class AlignedPair:
    a: int  # sentence index in the first text
    b: int  # sentence index in the second text
    cosine: float
    margin: float


def margin_matrix(sims: np.ndarray, k: int = MARGIN_K) -> np.ndarray:
    """Ratio margin of every pair: cos(x, y) / mean(kNN mean of x, kNN mean of y)."""
    if sims.size == 0:
        return sims
    ka, kb = min(k, sims.shape[1]), min(k, sims.shape[0])
    knn_a = np.sort(sims, axis=1)[:, -ka:].mean(axis=1)
    knn_b = np.sort(sims, axis=0)[-kb:, :].mean(axis=0)
    denom = (knn_a[:, None] + knn_b[None, :]) / 2.0
    return sims / np.maximum(denom, 1e-6)


def margin_scores(a: np.ndarray, b: np.ndarray, k: int = MARGIN_K) -> tuple[np.ndarray, np.ndarray]:
    """(cosines, ratio margins) between the rows of ``a`` and ``b`` (both L2-normalised)."""
    sims = np.asarray(a, np.float32) @ np.asarray(b, np.float32).T
    if sims.size == 0:
        return sims, sims
    return sims, margin_matrix(sims, k)


def mutual_best(margins: np.ndarray) -> list[tuple[int, int]]:
    """(i, j) pairs that are each other's best match by margin, in the order of ``i``."""
    if margins.size == 0:
        return []
    best_b = margins.argmax(axis=1)
    best_a = margins.argmax(axis=0)
    return [(i, int(j)) for i, j in enumerate(best_b) if best_a[j] == i]


def margin_align(
    a: np.ndarray, b: np.ndarray, k: int = MARGIN_K, min_margin: float = 1.0
) -> list[AlignedPair]:
    """Sentence pairs that are each other's best match by ratio margin, with margin above
    ``min_margin``; ordered by cosine, best first.

    Two one-sentence texts have no neighbourhood to compare against (their margin is exactly
    1): their single pair is returned and left to the caller's cosine floor.
    """
    sims, margins = margin_scores(a, b, k)
    if sims.size == 0:
        return []
    if sims.shape == (1, 1):
        return [AlignedPair(0, 0, float(sims[0, 0]), 1.0)]
    pairs = [
        AlignedPair(i, j, float(sims[i, j]), float(margins[i, j]))
        for i, j in mutual_best(margins)
        if margins[i, j] > min_margin
    ]
    pairs.sort(key=lambda p: p.cosine, reverse=True)
    return pairs
