"""Embedding vectors stored beside test fixtures, so provenance tests run without the model.

Vectors are keyed by the SHA-1 of the text they embed and stored as float16 in ``.npz`` files;
each test module regenerates its own file with the default model when its texts change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from wiretrace.records import Article
from wiretrace.representations import ArticleRepr, doc_text
from wiretrace.sentences import split_sentences


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def texts_to_embed(articles: Iterable[Article]) -> list[str]:
    """Every text a representation needs: each sentence and the document text."""
    texts = []
    for article in articles:
        texts.extend(s.text for s in split_sentences(article.text, article.language))
        texts.append(doc_text(article))
    return texts


def load_vectors(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def save_vectors(path: Path, texts: Iterable[str]) -> int:
    """Embed ``texts`` with the default model and store them at ``path``; returns the count."""
    from wiretrace.embeddings import get_backend

    unique = sorted(set(texts))
    vectors = get_backend().embed_passages(unique)
    arrays = {text_key(t): v.astype(np.float16) for t, v in zip(unique, vectors, strict=True)}
    np.savez_compressed(path, **arrays)
    return len(unique)


def assert_vectors_match_the_model(path: Path, texts: Iterable[str], samples: int) -> None:
    """About ``samples`` of ``texts``, embedded afresh, equal their stored vectors (cosine > 0.99):
    the stored table must be what the shipped model gives."""
    from wiretrace.embeddings import get_backend

    ordered = sorted(set(texts))
    sample = ordered[:: max(1, len(ordered) // samples)]
    table = load_vectors(path)
    for text, vec in zip(sample, get_backend().embed_passages(sample), strict=True):
        assert float(vec @ table[text_key(text)]) > 0.99, text


def representation(article: Article, table: dict[str, np.ndarray]) -> ArticleRepr:
    """The article's representation from stored vectors (a missing text is an error that
    names it, so a stale vector file says what to regenerate)."""
    sentences = split_sentences(article.text, article.language)
    missing = [s.text for s in sentences if text_key(s.text) not in table]
    assert not missing, f"no stored vector for {missing[0]!r}: regenerate the vectors"
    vectors = (
        np.vstack([table[text_key(s.text)] for s in sentences])
        if sentences
        else np.zeros((0, 384), np.float32)
    )
    return ArticleRepr.of(article, sentences, vectors, table[text_key(doc_text(article))])
