"""The shipped line and headline models: loading, checking and evaluating them.

Both are gradient-boosted trees of fixed depth stored as JSON arrays (``data/text_model.json``,
trained by ``eval/train_text_cleaner.py``); ``evaluate_trees`` walks all trees for all rows at
once with numpy. The file lists the features each model was trained on, in column order;
loading checks them against ``text_features`` and refuses a mismatch.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import ModelFeaturesError
from . import settings as S
from .text_features import FEATURE_NAMES, TITLE_FEATURE_NAMES
from .text_lines import _data

MODEL_FILE = "text_model.json"

@lru_cache(maxsize=1)
def _model() -> dict[str, Any] | None:
    """The trained line model (gradient-boosted trees over line features), if shipped."""
    try:
        model = _data(MODEL_FILE)
    except FileNotFoundError:
        return None
    check_features(model.get("features"), FEATURE_NAMES, "line model")
    model = as_runtime_model(model)
    if model.get("title_model"):
        check_features(model["title_model"].get("features"), TITLE_FEATURE_NAMES, "title model")
        model["title_model"] = as_runtime_model(model["title_model"])
    return model


def check_features(trained: list[str] | None, computed: list[str], which: str) -> None:
    """Refuse a model whose feature columns differ from the ones computed here: its trees
    would read the wrong columns and return confident nonsense."""
    if trained == computed:
        return
    if trained is None:
        raise ModelFeaturesError(f"the {which} does not list the features it was trained on",
                                 path=f"wiretrace/extract/data/{MODEL_FILE}")
    missing = [n for n in trained if n not in computed]
    extra = [n for n in computed if n not in trained]
    moved = next((f"column {i}: model {a!r}, computed {b!r}"
                  for i, (a, b) in enumerate(zip(trained, computed, strict=False)) if a != b), "")
    detail = "; ".join(part for part in (
        f"not computed: {', '.join(missing)}" if missing else "",
        f"not in the model: {', '.join(extra)}" if extra else "",
        moved if not (missing or extra) else "",
    ) if part)
    raise ModelFeaturesError(
        f"the {which} was trained on other features than the cleaner computes ({detail}); "
        "retrain it with eval/train_text_cleaner.py",
        path=f"wiretrace/extract/data/{MODEL_FILE}",
    )


def as_runtime_model(model: dict[str, Any]) -> dict[str, Any]:
    """Trees as numpy arrays (models are stored as JSON lists)."""
    if isinstance(model.get("feature"), np.ndarray):
        return model
    runtime = dict(model)
    runtime["feature"] = np.asarray(model["feature"], dtype=np.int64)
    runtime["threshold"] = np.asarray(model["threshold"], dtype=np.float64)
    runtime["value"] = np.asarray(model["value"], dtype=np.float64)
    return runtime


def predict_proba(rows: np.ndarray, model: dict[str, Any] | None = None) -> np.ndarray:
    """Probability that each line belongs to the body, from the boosted trees."""
    model = model if model is not None else _model()
    if model is None or len(rows) == 0:
        return _fallback_proba(rows)
    return evaluate_trees(rows, model)


def evaluate_trees(rows: np.ndarray, model: dict[str, Any]) -> np.ndarray:
    """Sigmoid of the base score plus every tree's leaf value, all rows at once.

    Trees are complete binary trees of ``depth`` levels stored breadth-first: node ``k``'s
    children are ``2k+1`` (feature value <= threshold) and ``2k+2``; leaves follow the
    ``2**depth - 1`` internal nodes.
    """
    feature, threshold, value = model["feature"], model["threshold"], model["value"]
    depth = int(model["depth"])
    n_internal = (1 << depth) - 1
    scores = np.full(len(rows), float(model["base"]))
    arange = np.arange(len(rows))
    for t in range(feature.shape[0]):
        node = np.zeros(len(rows), dtype=np.int64)
        for _ in range(depth):
            go_left = rows[arange, feature[t, node]] <= threshold[t, node]
            node = np.where(go_left, 2 * node + 1, 2 * node + 2)
        scores += value[t, node - n_internal]
    return 1.0 / (1.0 + np.exp(-scores))


def _fallback_proba(rows: np.ndarray) -> np.ndarray:
    """Without a trained model: prose lines inside the densest block."""
    if len(rows) == 0:
        return np.zeros(0)
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    prose = rows[:, col["prose"]]
    inside = rows[:, col["in_block"]]
    base, prose_weight, inside_weight = S.FALLBACK_LINE_PROBABILITY
    return np.clip(base + prose_weight * prose + inside_weight * inside, 0.0, 1.0)
