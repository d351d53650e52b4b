"""Technique thresholds chosen together for micro-F1 (``eval/signals.py``), on synthetic
scores: a frequent, well-separated label and a rare label the model cannot tell apart."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "eval" / "signals.py"


@pytest.fixture(scope="module")
def ev():
    spec = importlib.util.spec_from_file_location("signals_eval", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["signals_eval"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("signals_eval", None)


def _micro(pred: np.ndarray, y: np.ndarray, ev) -> float:
    yb = y.astype(bool)
    return ev.f1(int((pred & yb).sum()), int((pred & ~yb).sum()), int((~pred & yb).sum()))


def _scores(seed: int, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.zeros((n, 2), np.int8)
    y[:, 0] = rng.random(n) < 0.3  # frequent, and the scores separate it
    y[:, 1] = rng.random(n) < 0.02  # rare, and its scores are noise
    p = np.empty((n, 2))
    p[:, 0] = np.clip(0.25 + 0.35 * y[:, 0] + rng.normal(0, 0.15, n), 0, 1)
    p[:, 1] = rng.random(n) * 0.3
    return p, y


def test_joint_thresholds_beat_per_label_ones_on_held_out_scores(ev):
    p, y = _scores(0)
    joint, own = ev.micro_thresholds(p, y), ev.label_thresholds(p, y)
    held_p, held_y = _scores(1)
    assert _micro(held_p >= joint, held_y, ev) > _micro(held_p >= own, held_y, ev)


def test_a_label_the_model_cannot_predict_is_switched_off(ev):
    p, y = _scores(2)
    joint = ev.micro_thresholds(p, y)
    assert not (p[:, 1] >= joint[1]).any()  # the noise label is never reported
    assert (p[:, 0] >= joint[0]).any()
    held_p, _ = _scores(4)
    assert not (held_p[:, 1] >= joint[1]).any()


def test_crossfit_thresholds_never_see_the_fold_they_score(ev):
    p, y = _scores(3, 1000)
    folds = np.arange(len(p)) % ev.FOLDS
    # a fold whose labels are all flipped must not change its own predictions
    flipped = y.copy()
    flipped[folds == 0] = 1 - flipped[folds == 0]
    a = ev.crossfit_predictions(p, y, folds)
    b = ev.crossfit_predictions(p, flipped, folds)
    assert (a[folds == 0] == b[folds == 0]).all()
    assert not (a[folds != 0] == b[folds != 0]).all()
