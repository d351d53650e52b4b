"""Rows of the batch dataset: articles, representations and errors as plain dicts that
Parquet holds and that turn back into the records the stages take (pure, no Ray, no store).

Vectors are kept as the store keeps them (float16, read back as float32), so a stage run on a
dataset sees exactly the numbers it would see after a round trip through the SQLite store.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..records import Article, article_from_columns, article_json_columns
from ..representations import ArticleRepr, SentenceVectorizer
from ..sentences import Sentence


def store_precision(vector: np.ndarray | None) -> np.ndarray | None:
    """A vector as the store gives it back: rounded through float16."""
    if vector is None:
        return None
    return np.asarray(vector, dtype=np.float16).astype(np.float32)


def article_to_row(article: Article, seq: tuple[int, int]) -> dict[str, Any]:
    """One ``articles`` row: the flat columns DuckDB or pandas read, plus what the store keeps."""
    md = article.metadata
    return {
        "id": article.id,
        "file_seq": seq[0],
        "doc_seq": seq[1],
        "title": md.title,
        "text": article.text,
        "published": md.published,
        "outlet": md.outlet,
        "author": md.author,
        "url": md.url,
        "dateline": md.dateline,
        "language": article.language,
        "language_confidence": article.language_confidence,
        "attributions": [a.name for a in md.attributions],
        "source_path": article.source_path,
        "source_kind": article.source_kind,
        "content_hash": article.content_hash,
        "encoding": article.encoding,
        "extraction_method": article.extraction_method,
        "raw": article.raw_bytes,
        # what the store keeps as JSON, encoded the same way (the same round trip, the same values)
        **article_json_columns(article),
    }


def row_to_article(row: dict[str, Any]) -> Article:
    """The article a dataset row holds."""
    return article_from_columns(row)


def _vec(value: Any) -> np.ndarray | None:
    return None if value is None else np.asarray(value, dtype=np.float32)


def repr_to_row(r: ArticleRepr, backend_name: str) -> dict[str, Any]:
    """One ``representations`` row (document, title and lead vectors; sentences; features)."""
    def listed(v: np.ndarray | None) -> list[float] | None:
        rounded = store_precision(v)
        return None if rounded is None else rounded.tolist()

    return {
        "id": r.id,
        "backend": backend_name,
        "sentences": [{"text": s.text, "start": s.start, "end": s.end} for s in r.sentences],
        "doc_vector": listed(r.doc_vector),
        "title_vector": listed(r.title_vector),
        "lead_vector": listed(r.lead_vector),
        "features_json": json.dumps(r.features, ensure_ascii=False),
    }


def row_to_repr(
    row: dict[str, Any], article: Article, vectorizer: SentenceVectorizer | None
) -> ArticleRepr:
    sentences = [Sentence(s["text"], s["start"], s["end"]) for s in row["sentences"]]
    return ArticleRepr.of(
        article, sentences, None, _vec(row["doc_vector"]),  # type: ignore[arg-type]
        title_vector=_vec(row["title_vector"]),
        lead_vector=_vec(row["lead_vector"]),
        features=json.loads(row["features_json"]),
        vectorizer=vectorizer,
    )


def error_row(path: str, code: str, message: str, seq: tuple[int, int]) -> dict[str, Any]:
    return {"path": path, "code": code, "message": message, "file_seq": seq[0], "doc_seq": seq[1]}
