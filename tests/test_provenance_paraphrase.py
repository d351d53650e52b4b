"""A close rewrite is derived even when it shares almost no wording; independent coverage is not.

What separates a paraphrase of a report from an independent report of the same event is
structure: the rewrite walks its source's sentences in order, an independent report meets it at
a few facts in its own order. The fixture (tests/fixtures/provenance/paraphrase_story.json, its
vectors stored beside it) is a wire report run by an outlet, an undated rewrite of it in other
words with an inserted paragraph and sharpened claims, and an independent report of the same
strike. Regenerate the vectors with ``python -m tests.test_provenance_paraphrase``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wiretrace.provenance import trace_story_articles
from wiretrace.provenance.graph import DISPLAY_THRESHOLD, FOLLOWED_REWRITE, _band
from wiretrace.records import Article
from wiretrace.representations import ArticleRepr

from .stored_vectors import (
    assert_vectors_match_the_model,
    load_vectors,
    representation,
    save_vectors,
    texts_to_embed,
)
from .test_provenance import story_articles

VECTORS = Path(__file__).resolve().parent / "fixtures" / "provenance" / "paraphrase_vectors.npz"
SOURCE, REWRITE, OTHER = "today/strike", "blog/strike-rewrite", "ledger/strike"


def load() -> tuple[list[Article], dict[str, ArticleRepr]]:
    articles = story_articles("paraphrase_story")
    table = load_vectors(VECTORS)
    return articles, {a.id: representation(a, table) for a in articles}


@pytest.fixture(scope="module")
def trace() -> dict:
    articles, reprs = load()
    return trace_story_articles(articles, reprs, "strike")


def _edge(trace: dict, target: str) -> dict | None:
    return next(
        (e for e in trace["edges"] + trace.get("hidden_edges", []) if e["to"] == target), None
    )


def test_a_close_paraphrase_is_derived_from_its_source(trace):
    edge = _edge(trace, REWRITE)
    assert edge is not None and edge["from"] == SOURCE
    assert edge in trace["edges"] and edge["confidence"] >= DISPLAY_THRESHOLD
    # ... on structure, not wording: the rewrite shares almost none of its source's words.
    assert edge["features"]["unquoted_verbatim"] < 0.1
    assert edge["features"]["followed"] >= FOLLOWED_REWRITE
    verdict = trace["verdicts"][REWRITE]
    assert verdict["verdict"] == "derived" and verdict["source"] == SOURCE


def test_the_inserted_paragraph_is_added_and_restated_facts_are_not(trace):
    diff = trace["articles"][REWRITE]
    added = " ".join(a["text"] for a in diff["added"])
    assert "Brussels" in added and "Western governments" in added
    for restated in ("4,200", "mediator", "19 days", "Halden Metals"):
        assert restated not in added, restated
    altered = [a for a in diff["altered"] if "blockaded" in a["text"]]
    assert altered, diff["altered"]


def test_independent_coverage_of_the_same_strike_stays_independent(trace):
    assert trace["verdicts"][OTHER]["verdict"] == "independent"
    edge = _edge(trace, OTHER)
    assert edge is None or edge["confidence"] < DISPLAY_THRESHOLD
    if edge is not None:
        assert edge["features"]["followed"] < FOLLOWED_REWRITE


def test_the_chain_follows_order_not_mere_similarity():
    rng = np.random.default_rng(7)
    topic = rng.normal(size=64)
    facts = rng.normal(size=(8, 64))

    def unit(rows: np.ndarray) -> np.ndarray:
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    # Sentences of one topic sit close together; each fact adds its own direction.
    source = unit(3 * topic + facts + 0.3 * rng.normal(size=(8, 64)))
    rewrite = unit(3 * topic + facts + 0.3 * rng.normal(size=(8, 64)))
    order = list(range(8))
    assert _band(source, rewrite, order, order) >= 7
    reordered = rewrite[[5, 2, 7, 0, 3, 6, 1, 4]]
    assert _band(source, reordered, order, order) <= 3
    unrelated = unit(3 * topic + rng.normal(size=(8, 64)))
    assert _band(source, unrelated, order, order) <= 2


@pytest.mark.slow
def test_stored_vectors_match_the_model():
    assert_vectors_match_the_model(
        VECTORS, texts_to_embed(story_articles("paraphrase_story")), samples=8
    )


if __name__ == "__main__":
    count = save_vectors(VECTORS, texts_to_embed(story_articles("paraphrase_story")))
    print(f"{count} vectors -> {VECTORS}")
