"""The trace's alignment tiers: a story that verbatim passages settle is traced without sentence
vectors, and traced as the full path traces it; any other story reads them for every pair.

The full path is the same trace with the verbatim tier switched off, on the same articles.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from wiretrace import representations
from wiretrace.embeddings import get_backend
from wiretrace.provenance import align, trace_story_articles
from wiretrace.provenance.trace import make_doc
from wiretrace.records import Article, Metadata
from wiretrace.representations import represent

from .backends import CountingBackend

REPORT = [
    "Dock workers in the port of Varna extended their strike on Monday, the union said.",
    "About 1,200 workers stopped loading ships after talks on wages failed on 3 March.",
    "The port authority said it would meet union leaders again on Wednesday afternoon.",
    "Shipping companies diverted 14 vessels to the neighbouring port of Burgas.",
    "The union is asking for a pay rise of 12 percent and a shorter night shift.",
    "Exporters of grain warned that a long strike would delay contracts worth millions.",
    "The transport ministry has not commented on the dispute so far.",
]


def _article(aid: str, sentences: list[str], published: str, title: str = "Varna dock strike") -> Article:
    text = " ".join(sentences[:3]) + "\n\n" + " ".join(sentences[3:])
    raw = text.encode("utf-8")
    return Article(
        id=aid, source_path=aid, source_kind="record", content_hash=hashlib.sha256(raw).hexdigest(),
        raw_bytes=raw, encoding="utf-8", text=text,
        metadata=Metadata(title=title, published=published, outlet=aid.split("-")[0]),
        language="en",
    )


def _edited(sentence: str) -> str:
    """A house-style edit inside a sentence: one word left out."""
    words = sentence.split()
    return " ".join(words[:4] + words[5:])


@pytest.fixture
def counting() -> CountingBackend:
    representations._CACHE.clear()
    return CountingBackend(get_backend())


def _trace(articles: list[Article], backend: CountingBackend, *, tiers: bool = True) -> dict:
    reprs = {r.id: r for r in represent(articles, backend)}
    if tiers:
        return trace_story_articles(articles, reprs, "s")
    original = align.settled_by_verbatim
    align.settled_by_verbatim = lambda *_: False  # type: ignore[assignment]
    try:
        return trace_story_articles(articles, reprs, "s")
    finally:
        align.settled_by_verbatim = original


def _edges(trace: dict) -> list[tuple[str, str, str]]:
    return sorted((e["from"], e["to"], e["kind"]) for e in trace["edges"] + trace["hidden_edges"])


def test_a_story_of_copies_is_traced_without_sentence_vectors_as_the_full_path_traces_it(counting):
    articles = [
        _article("wire-1", REPORT, "2025-03-03T08:00:00Z"),
        _article("cut-1", REPORT[:5], "2025-03-03T11:00:00Z"),
        _article("edit-1", [_edited(s) for s in REPORT[:6]], "2025-03-03T14:00:00Z",
                 title="Strike in Varna goes on"),
        # cut at the other end: it and cut-1 each hold sentences the other lacks, all of them
        # the wire's
        _article("tail-1", REPORT[3:], "2025-03-03T15:00:00Z", title="Grain exporters worried"),
    ]
    fast = _trace(articles, counting)
    assert fast["stats"]["alignment_tier"] == align.TIER_VERBATIM
    assert fast["stats"]["sentence_pairs_compared"] == 0
    # documents and titles only: no sentence went through the model
    assert not {s for a in REPORT for s in (a, _edited(a))} & set(counting.texts)

    full = _trace(articles, counting, tiers=False)
    assert full["stats"]["alignment_tier"] == align.TIER_EMBEDDING
    assert {s for s in REPORT} <= set(counting.texts)
    assert _edges(fast) == _edges(full)
    assert {e["to"]: e["from"] for e in fast["edges"]} == {
        "cut-1": "wire-1", "edit-1": "wire-1", "tail-1": "wire-1"}
    for edge in fast["edges"]:
        twin = next(e for e in full["edges"] if (e["from"], e["to"]) == (edge["from"], edge["to"]))
        assert abs(edge["confidence"] - twin["confidence"]) <= 0.05, (edge, twin)
    assert fast["origins"] == full["origins"]
    assert fast["verdicts"] == full["verdicts"]
    for aid in ("cut-1", "edit-1", "tail-1"):
        ours, theirs = fast["articles"][aid], full["articles"][aid]
        assert [x["text"] for x in ours["added"]] == [x["text"] for x in theirs["added"]]
        assert [x["text"] for x in ours["omitted"]] == [x["text"] for x in theirs["omitted"]]


def test_a_story_with_material_on_both_sides_reads_sentence_vectors_for_every_pair(counting):
    rewrite = REPORT[:4] + [
        "Police said two protesters were detained outside the harbour gates on Tuesday.",
        "Local officials called for calm and asked both sides to return to talks.",
    ]
    articles = [
        _article("wire-1", REPORT, "2025-03-03T08:00:00Z"),
        _article("copy-1", REPORT, "2025-03-03T09:00:00Z"),
        _article("spin-1", rewrite, "2025-03-03T16:00:00Z", title="Unrest at Varna port"),
    ]
    fast = _trace(articles, counting)
    assert fast["stats"]["alignment_tier"] == align.TIER_EMBEDDING
    assert fast["stats"]["sentence_pairs_compared"] > 0
    full = _trace(articles, counting, tiers=False)
    fast["stats"].pop("seconds"), full["stats"].pop("seconds")
    assert fast == full  # the same path, the same trace


def test_a_doc_embeds_its_sentences_only_when_they_are_read(counting):
    article = _article("wire-1", REPORT, "2025-03-03T08:00:00Z")
    rep = represent([article], counting)[0]
    before = len(counting.texts)
    doc = make_doc(rep)
    assert not doc.has_vectors() and len(counting.texts) == before
    vectors = doc.vectors
    assert vectors.shape == (len(doc.sentences), counting.dim)
    assert len(counting.texts) == before + len(doc.sentences)
    assert doc.vectors is vectors  # read once


def test_lexical_vectors_single_out_the_copied_sentence():
    a = make_doc(represent([_article("wire-1", REPORT, "2025-03-03T08:00:00Z")])[0])
    b = make_doc(represent([_article("cut-1", REPORT[2:5], "2025-03-03T11:00:00Z")])[0])
    sims = align.lexical_vectors(b) @ align.lexical_vectors(a).T
    assert np.allclose(np.linalg.norm(align.lexical_vectors(a), axis=1), 1.0, atol=1e-5)
    assert list(sims.argmax(axis=1)) == [2, 3, 4]
