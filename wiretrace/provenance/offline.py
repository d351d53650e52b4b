"""Tracing texts that are not in a store: evaluation sets, tests, one-off comparisons.

``article_from_text`` turns a text plus known metadata into an :class:`Article` (and
``article_from_item`` one entry of a labelled story file);
``represent_cached`` embeds sentences once and keeps the vectors in a folder (the embedding
model is slow on CPU, and evaluation reruns should not pay for it twice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Article, Attribution, Metadata
from ..representations import ArticleRepr, doc_text
from ..sentences import split_sentences


def article_from_item(item: dict[str, Any]) -> Article:
    """An Article from one entry of a labelled story file (``id``, ``text``, ``language`` and the
    optional ``published``, ``outlet`` and ``credits``), the shape every evaluation set uses."""
    return article_from_text(
        item["id"],
        item["text"],
        language=item["language"],
        published=item.get("published"),
        outlet=item.get("outlet"),
        credits=item.get("credits", []),
    )


def article_from_text(
    article_id: str,
    text: str,
    *,
    language: str | None = None,
    published: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    credits: Sequence[str] = (),
) -> Article:
    """An Article for ``text``; each credited name gets offsets where it occurs in the text."""
    if language is None:
        from ..language import detect_language

        language = detect_language(text)[0]
    attributions = []
    for name in credits:
        at = text.find(name)
        attributions.append(
            Attribution(
                name=name,
                surface=name,
                start=at if at >= 0 else None,
                end=at + len(name) if at >= 0 else None,
            )
        )
    metadata = Metadata(
        title=title, published=published, outlet=outlet, url=url, attributions=attributions
    )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(
        id=article_id,
        source_path=article_id,
        source_kind="text",
        content_hash=digest,
        raw_bytes=text.encode("utf-8"),
        encoding="utf-8",
        text=text,
        metadata=metadata,
        language=language,
    )


def _embed_cached(texts: Sequence[str], backend, cache_dir: Path | None) -> np.ndarray:
    if not texts:
        return np.zeros((0, backend.dim), dtype=np.float32)
    keys = [hashlib.sha1(f"{backend.name}\0{t}".encode()).hexdigest() for t in texts]
    out = np.zeros((len(texts), backend.dim), dtype=np.float32)
    missing = []
    for idx, key in enumerate(keys):
        path = cache_dir / key[:2] / f"{key}.npy" if cache_dir else None
        if path is not None and path.exists():
            out[idx] = np.load(path)
        else:
            missing.append(idx)
    if missing:
        vectors = backend.embed_passages([texts[i] for i in missing])
        for idx, vec in zip(missing, vectors, strict=True):
            out[idx] = vec
            if cache_dir is not None:
                path = cache_dir / keys[idx][:2] / f"{keys[idx]}.npy"
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vec.astype(np.float32))
    return out


def represent_cached(
    articles: Sequence[Article], cache_dir: str | Path | None = None, backend=None
) -> dict[str, ArticleRepr]:
    """Representations for ``articles``, sentence and document vectors cached per text."""
    from ..embeddings import get_backend

    backend = backend or get_backend()
    folder = Path(cache_dir) if cache_dir else None
    out = {}
    for article in articles:
        sentences = split_sentences(article.text, article.language)
        vectors = _embed_cached([s.text for s in sentences], backend, folder)
        doc_vec = _embed_cached([doc_text(article)], backend, folder)[0]
        out[article.id] = ArticleRepr.of(article, sentences, vectors, doc_vec)
    return out
