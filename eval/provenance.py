"""Provenance against the bundled sample corpus ground truth, and the edge model's calibration.

Run: .venv/bin/python eval/provenance.py [--verbose] [--fit]

Articles are read with the project's own sources and pipeline, grouped by their true event (so
this measures provenance, not clustering), traced, and compared with
wiretrace/data/sample/truth.json: precision/recall of derivation edges (with and without
kind), of added / omitted / altered sentences, and of the member verdicts (independent,
common source, derived).

Calibration: every article-to-article source the graph chooses is a labelled pair (right or
wrong against the truth). The edge model (a logistic regression on the evidence features) is
refitted leaving one event out at a time, and the held-out probabilities give the expected
calibration error, a reliability table and the precision of edges at the display threshold.
``--fit`` writes the model fitted on all events to wiretrace/provenance/data/edge_model.json.
Sentence vectors come from the provenance test fixture (tests/fixtures/provenance/), texts
missing there are embedded and cached under .cache/provenance/.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "wiretrace" / "data" / "sample"
CACHE = ROOT / ".cache" / "provenance"
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from wiretrace.pipeline import process_document  # noqa: E402
from wiretrace.provenance import trace_story_articles  # noqa: E402
from wiretrace.provenance.evaluate import (  # noqa: E402
    chosen_edge_samples,
    fit_logistic,
    reliability,
    score_traces,
)
from wiretrace.provenance.graph import (  # noqa: E402
    DISPLAY_THRESHOLD,
    FOLLOWED_CONFIDENCE,
    FOLLOWED_REWRITE,
    edge_model,
)
from wiretrace.provenance.offline import represent_cached  # noqa: E402
from wiretrace.representations import ArticleRepr  # noqa: E402
from wiretrace.sources import iter_documents  # noqa: E402

MODEL_PATH = ROOT / "wiretrace" / "provenance" / "data" / "edge_model.json"
VECTORS = ROOT / "tests" / "fixtures" / "provenance" / "sample_vectors.npz"
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
    from tests.stored_vectors import load_vectors, representation, text_key, texts_to_embed

    table = load_vectors(VECTORS)
    if all(text_key(t) in table for t in texts_to_embed(articles.values())):
        return {a.id: representation(a, table) for a in articles.values()}
    return represent_cached(list(articles.values()), CACHE)


def allsides_samples(names: list[str]) -> list[tuple[str, list[float], int, object]]:
    """Labelled pairs from the AllSides dev set, when ../shared holds it: each member is an
    outlet's own report of the event, so a source the graph gives it is not a derivation
    (label 0). Pairs that share much wording (the same wire copy run by two outlets) are left
    out: whether one copied the other or both ran the wire, the data does not say."""
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
    out = []
    for event, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        for features, _, edge in chosen_edge_samples(members, reprs, {"derivations": []}):
            if edge.common_source or features["unquoted_verbatim"] >= SHARED_COPY:
                continue
            out.append((f"allsides-{event}", [float(features.get(n, 0.0)) for n in names], 0, edge))
    return out


def _report(label: str, probs: np.ndarray, y: np.ndarray) -> None:
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


def calibration(articles, reprs, events, truth, fit: bool, l2: float = L2) -> None:
    """Leave-one-event-out calibration of the edge model on the chosen edges."""
    names = FEATURES if fit else edge_model()["features"]
    samples, wire = [], []
    for event, ids in sorted(events.items()):
        for features, label, edge in chosen_edge_samples(
            [articles[i] for i in ids], reprs, truth
        ):
            if edge.common_source:  # a credited wire: confidence from the credit, not the model
                wire.append((edge.confidence, label))
                continue
            samples.append((event, [float(features.get(n, 0.0)) for n in names], label, edge))
    n_sample = len(samples)
    if "--no-allsides" not in sys.argv:
        samples += allsides_samples(names)
    x = np.array([s[1] for s in samples])
    y = np.array([s[2] for s in samples], dtype=float)
    groups = np.array([s[0] for s in samples])
    held_out = np.zeros(len(samples))
    for event in sorted(set(groups)):
        test = groups == event
        w = fit_logistic(x[~test], y[~test], l2=l2)
        held_out[test] = 1 / (1 + np.exp(-(x[test] @ w[:-1] + w[-1])))
    print(
        f"\nedge calibration: the source chosen for each article (nothing hidden), labelled "
        f"right or wrong; {len(set(groups))} events, model refitted leaving one event out"
    )
    ece, _ = reliability(held_out, y)
    _report("sample corpus + AllSides dev", held_out, y)
    _report("sample corpus alone", held_out[:n_sample], y[:n_sample])
    if len(samples) > n_sample:
        _report("AllSides dev alone", held_out[n_sample:], y[n_sample:])
    followed = [s[2] for s in samples if s[3].features.get("followed", 0) >= FOLLOWED_REWRITE]
    print(
        f"  edges following {FOLLOWED_REWRITE}+ of the source's sentences in order (rewrite rule, "
        f"confidence up to {FOLLOWED_CONFIDENCE}): {len(followed)}, correct {sum(followed)}"
    )
    if wire:
        conf, ok = np.array(wire).T
        print(
            f"  common-source edges (credited wire, rule-based confidence): {len(wire)}, "
            f"mean confidence {conf.mean():.3f}, correct {ok.mean():.3f}"
        )
    w = fit_logistic(x, y, l2=l2)
    print("  weights fitted on all events: " + ", ".join(
        f"{n} {v:+.2f}" for n, v in zip([*names, "intercept"], w, strict=True)))
    if fit:
        model = {
            "features": names,
            "weights": [round(float(v), 4) for v in w[:-1]],
            "intercept": round(float(w[-1]), 4),
            "fitted_on": (
                f"{len(samples)} chosen edges ({n_sample} of the sample corpus, the rest "
                f"AllSides dev; {int(y.sum())} true), L2 {l2}; leave-one-event-out ECE {ece:.3f}"
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
    calibration(articles, reprs, events, truth, fit="--fit" in sys.argv, l2=l2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
