"""Representations repository: sentences, embeddings and features of each article
(migration 0002), and the cached path around the representations stage.

``wiretrace.representations.represent`` is the stage (articles in, representations out);
``load_representations`` reads what the store has and computes and stores only what is
missing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable

import numpy as np

from ..embeddings import EmbeddingBackend, get_backend
from ..records import Article
from ..representations import (
    ArticleRepr,
    SentenceVectorizer,
    extract_features,
    features_version,
    represent,
    sentence_vectors_for,
)
from ..sentences import Sentence
from .base import Store


def _pack(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def _unpack(blob: bytes, count: int, dim: int) -> np.ndarray:
    arr = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    return arr.reshape(count, dim)


def save_representations(store: Store, reprs: Iterable[ArticleRepr], backend_name: str) -> None:
    """Store sentences, features and the vectors at hand (one transaction for the batch);
    sentence vectors not computed yet are left for when something reads them."""
    version = features_version()
    with store.transaction() as conn:
        for r in reprs:
            conn.execute("DELETE FROM sentences WHERE article_id = ?", (r.id,))
            conn.executemany(
                'INSERT INTO sentences(article_id, idx, start, "end", text) VALUES (?,?,?,?,?)',
                [(r.id, i, s.start, s.end, s.text) for i, s in enumerate(r.sentences)],
            )
            rows = [("doc", r.doc_vector[None, :])]
            if r.has_sentence_vectors():
                rows.append(("sentences", r.sentence_vectors))
            if r.title_vector is not None:
                rows.append(("title", r.title_vector[None, :]))
            if r.lead_vector is not None:
                rows.append(("lead", r.lead_vector[None, :]))
            conn.execute(
                "DELETE FROM embeddings WHERE article_id = ? AND backend = ?", (r.id, backend_name)
            )
            dim = int(r.doc_vector.shape[0])
            conn.executemany(
                "INSERT INTO embeddings(article_id, backend, kind, dim, count, vectors) VALUES (?,?,?,?,?,?)",
                [(r.id, backend_name, kind, dim, int(v.shape[0]), _pack(v)) for kind, v in rows],
            )
            conn.execute(
                "INSERT OR REPLACE INTO article_features(article_id, version, features_json) VALUES (?,?,?)",
                (r.id, version, json.dumps(r.features, ensure_ascii=False)),
            )


def _stored_vectorizer(store: Store, backend: EmbeddingBackend) -> SentenceVectorizer:
    """Computes an article's sentence vectors on first use and caches them in ``store``."""

    def vectorize(r: ArticleRepr) -> np.ndarray:
        vectors = sentence_vectors_for([r], backend)[0]
        if store.readonly:
            return vectors
        try:
            with store.transaction() as conn:
                # only while the stored sentences are the ones embedded (the article may have
                # been re-ingested with other text since this representation was read)
                count = conn.execute(
                    "SELECT count(*) FROM sentences WHERE article_id = ?", (r.id,)
                ).fetchone()[0]
                if count == len(r.sentences):
                    conn.execute(
                        "INSERT OR REPLACE INTO embeddings(article_id, backend, kind, dim, count, "
                        "vectors) VALUES (?,?,?,?,?,?)",
                        (r.id, backend.name, "sentences", int(r.doc_vector.shape[0]),
                         len(r.sentences), _pack(vectors)),
                    )
        except sqlite3.ProgrammingError:
            pass  # the store was closed after reading (``compare``): the vectors still serve
        return vectors

    return vectorize


def _load_one(store: Store, article: Article, backend: EmbeddingBackend) -> ArticleRepr | None:
    conn = store.conn
    emb = {
        row["kind"]: _unpack(row["vectors"], row["count"], row["dim"])
        for row in conn.execute(
            "SELECT kind, dim, count, vectors FROM embeddings WHERE article_id = ? AND backend = ?",
            (article.id, backend.name),
        )
    }
    if "doc" not in emb:
        return None
    feat_row = conn.execute(
        "SELECT version, features_json FROM article_features WHERE article_id = ?", (article.id,)
    ).fetchone()
    sentences = [
        Sentence(row["text"], row["start"], row["end"])
        for row in conn.execute(
            'SELECT text, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx',
            (article.id,),
        )
    ]
    sentence_vectors = emb.get("sentences")
    if sentence_vectors is not None and len(sentences) != sentence_vectors.shape[0]:
        sentence_vectors = None  # stale: computed again when read
    if feat_row is not None and feat_row["version"] == features_version():
        features = json.loads(feat_row["features_json"])
    else:
        # Features are cheap: refresh stale ones without re-embedding the article.
        features = extract_features(article, sentences)
        if not store.readonly:
            with store.transaction() as tx:
                tx.execute(
                    "INSERT OR REPLACE INTO article_features(article_id, version, features_json) "
                    "VALUES (?,?,?)",
                    (article.id, features_version(), json.dumps(features, ensure_ascii=False)),
                )
    lead = emb.get("lead")
    if lead is None and "title" not in emb and sentence_vectors is not None and len(sentence_vectors):
        lead = sentence_vectors[:1]  # a store written before leads were kept
    return ArticleRepr.of(
        article, sentences, sentence_vectors, emb["doc"][0],
        title_vector=emb["title"][0] if "title" in emb else None, features=features,
        lead_vector=lead[0] if lead is not None else None,
        vectorizer=_stored_vectorizer(store, backend),
    )


def load_representations(
    store: Store,
    ids: Iterable[str],
    *,
    backend: EmbeddingBackend | None = None,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, ArticleRepr]:
    """Representations for ``ids``: cached ones are read, missing ones computed and stored.

    Missing ones are embedded ``batch_size`` articles at a time (default: the backend's
    ``batch_articles``), each batch stored in one transaction. ``progress`` is called with
    the number of articles finished after each batch.
    """
    backend = backend or get_backend()
    batch_size = batch_size or getattr(backend, "batch_articles", 32)
    out: dict[str, ArticleRepr] = {}
    missing: list[Article] = []
    for article in store.iter_articles(list(ids)):
        cached = _load_one(store, article, backend)
        if cached is None:
            missing.append(article)
        else:
            out[article.id] = cached
            if progress:
                progress(1)
    for i in range(0, len(missing), batch_size):
        batch = missing[i : i + batch_size]
        reprs = represent(batch, backend)
        for r in reprs:
            r.vectorizer = _stored_vectorizer(store, backend)
        if not store.readonly:  # a read-only reader computes, never stores
            save_representations(store, reprs, backend.name)
        for r in reprs:
            out[r.id] = r
        if progress:
            progress(len(batch))
    return out
