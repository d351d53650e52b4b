"""Scoring traces against ground truth (the sample corpus's ``truth.json`` schema).

Truth: ``"derivations": [{"from", "to", "kind"}]`` and ``"diffs": {to_id: {"source", "added":
[substrings], "omitted": [substrings], "altered": [{"source_text", "text", "what"}]}}``. A
predicted sentence matches a truth item when one contains the other (case and punctuation
ignored); agency names are compared in canonical form ("Associated Press" = "AP").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .graph import Edge, Node, agency_key, build_graph
from .trace import make_node, story_alignments


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


def truth_events(truth: dict[str, Any], present: Iterable[str]) -> dict[str, list[str]]:
    """Article ids by event in a truth file (``articles``: id -> ``event``), keeping only the
    ``present`` ones: the stories every scorer of a labelled corpus traces."""
    have = set(present)
    events: dict[str, list[str]] = {}
    for aid, info in truth["articles"].items():
        if info.get("event") and aid in have:
            events.setdefault(info["event"], []).append(aid)
    return events


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


# -- held-out confidences on labelled events ----------------------------------------------

# AllSides pairs sharing this much unquoted wording have no known label: whether one outlet
# copied the other or both ran the same wire copy, the data does not say.
SHARED_COPY = 0.2


@dataclass
class LabelledEvent:
    """One event's articles, aligned once, and its true derivations (source, target).

    ``group`` is what is held out together: the event itself, or for generated stories the
    scenario it was composed from (its sibling events share sentence banks)."""

    name: str
    origin: str  # "sample", "stories", "generated", "allsides"
    group: str
    nodes: dict[str, Node]
    alignments: list
    true_edges: set[tuple[str, str]]


def labelled_event(
    name: str, origin: str, members, reprs, derivations, group: str | None = None
) -> LabelledEvent:
    nodes = {a.id: make_node(a, reprs[a.id]) for a in members if a.id in reprs}
    return LabelledEvent(
        name,
        origin,
        group or name,
        nodes,
        story_alignments(nodes),
        {(agency_key(d["from"]) or d["from"], d["to"]) for d in derivations},
    )


def event_edges(event: LabelledEvent, model: dict | None = None) -> list[tuple[Edge, int]]:
    """(edge, label) for every source the graph chooses for a member when nothing is hidden
    (the choices a confidence has to be calibrated for), read with ``model``. Identical texts
    (confidence 1 by rule) and credited wires (rule-based, reported apart) are left out, and
    so are AllSides pairs sharing much wording (see SHARED_COPY)."""
    for node in event.nodes.values():
        node.original_of.clear()
    chosen, _ = build_graph(event.nodes, event.alignments, threshold=0.0, model=model)
    out = []
    for edge in chosen.values():
        if edge.identical or edge.common_source:
            continue
        if event.origin == "allsides" and edge.features["unquoted_verbatim"] >= SHARED_COPY:
            continue
        label = int((agency_key(edge.source) or edge.source, edge.target) in event.true_edges)
        out.append((edge, label))
    return out


def _model(names: list[str], w: np.ndarray) -> dict:
    return {"features": names, "weights": [float(v) for v in w[:-1]], "intercept": float(w[-1])}


def held_out_confidences(
    events: list[LabelledEvent], names: list[str], l2: float, rows_model: dict | None = None
) -> dict[str, np.ndarray]:
    """Per event, (confidence, label) rows of the edges the trace chooses when the edge model
    is refitted without the event's group and the event is traced again with it: the final
    confidences (model and rules together) a user would see for an unseen kind of event.

    Training rows are the chosen edges under ``rows_model`` (the shipped model by default)."""
    rows = {e.name: event_edges(e, rows_model) for e in events}
    x_of = {
        name: np.array([[float(edge.features.get(n, 0.0)) for n in names] for edge, _ in r])
        .reshape(len(r), len(names))
        for name, r in rows.items()
    }
    y_of = {name: np.array([lab for _, lab in r], dtype=float) for name, r in rows.items()}
    models: dict[str, dict] = {}
    held: dict[str, np.ndarray] = {}
    for event in events:
        if event.group not in models:
            others = [e.name for e in events if e.group != event.group]
            x = np.vstack([x_of[n] for n in others])
            y = np.concatenate([y_of[n] for n in others])
            models[event.group] = _model(names, fit_logistic(x, y, l2=l2))
        found = [(edge.confidence, label) for edge, label in event_edges(event, models[event.group])]
        held[event.name] = np.array(found, dtype=float).reshape(len(found), 2)
    return held


def training_rows(
    events: list[LabelledEvent], names: list[str], rows_model: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every chosen edge (what the shipped model is fitted on)."""
    xs, ys = [np.zeros((0, len(names)))], [np.zeros(0)]
    for event in events:
        r = event_edges(event, rows_model)
        xs.append(np.array([[float(e.features.get(n, 0.0)) for n in names] for e, _ in r]).reshape(len(r), len(names)))
        ys.append(np.array([lab for _, lab in r], dtype=float))
    return np.vstack(xs), np.concatenate(ys)


def null_ece(conf: np.ndarray, draws: int = 500, seed: int = 0) -> float:
    """The error a perfectly calibrated confidence would average on this few edges: labels
    drawn from the confidences themselves."""
    rng = np.random.default_rng(seed)
    return float(np.mean([reliability(conf, rng.random(len(conf)) < conf)[0] for _ in range(draws)]))


def bootstrap_ece(
    rows: dict[str, np.ndarray], draws: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """95% interval of the ECE, resampling whole events (edges of one event are not
    independent)."""
    rng = np.random.default_rng(seed)
    parts = [r for r in rows.values() if len(r)]
    values = []
    for _ in range(draws):
        pick = rng.integers(0, len(parts), len(parts))
        arr = np.vstack([parts[i] for i in pick])
        values.append(reliability(arr[:, 0], arr[:, 1])[0])
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)
