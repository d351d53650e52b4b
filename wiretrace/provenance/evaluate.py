"""Scoring traces against ground truth (the sample corpus's ``truth.json`` schema).

Truth: ``"derivations": [{"from", "to", "kind"}]`` and ``"diffs": {to_id: {"source", "added":
[substrings], "omitted": [substrings], "altered": [{"source_text", "text", "what"}]}}``. A
predicted sentence matches a truth item when one contains the other (case and punctuation
ignored); agency names are compared in canonical form ("Associated Press" = "AP").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from .graph import agency_key


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def text_matches(truth_text: str, predicted: str) -> bool:
    t, p = _norm(truth_text), _norm(predicted)
    return bool(t) and bool(p) and (t in p or p in t)


def _node(name: str) -> str:
    return agency_key(name) or name


def prf(tp_predicted: int, n_predicted: int, tp_truth: int, n_truth: int) -> dict[str, float]:
    p = tp_predicted / n_predicted if n_predicted else 1.0
    r = tp_truth / n_truth if n_truth else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def _altered_hit(truth: dict[str, Any], predicted: dict[str, Any], with_what: bool) -> bool:
    ok = text_matches(truth["text"], predicted["text"]) or text_matches(
        truth["source_text"], predicted["source_text"]
    )
    if with_what:
        ok = ok and truth["what"] in predicted["what"].split(", ")
    return ok


def score_traces(
    traces: Iterable[dict[str, Any]], truth: dict[str, Any], articles: Iterable[str] | None = None
) -> dict[str, dict[str, float]]:
    """Precision / recall / F1 of edges (with and without kind), added, omitted, altered and
    date conflicts. ``articles`` limits the truth to the articles that were traced."""
    traces = list(traces)
    present = set(articles) if articles is not None else None
    predicted_edges = {(_node(e["from"]), e["to"], e["kind"]) for t in traces for e in t["edges"]}
    true_edges = {
        (_node(d["from"]), d["to"], d["kind"])
        for d in truth["derivations"]
        if present is None or d["to"] in present
    }
    plain_p = {(a, b) for a, b, _ in predicted_edges}
    plain_t = {(a, b) for a, b, _ in true_edges}
    scores = {
        "edges": prf(len(plain_p & plain_t), len(plain_p), len(plain_p & plain_t), len(plain_t)),
        "edges+kind": prf(
            len(predicted_edges & true_edges),
            len(predicted_edges),
            len(predicted_edges & true_edges),
            len(true_edges),
        ),
    }
    diffs: dict[str, dict[str, Any]] = {}
    for t in traces:
        diffs.update(t["articles"])
    counts = {k: [0, 0, 0, 0] for k in ("added", "omitted", "altered", "altered+what")}
    for to_id, tdiff in truth["diffs"].items():
        if present is not None and to_id not in present:
            continue
        pdiff = diffs.get(to_id, {})
        for field in ("added", "omitted"):
            truth_items = tdiff.get(field, [])
            pred_items = [x["text"] for x in pdiff.get(field, [])]
            c = counts[field]
            c[0] += sum(any(text_matches(t, p) for t in truth_items) for p in pred_items)
            c[1] += len(pred_items)
            c[2] += sum(any(text_matches(t, p) for p in pred_items) for t in truth_items)
            c[3] += len(truth_items)
        truth_alt, pred_alt = tdiff.get("altered", []), pdiff.get("altered", [])
        for key, with_what in (("altered", False), ("altered+what", True)):
            c = counts[key]
            c[0] += sum(any(_altered_hit(t, p, with_what) for t in truth_alt) for p in pred_alt)
            c[1] += len(pred_alt)
            c[2] += sum(any(_altered_hit(t, p, with_what) for p in pred_alt) for t in truth_alt)
            c[3] += len(truth_alt)
    for key, c in counts.items():
        scores[key] = prf(*c)
    flagged = {c["article"] for t in traces for c in t.get("date_conflicts", [])}
    wrong = {
        a
        for a, info in truth.get("articles", {}).items()
        if info.get("page_date_wrong") and (present is None or a in present)
    }
    scores["date_conflicts"] = prf(
        len(flagged & wrong), len(flagged), len(flagged & wrong), len(wrong)
    )
    return scores


# -- edge calibration ---------------------------------------------------------------------


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Weights (intercept last) of an L2-penalised logistic regression, by Newton's method;
    the intercept is not penalised."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + penalty * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> tuple[float, list]:
    """Expected calibration error over equal-width bins, and the table behind it:
    [(low, high, count, mean confidence, share correct)]."""
    table, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = (probs >= lo) & ((probs < hi) if b < bins - 1 else (probs <= hi))
        if not inside.any():
            continue
        conf, acc = float(probs[inside].mean()), float(labels[inside].mean())
        ece += inside.sum() / len(probs) * abs(conf - acc)
        table.append((lo, hi, int(inside.sum()), conf, acc))
    return float(ece), table


def fit_platt(probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(a, b) of the map ``sigmoid(a * logit(p) + b)`` that best fits ``labels`` (log loss):
    Platt scaling of confidences that are already probabilities."""
    p = np.clip(probs, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    w = fit_logistic(logit, labels, l2=1e-3)
    return float(w[0]), float(w[1])


def apply_platt(probs: np.ndarray, a: float, b: float) -> np.ndarray:
    p = np.clip(probs, 1e-6, 1 - 1e-6)
    return 1.0 / (1.0 + np.exp(-np.clip(a * np.log(p / (1 - p)) + b, -30, 30)))
