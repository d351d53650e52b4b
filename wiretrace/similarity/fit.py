"""Fitting the scorer's combination on labelled pairs (numpy only).

``similarity`` is a logistic model trained with soft targets (graded labels mapped to 0..1),
so it stays a probability-like score; the same-event decision is a one-dimensional logistic
calibration of that score on binary labels. Both are small Newton (IRLS) solves with an L2
penalty, which keeps the handful of weights stable on a few hundred pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _newton_logistic(
    x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """Weights and intercept minimising cross-entropy(y, sigmoid(x w + b)) + l2/2 |w|^2.

    ``y`` may be soft (any value in 0..1).
    """
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -60, 60)))
        grad = xb.T @ (p - y) / n + penalty * w
        hess = (xb.T * (p * (1 - p))) @ xb / n + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def fit_similarity(
    x: np.ndarray, target: np.ndarray, feature_names: Sequence[str], l2: float = 0.01
) -> dict[str, Any]:
    """Fit the similarity model on features ``x`` (n, d) and soft targets in 0..1."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    coef, intercept = _newton_logistic((x - mean) / scale, target, l2)
    return {
        "features": list(feature_names),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": coef.tolist(),
        "intercept": intercept,
    }


def fit_monotone_similarity(
    x: np.ndarray,
    target: np.ndarray,
    feature_names: Sequence[str],
    l2: float = 0.01,
    free: Sequence[str] = (),
) -> dict[str, Any]:
    """Like :func:`fit_similarity`, but every feature not in ``free`` must raise similarity.

    Collinear evidence (document cosine, sentence coverage, best aligned pairs) otherwise
    earns cancelling weights of opposite sign that fit the training pairs and then punish,
    say, a faithful translation for matching too well. Features whose weight comes out
    negative are dropped one at a time (most negative first) and the rest refitted.
    """
    names = list(feature_names)
    while True:
        cols = [list(feature_names).index(n) for n in names]
        model = fit_similarity(x[:, cols], target, names, l2=l2)
        negative = [
            (c, n) for c, n in zip(model["coef"], names, strict=True) if c < 0 and n not in free
        ]
        if not negative:
            return model
        names.remove(min(negative)[1])


def predict_similarity(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Similarity for rows of ``x`` under a model dict from :func:`fit_similarity`."""
    z = ((x - np.asarray(model["mean"])) / np.asarray(model["scale"])) @ np.asarray(
        model["coef"]
    ) + model["intercept"]
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def fit_calibration(similarity: np.ndarray, same: np.ndarray, l2: float = 1e-4) -> dict[str, float]:
    """P(same event | similarity) as a 1-D logistic: ``{"slope", "intercept"}``."""
    coef, intercept = _newton_logistic(similarity[:, None].astype(np.float64), same.astype(float), l2)
    return {"slope": float(coef[0]), "intercept": intercept}


def fit_centering(
    articles: Sequence[Any], min_articles: int = 5, decimals: int = 4
) -> dict[str, Any]:
    """Per-language mean document and sentence vectors of ``articles`` (ArticleRepr-like:
    ``language``, ``doc_vector``, ``sentence_vectors``), as the model's ``centering`` table.

    Languages with fewer than ``min_articles`` articles get no entry of their own (their mean
    would carry the topics of those few articles, not the language) and use the global mean.
    """
    docs: dict[str, list[np.ndarray]] = {}
    sentences: dict[str, list[np.ndarray]] = {}
    for article in articles:
        lang = article.language or ""
        docs.setdefault(lang, []).append(np.asarray(article.doc_vector, np.float64))
        if len(article.sentence_vectors):
            sentences.setdefault(lang, []).append(np.asarray(article.sentence_vectors, np.float64))

    def mean(rows: list[np.ndarray]) -> list[float]:
        return np.round(np.vstack(rows).mean(axis=0), decimals).tolist()

    keep = sorted(lang for lang, rows in docs.items() if lang and len(rows) >= min_articles)
    doc_global = mean([v for rows in docs.values() for v in rows])
    all_sentences = [v for rows in sentences.values() for v in rows]
    return {
        "doc": {lang: mean(docs[lang]) for lang in keep},
        "sentence": {lang: mean(sentences[lang]) for lang in keep if lang in sentences},
        "doc_global": doc_global,
        "sentence_global": mean(all_sentences) if all_sentences else doc_global,
    }


def pearson(a: Sequence[float], b: Sequence[float]) -> float:
    """Pearson correlation (0.0 when either side is constant)."""
    x, y = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def kfold_indices(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    """``k`` disjoint held-out index sets covering ``range(n)`` (shuffled with ``seed``)."""
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


__all__ = [
    "fit_centering",
    "fit_calibration",
    "fit_monotone_similarity",
    "fit_similarity",
    "kfold_indices",
    "pearson",
    "predict_similarity",
]
