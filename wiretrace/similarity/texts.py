"""Scoring texts that are not in the store (``wiretrace compare --pairs``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..embeddings import EmbeddingBackend
from ..records import Article, Metadata
from ..representations import ArticleRepr, represent
from .scorer import PairScore, ScoringModel, score_pair


def article_from_fields(article_id: str, fields: Mapping[str, Any]) -> Article:
    """An in-memory Article from ``{"text", "title"?, "language"?, "published"?}``."""
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{article_id}: 'text' must be a non-empty string")
    title = fields.get("title")
    language = fields.get("language")
    if not language:
        from ..language import detect_language

        language = detect_language(text)[0]
    raw = text.encode("utf-8")
    return Article(
        id=article_id,
        source_path="",
        source_kind="record",
        content_hash=hashlib.sha256(raw).hexdigest(),
        raw_bytes=raw,
        encoding="utf-8",
        text=text,
        metadata=Metadata(
            title=title if isinstance(title, str) and title.strip() else None,
            published=fields.get("published") or None,
        ),
        language=language,
    )


def represent_pairs(
    pairs: Sequence[tuple[Article, Article]], backend: EmbeddingBackend | None = None
) -> list[tuple[ArticleRepr, ArticleRepr]]:
    """Embed all articles of ``pairs`` in one batch, each distinct text once."""
    unique: dict[tuple[str, str | None, str | None, str | None], int] = {}
    distinct: list[Article] = []
    slots: list[int] = []
    for article in (a for pair in pairs for a in pair):
        key = (article.content_hash, article.title, article.language, article.published)
        if key not in unique:
            unique[key] = len(distinct)
            distinct.append(article)
        slots.append(unique[key])
    reprs = represent(distinct, backend) if distinct else []
    out = []
    for i, (a, b) in enumerate(pairs):
        ra, rb = reprs[slots[2 * i]], reprs[slots[2 * i + 1]]
        out.append((ra.renamed(a.id), rb.renamed(b.id)))
    return out


def score_texts(
    pairs: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    backend: EmbeddingBackend | None = None,
    model: ScoringModel | None = None,
) -> list[PairScore]:
    """Score pairs of ``{"text", "title"?, "language"?}`` records."""
    articles = [
        (article_from_fields(f"{i}:a", a), article_from_fields(f"{i}:b", b))
        for i, (a, b) in enumerate(pairs)
    ]
    return [score_pair(ra, rb, model) for ra, rb in represent_pairs(articles, backend)]
