"""Persuasion techniques and genre: cross-validated figures, the baseline, and the shipped models.

Reads SemEval-2023 Task 3 training data from ``../shared/data/manipulation/`` (paragraph
techniques, 23 labels; article genre). Folds are by article, so no article's paragraphs are
split between training and test. Per-label thresholds are cross-fitted: the thresholds applied
to fold k are tuned on the out-of-fold probabilities of the other folds only, so no label of
fold k chooses its own threshold.

Printed, in the same run: technique micro-F1 overall and per language, and genre macro-F1, for
the shipped method (hashed word + character n-grams with the article's words as context,
one-vs-rest logistic regression) and for a TF-IDF word + char n-gram, one-vs-rest logistic
baseline with per-label thresholds. Both are trained by SGD on the logistic loss (the shared
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
    save_model,
)

FOLDS = 5
ALPHA = 1e-5  # SGD L2 strength, set once and not tuned (a CV run takes minutes on two cores)
EPOCHS = 10  # passes over the data; not tuned either
GENRE_ALPHA = 1e-4  # genre: of 1e-5, 1e-4 and 1e-3 (balanced classes), 1e-4 and 1e-3 were
# within 0.011 macro-F1 of each other (0.546, 0.557); 1e-5 gave 0.543
GRID = np.arange(0.02, 0.9, 0.02)


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


def crossfit_predictions(p: np.ndarray, y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Fold k thresholded at thresholds tuned on the other folds' out-of-fold probabilities."""
    yb = y.astype(bool)
    pred = np.zeros(y.shape, bool)
    for k in range(FOLDS):
        other = folds != k
        for j in range(y.shape[1]):
            t = best_threshold(p[other, j], yb[other, j])
            pred[folds == k, j] = p[folds == k, j] >= t
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


def genre_run(fit: bool) -> dict[str, float]:
    from sklearn.model_selection import StratifiedKFold

    rows = read_jsonl(GENRE_FILE)
    gold = np.array([GENRES.index(r["genre"]) for r in rows])
    onehot = np.eye(len(GENRES), dtype=np.int8)[gold]
    x = csr([F.document_features(r.get("title") or "", r["text"]) for r in rows])
    texts = [(r.get("title") or "") + "\n" + r["text"] for r in rows]
    ours = np.zeros(len(rows), int)
    base = np.zeros(len(rows), int)
    for tr, te in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(texts, gold):
        w, b = sgd_ovr(x[tr], onehot[tr], GENRE_ALPHA, balanced=True)
        ours[te] = np.argmax(np.asarray(x[te] @ w) + b, axis=1)
        a, t = tfidf([texts[i] for i in tr], [texts[i] for i in te])
        w2, b2 = sgd_ovr(a, onehot[tr], GENRE_ALPHA)
        base[te] = np.argmax(np.asarray(t @ w2) + b2, axis=1)
    out = {"ours": macro_f1(ours, gold, len(GENRES)), "baseline": macro_f1(base, gold, len(GENRES))}
    if fit:
        w, b = sgd_ovr(x, onehot, GENRE_ALPHA, balanced=True)
        save_model(GENRE_PATH, GENRES, w, b, np.zeros(len(GENRES)), {
            "trained_on": "SemEval-2023 Task 3 subtask 1 training articles (en, fr, de, it, pl, ru)",
            "articles": len(rows), "cv_macro_f1": round(out["ours"], 4),
        })
    return out


def technique_run(fit: bool, with_baseline: bool) -> dict[str, Any]:
    rows = read_jsonl(TECHNIQUES_FILE)
    index = {t: j for j, t in enumerate(TECHNIQUES)}
    y = np.zeros((len(rows), len(TECHNIQUES)), np.int8)
    for i, r in enumerate(rows):
        for t in r["techniques"]:
            y[i, index[t]] = 1
    langs = np.array([r["language"] for r in rows])
    folds = article_folds([r["language"] + "/" + r["article"] for r in rows])
    started = time.perf_counter()
    x = technique_features(rows)
    print(f"features: {x.shape[0]} paragraphs, {x.nnz / x.shape[0]:.0f} non-zero buckets each, "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    p = cv_techniques(x, y, folds)
    out: dict[str, Any] = {"ours": micro_by_language(crossfit_predictions(p, y, folds), y, langs)}
    if with_baseline:
        pb = baseline_techniques([r["text"] for r in rows], y, folds)
        out["baseline"] = micro_by_language(crossfit_predictions(pb, y, folds), y, langs)
    if fit:
        yb = y.astype(bool)
        thresholds = np.array([best_threshold(p[:, j], yb[:, j]) for j in range(y.shape[1])])
        w, b = sgd_ovr(x, y, ALPHA)
        save_model(TECHNIQUES_PATH, TECHNIQUES, w, b, thresholds, {
            "trained_on": "SemEval-2023 Task 3 subtask 3 training paragraphs (en, fr, de, it, pl, ru)",
            "languages": sorted(set(langs.tolist())), "paragraphs": len(rows),
            "cv_micro_f1": {k: round(v, 4) for k, v in out["ours"].items()},
        })
    return out


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
    ap.add_argument("--db", type=Path, help="--seeds: keep the seeds' store here for reruns")
    args = ap.parse_args()
    if args.seeds:
        run_seeds(SEEDS, args.db)
        return
    started = time.perf_counter()
    genre = genre_run(args.fit)
    print_table(f"genre macro-F1 ({FOLDS}-fold CV by article)", {k: {"macro": v} for k, v in genre.items()})
    if args.genre_only:
        return
    tech = technique_run(args.fit, not args.no_baseline)
    print_table(f"technique micro-F1 ({FOLDS}-fold CV by article, cross-fitted thresholds)", tech)
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
