"""Persuasion techniques and genre: cross-validated figures, the baseline, and the shipped models.

Reads SemEval-2023 Task 3 training data from ``../shared/data/manipulation/`` (paragraph
techniques, 23 labels; article genre). Folds are by article, so no article's paragraphs are
split between training and test. Per-label thresholds are cross-fitted: the thresholds applied
to fold k are tuned on the out-of-fold probabilities of the other folds only, so no label of
fold k chooses its own threshold. The shipped thresholds are chosen together for micro-F1
(``micro_thresholds``: frequent labels lower, rare and poorly predicted ones higher or off);
``ours/label`` and ``baseline`` tune each label at its own F1 optimum (the issue's baseline),
``base/joint`` gives the baseline the joint thresholds too.

Printed, in the same run: technique micro-F1 overall and per language, and genre macro-F1, for
the shipped methods (techniques: hashed word + character n-grams with the article's words as
context, one-vs-rest logistic regression; genre: hashed TF-IDF character 3-5-grams,
multinomial logistic regression with balanced classes and per-class logit offsets
cross-fitted for macro-F1) and for a TF-IDF word + char n-gram, one-vs-rest logistic
baseline with per-label thresholds.
``--stack`` adds a small second stage per label that reads each paragraph's first-stage
logits with the mean and maximum of its article's other paragraphs' (trained on out-of-fold
first-stage probabilities); it scored below the first stage, so it does not ship. Both are trained by SGD on the logistic loss (the shared
machines have two cores; liblinear on these matrices did not finish one fold of 23 labels
in five minutes).

    .venv/bin/python eval/signals.py             # cross-validated figures, ours and baseline
    .venv/bin/python eval/signals.py --fit       # the same, then writes wiretrace/signals/data/
    .venv/bin/python eval/signals.py --seeds     # the seed checks (../shared/seeds)

Training needs scikit-learn (dev extra); the runtime does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TECHNIQUES_FILE = SHARED / "data" / "manipulation" / "techniques-train.jsonl"
GENRE_FILE = SHARED / "data" / "manipulation" / "genre-train.jsonl"
SEEDS = SHARED / "seeds"
sys.path.insert(0, str(REPO))

from wiretrace.signals import features as F  # noqa: E402
from wiretrace.signals.model import (  # noqa: E402
    GENRE_PATH,
    GENRES,
    TECHNIQUES,
    TECHNIQUES_PATH,
    load_model,
    save_model,
)

FOLDS = 5
ALPHA = 1e-5  # SGD L2 strength, set once and not tuned (a CV run takes minutes on two cores)
EPOCHS = 10  # passes over the data; not tuned either
GENRE_ALPHA = 1e-4  # the genre baseline's SGD L2 strength
# Genre: a multinomial logistic model over TF-IDF character 3-5-grams (hashed). Of the
# settings tried in 5-fold CV, C=10 gave macro-F1 0.621 and C=30 0.630; words with the
# characters 0.571, the earlier hashed words + characters by SGD 0.562. Buckets seen in fewer
# than two training articles are dropped (as a min_df=2 vocabulary would drop them).
GENRE_C = 30.0
GENRE_MIN_DF = 2
GRID = np.arange(0.02, 0.9, 0.02)
# Joint thresholds (``micro_thresholds``) search a wider grid, plus "never" (a label whose
# every threshold costs micro-F1 more than it adds is not reported by the model at all).
JOINT_GRID = np.arange(0.02, 0.99, 0.02)
NEVER = 1.01  # a probability never reaches it
JOINT_ROUNDS = 3  # coordinate-ascent passes over the labels (on the training file 2, 3 and 4
# passes give the same thresholds)
STACK_C = 0.1  # second stage: L2 strength of a 70-feature logistic model, not tuned
STACK_ITER = 100
OFFSET_GRID = np.arange(-3.0, 3.01, 0.25)  # genre logit offsets searched (see genre_offsets)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def csr(rows: list[dict[int, float]]) -> Any:
    import scipy.sparse as sp

    indptr, indices, data = F.to_dense_rows(rows)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), F.N_BUCKETS))


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    return float(max(GRID, key=lambda t: f1(int(((p >= t) & y).sum()),
                                            int(((p >= t) & ~y).sum()),
                                            int(((p < t) & y).sum()))))


def micro_thresholds(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-label thresholds chosen together for micro-F1 over all labels (coordinate ascent
    from the per-label optima). Each label's own F1 optimum is not the micro optimum: a
    frequent, well-predicted label gains from a lower threshold, and a rare, poorly predicted
    one adds more false positives than true ones to the pooled count at any threshold."""
    yb = y.astype(bool)
    labels = y.shape[1]
    grid = np.append(JOINT_GRID, NEVER)
    tp = np.array([[int(((p[:, j] >= g) & yb[:, j]).sum()) for g in grid] for j in range(labels)])
    fp = np.array([[int(((p[:, j] >= g) & ~yb[:, j]).sum()) for g in grid] for j in range(labels)])
    pos = yb.sum(axis=0)
    start = [best_threshold(p[:, j], yb[:, j]) for j in range(labels)]
    idx = np.array([int(np.argmin(np.abs(grid - t))) for t in start])
    rows = np.arange(labels)
    for _ in range(JOINT_ROUNDS):
        for j in range(labels):
            tp_rest = tp[rows, idx].sum() - tp[j, idx[j]]
            fp_rest = fp[rows, idx].sum() - fp[j, idx[j]]
            fn = pos.sum() - tp_rest - tp[j]
            idx[j] = int(np.argmax(2 * (tp_rest + tp[j]) / np.maximum(
                1, 2 * (tp_rest + tp[j]) + fp_rest + fp[j] + fn)))
    return grid[idx]


def sgd_ovr(x: Any, y: np.ndarray, alpha: float, balanced: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """One binary logistic model per column of ``y``: (features, labels) weights and biases."""
    from sklearn.linear_model import SGDClassifier

    ws, bs = [], []
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():  # a label absent from this training fold
            ws.append(np.zeros(x.shape[1], np.float32))
            bs.append(-10.0 if y[0, j] == 0 else 10.0)
            continue
        m = SGDClassifier(loss="log_loss", alpha=alpha, max_iter=EPOCHS, tol=None, random_state=0,
                          class_weight="balanced" if balanced else None).fit(x, y[:, j])
        ws.append(m.coef_[0].astype(np.float32))
        bs.append(float(m.intercept_[0]))
    return np.stack(ws, axis=1), np.array(bs, np.float32)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def cv_techniques(x: Any, y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities (paragraphs × labels)."""
    p = np.zeros(y.shape, np.float32)
    for k in range(FOLDS):
        tr, te = folds != k, folds == k
        w, b = sgd_ovr(x[tr], y[tr], ALPHA)
        p[te] = sigmoid(np.asarray(x[te] @ w) + b)
    return p


def stack_matrix(p: np.ndarray, rows: list[dict[str, Any]]) -> np.ndarray:
    """Second-stage features of every paragraph from first-stage probabilities, one article
    at a time (``features.stack_features``, as the runtime computes them)."""
    z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))
    out = np.zeros((len(rows), 3 * p.shape[1] + 1), np.float32)
    by_article: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_article[(r["language"], r["article"])].append(i)
    for idx in by_article.values():
        out[idx] = F.stack_features(z[idx])
    return out


def fit_stack(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One small logistic model per label over the second-stage features."""
    from sklearn.linear_model import LogisticRegression

    ws, bs = [], []
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            ws.append(np.zeros(s.shape[1], np.float32))
            bs.append(-10.0 if y[0, j] == 0 else 10.0)
            continue
        m = LogisticRegression(C=STACK_C, max_iter=STACK_ITER).fit(s, y[:, j])
        ws.append(m.coef_[0].astype(np.float32))
        bs.append(float(m.intercept_[0]))
    return np.stack(ws, axis=1), np.array(bs, np.float32)


def cv_stack(s: np.ndarray, y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Out-of-fold second-stage probabilities, on the same article folds. The first-stage
    probabilities it reads are out-of-fold too (stacked generalisation)."""
    q = np.zeros(y.shape, np.float32)
    for k in range(FOLDS):
        tr, te = folds != k, folds == k
        w, b = fit_stack(s[tr], y[tr])
        q[te] = sigmoid(s[te] @ w + b)
    return q


def label_thresholds(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each label's threshold at its own F1 optimum."""
    yb = y.astype(bool)
    return np.array([best_threshold(p[:, j], yb[:, j]) for j in range(y.shape[1])])


def crossfit_predictions(p: np.ndarray, y: np.ndarray, folds: np.ndarray,
                         joint: bool = True) -> np.ndarray:
    """Fold k thresholded at thresholds tuned on the other folds' out-of-fold probabilities:
    chosen together for micro-F1 (``joint``) or each label on its own."""
    tune = micro_thresholds if joint else label_thresholds
    pred = np.zeros(y.shape, bool)
    for k in range(FOLDS):
        other = folds != k
        pred[folds == k] = p[folds == k] >= tune(p[other], y[other])[None, :]
    return pred


def micro_by_language(pred: np.ndarray, y: np.ndarray, langs: np.ndarray) -> dict[str, float]:
    yb = y.astype(bool)

    def micro(mask: np.ndarray) -> float:
        p, t = pred[mask], yb[mask]
        return f1(int((p & t).sum()), int((p & ~t).sum()), int((~p & t).sum()))

    out = {"overall": micro(np.ones(len(langs), bool))}
    out.update({lang: micro(langs == lang) for lang in sorted(set(langs))})
    return out


def article_folds(groups: list[str]) -> np.ndarray:
    """Fold of each row, whole articles at a time (GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    folds = np.zeros(len(groups), int)
    for k, (_, te) in enumerate(GroupKFold(FOLDS).split(groups, groups=groups)):
        folds[te] = k
    return folds


def technique_labels(rows: list[dict[str, Any]]) -> np.ndarray:
    """The paragraphs' techniques as a (paragraphs × 23) 0/1 matrix, in ``TECHNIQUES`` order."""
    index = {t: j for j, t in enumerate(TECHNIQUES)}
    y = np.zeros((len(rows), len(TECHNIQUES)), np.int8)
    for i, r in enumerate(rows):
        for t in r["techniques"]:
            y[i, index[t]] = 1
    return y


def article_keys(rows: list[dict[str, Any]]) -> list[str]:
    """Each paragraph's article, named with its language (article ids repeat across them)."""
    return [f"{r['language']}/{r['article']}" for r in rows]


def technique_features(rows: list[dict[str, Any]]) -> Any:
    by_article: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        by_article[(r["language"], r["article"])].append(r["text"])
    context = {k: F.context_block(v) for k, v in by_article.items()}
    return csr([F.paragraph_features(r["text"], context[(r["language"], r["article"])])
                for r in rows])


def tfidf(texts_train: list[str], texts_test: list[str]) -> tuple[Any, Any]:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                           max_features=200_000)
    a = sp.hstack([word.fit_transform(texts_train), char.fit_transform(texts_train)]).tocsr()
    b = sp.hstack([word.transform(texts_test), char.transform(texts_test)]).tocsr()
    return a, b


def baseline_techniques(texts: list[str], y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    p = np.zeros(y.shape, np.float32)
    for k in range(FOLDS):
        tr, te = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        a, b = tfidf([texts[i] for i in tr], [texts[i] for i in te])
        w, bias = sgd_ovr(a, y[tr], ALPHA)
        p[te] = sigmoid(np.asarray(b @ w) + bias)
    return p


def macro_f1(pred: np.ndarray, gold: np.ndarray, n: int) -> float:
    return float(np.mean([f1(int(((pred == c) & (gold == c)).sum()),
                             int(((pred == c) & (gold != c)).sum()),
                             int(((pred != c) & (gold == c)).sum())) for c in range(n)]))


def genre_idf(counts: list[dict[int, int]]) -> np.ndarray:
    """Inverse document frequency of every bucket over these articles (smoothed, as
    scikit-learn's), zero for a bucket found in fewer than ``GENRE_MIN_DF`` of them."""
    df = np.zeros(F.N_BUCKETS, np.int64)
    for c in counts:
        df[np.fromiter(c.keys(), np.int64, len(c))] += 1
    idf = np.log((1 + len(counts)) / (1 + df)) + 1.0
    return np.where(df >= GENRE_MIN_DF, idf, 0.0).astype(np.float32)


def fit_genre(counts: list[dict[int, int]], gold: np.ndarray) -> tuple[Any, np.ndarray]:
    """A multinomial logistic model over TF-IDF-weighted character n-grams, classes
    balanced; returns it with the document frequencies it was fitted with."""
    from sklearn.linear_model import LogisticRegression

    idf = genre_idf(counts)
    model = LogisticRegression(C=GENRE_C, max_iter=3000, class_weight="balanced")
    return model.fit(csr([F.tfidf_row(c, idf) for c in counts]), gold), idf


def genre_run(fit: bool) -> dict[str, float]:
    from sklearn.model_selection import StratifiedKFold

    rows = read_jsonl(GENRE_FILE)
    gold = np.array([GENRES.index(r["genre"]) for r in rows])
    onehot = np.eye(len(GENRES), dtype=np.int8)[gold]
    counts = [F.genre_counts(r.get("title") or "", r["text"]) for r in rows]
    texts = [(r.get("title") or "") + "\n" + r["text"] for r in rows]
    scores = np.zeros((len(rows), len(GENRES)), np.float32)
    base = np.zeros(len(rows), int)
    folds = np.zeros(len(rows), int)
    splits = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(texts, gold)
    for k, (tr, te) in enumerate(splits):
        folds[te] = k
        model, idf = fit_genre([counts[i] for i in tr], gold[tr])
        scores[te] = model.decision_function(csr([F.tfidf_row(counts[i], idf) for i in te]))
        a, t = tfidf([texts[i] for i in tr], [texts[i] for i in te])
        w2, b2 = sgd_ovr(a, onehot[tr], GENRE_ALPHA)
        base[te] = np.argmax(np.asarray(t @ w2) + b2, axis=1)
    ours = np.zeros(len(rows), int)
    for k in range(FOLDS):  # offsets for fold k chosen on the other folds only
        offsets = genre_offsets(scores[folds != k], gold[folds != k])
        ours[folds == k] = np.argmax(scores[folds == k] + offsets, axis=1)
    out = {"ours": macro_f1(ours, gold, len(GENRES)),
           "no offsets": macro_f1(np.argmax(scores, axis=1), gold, len(GENRES)),
           "baseline": macro_f1(base, gold, len(GENRES))}
    for c, name in enumerate(GENRES):
        out[f"ours {name}"] = f1(int(((ours == c) & (gold == c)).sum()),
                                 int(((ours == c) & (gold != c)).sum()),
                                 int(((ours != c) & (gold == c)).sum()))
    if fit:
        model, idf = fit_genre(counts, gold)
        # the genre model's "thresholds" are per-class logit offsets (runtime: argmax of
        # logits + offsets), tuned on the out-of-fold scores of all folds
        save_model(GENRE_PATH, GENRES, model.coef_.T.astype(np.float32),
                   model.intercept_.astype(np.float32), genre_offsets(scores, gold), {
            "trained_on": "SemEval-2023 Task 3 subtask 1 training articles (en, fr, de, it, pl, ru)",
            "articles": len(rows), "cv_macro_f1": round(out["ours"], 4),
            "features": "character 3-5-grams, TF-IDF", "C": GENRE_C,
        }, idf=idf)
    return out


def genre_offsets(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Per-class additions to the logits (the first class fixed at 0) that maximise
    macro-F1 of the argmax on these scores: the classes are unbalanced (613 opinion, 145
    reporting, 49 satire) and one-vs-rest logits are not calibrated against each other."""
    best, best_f1 = np.zeros(len(GENRES)), -1.0
    for a in OFFSET_GRID:
        for b in OFFSET_GRID:
            off = np.array([0.0, a, b])
            f = macro_f1(np.argmax(scores + off, axis=1), gold, len(GENRES))
            if f > best_f1 + 1e-9:
                best, best_f1 = off, f
    return best


def cached_first_stage(rows: list[dict[str, Any]], y: np.ndarray, folds: np.ndarray,
                       cache: Path | None) -> tuple[Any, np.ndarray]:
    """The feature matrix and the first stage's out-of-fold probabilities; with ``cache``,
    read from (or written to) ``x.npz`` and ``p.npy`` there, so a rerun that changes only the
    second stage or the thresholds skips the slow part. The files are kept only for the
    same bucket count, learning rate and folds (named in the file names)."""
    import scipy.sparse as sp

    tag = f"{F.N_BUCKETS}-{ALPHA:g}-{EPOCHS}-{FOLDS}-{len(rows)}"
    xp, pp = (cache / f"x-{tag}.npz", cache / f"p-{tag}.npy") if cache else (None, None)
    if xp is not None and pp is not None and xp.exists() and pp.exists():
        return sp.load_npz(xp).tocsr(), np.load(pp)
    x = technique_features(rows)
    p = cv_techniques(x, y, folds)
    if xp is not None and pp is not None:
        xp.parent.mkdir(parents=True, exist_ok=True)
        sp.save_npz(xp, x)
        np.save(pp, p)
    return x, p


def technique_run(fit: bool, with_baseline: bool, cache: Path | None = None,
                  restack: bool = False, with_stack: bool = False) -> dict[str, Any]:
    rows = read_jsonl(TECHNIQUES_FILE)
    y = technique_labels(rows)
    langs = np.array([r["language"] for r in rows])
    folds = article_folds(article_keys(rows))
    started = time.perf_counter()
    x, p = cached_first_stage(rows, y, folds, cache)
    print(f"features: {x.shape[0]} paragraphs, {x.nnz / x.shape[0]:.0f} non-zero buckets each, "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    out: dict[str, Any] = {
        "ours": micro_by_language(crossfit_predictions(p, y, folds), y, langs),
        "ours/label": micro_by_language(crossfit_predictions(p, y, folds, joint=False), y, langs),
    }
    stack, q = None, p
    if with_stack:
        stack = stack_matrix(p, rows)
        q = cv_stack(stack, y, folds)
        out["stacked"] = micro_by_language(crossfit_predictions(q, y, folds), y, langs)
    if with_baseline:
        pb = baseline_techniques([r["text"] for r in rows], y, folds)
        out["baseline"] = micro_by_language(crossfit_predictions(pb, y, folds, joint=False),
                                            y, langs)
        out["base/joint"] = micro_by_language(crossfit_predictions(pb, y, folds), y, langs)
    if fit:
        thresholds = micro_thresholds(q, y)
        if restack:  # the shipped first stage, fitted by an earlier --fit with these settings
            shipped = load_model(TECHNIQUES_PATH)
            w, b = shipped.weights, shipped.bias
        else:
            w, b = sgd_ovr(x, y, ALPHA)
        save_model(TECHNIQUES_PATH, TECHNIQUES, w, b, thresholds, {
            "trained_on": "SemEval-2023 Task 3 subtask 3 training paragraphs (en, fr, de, it, pl, ru)",
            "languages": sorted(set(langs.tolist())), "paragraphs": len(rows),
            "cv_micro_f1": {k: round(v, 4) for k, v in out["ours"].items()},
        }, stack=fit_stack(stack, y) if stack is not None else None)
    return out


PROBE_C = (1.0, 3.0)  # fusion strengths printed by --probe-paragraph-vectors


def probe_paragraph_vectors(articles: int, cache: Path | None) -> None:
    """What each paragraph's own e5 vector would add to the shipped first stage (not shipped:
    ingest would have to embed every paragraph of every article, several times the whole
    pipeline's CPU on two cores). On ``articles`` articles drawn at random (seed 0), per
    label, a logistic model over the first stage's out-of-fold logit alone and with the
    paragraph vector, 5-fold CV by article inside the sample, thresholds cross-fitted."""
    import random

    from sklearn.linear_model import LogisticRegression

    from wiretrace.embeddings import get_backend

    rows = read_jsonl(TECHNIQUES_FILE)
    y = technique_labels(rows)
    _, p = cached_first_stage(rows, y, article_folds(article_keys(rows)), cache)
    keys = sorted({(r["language"], str(r["article"])) for r in rows})
    random.Random(0).shuffle(keys)
    keep = set(keys[:articles])
    idx = np.array([i for i, r in enumerate(rows) if (r["language"], str(r["article"])) in keep])
    backend = get_backend()
    path = cache / f"paragraph-vectors-{backend.name}-{articles}.npz" if cache else None
    if path is not None and path.exists():
        vectors = np.load(path)["vec"]
    else:
        vectors = np.concatenate([backend.embed_passages([rows[i]["text"] for i in idx[s:s + 64]])
                                  for s in range(0, len(idx), 64)])
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, idx=idx, vec=vectors)
    ys, langs = y[idx], np.array([rows[i]["language"] for i in idx])
    folds = article_folds(article_keys([rows[i] for i in idx]))
    logit = np.log(np.clip(p[idx], 1e-6, 1 - 1e-6) / np.clip(1 - p[idx], 1e-6, 1))

    def fused(extra: np.ndarray | None, c: float) -> dict[str, float]:
        q = np.zeros(ys.shape, np.float32)
        for k in range(FOLDS):
            tr, te = folds != k, folds == k
            for j in range(ys.shape[1]):
                m = logit[:, [j]] if extra is None else np.hstack([logit[:, [j]], extra])
                if ys[tr, j].min() == ys[tr, j].max():
                    q[te, j] = float(ys[tr, j].mean())
                    continue
                model = LogisticRegression(C=c, max_iter=1000).fit(m[tr], ys[tr, j])
                q[te, j] = model.predict_proba(m[te])[:, 1]
        return micro_by_language(crossfit_predictions(q, ys, folds), ys, langs)

    figures = {"n-grams": fused(None, PROBE_C[0])}
    figures.update({f"+vec C={c:g}": fused(vectors, c) for c in PROBE_C})
    print_table(f"technique micro-F1 on {len(idx)} paragraphs of {articles} articles "
                f"({FOLDS}-fold CV by article inside the sample)", figures)


def _seed(store: Any, prefix: str) -> str:
    return next(i for i in store.article_ids() if Path(i).name.startswith(prefix))


def run_seeds(folder: Path, db: Path | None = None) -> None:
    """Ingest the seeds into a store (temporary unless ``db``; re-ingesting is a no-op), trace
    them and print each check's outcome."""
    import tempfile

    from wiretrace.adapters.signals import article_signals
    from wiretrace.pipeline import ingest
    from wiretrace.signals import headline_score, paragraph_techniques
    from wiretrace.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(db or Path(tmp) / "seeds.db")
        try:
            ingest(store, [str(folder)])
            s000, s001, s002, s003 = (_seed(store, p) for p in ("000", "001", "002", "003"))
            sig = article_signals(store, s001)
            rel = sig.get("relative") or {}
            print(f"001 derived from: {rel.get('source')} ({rel.get('kind')})")
            jan6 = [t for t in sig["techniques"] if "January 6th" in
                    store.get_article(s001).text[t["paragraph_start"]:t["paragraph_end"]]]
            print("001 January 6th paragraph techniques:",
                  [(t["name"], t["score"]) for t in jan6])
            added = [t for t in rel.get("added_techniques", []) if "January 6th" in t["text"]]
            print("  reported as added relative to the source:",
                  [(t["name"], t["score"], t["kind"]) for t in added])
            esc = [e for e in rel.get("escalations", []) if "nuclear" in e["text"].lower()]
            print("001 escalations with 'nuclear':",
                  [(e["source_text"][:90], e["text"][:90], e.get("terms")) for e in esc])
            a2, a3 = store.get_article(s002), store.get_article(s003)
            h2 = headline_score(a2.title, a2.text, a2.language)
            h3 = headline_score(a3.title, a3.text, a3.language)
            print(f"headline 002 {h2:.3f} ({a2.title!r}); 003 {h3:.3f} ({a3.title!r}): "
                  f"003 more sensational: {h3 > h2}")
            on002 = paragraph_techniques(a2.text, a2.language)
            print(f"002: {len(on002)} technique(s) at the default thresholds:")
            for t in on002:
                print(f"  {t['name']} {t['score']:.2f} {t['reason']}: "
                      f"{a2.text[t['paragraph_start']:t['paragraph_end']][:100]!r}")
        finally:
            store.close()


def print_table(title: str, figures: dict[str, dict[str, float]]) -> None:
    keys = list(next(iter(figures.values())))
    print(title)
    print("  " + "method".ljust(10) + "".join(k.rjust(9) for k in keys))
    for name, row in figures.items():
        print("  " + name.ljust(10) + "".join(f"{row[k]:9.3f}" for k in keys))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fit", action="store_true", help="also write the shipped models")
    ap.add_argument("--no-baseline", action="store_true", help="skip the TF-IDF baseline")
    ap.add_argument("--seeds", action="store_true", help="only the seed checks")
    ap.add_argument("--genre-only", action="store_true")
    ap.add_argument("--techniques-only", action="store_true")
    ap.add_argument("--stack", action="store_true", help="also the second stage over the "
                    "article's other paragraphs (with --fit: shipped). Not the default: it "
                    "scored 0.345 against the first stage's 0.372 (C=0.1, 100 iterations)")
    ap.add_argument("--restack", action="store_true", help="--fit: keep the shipped first "
                    "stage (deterministic: the same data and settings refit it identically) and "
                    "write only the second stage and the thresholds")
    ap.add_argument("--db", type=Path, help="--seeds: keep the seeds' store here for reruns")
    ap.add_argument("--cache", type=Path, help="keep the technique features and first-stage "
                    "out-of-fold probabilities here for reruns")
    ap.add_argument("--probe-paragraph-vectors", type=int, metavar="ARTICLES",
                    help="only: what each paragraph's own e5 vector would add, on this many "
                    "articles (300 took about 25 CPU-minutes to embed; use --cache)")
    args = ap.parse_args()
    if args.probe_paragraph_vectors:
        probe_paragraph_vectors(args.probe_paragraph_vectors, args.cache)
        return
    if args.seeds:
        run_seeds(SEEDS, args.db)
        return
    started = time.perf_counter()
    if not args.techniques_only:
        genre = genre_run(args.fit)
        print_table(f"genre macro-F1 ({FOLDS}-fold CV by article)",
                    {k: {"macro": v} for k, v in genre.items() if " " not in k or k == "no offsets"})
        print("  per class (ours): " + ", ".join(
            f"{g} {genre[f'ours {g}']:.3f}" for g in GENRES))
    if args.genre_only:
        return
    tech = technique_run(args.fit, not args.no_baseline, args.cache, args.restack, args.stack)
    print_table(f"technique micro-F1 ({FOLDS}-fold CV by article, cross-fitted thresholds)", tech)
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
