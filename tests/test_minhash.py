"""The MinHash tier: verbatim and near-verbatim copies found by word shingles, no model call.

Texts are written for these tests: a report, its re-post with punctuation and a few words
changed, a partial copy, an independent report of the same event sharing names, numbers and
a quote, and an unrelated report.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from wiretrace.records import Article, Metadata
from wiretrace.representations import ArticleRepr
from wiretrace.similarity import minhash
from wiretrace.similarity.minhash import CopyIndex, near_copy, shingles, signature
from wiretrace.similarity.scorer import decide_pair, default_model, score_pair

REPORT = (
    "Rescue teams in the mountain village of Zlatna Reka pulled eleven people from the rubble "
    "of a collapsed school gym on Thursday evening, the regional governor said. The roof gave "
    "way under heavy snow shortly after a basketball practice had ended, and most pupils had "
    "already left the building. Governor Petra Ilieva told reporters that two of the injured "
    "were in serious condition and had been flown to the hospital in Plovdiv. Engineers had "
    "inspected the gym in October and found cracks in two roof beams, according to a report "
    "seen by local media. The municipality had asked for money to repair the roof twice this "
    "year. \"We will find out who ignored the warnings,\" Ilieva said. Schools in the district "
    "will stay closed until Monday while inspectors check every building with a flat roof."
)
# A re-post: other quotation marks and dashes, one sentence dropped, three words changed.
REPOST = (
    REPORT.replace("\"", "«", 1).replace("\"", "»", 1)
    .replace("Thursday evening", "Thursday night")
    .replace("most pupils", "most of the pupils")
    .replace(" The municipality had asked for money to repair the roof twice this year.", "")
)
# A partial copy: the first half of the report under a new opening sentence.
PARTIAL = (
    "A school gym roof collapsed in Bulgaria. "
    + REPORT[: REPORT.index(" Engineers had")]
)
# The same event reported independently: same names, numbers and quote, other words.
INDEPENDENT = (
    "Eleven people were rescued after snow brought down the roof of a school sports hall in "
    "Zlatna Reka late on Thursday. Two of them are seriously hurt and were taken by helicopter "
    "to Plovdiv, Governor Petra Ilieva said at the scene. Local outlets reported that an "
    "inspection in October had found cracked beams. \"We will find out who ignored the "
    "warnings,\" Ilieva said. Classes across the district are suspended until Monday."
)
UNRELATED = (
    "The central bank kept its main interest rate at 3.5 percent on Wednesday, saying that "
    "inflation had slowed for a fourth month in a row but that wage growth remained strong. "
    "Economists polled before the meeting had expected no change. The bank's governor said "
    "further cuts would depend on energy prices over the winter and on the budget that "
    "parliament is due to adopt in December. The currency barely moved after the decision."
)


def test_shingles_ignore_case_and_punctuation():
    assert shingles("The roof, it said -- gave way!") == shingles("the ROOF it said gave way")
    assert len(shingles("one two three four five six")) == 2
    assert shingles("") == set()


def test_a_repost_and_a_partial_copy_are_near_copies():
    repost = near_copy(REPORT, REPOST)
    assert repost is not None and repost.containment > 0.75
    partial = near_copy(REPORT, PARTIAL)
    assert partial is not None and partial.containment > 0.75
    # the partial copy is half the report: Jaccard alone would miss it
    assert partial.jaccard < 0.7
    assert near_copy(REPORT, REPORT).containment == pytest.approx(1.0)


def test_independent_coverage_and_unrelated_reports_are_not_copies():
    assert near_copy(REPORT, INDEPENDENT) is None
    assert near_copy(REPORT, UNRELATED) is None
    assert near_copy(INDEPENDENT, UNRELATED) is None


def test_short_texts_are_never_called_copies():
    headline = "Eleven rescued as school gym roof collapses in Zlatna Reka"
    assert near_copy(headline, headline) is None


def test_the_estimate_follows_the_true_overlap():
    a, b = shingles(REPORT), shingles(PARTIAL)
    true_containment = len(a & b) / min(len(a), len(b))
    match = near_copy(REPORT, PARTIAL)
    assert match is not None
    assert abs(match.containment - true_containment) < 0.15


def test_signatures_are_reused_for_the_same_text():
    minhash._CACHE.clear()
    first = signature(REPORT)
    assert signature(REPORT) is first
    assert len(minhash._CACHE) == 1


def test_the_index_finds_copies_and_only_copies():
    index = CopyIndex()
    for key, text in (("report", REPORT), ("independent", INDEPENDENT), ("unrelated", UNRELATED),
                      ("headline", "School gym roof collapses")):
        index.add(key, text)
    assert "headline" not in index and len(index) == 3  # too short to index
    assert [k for k, _ in index.copies_of(REPOST)] == ["report"]
    assert [k for k, _ in index.copies_of(PARTIAL)] == ["report"]
    assert index.copies_of(REPORT, exclude="report") == []
    index.remove("report")
    assert index.copies_of(REPOST) == []


def _repr(aid: str, text: str, published: str, vector: np.ndarray) -> ArticleRepr:
    raw = text.encode("utf-8")
    article = Article(
        id=aid, source_path=aid, source_kind="record", content_hash=hashlib.sha256(raw).hexdigest(),
        raw_bytes=raw, encoding="utf-8", text=text,
        metadata=Metadata(title=None, published=published), language="en",
    )
    from wiretrace.sentences import split_sentences

    # as ``represent`` gives it: document vector and a lead vector, sentence vectors not computed
    return ArticleRepr.of(article, split_sentences(text, "en"), None, vector, lead_vector=vector)


def test_the_pair_decision_takes_a_copy_from_the_minhash_tier_without_a_model_call():
    """Vectors that disagree with the text and page dates a year apart: the copy is still the
    same report, the tier says so, and no sentence vector is asked for."""
    rng = np.random.default_rng(3)
    va, vb = rng.normal(size=(2, 384)).astype(np.float32)
    a = _repr("a", REPORT, "2025-01-09T18:00:00Z", va / np.linalg.norm(va))
    b = _repr("b", REPOST, "2026-01-20T08:00:00Z", vb / np.linalg.norm(vb))
    model = default_model()
    verdict = decide_pair(a, b, model)  # sentence vectors were never given: reading them raises
    assert verdict.same_event
    assert verdict.evidence["tier"] == "minhash"
    assert verdict.evidence["copy"]["containment"] >= minhash.NEAR_COPY_CONTAINMENT
    assert 0.5 <= verdict.confidence <= 1.0

    c = _repr("c", INDEPENDENT, "2025-01-09T19:00:00Z", vb / np.linalg.norm(vb))
    other = decide_pair(a, c, model)
    assert other.evidence["tier"] != "minhash" and "copy" not in other.evidence


def test_full_score_and_verdict_agree_on_a_copy():
    rng = np.random.default_rng(5)
    v = rng.normal(size=384).astype(np.float32)
    v /= np.linalg.norm(v)
    a = _repr("a", REPORT, "2025-01-09T18:00:00Z", v)
    b = _repr("b", PARTIAL, "2025-01-10T08:00:00Z", v)
    vectors = {"a": np.tile(v, (len(a.sentences), 1)), "b": np.tile(v, (len(b.sentences), 1))}
    a.sentence_vectors, b.sentence_vectors = vectors["a"], vectors["b"]
    full, fast = score_pair(a, b), decide_pair(a, b)
    assert full.evidence["tier"] == fast.evidence["tier"] == "minhash"
    assert (full.similarity, full.same_event, full.confidence) == (
        fast.similarity, fast.same_event, fast.confidence)
