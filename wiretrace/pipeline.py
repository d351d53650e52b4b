"""The pipeline: sources → extract/clean → metadata → language → store → stories → entities.

``process_document`` is the pure per-document stage (raw document in, article out) and can run
in a process pool. ``ingest`` drives a whole run against a store: each batch of articles is
written in one transaction, and the later stages track which articles they have done in
``stage_state``, so a run interrupted at any point (Ctrl-C, kill -9) leaves the store consistent
and the next run finishes the work without duplicates.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import (
    DuplicateIdError,
    ExtractionError,
    InternalDocumentError,
    NotAnArticleError,
    OverBudgetError,
    WiretraceError,
)
from .extract import clean_document
from .extract.budget import DEFAULT_DOC_SECONDS, Budget, WorkerPool, run_in_process
from .extract.guards import cap_field, precheck
from .extract.page_kind import notice_kind
from .language import detect_language, paragraph_languages
from .records import Article, RawDocument

KNOWN_FIELDS = {"id", "text", "html", "title", "url", "published", "outlet", "author", "language"}
BATCH_SIZE = 64


def content_hash(doc: RawDocument) -> str:
    h = hashlib.sha256(doc.raw_bytes)
    if doc.kind == "record":
        h.update(json.dumps(doc.fields, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def process_document(doc: RawDocument) -> Article:
    """Clean, date, attribute and language-tag one document. Pure: no store, no globals."""
    from .metadata import extract_metadata

    refused = precheck(doc)
    if refused is not None:
        raise refused
    where = doc.location or doc.source_path
    given_language = doc.fields.get("language") or None
    cleaned, page_meta = clean_document(doc, language=given_language)
    if not cleaned.text.strip():
        raise ExtractionError("no article text found after cleaning", path=where)
    notice = notice_kind(cleaned.text)
    if notice is not None:
        raise NotAnArticleError(notice.reason(), path=where)
    if given_language:
        language, confidence = str(given_language).lower()[:2], 1.0
    else:
        language, confidence = detect_language(cleaned.text)
    metadata = extract_metadata(doc, cleaned, page_meta=page_meta, language=language)
    notes = list(doc.notes)
    for name in ("title", "author", "outlet", "url"):
        setattr(metadata, name, cap_field(name, getattr(metadata, name), notes))
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
        metadata=metadata,
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
class Stage:
    """A store-level stage run over articles it has not done yet (tracked in stage_state)."""

    name: str
    version: int
    run: Callable[..., Any]  # run(store, article_ids, progress=callable) -> summary dict


def _representations_stage(
    store: Any, ids: list[str], progress: Callable[[int], None] | None = None
) -> Any:
    """Document and title vectors and features, one model call per batch, one transaction
    per batch; sentence vectors wait until a trace or a comparison reads them."""
    from .representations import load_representations

    reprs = load_representations(store, ids, progress=progress)
    return {"articles": len(reprs)}


def _stories_stage(store: Any, ids: list[str], progress: Callable[[int], None] | None = None) -> Any:
    from .stories import update_stories

    return update_stories(store, ids, progress=progress)


def _entities_stage(store: Any, ids: list[str], progress: Callable[[int], None] | None = None) -> Any:
    from .entities import update_entities

    return update_entities(store, ids, progress=progress)


def _traces_stage(store: Any, ids: list[str], progress: Callable[[int], None] | None = None) -> Any:
    """Trace the stories that gained articles, so story pages open from the cache."""
    from .provenance import trace_story

    new_members: dict[str, int] = {}  # story -> how many of ``ids`` it holds
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for story_id, count in store.conn.execute(
            f"""SELECT m.story_id, count(*) FROM story_members m WHERE m.article_id IN ({marks})
                GROUP BY m.story_id
                HAVING (SELECT count(*) FROM story_members x WHERE x.story_id = m.story_id) > 1""",
            chunk,
        ):
            new_members[story_id] = new_members.get(story_id, 0) + int(count)
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


STAGES: tuple[Stage, ...] = (
    Stage("representations", 1, _representations_stage),
    Stage("stories", 1, _stories_stage),
    Stage("entities", 1, _entities_stage),
    Stage("traces", 1, _traces_stage),
)


def pending_articles(store: Any, stage: Stage) -> list[str]:
    rows = store.conn.execute(
        """SELECT a.id FROM articles a
           LEFT JOIN stage_state s ON s.article_id = a.id AND s.stage = ? AND s.version = ?
           WHERE s.article_id IS NULL ORDER BY a.published IS NULL, a.published, a.id""",
        (stage.name, stage.version),
    )
    return [r[0] for r in rows]


def mark_done(store: Any, stage: Stage, ids: Iterable[str]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO stage_state(article_id, stage, version, done_at) VALUES (?,?,?,?)",
            [(i, stage.name, stage.version, now) for i in ids],
        )


def reset_stage(store: Any, stage_name: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM stage_state WHERE stage = ?", (stage_name,))


# -- a whole run ---------------------------------------------------------------------------


@dataclass
class IngestReport:
    run_id: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (path, code, message)
    stored_ids: list[str] = field(default_factory=list)
    stages: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "failed": self.failed}


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
) -> IngestReport:
    """Ingest files/folders/globs into ``store`` and bring stories and entities up to date.

    Documents are extracted by ``workers`` processes (1: in this process), each within the
    per-document budget: ``doc_timeout`` seconds and ``doc_memory_mb`` of worker memory (default:
    a share of the machine). A document over budget is reported (E202) and the run goes on.
    """
    from .sources import iter_documents

    observer = observer or IngestObserver()
    report = IngestReport(run_id=store.start_run([str(p) for p in paths]))
    status = "interrupted"
    budget = Budget(seconds=doc_timeout, memory_mb=doc_memory_mb)
    pool = WorkerPool(_process_safe, workers, budget, _over_budget, warm_up) if workers > 1 else None
    warm = pool is None and doc_timeout is not None
    try:
        seen_hashes: dict[str, str] = {}
        documents = iter_documents(paths, max_bytes=max_bytes, exclude=store.own_files())
        for batch in _batched(documents, BATCH_SIZE):
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
                            store.conn.execute("DELETE FROM stage_state WHERE article_id = ?", (result.id,))
                    observer.document_done(doc.source_path, True)
        if run_stages:
            report.stages = run_pending_stages(store, observer=observer)
        status = "ok" if report.ok else "completed-with-errors"
    finally:
        if pool is not None:
            pool.close()
        store.finish_run(report.run_id, status, report.counts())
    return report


def _put_safe(store: Any, article: Article) -> str | WiretraceError:
    """Store one article inside a savepoint: a failure undoes only this article's rows."""
    store.conn.execute("SAVEPOINT put_article")
    try:
        state = store.put_article(article)
    except Exception as exc:
        store.conn.execute("ROLLBACK TO put_article")
        store.conn.execute("RELEASE put_article")
        return _internal_error(exc, article.source_path)
    store.conn.execute("RELEASE put_article")
    return state


def run_pending_stages(store: Any, *, observer: IngestObserver | None = None) -> dict[str, Any]:
    """Run every later stage over the articles it has not processed yet."""
    observer = observer or IngestObserver()
    summaries: dict[str, Any] = {}
    for stage in STAGES:
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
