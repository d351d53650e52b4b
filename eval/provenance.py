"""Provenance against the bundled sample corpus ground truth, and the edge model's calibration.

Run: .venv/bin/python eval/provenance.py [--verbose] [--fit]

Articles are read with the project's own sources and pipeline, grouped by their true event (so
this measures provenance, not clustering), traced, and compared with
wiretrace/data/sample/truth.json: precision/recall of derivation edges (with and without
kind), of added / omitted / altered sentences, and of the member verdicts (independent,
common source, derived).

Calibration: every article-to-article source the graph chooses is a labelled pair (right or
wrong against the truth), on the sample corpus, the calibration stories written for the project
(tests/fixtures/provenance/calibration_stories.json: independent coverage quoting the same
official, common sources, rewrites in other words) and AllSides dev (independent reports: every
member-to-member source is wrong). The edge model (a logistic regression on the evidence
features) is refitted leaving one event out at a time, the held-out event is traced again with
it, and the confidences it shows (model and rules together) give the expected calibration error,
a reliability table, the precision at the display threshold, the error a perfectly calibrated
confidence would have on as few edges, and the error through a cross-fitted Platt map (not
shipped: it does not lower the error). ``--fit`` writes the model fitted on all events to
wiretrace/provenance/data/edge_model.json. Sentence vectors come from the provenance test
fixtures (tests/fixtures/provenance/), texts missing there are embedded and cached under
.cache/provenance/; ``--no-allsides`` leaves AllSides dev out.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "wiretrace" / "data" / "sample"
CACHE = ROOT / ".cache" / "provenance"
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from tests.stored_vectors import (  # noqa: E402
    load_vectors,
    representation,
    text_key,
    texts_to_embed,
)
from wiretrace.pipeline import process_document  # noqa: E402
from wiretrace.provenance import trace_story_articles  # noqa: E402
from wiretrace.provenance.evaluate import (  # noqa: E402
    apply_platt,
    fit_logistic,
    fit_platt,
    reliability,
    score_traces,
)
from wiretrace.provenance.graph import (  # noqa: E402
    DISPLAY_THRESHOLD,
    FOLLOWED_CONFIDENCE,
    FOLLOWED_REWRITE,
    Node,
    agency_key,
    build_graph,
    edge_model,
)
from wiretrace.provenance.offline import article_from_text, represent_cached  # noqa: E402
from wiretrace.provenance.trace import make_node, story_alignments  # noqa: E402
from wiretrace.representations import ArticleRepr  # noqa: E402
from wiretrace.sources import iter_documents  # noqa: E402

MODEL_PATH = ROOT / "wiretrace" / "provenance" / "data" / "edge_model.json"
VECTORS = ROOT / "tests" / "fixtures" / "provenance" / "sample_vectors.npz"
STORIES = ROOT / "tests" / "fixtures" / "provenance" / "calibration_stories.json"
STORIES_VECTORS = ROOT / "tests" / "fixtures" / "provenance" / "calibration_vectors.npz"
# The evidence the edge model reads (see wiretrace.provenance.graph.evidence_features). Not
# the direction's certainty: how sure the order is says nothing about whether one article was
# made from the other (and same-day independent coverage would teach it that it does).
FEATURES = [
    "unquoted_verbatim", "longest_run", "cover_same", "cover_cross", "order", "band", "credit"
]
SHARED_COPY = 0.2  # AllSides pairs sharing this much unquoted wording have no known label
L2 = 0.1  # ridge on the weights; a few hundred labelled edges, seven features (CV-chosen)


def load_articles():
    articles = {}
    for doc in iter_documents([str(SAMPLE / "articles")]):
        if isinstance(doc, Exception):
            continue
        try:
            article = process_document(doc)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"skipped {doc.id}: {exc}", file=sys.stderr)
            continue
        articles[article.id] = article
    return articles


def representations(articles) -> dict[str, ArticleRepr]:
    """Stored test vectors where they exist, the model (cached) for the rest."""
    table = load_vectors(VECTORS)
    if all(text_key(t) in table for t in texts_to_embed(articles.values())):
        return {a.id: representation(a, table) for a in articles.values()}
    return represent_cached(list(articles.values()), CACHE)


@dataclass
class LabelledEvent:
    """One event's articles, aligned once, and its true derivations (source, target)."""

    name: str
    origin: str  # "sample" (the bundled corpus), "stories" (the calibration stories), "allsides"
    nodes: dict[str, Node]
    alignments: list
    true_edges: set[tuple[str, str]]


def labelled_event(name: str, origin: str, members, reprs, derivations) -> LabelledEvent:
    nodes = {a.id: make_node(a, reprs[a.id]) for a in members if a.id in reprs}
    return LabelledEvent(
        name,
        origin,
        nodes,
        story_alignments(nodes),
        {(agency_key(d["from"]) or d["from"], d["to"]) for d in derivations},
    )


def event_edges(event: LabelledEvent, model: dict) -> list[tuple[object, int]]:
    """(edge, label) for every source the graph chooses for a member when nothing is hidden
    (the choices a confidence has to be calibrated for), read with ``model``. Identical texts
    (confidence 1 by rule) and credited wires (rule-based, reported apart) are left out, and
    so are AllSides pairs sharing much wording: whether one outlet copied the other or both
    ran the same wire copy, the data does not say."""
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


def calibration_story_events() -> list[LabelledEvent]:
    """The calibration stories written for the project (tests/fixtures/provenance): independent
    coverage quoting the same officials, common sources, rewrites in other words."""
    data = json.loads(STORIES.read_text(encoding="utf-8"))
    table = load_vectors(STORIES_VECTORS)
    groups: dict[str, list] = defaultdict(list)
    for item in data["articles"]:
        article = article_from_text(
            item["id"],
            item["text"],
            language=item["language"],
            published=item.get("published"),
            outlet=item.get("outlet"),
            credits=item.get("credits", []),
        )
        groups[item["event"]].append(article)
    articles = [a for group in groups.values() for a in group]
    if all(text_key(t) in table for t in texts_to_embed(articles)):
        reprs = {a.id: representation(a, table) for a in articles}
    else:
        reprs = represent_cached(articles, CACHE)
    return [
        labelled_event(
            f"stories-{event}", "stories", members, reprs,
            [d for d in data["derivations"] if d["to"] in {a.id for a in members}],
        )
        for event, members in sorted(groups.items())
    ]


def allsides_events() -> list[LabelledEvent]:
    """The AllSides dev set, when ../shared holds it: each member is an outlet's own report of
    the event, so a source the graph gives it is not a derivation (label 0)."""
    sys.path.insert(0, str(ROOT / "eval"))
    from clustering import ALLSIDES, article_from_row, cached_representations, load_allsides

    if not ALLSIDES.exists():
        return []
    rows = load_allsides()
    arts = [article_from_row(r) for r in rows]
    reprs = {r.id: r for r in cached_representations(arts, "allsides")[0]}
    groups: dict[str, list] = defaultdict(list)
    for row, article in zip(rows, arts, strict=True):
        groups[str(row["event"])].append(article)
    return [
        labelled_event(f"allsides-{event}", "allsides", members, reprs, [])
        for event, members in sorted(groups.items())
        if len(members) >= 2
    ]


def _report(label: str, probs: np.ndarray, y: np.ndarray) -> None:
    if not len(y):
        return
    ece, table = reliability(probs, y)
    shown = probs >= DISPLAY_THRESHOLD
    precision = y[shown].mean() if shown.any() else 1.0
    recall = (y * shown).sum() / max(y.sum(), 1)
    print(f"\n  {label}: {len(y)} edges ({int(y.sum())} true)")
    print(f"    expected calibration error (10 bins): {ece:.3f}")
    print(
        f"    at the display threshold {DISPLAY_THRESHOLD}: {int(shown.sum())} shown, "
        f"precision {precision:.3f}, recall of true edges {recall:.3f}"
    )
    print(f"    {'confidence':<12}{'edges':>6}{'mean conf':>11}{'correct':>9}")
    for lo, hi, count, conf, acc in table:
        print(f"    {lo:.1f}-{hi:.1f}{'':<5}{count:>6}{conf:>11.3f}{acc:>9.3f}")


def _model(names: list[str], w: np.ndarray) -> dict:
    return {"features": names, "weights": [float(v) for v in w[:-1]], "intercept": float(w[-1])}


def calibration(events: list[LabelledEvent], fit: bool, l2: float = L2) -> None:
    """Leave-one-event-out calibration of the confidence the trace shows.

    Training rows are the chosen edges under the shipped model. For each event, the model is
    refitted on every other event and the held-out event is traced again with it: the
    confidences scored are the final ones (model, verbatim-copy and followed-rewrite rules
    together), for edges the held-out model itself chooses."""
    names = FEATURES if fit else edge_model()["features"]
    shipped = edge_model()
    rows = {e.name: event_edges(e, shipped) for e in events}
    x_of = {
        name: np.array([[float(edge.features.get(n, 0.0)) for n in names] for edge, _ in r])
        .reshape(len(r), len(names))
        for name, r in rows.items()
    }
    y_of = {name: np.array([lab for _, lab in r], dtype=float) for name, r in rows.items()}
    held: dict[str, np.ndarray] = {}
    for event in events:
        others = [n for n in rows if n != event.name]
        x = np.vstack([x_of[n] for n in others])
        y = np.concatenate([y_of[n] for n in others])
        model = _model(names, fit_logistic(x, y, l2=l2))
        found = [(edge.confidence, label) for edge, label in event_edges(event, model)]
        held[event.name] = np.array(found, dtype=float).reshape(len(found), 2)
    print(
        f"\nedge calibration: the source chosen for each article (nothing hidden), labelled "
        f"right or wrong; {len(events)} events, model refitted leaving one event out, the "
        "held-out event traced with it (final confidence: model and rules together)"
    )

    def table(source: dict[str, np.ndarray], origins: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        arr = np.vstack(
            [np.zeros((0, 2))] + [source[e.name] for e in events if e.origin in origins]
        )
        return arr[:, 0], arr[:, 1]

    extended = ("sample", "stories")
    everything = ("sample", "stories", "allsides")
    probs, y = table(held, everything)
    ece_raw, _ = reliability(probs, y)
    _report("all labelled events", probs, y)
    _report("the extended corpus: sample corpus + calibration stories", *table(held, extended))
    _report("sample corpus alone", *table(held, ("sample",)))
    _report("calibration stories alone", *table(held, ("stories",)))
    _report("AllSides dev alone", *table(held, ("allsides",)))
    # A Platt map on top, cross-fitted (each event's confidences through a map fitted on the
    # other events' held-out confidences): shipped only if it lowers the error.
    mapped: dict[str, np.ndarray] = {}
    for event in events:
        rest = np.vstack([held[n] for n in held if n != event.name])
        a, b = fit_platt(rest[:, 0], rest[:, 1])
        mapped[event.name] = np.column_stack(
            [apply_platt(held[event.name][:, 0], a, b), held[event.name][:, 1]]
        )
    rng = np.random.default_rng(0)
    for label, origins in (("extended corpus", extended), ("all labelled events", everything)):
        conf, _ = table(held, origins)
        plain, _ = reliability(*table(held, origins))
        platt, _ = reliability(*table(mapped, origins))
        # What a perfectly calibrated confidence would score on this few edges: labels drawn
        # from the confidences themselves.
        floor = np.mean([reliability(conf, rng.random(len(conf)) < conf)[0] for _ in range(500)])
        print(
            f"  {label}: ECE {plain:.3f} ({platt:.3f} through a cross-fitted Platt map); a "
            f"perfectly calibrated confidence would score {floor:.3f} on {len(conf)} edges"
        )
    followed = [
        lab for r in rows.values() for edge, lab in r
        if edge.features.get("followed", 0) >= FOLLOWED_REWRITE
    ]
    print(
        f"  edges following {FOLLOWED_REWRITE}+ of the source's sentences in order (rewrite rule, "
        f"confidence up to {FOLLOWED_CONFIDENCE}): {len(followed)}, correct {sum(followed)}"
    )
    wire = []
    for event in events:
        if event.origin == "allsides":
            continue
        for node in event.nodes.values():
            node.original_of.clear()
        chosen, _ = build_graph(event.nodes, event.alignments, threshold=0.0, model=shipped)
        wire += [
            (e.confidence, int((agency_key(e.source) or e.source, e.target) in event.true_edges))
            for e in chosen.values()
            if e.common_source
        ]
    if wire:
        conf, ok = np.array(wire).T
        print(
            f"  common-source edges (credited wire, rule-based confidence): {len(wire)}, "
            f"mean confidence {conf.mean():.3f}, correct {ok.mean():.3f}"
        )
    x = np.vstack(list(x_of.values()))
    y = np.concatenate(list(y_of.values()))
    w = fit_logistic(x, y, l2=l2)
    print("  weights fitted on all events: " + ", ".join(
        f"{n} {v:+.2f}" for n, v in zip([*names, "intercept"], w, strict=True)))
    if fit:
        model = {
            "features": names,
            "weights": [round(float(v), 4) for v in w[:-1]],
            "intercept": round(float(w[-1]), 4),
            "fitted_on": (
                f"{len(y)} chosen edges of {len(events)} events (the sample corpus, the "
                f"calibration stories and AllSides dev; {int(y.sum())} true), L2 {l2}; "
                f"leave-one-event-out ECE of the final confidence {ece_raw:.3f}"
            ),
        }
        MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"  written to {MODEL_PATH.relative_to(ROOT)}")


def verdict_scores(traces, truth) -> None:
    """Precision / recall of each member verdict against the truth's derivations."""
    sources: dict[str, str] = {}
    for d in truth["derivations"]:
        sources.setdefault(d["to"], d["from"])
    expected, predicted = {}, {}
    for trace in traces:
        for aid, info in trace.get("verdicts", {}).items():
            source = sources.get(aid)
            if source is None:
                expected[aid] = "independent"
            elif source in truth["articles"]:
                expected[aid] = "derived"
            else:
                expected[aid] = "common-source"
            predicted[aid] = info["verdict"]
    print(f"\n{'verdict':<16}{'precision':>10}{'recall':>10}{'predicted':>11}{'true':>6}")
    for verdict in ("independent", "common-source", "derived"):
        pred = {a for a, v in predicted.items() if v == verdict}
        true = {a for a, v in expected.items() if v == verdict}
        p = len(pred & true) / len(pred) if pred else 1.0
        r = len(pred & true) / len(true) if true else 1.0
        print(f"{verdict:<16}{p:>10.3f}{r:>10.3f}{len(pred):>11}{len(true):>6}")
    wrong = sorted((a, expected[a], v) for a, v in predicted.items() if v != expected[a])
    for aid, want, got in wrong:
        print(f"  {aid}: truth {want}, predicted {got}")


def earliest_baseline(members) -> dict:
    """Every article derives from the earliest-dated one of its event."""
    ordered = sorted(members, key=lambda a: (a.published is None, a.published or "", a.id))
    origin = ordered[0]
    edges = [
        {
            "from": origin.id,
            "to": a.id,
            "kind": "copy" if a.language == origin.language else "translation",
        }
        for a in ordered[1:]
    ]
    empty = {"added": [], "omitted": [], "altered": []}
    return {"edges": edges, "articles": {a.id: dict(empty) for a in members}, "date_conflicts": []}


def main() -> int:
    verbose = "--verbose" in sys.argv
    if not (SAMPLE / "truth.json").exists():
        print(f"skipped: no sample corpus truth at {SAMPLE}")
        return 0
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    articles = load_articles()
    reprs = representations(articles)
    events: dict[str, list[str]] = defaultdict(list)
    for aid, info in truth["articles"].items():
        if info.get("event") and aid in articles:
            events[info["event"]].append(aid)
    traces = {
        event: trace_story_articles([articles[i] for i in ids], reprs, event)
        for event, ids in sorted(events.items())
    }
    scores = score_traces(traces.values(), truth, articles)
    baseline = score_traces(
        [earliest_baseline([articles[i] for i in ids]) for ids in events.values()], truth, articles
    )
    if verbose:
        diffs_pred = {k: v for t in traces.values() for k, v in t["articles"].items()}
        for to_id, tdiff in truth["diffs"].items():
            pdiff = diffs_pred.get(to_id, {})
            print(f"\n{to_id}: source truth={tdiff.get('source')} pred={pdiff.get('source')}")
            for p in pdiff.get("altered", []):
                print(f"  ~ {p['what']}: {p['detail']} | {p['text'][:80]}")
            for t in tdiff.get("altered", []):
                print(f"  T~ {t['what']}: {t['source_text'][:40]} -> {t['text'][:50]}")
        predicted = {(e["from"], e["to"]) for t in traces.values() for e in t["edges"]}
        true = {(d["from"], d["to"]) for d in truth["derivations"]}
        print("\nedges missed:", sorted(true - predicted))
        print("edges extra:", sorted(predicted - true))
    true_edges = len(truth["derivations"])
    print(f"\nsample corpus: {len(articles)} articles, {len(events)} events, {true_edges} true edges")
    print(f"{'measure':<16}{'precision':>10}{'recall':>10}{'F1':>8}{'baseline F1':>13}")
    for name, m in scores.items():
        print(
            f"{name:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}"
            f"{baseline[name]['f1']:>13.3f}"
        )
    print("baseline: every article derives from the earliest of its event; copy within a")
    print("language, translation across; no diff.")
    verdict_scores(traces.values(), truth)
    l2 = float(sys.argv[sys.argv.index("--l2") + 1]) if "--l2" in sys.argv else L2
    labelled = [
        labelled_event(
            event, "sample", [articles[i] for i in ids], reprs,
            [d for d in truth["derivations"] if d["to"] in ids],
        )
        for event, ids in sorted(events.items())
    ]
    if STORIES.exists():
        labelled += calibration_story_events()
    if "--no-allsides" not in sys.argv:
        labelled += allsides_events()
    calibration(labelled, fit="--fit" in sys.argv, l2=l2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
