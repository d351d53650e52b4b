"""The shipped linear models: paragraph persuasion techniques and article genre.

Weights live in ``data/*.npz`` (int8 per bucket and label, one scale per label), written by
``eval/signals.py --fit``. Scoring is a sparse dot product in numpy; no training library is
needed at run time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelUnavailableError
from . import features as F

DATA = Path(__file__).resolve().parent / "data"
TECHNIQUES_PATH = DATA / "techniques.npz"
GENRE_PATH = DATA / "genre.npz"

# The 23 persuasion techniques of SemEval-2023 Task 3, subtask 3, spelled as the task spells them.
TECHNIQUES = (
    "Appeal_to_Authority", "Appeal_to_Fear-Prejudice", "Appeal_to_Hypocrisy",
    "Appeal_to_Popularity", "Appeal_to_Time", "Appeal_to_Values", "Causal_Oversimplification",
    "Consequential_Oversimplification", "Conversation_Killer", "Doubt",
    "Exaggeration-Minimisation", "False_Dilemma-No_Choice", "Flag_Waving",
    "Guilt_by_Association", "Loaded_Language", "Name_Calling-Labeling",
    "Obfuscation-Vagueness-Confusion", "Questioning_the_Reputation", "Red_Herring", "Repetition",
    "Slogans", "Straw_Man", "Whataboutism",
)
GENRES = ("opinion", "reporting", "satire")
# Raised whenever the code that turns model outputs into signals changes, so stored signals
# are recomputed (models_version digests it with the model and word-list files).
SIGNALS_VERSION = 3


@dataclass(frozen=True)
class LinearModel:
    """Per-label weights over hashed buckets, with a bias and a decision threshold per label."""

    labels: tuple[str, ...]
    weights: np.ndarray  # (N_BUCKETS, labels) float32
    bias: np.ndarray  # (labels,)
    thresholds: np.ndarray  # (labels,) on the probability
    meta: dict
    # optional second stage over one article's paragraphs (``features.stack_features``):
    # (3 * labels + 1, labels) weights and (labels,) biases; the thresholds then apply to it
    stack_weights: np.ndarray | None = None
    stack_bias: np.ndarray | None = None
    # inverse document frequency per bucket, for a model whose rows are ``features.tfidf_row``
    idf: np.ndarray | None = None

    def logits(self, rows: list[dict[int, float]]) -> np.ndarray:
        return F.sparse_dot(rows, self.weights) + self.bias

    def probabilities(self, rows: list[dict[int, float]]) -> np.ndarray:
        """Independent per-label probabilities (one-vs-rest logistic)."""
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def article_probabilities(self, rows: list[dict[int, float]]) -> np.ndarray:
        """Per-label probabilities of one article's paragraphs (``rows``, in order): the
        second stage's when the model has one, which reads the other paragraphs too."""
        if self.stack_weights is None or self.stack_bias is None or not rows:
            return self.probabilities(rows)
        z = F.stack_features(self.logits(rows)) @ self.stack_weights + self.stack_bias
        return 1.0 / (1.0 + np.exp(-z))

    def contributions(self, row: dict[int, float], label: int) -> dict[int, float]:
        """Each bucket's share of one label's logit, to say which words carried it."""
        return {k: v * float(self.weights[k, label]) for k, v in row.items()}


def save_model(path: Path, labels: tuple[str, ...], weights: np.ndarray, bias: np.ndarray,
               thresholds: np.ndarray, meta: dict,
               stack: tuple[np.ndarray, np.ndarray] | None = None,
               idf: np.ndarray | None = None) -> None:
    """Quantise to int8 per label (scale = max |w| / 127) and write a compressed npz; the
    small second stage (``stack``: weights, biases) is kept in float32, ``idf`` in float16."""
    scale = np.maximum(np.abs(weights).max(axis=0), 1e-12) / 127.0
    q = np.round(weights / scale).astype(np.int8)
    extra = {} if stack is None else {"stack_w": stack[0].astype(np.float32),
                                      "stack_b": stack[1].astype(np.float32)}
    if idf is not None:
        extra["idf"] = idf.astype(np.float16)
    np.savez_compressed(
        path, q=q, scale=scale.astype(np.float32), bias=bias.astype(np.float32),
        thresholds=thresholds.astype(np.float32), labels=np.array(labels),
        meta=np.array(json.dumps(meta)), **extra,
    )


@lru_cache(maxsize=4)
def load_model(path: Path) -> LinearModel:
    """The model at ``path``; a clear error when the package was installed without it."""
    if not path.exists():
        raise ModelUnavailableError(
            f"signal model {path.name} is missing: run `python eval/signals.py --fit`"
        )
    with np.load(path, allow_pickle=False) as z:
        weights = z["q"].astype(np.float32) * z["scale"][None, :]
        return LinearModel(
            labels=tuple(str(x) for x in z["labels"]),
            weights=weights,
            bias=z["bias"].astype(np.float32),
            thresholds=z["thresholds"].astype(np.float32),
            meta=json.loads(str(z["meta"])),
            stack_weights=z["stack_w"] if "stack_w" in z.files else None,
            stack_bias=z["stack_b"] if "stack_b" in z.files else None,
            idf=z["idf"].astype(np.float32) if "idf" in z.files else None,
        )


@lru_cache(maxsize=1)
def models_version() -> str:
    """A digest of the shipped model files: stored signals from other models are recomputed."""
    digest = hashlib.blake2b(f"v{SIGNALS_VERSION}".encode(), digest_size=8)
    for path in (TECHNIQUES_PATH, GENRE_PATH, *sorted((DATA / "lexicon").glob("*.json"))):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def techniques_model() -> LinearModel:
    return load_model(TECHNIQUES_PATH)


def genre_model() -> LinearModel:
    return load_model(GENRE_PATH)
