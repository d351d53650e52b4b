"""The local pipeline: sources → extract → language → metadata → store → representations →
stories → entities → traces → signals.

Each stage declares its contract (``wiretrace.stage.Stage``) next to its code; this module
validates the two chains at start-up and runs them. ``process_document`` composes the
per-document stages (raw document in, article out, pure) and can run in a process pool.
``ingest`` drives a whole run against a store, the adapter that loads each later stage's inputs
and persists its output: each batch of articles is written in one transaction, and the later
stages track which articles they have done in ``stage_state`` (``wiretrace.store.stage_state``),
so a run interrupted at any point (Ctrl-C, kill -9) leaves the store consistent and the next run
finishes the work without duplicates.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from . import extract, language, metadata
from .batching import batched
from .errors import (
    DuplicateIdError,
    ExtractionError,
    InternalDocumentError,
    NotAnArticleError,
    OverBudgetError,
    WiretraceError,
)
from .extract.budget import DEFAULT_DOC_SECONDS, Budget, WorkerPool, run_in_process
from .extract.guards import cap_field, precheck
from .extract.page_kind import notice_kind
from .language import paragraph_languages
from .records import Article, RawDocument
from .sources import iter_documents
from .stage import Stage, validate_chain
from .store import corrections as stored_corrections
from .store import stage_state

KNOWN_FIELDS = {"id", "text", "html", "title", "url", "published", "outlet", "author", "language"}
BATCH_SIZE = 64


def content_hash(doc: RawDocument) -> str:
    h = hashlib.sha256(doc.raw_bytes)
    if doc.kind == "record":
        h.update(json.dumps(doc.fields, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()


# The per-document chain, in the order ``process_document`` runs it.
DOCUMENT_STAGES: tuple[Stage, ...] = (extract.STAGE, language.STAGE, metadata.STAGE)
_EXTRACT, _LANGUAGE, _METADATA = DOCUMENT_STAGES


def process_document(doc: RawDocument) -> Article:
    """Clean, date, attribute and language-tag one document. Pure: no store, no globals."""
    refused = precheck(doc)
    if refused is not None:
        raise refused
    where = doc.location or doc.source_path
    given_language = doc.fields.get("language") or None
    cleaned, page_meta = _EXTRACT(doc, language=given_language)
    if not cleaned.text.strip():
        raise ExtractionError("no article text found after cleaning", path=where)
    notice = notice_kind(cleaned.text)
    if notice is not None:
        raise NotAnArticleError(notice.reason(), path=where)
    if given_language:
        language, confidence = str(given_language).lower()[:2], 1.0
    else:
        language, confidence = _LANGUAGE(cleaned.text)
    found = _METADATA(doc, cleaned, page_meta=page_meta, language=language)
    notes = list(doc.notes)
    for name in ("title", "author", "outlet", "url"):
        setattr(found, name, cap_field(name, getattr(found, name), notes))
    paragraphs = [p for p in cleaned.text.split("\n\n") if p.strip()]
    extra = {k: v for k, v in doc.fields.items() if k not in KNOWN_FIELDS}
    return Article(
        id=doc.id,
        source_path=doc.source_path,
        source_kind=doc.kind,
        content_hash=content_hash(doc),
        raw_bytes=doc.raw_bytes,
        encoding=doc.encoding,
        text=cleaned.text,
        metadata=found,
        language=language,
        language_confidence=confidence,
        paragraph_languages=paragraph_languages(paragraphs, language),
        removed=cleaned.removed,
        extraction_method=cleaned.method,
        extra=extra,
        notes=notes,
    )


def _process_safe(doc: RawDocument) -> Article | WiretraceError:
    """``process_document`` with every failure returned as a coded error naming the document."""
    where = doc.location or doc.source_path
    try:
        return process_document(doc)
    except WiretraceError as exc:
        if exc.path is None:
            exc.path = where
        return exc
    except RecursionError:
        return OverBudgetError("over budget: structure nested too deep to process", path=where)
    except MemoryError:
        return OverBudgetError("over budget: out of memory", path=where)
    except Exception as exc:  # a bug: reported with where it happened, and the run goes on
        return _internal_error(exc, where)


def _internal_error(exc: BaseException, where: str) -> InternalDocumentError:
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return InternalDocumentError(f"internal error{at} ({reason}); please report it", path=where)


_WARM_TEXT = (
    "The council met on Monday and agreed to repair the bridge, the mayor said.\n\n"
    "Work will start in May and last six weeks, according to the city's transport office."
)


def warm_up() -> None:
    """Load what extraction loads on first use (models, language data, parsers), so that
    one-time cost is not charged to the first document's time budget."""
    for kind, body in (("text", _WARM_TEXT), ("html", f"<html><body><p>{_WARM_TEXT}</p></body></html>")):
        doc = RawDocument(
            id="warm-up", source_path="warm-up", kind=kind, raw_bytes=body.encode(),  # type: ignore[arg-type]
            text=body if kind == "text" else None, html=body if kind == "html" else None,
        )
        _process_safe(doc)


def _over_budget(doc: RawDocument, reason: str) -> OverBudgetError:
    return OverBudgetError(reason, path=doc.location or doc.source_path)


# -- later stages -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreStage:
    """A later stage's contract bound to the store adapter the local pipeline runs it with:
    ``run(store, article_ids, progress=callable)`` loads the inputs of the articles the stage
    has not done yet, calls the stage and persists its output, returning a summary."""

    contract: Stage
    run: Callable[..., Any]

    @property
    def name(self) -> str:
        return self.contract.name

    @property
    def version(self) -> int:
        return self.contract.version


def _representations_stage(
    store: Any, ids: list[str], progress: Callable[[int], None] | None = None
) -> Any:
    """Document and title vectors and features, one model call per batch, one transaction
    per batch; sentence vectors wait until a trace or a comparison reads them."""
    reprs = _later().stored_representations.load_representations(store, ids, progress=progress)
    return {"articles": len(reprs)}


def _stories_stage(store: Any, ids: list[str], progress: Callable[[int], None] | None = None) -> Any:
    return _later().story_adapter.update_stories(store, ids, progress=progress)


def _entities_stage(store: Any, ids: list[str], progress: Callable[[int], None] | None = None) -> Any:
    return _later().entity_adapter.update_entities(store, ids, progress=progress)


def _traces_stage(store: Any, ids: list[str], progress: Callable[[int], None] | None = None) -> Any:
    """Trace the stories that gained articles, so story pages open from the cache."""
    trace_story = _later().traces.trace_story

    new_members = stage_state.stories_gaining(store, ids)  # story -> how many of ``ids`` it holds
    traced = done = 0
    for story_id in sorted(new_members):
        trace_story(store, story_id)
        traced += 1
        if progress:  # the bar moves by the articles each traced story brought in
            progress(new_members[story_id])
            done += new_members[story_id]
    if progress:
        progress(len(ids) - done)
    return {"stories_traced": traced}


def _signals_stage(store: Any, ids: list[str], progress: Callable[[int], None] | None = None) -> Any:
    return _later().signal_adapter.update_signals(store, ids, progress=progress)


_ADAPTERS: dict[str, Callable[..., Any]] = {
    "representations": _representations_stage,
    "stories": _stories_stage,
    "entities": _entities_stage,
    "traces": _traces_stage,
    "signals": _signals_stage,
}


@cache
def _later() -> SimpleNamespace:
    """The later stages' modules, imported on first use rather than at the top: they load the
    embedding, clustering and NER code, which commands that never run them (``show``,
    ``serve``, an ingest with ``--no-stories``) and extraction workers should not pay for."""
    from . import entities, provenance, representations, signals, stories
    from .adapters import entities as entity_adapter
    from .adapters import signals as signal_adapter
    from .adapters import stories as story_adapter
    from .store import representations as stored_representations
    from .store import traces

    return SimpleNamespace(
        representations=representations, stories=stories, entities=entities,
        provenance=provenance, traces=traces, stored_representations=stored_representations,
        story_adapter=story_adapter, entity_adapter=entity_adapter, signals=signals,
        signal_adapter=signal_adapter,
    )


def store_stages() -> tuple[StoreStage, ...]:
    """The later stages in run order, each bound to its store adapter, chain validated."""
    later = _later()
    contracts = (
        later.representations.STAGE, later.stories.STAGE, later.entities.STAGE,
        later.provenance.STAGE, later.signals.STAGE,
    )
    validate_chain(contracts, given=_STORED)
    return tuple(StoreStage(c, _ADAPTERS[c.name]) for c in contracts)


# What the store holds for every article once it is ingested: the per-document chain's output.
_STORED = ("document", "cleaned", "page_meta", "language", "metadata", "article")


def validate_stages() -> None:
    """Check both chains (raises ``StageChainError`` naming the stage and what it lacks)."""
    validate_chain(DOCUMENT_STAGES, given=("document",))
    store_stages()


def pending_articles(store: Any, stage: StoreStage | Stage) -> list[str]:
    return stage_state.pending_articles(store, stage.name, stage.version)


def mark_done(store: Any, stage: StoreStage | Stage, ids: Iterable[str]) -> None:
    stage_state.mark_done(store, stage.name, stage.version, ids)


# -- a whole run ---------------------------------------------------------------------------


@dataclass
class IngestReport:
    run_id: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicate: int = 0  # same content as an article stored under another id: not stored again
    deleted: int = 0  # deleted by a correction: not stored again (see ``restore_deleted``)
    failed: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (path, code, message)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (path, id, stored id)
    stored_ids: list[str] = field(default_factory=list)
    stages: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "duplicate": self.duplicate, "deleted": self.deleted, "failed": self.failed}


class IngestObserver:
    """Hooks for progress display; the CLI subclasses it with rich progress bars."""

    def document_done(self, path: str, ok: bool) -> None: ...

    def error(self, path: str, code: str, message: str) -> None: ...

    def stage_started(self, name: str, total: int) -> Callable[[int], None] | None:
        return None

    def stage_finished(self, name: str, summary: Any) -> None: ...


def ingest(
    store: Any,
    paths: Sequence[str],
    *,
    workers: int = 1,
    observer: IngestObserver | None = None,
    run_stages: bool = True,
    max_bytes: int = 100_000_000,
    doc_timeout: float | None = DEFAULT_DOC_SECONDS,
    doc_memory_mb: int | None = None,
    keep_duplicates: bool = False,
    restore_deleted: bool = False,
) -> IngestReport:
    """Ingest files/folders/globs into ``store`` and bring stories and entities up to date.

    Documents are extracted by ``workers`` processes (1: in this process), each within the
    per-document budget: ``doc_timeout`` seconds and ``doc_memory_mb`` of worker memory (default:
    a share of the machine). A document over budget is reported (E202) and the run goes on.
    A stage chain whose requirements are not met is a ``StageChainError`` before anything runs.

    A document with the same text, title and outlet as an article stored under another id (the
    same file under another path, a record repeated under a new id, a copy within this run) is
    not stored again but counted as a duplicate of the stored id, unless ``keep_duplicates``.
    An article deleted by a correction (same id or same content) is skipped and counted as
    ``deleted``, unless ``restore_deleted``: then it is stored again and its deletion undone.
    """
    validate_chain(DOCUMENT_STAGES, given=("document",))
    later = store_stages() if run_stages else ()
    observer = observer or IngestObserver()
    report = IngestReport(run_id=store.start_run([str(p) for p in paths]))
    status = "interrupted"
    budget = Budget(seconds=doc_timeout, memory_mb=doc_memory_mb)
    pool = WorkerPool(_process_safe, workers, budget, _over_budget, warm_up) if workers > 1 else None
    warm = pool is None and doc_timeout is not None
    try:
        seen_hashes: dict[str, str] = {}
        documents = iter_documents(paths, max_bytes=max_bytes, exclude=store.own_files())
        for batch in batched(documents, BATCH_SIZE):
            docs: list[RawDocument] = []
            for item in batch:
                if isinstance(item, WiretraceError):
                    _fail(store, report, observer, item)
                    continue
                refused = precheck(item)  # here too, so a huge document is never shipped
                if refused is not None:
                    _fail(store, report, observer, refused)
                else:
                    docs.append(item)
            if pool is not None:
                results = pool.map(docs)
            else:
                if warm and docs:
                    warm_up()
                    warm = False
                results = [run_in_process(_process_safe, d, doc_timeout, _over_budget) for d in docs]
            with store.transaction():
                for doc, result in zip(docs, results, strict=True):
                    if isinstance(result, WiretraceError):
                        _fail(store, report, observer, result)
                        continue
                    previous = seen_hashes.get(result.id)
                    if previous is not None and previous != result.content_hash:
                        _fail(store, report, observer, DuplicateIdError(
                            f"article id {result.id!r} already used by another document in this run",
                            path=doc.source_path,
                        ))
                        continue
                    seen_hashes[result.id] = result.content_hash
                    deleted_by = stored_corrections.deleted_by(store, result)
                    if deleted_by is not None and not restore_deleted:
                        report.deleted += 1
                        observer.document_done(doc.source_path, True)
                        continue
                    if deleted_by is not None:
                        stored_corrections.lift_deletion(store, deleted_by)
                    same_as = None if keep_duplicates else _duplicate_of_safe(store, result)
                    if isinstance(same_as, WiretraceError):
                        same_as.path = doc.location or doc.source_path
                        _fail(store, report, observer, same_as)
                        continue
                    if same_as is not None:
                        report.duplicate += 1
                        report.duplicates.append((doc.location or doc.source_path, result.id, same_as))
                        observer.document_done(doc.source_path, True)
                        continue
                    state = _put_safe(store, result)
                    if isinstance(state, WiretraceError):
                        state.path = doc.location or doc.source_path
                        _fail(store, report, observer, state)
                        continue
                    if state == "same":
                        report.unchanged += 1
                    else:
                        setattr(report, state, getattr(report, state) + 1)
                        report.stored_ids.append(result.id)
                        if state == "changed":
                            stage_state.forget_article(store, result.id)
                    observer.document_done(doc.source_path, True)
        if run_stages:
            report.stages = run_pending_stages(store, observer=observer, stages=later)
        status = "ok" if report.ok else "completed-with-errors"
    finally:
        if pool is not None:
            pool.close()
        store.finish_run(report.run_id, status, report.counts())
    return report


def _duplicate_of_safe(store: Any, article: Article) -> str | WiretraceError | None:
    """``store.duplicate_of`` with a failure reported for this article alone."""
    try:
        return store.duplicate_of(article)
    except Exception as exc:  # a bug on one article: reported, the batch goes on
        return _internal_error(exc, article.source_path)


def _put_safe(store: Any, article: Article) -> str | WiretraceError:
    """Store one article inside a savepoint: a failure undoes only this article's rows."""
    return stage_state.put_in_savepoint(
        store, article, lambda exc: _internal_error(exc, article.source_path)
    )


def run_pending_stages(
    store: Any, *, observer: IngestObserver | None = None,
    stages: Sequence[StoreStage] | None = None,
) -> dict[str, Any]:
    """Run every later stage (default: ``store_stages()``) over the articles it has not
    processed yet, marking them done once the stage has persisted its output."""
    observer = observer or IngestObserver()
    summaries: dict[str, Any] = {}
    for stage in store_stages() if stages is None else stages:
        ids = pending_articles(store, stage)
        if not ids:
            continue
        progress = observer.stage_started(stage.name, len(ids))
        started = time.perf_counter()
        summary = stage.run(store, ids, progress=progress)
        mark_done(store, stage, ids)
        if isinstance(summary, dict):  # seconds per stage, for the run summary
            summary["seconds"] = round(time.perf_counter() - started, 2)
        summaries[stage.name] = summary
        observer.stage_finished(stage.name, summary)
    return summaries


def _fail(store: Any, report: IngestReport, observer: IngestObserver, exc: WiretraceError) -> None:
    path = exc.path or "?"
    report.failed += 1
    report.errors.append((path, exc.code, exc.message))
    store.record_error(report.run_id, path, exc.code, exc.message)
    observer.error(path, exc.code, exc.message)
    observer.document_done(path, False)
