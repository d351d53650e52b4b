"""Units of batch work: what one Ray task or actor call does, as plain functions over a
dataset folder (they run the same without Ray, which is how the tests of the merge check them).

Each unit reuses the stage code of the single-machine path unchanged: extraction is
``pipeline._process_safe`` under the same per-document budget, representations are
``representations.represent``, pair scores the clusterer's own default scorer, traces
``provenance.trace_story_articles`` and mentions ``entities.recognize_many``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..embeddings import EmbeddingBackend, get_backend
from ..errors import OverBudgetError, WiretraceError
from ..extract.budget import DEFAULT_DOC_SECONDS, run_in_process
from ..extract.guards import precheck
from ..records import Article, RawDocument
from ..representations import ArticleRepr, represent, sentence_vectors_for
from ..sources import read_file
from .dataset import SCHEMAS, Dataset
from .records import article_to_row, error_row, repr_to_row, row_to_article, store_precision
from .remote import is_uri, read_uri

BackendFactory = Callable[[], EmbeddingBackend]

# Attempts at one extraction unit before its files are reported as errors: Ray retries a task
# whose worker died without limit, and a file that kills every worker would stall the job.
UNIT_ATTEMPTS = 4

# One model per worker process: a worker that runs several units loads it once.
_BACKENDS: dict[Any, EmbeddingBackend] = {}


def backend_of(factory: BackendFactory | None) -> EmbeddingBackend:
    key = factory or "default"
    backend = _BACKENDS.get(key)
    if backend is None:
        backend = factory() if factory is not None else get_backend()
        _BACKENDS[key] = backend
    return backend


def vectorizer_for(factory: BackendFactory | None) -> Callable[[ArticleRepr], np.ndarray]:
    """Sentence vectors computed on first read, as the single-machine path computes them."""

    def vectorize(r: ArticleRepr) -> np.ndarray:
        return sentence_vectors_for([r], backend_of(factory))[0]

    return vectorize


# -- extraction -----------------------------------------------------------------------------


def extract_unit(
    root: str, unit: str, files: Sequence[tuple[str, str, int]],
    *, max_bytes: int, doc_timeout: float | None = DEFAULT_DOC_SECONDS,
) -> dict[str, Any]:
    """Read and extract ``files`` ([(path, id base, file number)]) into the unit's article and
    error parts; a bad file or document is an error row, never an exception."""
    from ..pipeline import _over_budget, _process_safe  # the single-machine path's own

    ds = Dataset(root)
    if ds.is_done("extract", unit):
        return ds.done_info("extract", unit)
    articles: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    attempt = _count_attempt(ds, unit)
    if attempt > UNIT_ATTEMPTS:
        # every earlier attempt died with its worker (killed for memory, a crash in a parser):
        # the unit's files are reported, not retried for ever
        for path, _base_id, file_seq in files:
            err = OverBudgetError(f"the worker died {attempt - 1} times extracting this file "
                                  "or another of its unit of work")
            errors.append(error_row(path, err.code, err.message, (file_seq, 0)))
        files = []
    for path, base_id, file_seq in files:
        docs = (read_uri(path, base_id, max_bytes=max_bytes) if is_uri(path)
                else read_file(Path(path), base_id, max_bytes=max_bytes))
        for doc_seq, item in enumerate(docs):
            seq = (file_seq, doc_seq)
            if isinstance(item, WiretraceError):
                errors.append(error_row(item.path or path, item.code, item.message, seq))
                continue
            doc: RawDocument = item
            refused = precheck(doc)
            result = refused if refused is not None else run_in_process(
                _process_safe, doc, doc_timeout, _over_budget
            )
            if isinstance(result, WiretraceError):
                where = result.path or doc.location or doc.source_path
                errors.append(error_row(where, result.code, result.message, seq))
            else:
                articles.append(article_to_row(result, seq))
    ds.write_part(ds.work_dir("extract"), unit, "articles", articles)
    ds.write_part(ds.work_dir("extract-errors"), unit, "errors", errors)
    info = {"articles": len(articles), "errors": len(errors)}
    ds.mark_done("extract", unit, info)
    return info


def _count_attempt(ds: Dataset, unit: str) -> int:
    """Number this attempt at ``unit`` (1 for the first), counted by marker files in the
    dataset folder, which survive the worker that made them."""
    folder = ds.work_dir("extract-attempts")
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        try:
            fd = os.open(folder / f"{unit}.{n}", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            n += 1
            continue
        os.close(fd)
        return n


# -- representations ------------------------------------------------------------------------


def represent_part(root: str, part: str, factory: BackendFactory | None) -> dict[str, Any]:
    """Representations of one ``articles`` part, written as the ``representations`` part of the
    same name."""
    ds = Dataset(root)
    if ds.is_done("represent", part):
        return ds.done_info("represent", part)
    backend = backend_of(factory)
    path = ds.table_dir("articles") / f"{part}.parquet"
    articles = [row_to_article(r) for r in ds.read_rows_file(path, "articles")]
    out: list[dict[str, Any]] = []
    size = getattr(backend, "batch_articles", 32)
    for i in range(0, len(articles), size):
        for r in represent(articles[i : i + size], backend):
            out.append(repr_to_row(r, backend.name))
    ds.write_part(ds.table_dir("representations"), part, "representations", out)
    info = {"articles": len(out), "backend": backend.name}
    ds.mark_done("represent", part, info)
    return info


# -- pair scores -----------------------------------------------------------------------------


def score_pairs(
    reprs: Sequence[ArticleRepr], pairs: Sequence[tuple[str, str]],
    factory: BackendFactory | None,
) -> tuple[list[tuple[str, str, Any]], list[str]]:
    """The clusterer's scorer over ``pairs`` (ids, first < second); also the ids whose
    sentence vectors the scorer read (the single-machine path keeps those in the store)."""
    from ..stories.cluster import default_scorer

    scorer = default_scorer()
    by_id = {r.id: r for r in reprs}
    vectorize = vectorizer_for(factory)
    for r in reprs:
        r.vectorizer = vectorize
    out = [(a, b, scorer(by_id[a], by_id[b])) for a, b in pairs]
    read = [r.id for r in reprs if r.has_sentence_vectors()]
    return out, read


# -- traces ----------------------------------------------------------------------------------


def trace_stories(
    stories: Sequence[tuple[str, Sequence[Article], Sequence[ArticleRepr]]],
    stored_precision_ids: set[str], factory: BackendFactory | None,
) -> list[dict[str, Any]]:
    """Trace each (story id, members oldest first, their representations).

    Sentence vectors of ``stored_precision_ids`` are rounded as the store keeps them: the
    single-machine path computed and stored those while clustering, and its trace reads them
    back from the store."""
    from ..provenance.trace import members_hash, trace_story_articles

    vectorize = vectorizer_for(factory)
    out = []
    for story_id, articles, reprs in stories:
        for r in reprs:
            if r.id in stored_precision_ids:
                r.sentence_vectors = store_precision(vectorize(r))
            else:
                r.vectorizer = vectorize
        trace = trace_story_articles(list(articles), {r.id: r for r in reprs}, story_id)
        out.append({
            "story_id": story_id, "members_hash": members_hash(list(articles)),
            "trace_json": _json(trace),
        })
    return out


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- mentions --------------------------------------------------------------------------------


def recognize_part(root: str, part: str) -> list[dict[str, Any]]:
    """Mentions of one ``articles`` part (``entities.recognize_many``), as the store keeps them:
    one per (article, start, end), the later one winning, ordered by start."""
    from ..entities.recognize import recognize_many

    ds = Dataset(root)
    path = ds.table_dir("articles") / f"{part}.parquet"
    items = list(ds.read_rows_file(path, "articles", columns=["id", "text", "language"]))
    found = recognize_many([(r["text"], r["language"]) for r in items])
    rows: list[dict[str, Any]] = []
    for item, mentions in zip(items, found, strict=True):
        kept: dict[tuple[int, int], Any] = {}
        for m in mentions:
            kept[(m.start, m.end)] = m
        for (start, end), m in sorted(kept.items()):
            rows.append({
                "article_id": item["id"], "surface": m.text, "start": start, "end": end,
                "type": m.type, "lemma": m.lemma, "entity_id": None,
            })
    return rows


# -- signals ---------------------------------------------------------------------------------


def signals_part(root: str, part: str) -> list[dict[str, Any]]:
    """Signals of one ``articles`` part, as the signals stage stores them at ingest
    (``adapters.signals.article_signals``): each article with its story's trace, and
    relative to the article its trace derives it from."""
    from ..adapters.signals import signals_version
    from ..signals.article import article_side, signals_of_article

    ds = Dataset(root)
    articles = [_article(r) for r in ds.read_rows_file(
        ds.table_dir("articles") / f"{part}.parquet", "articles", columns=_NO_RAW)]
    if not articles:
        return []
    ids = sorted(a.id for a in articles)
    story_of = {m["article_id"]: m["story_id"] for m in ds.rows(
        "members", ["story_id", "article_id"], filters=[("article_id", "in", ids)])}
    stories = sorted(set(story_of.values()))
    traced = {s["id"] for s in ds.rows("stories", ["id", "size"], filters=[("id", "in", stories)])
              if s["size"] > 1}
    traces: dict[str, dict[str, Any]] = {}
    if traced:
        for t in ds.rows("traces", ["story_id", "trace_json"],
                         filters=[("story_id", "in", sorted(traced))]):
            traces[t["story_id"]] = json.loads(t["trace_json"])
    by_id = {a.id: a for a in articles}
    wanted = {e.get("source") for a in articles
              for e in [((traces.get(story_of[a.id]) or {}).get("articles") or {}).get(a.id) or {}]
              if e.get("source")} - set(by_id)
    if wanted:
        for r in ds.rows("articles", _NO_RAW, filters=[("id", "in", sorted(wanted))]):
            by_id[r["id"]] = _article(r)
    out = []
    for article in articles:
        story = story_of[article.id]
        result = traces.get(story)
        entry = ((result or {}).get("articles") or {}).get(article.id) or {}
        source_id = entry.get("source")
        source = None
        if source_id and result is not None and source_id in result.get("articles", {}) \
                and source_id in by_id:
            source = article_side(by_id[source_id])
        sig = signals_of_article(article, story=story, trace=result, source=source)
        out.append({
            "article_id": article.id, "story_id": story, "genre": sig.get("genre"),
            "names": list(sig["names"]), "content_hash": article.content_hash,
            "model_version": signals_version(True, entry, result),
            "signals_json": _json(sig),
        })
    return out


_NO_RAW = [c for c in SCHEMAS["articles"].names if c != "raw"]


def _article(row: dict[str, Any]) -> Article:
    row.setdefault("raw", b"")
    return row_to_article(row)
