"""Per-article representations used by stories, provenance and entities.

``represent`` is the pure stage (articles in, representations out); ``load_representations``
is the cached path: it reads what the store has and computes and stores only what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .embeddings import EmbeddingBackend, get_backend
from .records import Article
from .sentences import Sentence, split_sentences

DOC_CHARS = 1500  # e5 sees ~512 tokens; the lead of an article carries its event


@dataclass
class ArticleRepr:
    id: str
    language: str | None
    published: str | None
    title: str | None
    text: str
    sentences: list[Sentence]
    sentence_vectors: np.ndarray  # (n_sentences, dim), L2-normalised
    doc_vector: np.ndarray  # (dim,)
    title_vector: np.ndarray | None = None
    features: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        article: Article,
        sentences: Sequence[Sentence],
        sentence_vectors: np.ndarray,
        doc_vector: np.ndarray,
        *,
        title_vector: np.ndarray | None = None,
        features: dict[str, Any] | None = None,
    ) -> ArticleRepr:
        """The representation of ``article`` from its sentences and their vectors."""
        return cls(
            id=article.id,
            language=article.language,
            published=article.published,
            title=article.title,
            text=article.text,
            sentences=list(sentences),
            sentence_vectors=sentence_vectors,
            doc_vector=doc_vector,
            title_vector=title_vector,
            features=features if features is not None else {},
        )


def doc_text(article: Article) -> str:
    title = (article.title or "").strip()
    body = article.text[:DOC_CHARS]
    return f"{title}\n{body}" if title and not body.startswith(title) else body


def features_version() -> int:
    """The version stored with an article's features: the schema number of
    ``wiretrace.similarity.features``, so changing it there refreshes stored features."""
    from .similarity.features import FEATURES_SCHEMA

    return FEATURES_SCHEMA


def extract_features(article: Article, sentences: Sequence[Sentence]) -> dict[str, Any]:
    """Cheap language-independent signals; refined in ``wiretrace.similarity.features``."""
    try:
        from .similarity.features import article_features
    except ImportError:
        return {}
    return article_features(article, sentences)


def represent(
    articles: Sequence[Article], backend: EmbeddingBackend | None = None
) -> list[ArticleRepr]:
    """Segment and embed a batch of articles (one embedding call for all their sentences)."""
    backend = backend or get_backend()
    all_sentences = [split_sentences(a.text, a.language) for a in articles]
    flat = [s.text for sents in all_sentences for s in sents]
    docs = [doc_text(a) for a in articles]
    titles = [a.title or "" for a in articles]
    sent_vecs = backend.embed_passages(flat) if flat else np.zeros((0, backend.dim), np.float32)
    doc_vecs = backend.embed_passages(docs)
    title_vecs = backend.embed_passages([t or " " for t in titles])
    out, cursor = [], 0
    for i, (article, sents) in enumerate(zip(articles, all_sentences, strict=True)):
        vecs = sent_vecs[cursor : cursor + len(sents)]
        cursor += len(sents)
        out.append(ArticleRepr.of(
            article, sents, vecs, doc_vecs[i],
            title_vector=title_vecs[i] if titles[i] else None,
            features=extract_features(article, sents),
        ))
    return out


# -- cache in the store ------------------------------------------------------------------


def _pack(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def _unpack(blob: bytes, count: int, dim: int) -> np.ndarray:
    arr = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    return arr.reshape(count, dim)


def save_representations(store: Any, reprs: Iterable[ArticleRepr], backend_name: str) -> None:
    version = features_version()
    with store.transaction() as conn:
        for r in reprs:
            conn.execute("DELETE FROM sentences WHERE article_id = ?", (r.id,))
            conn.executemany(
                'INSERT INTO sentences(article_id, idx, start, "end", text) VALUES (?,?,?,?,?)',
                [(r.id, i, s.start, s.end, s.text) for i, s in enumerate(r.sentences)],
            )
            rows = [("sentences", r.sentence_vectors), ("doc", r.doc_vector[None, :])]
            if r.title_vector is not None:
                rows.append(("title", r.title_vector[None, :]))
            conn.execute(
                "DELETE FROM embeddings WHERE article_id = ? AND backend = ?", (r.id, backend_name)
            )
            conn.executemany(
                "INSERT INTO embeddings(article_id, backend, kind, dim, count, vectors) VALUES (?,?,?,?,?,?)",
                [
                    (r.id, backend_name, kind, int(v.shape[1]) if v.size else int(r.doc_vector.shape[0]), int(v.shape[0]), _pack(v))
                    for kind, v in rows
                ],
            )
            conn.execute(
                "INSERT OR REPLACE INTO article_features(article_id, version, features_json) VALUES (?,?,?)",
                (r.id, version, json.dumps(r.features, ensure_ascii=False)),
            )


def _load_one(store: Any, article: Article, backend_name: str) -> ArticleRepr | None:
    conn = store.conn
    emb = {
        row["kind"]: _unpack(row["vectors"], row["count"], row["dim"])
        for row in conn.execute(
            "SELECT kind, dim, count, vectors FROM embeddings WHERE article_id = ? AND backend = ?",
            (article.id, backend_name),
        )
    }
    if "doc" not in emb or "sentences" not in emb:
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
    if len(sentences) != emb["sentences"].shape[0]:
        return None
    if feat_row is not None and feat_row["version"] == features_version():
        features = json.loads(feat_row["features_json"])
    else:
        # Features are cheap: refresh stale ones without re-embedding the article.
        features = extract_features(article, sentences)
        if not getattr(store, "readonly", False):
            with store.transaction() as tx:
                tx.execute(
                    "INSERT OR REPLACE INTO article_features(article_id, version, features_json) "
                    "VALUES (?,?,?)",
                    (article.id, features_version(), json.dumps(features, ensure_ascii=False)),
                )
    return ArticleRepr.of(
        article, sentences, emb["sentences"], emb["doc"][0],
        title_vector=emb["title"][0] if "title" in emb else None, features=features,
    )


def load_representations(
    store: Any,
    ids: Iterable[str],
    *,
    backend: EmbeddingBackend | None = None,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
) -> dict[str, ArticleRepr]:
    """Representations for ``ids``: cached ones are read, missing ones computed and stored.

    ``progress`` is called with the number of articles finished after each batch.
    """
    backend = backend or get_backend()
    out: dict[str, ArticleRepr] = {}
    missing: list[Article] = []
    for article in store.iter_articles(list(ids)):
        cached = _load_one(store, article, backend.name)
        if cached is None:
            missing.append(article)
        else:
            out[article.id] = cached
            if progress:
                progress(1)
    for i in range(0, len(missing), batch_size):
        batch = missing[i : i + batch_size]
        reprs = represent(batch, backend)
        save_representations(store, reprs, backend.name)
        for r in reprs:
            out[r.id] = r
        if progress:
            progress(len(batch))
    return out
