"""Pinned floors for provenance on the bundled sample corpus (wiretrace/data/sample).

Articles are read with the project's own sources and pipeline and grouped by their true event,
so this measures provenance alone. Sentence vectors come from
tests/fixtures/provenance/sample_vectors.npz (computed with the default model); any sentence
not found there (after a change to cleaning or segmentation) is embedded with the model.
Regenerate: ``.venv/bin/python -m tests.test_provenance_floor``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wiretrace.provenance import trace_story_articles
from wiretrace.provenance.evaluate import score_traces, truth_events
from wiretrace.representations import ArticleRepr

from .stored_vectors import load_vectors, representation, save_vectors, text_key, texts_to_embed

SAMPLE = Path(__file__).resolve().parent.parent / "wiretrace" / "data" / "sample"
VECTORS = Path(__file__).resolve().parent / "fixtures" / "provenance" / "sample_vectors.npz"

# Measured when pinned: edges F1 0.933 (P 0.946, R 0.921; 0.907 with kind, once edited
# copies counted as rewrites), added 0.750, omitted 0.811, altered 0.632, date conflicts 1.0.
# Floors leave room for noise, not for regressions.
FLOORS = {
    "edges": 0.84,
    "edges+kind": 0.86,
    "added": 0.65,
    "omitted": 0.70,
    "altered": 0.60,
    "date_conflicts": 1.0,
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="no sample corpus"),
]


def load_sample():
    from wiretrace.pipeline import process_document
    from wiretrace.sources import iter_documents

    articles = {}
    for doc in iter_documents([str(SAMPLE / "articles")]):
        if isinstance(doc, Exception):
            continue
        article = process_document(doc)
        articles[article.id] = article
    return articles


def representations(articles) -> dict[str, ArticleRepr]:
    table = load_vectors(VECTORS)
    missing = sorted({t for t in texts_to_embed(articles.values()) if text_key(t) not in table})
    if missing:
        from wiretrace.embeddings import get_backend

        for text, vec in zip(missing, get_backend().embed_passages(missing), strict=True):
            table[text_key(text)] = vec
    return {a.id: representation(a, table) for a in articles.values()}


@pytest.fixture(scope="module")
def traced():
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    articles = load_sample()
    reprs = representations(articles)
    events = truth_events(truth, articles)
    traces = [
        trace_story_articles([articles[i] for i in ids], reprs, event)
        for event, ids in sorted(events.items())
    ]
    return traces, truth, articles


@pytest.fixture(scope="module")
def scores(traced):
    traces, truth, articles = traced
    return score_traces(traces, truth, articles)


@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_floor(scores, measure):
    assert scores[measure]["f1"] >= FLOORS[measure], (measure, scores[measure])


def test_shown_edges_are_precise(scores):
    # Edges shown (at or above the display threshold) are an accusation: they must be right.
    assert scores["edges"]["precision"] >= 0.9, scores["edges"]


def test_independent_verdicts_are_precise(traced):
    """An article called independent reporting derives from nothing in the truth: neither
    another member nor a credited wire."""
    traces, truth, _ = traced
    derived = {d["to"] for d in truth["derivations"]}
    independent = [a for t in traces for a, v in t["verdicts"].items() if v["verdict"] == "independent"]
    # Measured when pinned: 15 of 16 right (one cross-language rewrite hidden). The corpus
    # has 13 articles that derive from nothing (origins and three independent-coverage stories).
    assert len(independent) >= 10
    right = sum(a not in derived for a in independent)
    assert right / len(independent) >= 0.9, [a for a in independent if a in derived]


def test_common_source_verdicts_name_the_credited_wire(traced):
    traces, truth, _ = traced
    wires = {d["to"]: d["from"] for d in truth["derivations"] if d["from"] not in truth["articles"]}
    found = {a: v["source"] for t in traces for a, v in t["verdicts"].items()
             if v["verdict"] == "common-source"}
    assert found == wires


def test_altered_kind_is_named(scores):
    # An altered sentence found is also labelled with the right kind of change.
    assert scores["altered+what"]["f1"] >= FLOORS["altered"]


if __name__ == "__main__":
    count = save_vectors(VECTORS, texts_to_embed(load_sample().values()))
    print(f"{count} vectors -> {VECTORS}")
