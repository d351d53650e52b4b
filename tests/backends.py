"""Test backends that wrap a real embedding backend and count what they are asked to embed."""

from __future__ import annotations

from wiretrace.embeddings import EmbeddingBackend


class CountingBackend:
    """A real backend (the shipped model by default), counting the passages it embeds."""

    def __init__(self, inner: EmbeddingBackend) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.doc_chars = getattr(inner, "doc_chars", None)
        self.texts: list[str] = []

    def embed_passages(self, texts):
        self.texts.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)
