"""The tiered pipeline: one model pass per article at ingest, sentence vectors only when read.

Checks that the cheap path gives the same verdicts as the full one, that every text is
embedded at most once, that lazily computed vectors land in the store, and that the run
summary reports each stage's time.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from wiretrace import representations
from wiretrace.embeddings import get_backend
from wiretrace.entities.recognize import recognize, recognize_many
from wiretrace.pipeline import ingest
from wiretrace.records import Article, Metadata
from wiretrace.representations import represent
from wiretrace.similarity.scorer import decide_pair, default_model, score_pair
from wiretrace.store.representations import load_representations

from .backends import CountingBackend

HARBOUR = (
    "Dock workers in the port of Varna extended their strike on Monday, the union said.\n\n"
    "About 1,200 workers stopped loading ships after talks on wages failed on 3 March.\n\n"
    "The port authority said it would meet union leaders again on Wednesday. "
    "Shipping companies diverted 14 vessels to Burgas."
)
FIRE = (
    "A forest fire near Cottbus burned 300 hectares of pine woodland overnight.\n\n"
    "Firefighters from three districts fought the blaze, the regional office said. "
    "Two villages were evacuated as a precaution."
)


def _article(aid: str, text: str, title: str | None, published: str = "2025-03-03T09:00:00Z") -> Article:
    raw = text.encode("utf-8")
    return Article(
        id=aid, source_path=aid, source_kind="record", content_hash=hashlib.sha256(raw).hexdigest(),
        raw_bytes=raw, encoding="utf-8", text=text,
        metadata=Metadata(title=title, published=published, outlet=aid.split("-")[0]),
        language="en",
    )


@pytest.fixture
def counting() -> CountingBackend:
    representations._CACHE.clear()
    return CountingBackend(get_backend())


def test_represent_embeds_document_and_title_only_until_sentences_are_read(counting):
    reprs = represent([_article("a-1", HARBOUR, "Varna dock strike"), _article("b-1", FIRE, None)], counting)
    docs_and_heads = len(counting.texts)
    assert docs_and_heads == 4  # two documents, one title, one first sentence for the untitled
    assert not any(r.has_sentence_vectors() for r in reprs)
    assert reprs[0].title_vector is not None and reprs[1].lead_vector is not None

    vectors = reprs[0].sentence_vectors
    assert vectors.shape == (len(reprs[0].sentences), counting.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    after_first_read = len(counting.texts)
    assert after_first_read == docs_and_heads + len(reprs[0].sentences)
    reprs[0].sentence_vectors  # noqa: B018 - a second read embeds nothing
    assert len(counting.texts) == after_first_read
    # the untitled article's first sentence was embedded as its lead: reading its sentences
    # embeds the others only, and the lead equals the first sentence's vector
    second = reprs[1].sentence_vectors
    assert len(counting.texts) == after_first_read + len(reprs[1].sentences) - 1
    assert np.allclose(second[0], reprs[1].lead_vector)


def test_a_copy_shares_its_vectors_and_costs_no_model_call(counting):
    original = represent([_article("a-1", HARBOUR, "Varna dock strike")], counting)[0]
    original.sentence_vectors  # noqa: B018
    before = len(counting.texts)
    copy = represent([_article("c-1", HARBOUR, "Varna dock strike")], counting)[0]
    copy.sentence_vectors  # noqa: B018
    assert len(counting.texts) == before  # the same document, title and sentences: cached
    assert np.array_equal(copy.doc_vector, original.doc_vector)


def test_the_clusterers_verdict_equals_the_full_score_without_embedding_sentences(counting):
    a, b, c = represent(
        [_article("a-1", HARBOUR, "Varna dock strike"),
         _article("b-1", HARBOUR.replace("Monday", "Tuesday"), "Port strike goes on"),
         _article("f-1", FIRE, "Forest fire near Cottbus")],
        counting,
    )
    model = default_model()
    pairs = ((a, b), (a, c), (b, c))
    verdicts = [decide_pair(x, y, model) for x, y in pairs]
    assert not any(r.has_sentence_vectors() for r in (a, b, c))
    for (x, y), fast in zip(pairs, verdicts, strict=True):
        full = score_pair(x, y, model)
        assert (fast.similarity, fast.same_event, fast.confidence) == (
            full.similarity, full.same_event, full.confidence)
        assert "aligned" in full.evidence and "aligned" not in fast.evidence
        assert full.evidence["tier"] == fast.evidence["tier"]
    assert score_pair(a, b, model).evidence["tier"] == "minhash"  # 1 word changed: a near-copy
    assert score_pair(a, c, model).evidence["tier"] == "document"


def test_sentence_vectors_are_cached_in_the_store_when_first_read(store, counting):
    article = _article("a-1", HARBOUR, "Varna dock strike")
    with store.transaction():
        store.put_article(article)
    first = load_representations(store, ["a-1"], backend=counting)["a-1"]
    kinds = {r[0] for r in store.conn.execute("SELECT kind FROM embeddings WHERE article_id = 'a-1'")}
    assert kinds == {"doc", "title"}
    vectors = first.sentence_vectors
    kinds = {r[0] for r in store.conn.execute("SELECT kind FROM embeddings WHERE article_id = 'a-1'")}
    assert kinds == {"doc", "title", "sentences"}
    representations._CACHE.clear()
    before = len(counting.texts)
    again = load_representations(store, ["a-1"], backend=counting)["a-1"]
    assert again.has_sentence_vectors() and len(counting.texts) == before
    assert np.allclose(again.sentence_vectors, vectors, atol=2e-3)  # stored as float16


def test_batched_recognition_finds_what_one_call_per_text_finds():
    items = [
        ("Alexander Lukashenko met Viktor Orban in Minsk on Monday, the Kremlin said.", "en"),
        ("Александр Лукашенко встретился с Виктором Орбаном в Минске.", "ru"),
        ("", "en"),
        ("Angela Merkel traf Emmanuel Macron in Berlin.", "de"),
        ("Joe Biden spoke with Xi Jinping about Taiwan, the White House said.", None),
    ]
    assert recognize_many(items) == [recognize(text, lang) for text, lang in items]


def test_ingest_reports_seconds_per_stage_and_traces_only_stories(tmp_path, store):
    records = [
        {"id": "wire-1", "title": "Varna dock strike", "text": HARBOUR,
         "published": "2025-03-03T09:00:00Z", "outlet": "Wire", "language": "en"},
        {"id": "repost-1", "title": "Varna dock strike", "text": HARBOUR,
         "published": "2025-03-03T15:00:00Z", "outlet": "Repost", "language": "en"},
        {"id": "fire-1", "title": "Forest fire near Cottbus", "text": FIRE,
         "published": "2025-03-03T10:00:00Z", "outlet": "Courier", "language": "en"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    report = ingest(store, [str(path)], workers=1)
    assert list(report.stages)[:2] == ["representations", "stories"]
    assert all(isinstance(s.get("seconds"), float) for s in report.stages.values())
    assert report.stages["traces"]["stories_traced"] == 1
    with_sentences = {r[0] for r in store.conn.execute(
        "SELECT article_id FROM embeddings WHERE kind = 'sentences'")}
    # the single article is never split into vectors, and a story of re-posts is aligned by
    # its verbatim passages alone
    assert with_sentences == set()
    again = ingest(store, [str(path)], workers=1)
    assert again.new == 0 and again.stages == {}
