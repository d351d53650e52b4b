"""Hashed text features shared by training (``eval/signals.py``) and the runtime.

Hashing words and character n-grams into a fixed number of buckets means no vocabulary ships
with the models: only one weight per bucket and label. ``zlib.crc32`` is used because it is
stable across processes and Python versions (``hash()`` is salted per process).
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np

# 2**17 buckets keep the shipped int8 weights of 23 labels under 2 MB (compressed); larger
# tables were not tried. eval/signals.py prints the cross-validated figure for this size.
N_BUCKETS = 1 << 17
CHAR_N = (3, 4, 5)  # character n-grams inside words, as a TF-IDF char_wb baseline uses
WORD_WEIGHT = 1.0  # the word and character blocks are L2-normalised, then weighted
CHAR_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5  # the article's words, so one paragraph is read in its article's tone
SHAPE_WEIGHT = 0.5  # length and punctuation features
MAX_CHARS = 4000  # one paragraph's features are read from at most this many characters

_WORD = re.compile(r"\w+|[!?«»\"“”„]", re.UNICODE)


def normalize(text: str) -> str:
    """NFKC and lower case, the form every feature is read from."""
    return unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()


def _bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) & (N_BUCKETS - 1)


def _add(counts: dict[int, float], key: str, value: float = 1.0) -> None:
    b = _bucket(key)
    counts[b] = counts.get(b, 0.0) + value


def _l2(counts: dict[int, float], weight: float) -> dict[int, float]:
    if not counts:
        return {}
    sub = {k: 1.0 + math.log(v) for k, v in counts.items()}
    norm = math.sqrt(sum(v * v for v in sub.values()))
    return {k: weight * v / norm for k, v in sub.items()}


def word_block(text: str) -> dict[int, float]:
    """Sublinear counts of words and word bigrams, L2-normalised."""
    words = _WORD.findall(normalize(text))
    counts: dict[int, float] = {}
    for i, w in enumerate(words):
        _add(counts, "w:" + w)
        if i:
            _add(counts, "b:" + words[i - 1] + " " + w)
    return counts


def char_block(text: str) -> dict[int, float]:
    """Sublinear counts of character 3–5-grams inside space-padded words."""
    counts: dict[int, float] = {}
    for w in _WORD.findall(normalize(text)):
        padded = f" {w} "
        for n in CHAR_N:
            for i in range(max(1, len(padded) - n + 1)):
                _add(counts, "c:" + padded[i : i + n])
    return counts


def shape_block(text: str) -> dict[int, float]:
    """Length and punctuation, bucketed so a linear model can use them."""
    counts: dict[int, float] = {}
    n_chars = len(text)
    _add(counts, f"len:{min(12, int(math.log2(n_chars + 1)))}")
    for mark, name in (("!", "excl"), ("?", "quest"), ('"', "quote"), ("«", "quote"),
                       ("“", "quote"), ("„", "quote"), (":", "colon")):
        k = text.count(mark)
        if k:
            _add(counts, f"{name}:{min(3, k)}")
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.3:
        _add(counts, "caps")
    return counts


def paragraph_features(text: str, context: dict[int, float] | None = None) -> dict[int, float]:
    """The sparse feature vector of one paragraph (bucket → value), optionally with the
    article-level context block from ``context_block``."""
    out: dict[int, float] = {}
    for block in (
        _l2(word_block(text), WORD_WEIGHT),
        _l2(char_block(text), CHAR_WEIGHT),
        {k: SHAPE_WEIGHT for k in shape_block(text)},
        context or {},
    ):
        for k, v in block.items():
            out[k] = out.get(k, 0.0) + v
    return out


def context_block(paragraphs: Sequence[str]) -> dict[int, float]:
    """The article's words, hashed apart from the paragraph's own (prefix ``x:``)."""
    counts: dict[int, float] = {}
    for p in paragraphs:
        for w in _WORD.findall(normalize(p)):
            _add(counts, "x:" + w)
    return _l2(counts, CONTEXT_WEIGHT)


def genre_counts(title: str, text: str) -> dict[int, int]:
    """Character 3–5-gram counts of an article's title and lead (``char_block`` reads at most
    ``MAX_CHARS``), the genre model's input before ``tfidf_row``: a site's and a genre's
    habits of writing show in its characters more than in its words (cross-validated on the
    genre articles: characters 0.63, words and characters 0.57, see eval/signals.py)."""
    return char_block(f"{title or ''}\n{text}")


def tfidf_row(counts: dict[int, float], idf: np.ndarray) -> dict[int, float]:
    """Sublinear counts weighted by inverse document frequency and L2-normalised; buckets
    with no weight (seen in fewer than two training articles) are dropped."""
    row = {k: (1.0 + math.log(v)) * float(idf[k]) for k, v in counts.items() if idf[k] > 0}
    norm = math.sqrt(sum(v * v for v in row.values()))
    return {k: v / norm for k, v in row.items()} if norm else {}


def to_dense_rows(rows: Sequence[dict[int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (indptr, indices, data) of sparse rows, for numpy scoring or scipy."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    for i, r in enumerate(rows):
        indptr[i + 1] = indptr[i] + len(r)
    indices = np.fromiter((k for r in rows for k in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.fromiter((v for r in rows for v in r.values()), dtype=np.float32,
                       count=int(indptr[-1]))
    return indptr, indices, data


def sparse_dot(rows: Sequence[dict[int, float]], weights: np.ndarray) -> np.ndarray:
    """``rows @ weights`` for sparse rows and a (buckets, labels) weight matrix, numpy only."""
    out = np.zeros((len(rows), weights.shape[1]), dtype=np.float32)
    for i, r in enumerate(rows):
        if r:
            idx = np.fromiter(r.keys(), dtype=np.int64, count=len(r))
            val = np.fromiter(r.values(), dtype=np.float32, count=len(r))
            out[i] = val @ weights[idx]
    return out


STACK_CLIP = 13.8  # logits are clipped where a probability reaches 1e-6 (as in training)


def stack_features(logits: np.ndarray) -> np.ndarray:
    """Second-stage features of one article's paragraphs, from the first stage's logits
    (paragraphs × labels): each paragraph's own logits, the mean and the maximum of the
    other paragraphs' (an article that uses a technique elsewhere is likelier to use it
    here), and log(1 + number of other paragraphs)."""
    z = np.clip(np.asarray(logits, dtype=np.float64), -STACK_CLIP, STACK_CLIP)
    n, labels = z.shape
    mean_o = np.zeros_like(z)
    max_o = np.full_like(z, -STACK_CLIP)
    if n > 1:
        total = z.sum(axis=0)
        mean_o = (total[None, :] - z) / (n - 1)
        order = np.sort(z, axis=0)
        top, second = order[-1], order[-2]
        max_o = np.where(z >= top[None, :], second[None, :], top[None, :])
    count = np.full((n, 1), np.log1p(n - 1))
    return np.hstack([z, mean_o, max_o, count]).astype(np.float32)
