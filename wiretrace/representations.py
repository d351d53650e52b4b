"""Per-article representations used by stories, provenance and entities.

``represent`` is the pure stage (articles in, representations out);
``wiretrace.store.representations.load_representations`` is the cached path: it reads what
the store has and computes and stores only what is missing.

One model pass per article is the floor: a representation is built from the document vector
(title + lead) and a short title vector (the first sentence's when there is no title), which
is all that candidate search, the same-event decision and clustering read. Sentence vectors
are computed only when something reads them (alignment for a trace, the evidence of
``compare``), in one call per article, each distinct sentence text once, and are then cached
in the store beside the others.
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .embeddings import DEFAULT_DOC_CHARS, EmbeddingBackend, get_backend
from .records import Article
from .sentences import Sentence, split_sentences
from .stage import Stage

DOC_CHARS = DEFAULT_DOC_CHARS  # e5 sees ~512 tokens; the lead of an article carries its event
# Vectors of recently embedded texts, keyed by a digest of the text: re-posts and copies share
# whole sentences (and whole documents), which are then embedded once. 20,000 entries of 384
# float32 are about 30 MB, a bound that keeps memory flat on any corpus size.
VECTOR_CACHE_ENTRIES = 20_000

SentenceVectorizer = Callable[["ArticleRepr"], np.ndarray]


@dataclass
class ArticleRepr:
    id: str
    language: str | None
    published: str | None
    title: str | None
    text: str
    sentences: list[Sentence]
    # (n_sentences, dim), L2-normalised; ``None`` means "computed when first read" by
    # ``vectorizer`` (see the property below)
    sentence_vectors: np.ndarray | None = field(repr=False, compare=False)
    doc_vector: np.ndarray  # (dim,)
    title_vector: np.ndarray | None = None
    features: dict[str, Any] = field(default_factory=dict)
    # the first sentence's vector for an article without a title (what the title stands for)
    lead_vector: np.ndarray | None = None
    vectorizer: SentenceVectorizer | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        article: Article,
        sentences: Sequence[Sentence],
        sentence_vectors: np.ndarray | None,
        doc_vector: np.ndarray,
        *,
        title_vector: np.ndarray | None = None,
        features: dict[str, Any] | None = None,
        lead_vector: np.ndarray | None = None,
        vectorizer: SentenceVectorizer | None = None,
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
            lead_vector=lead_vector,
            vectorizer=vectorizer,
        )

    def has_sentence_vectors(self) -> bool:
        """Whether the sentence vectors are already at hand (reading them may embed)."""
        return self.__dict__.get("_sentence_vectors") is not None

    def renamed(self, new_id: str) -> ArticleRepr:
        """A copy under another id that shares (and does not force) the sentence vectors."""
        twin = copy.copy(self)
        twin.id = new_id
        return twin


def _get_sentence_vectors(self: ArticleRepr) -> np.ndarray:
    vectors = self.__dict__.get("_sentence_vectors")
    if vectors is None:
        if self.vectorizer is None:
            raise ValueError(f"article {self.id!r} has no sentence vectors and no way to compute them")
        vectors = self.vectorizer(self)
        self.__dict__["_sentence_vectors"] = vectors
    return vectors


def _set_sentence_vectors(self: ArticleRepr, value: np.ndarray | None) -> None:
    self.__dict__["_sentence_vectors"] = value


# A property over the dataclass field: constructors keep taking ``sentence_vectors=`` while
# reading it computes the vectors the first time they are needed.
ArticleRepr.sentence_vectors = property(_get_sentence_vectors, _set_sentence_vectors)  # type: ignore[assignment]


def doc_text(article: Article, chars: int | None = None) -> str:
    """Title and lead: what the document vector embeds (``chars`` of the text, by default
    ``DOC_CHARS``; a backend's ``doc_chars`` when it embeds another length)."""
    title = (article.title or "").strip()
    body = article.text[: chars or DOC_CHARS]
    return f"{title}\n{body}" if title and not body.startswith(title) else body


def _features() -> Any:
    """``wiretrace.similarity.features``, a declared dependency of this stage, imported on first
    use because the ``similarity`` package imports this module (a top-level import is a cycle)."""
    from .similarity import features

    return features


def features_version() -> int:
    """The version stored with an article's features: the schema number of
    ``wiretrace.similarity.features``, so changing it there refreshes stored features."""
    schema: int = _features().FEATURES_SCHEMA
    return schema


def extract_features(article: Article, sentences: Sequence[Sentence]) -> dict[str, Any]:
    """Cheap language-independent signals (``wiretrace.similarity.features``)."""
    found: dict[str, Any] = _features().article_features(article, sentences)
    return found


# -- embedding each distinct text once ---------------------------------------------------

_CACHE: OrderedDict[tuple[str, bytes], np.ndarray] = OrderedDict()


def embed_texts(backend: EmbeddingBackend, texts: Sequence[str]) -> np.ndarray:
    """Passage vectors for ``texts``: each distinct text embedded once, in one batched call,
    and recently embedded texts (copies of the same report) taken from a bounded cache."""
    out = np.zeros((len(texts), backend.dim), dtype=np.float32)
    todo: dict[tuple[str, bytes], list[int]] = {}
    for i, text in enumerate(texts):
        key = (backend.name, hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest())
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            out[i] = hit
        else:
            todo.setdefault(key, []).append(i)
    if todo:
        keys = list(todo)
        vectors = backend.embed_passages([texts[todo[k][0]] for k in keys])
        for key, vec in zip(keys, vectors, strict=True):
            out[todo[key]] = vec
            _CACHE[key] = np.array(vec, dtype=np.float32)
        while len(_CACHE) > VECTOR_CACHE_ENTRIES:
            _CACHE.popitem(last=False)
    return out


def sentence_vectors_for(
    reprs: Sequence[ArticleRepr], backend: EmbeddingBackend
) -> list[np.ndarray]:
    """The sentence vectors of several articles from one embedding call."""
    flat = [s.text for r in reprs for s in r.sentences]
    vecs = embed_texts(backend, flat) if flat else np.zeros((0, backend.dim), np.float32)
    out, cursor = [], 0
    for r in reprs:
        out.append(vecs[cursor : cursor + len(r.sentences)])
        cursor += len(r.sentences)
    return out


def _lazy(backend: EmbeddingBackend) -> SentenceVectorizer:
    def vectorize(r: ArticleRepr) -> np.ndarray:
        return sentence_vectors_for([r], backend)[0]

    return vectorize


def represent(
    articles: Sequence[Article],
    backend: EmbeddingBackend | None = None,
    *,
    sentence_vectors: bool = False,
) -> list[ArticleRepr]:
    """Segment and embed a batch of articles: documents in one call, titles (or the first
    sentence where there is none) in another. Sentence vectors follow when first read, or
    at once for the whole batch with ``sentence_vectors=True``."""
    backend = backend or get_backend()
    all_sentences = [split_sentences(a.text, a.language) for a in articles]
    chars = getattr(backend, "doc_chars", None)
    docs = [doc_text(a, chars) for a in articles]
    heads = [
        a.title if a.title else (sents[0].text if sents else " ")
        for a, sents in zip(articles, all_sentences, strict=True)
    ]
    doc_vecs = embed_texts(backend, docs)
    head_vecs = embed_texts(backend, heads)
    out = []
    for i, (article, sents) in enumerate(zip(articles, all_sentences, strict=True)):
        titled = bool(article.title)
        out.append(ArticleRepr.of(
            article, sents, None, doc_vecs[i],
            title_vector=head_vecs[i] if titled else None,
            lead_vector=head_vecs[i] if not titled and sents else None,
            features=extract_features(article, sents),
            vectorizer=_lazy(backend),
        ))
    if sentence_vectors:
        for r, vecs in zip(out, sentence_vectors_for(out, backend), strict=True):
            r.sentence_vectors = vecs
    return out


# A batch of articles in; sentences, document and title vectors and features out (sentence
# vectors follow when first read).
STAGE = Stage(
    "representations", 1, requires=("article",), writes=("representations",), process=represent,
)
