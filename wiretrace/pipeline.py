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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import ExtractionError, NotAnArticleError, WiretraceError
from .extract import clean_document
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

    given_language = doc.fields.get("language") or None
    cleaned, page_meta = clean_document(doc, language=given_language)
    if not cleaned.text.strip():
        raise ExtractionError("no article text found after cleaning", path=doc.source_path)
    notice = notice_kind(cleaned.text)
    if notice is not None:
        raise NotAnArticleError(notice.reason(), path=doc.source_path)
    if given_language:
        language, confidence = str(given_language).lower()[:2], 1.0
    else:
        language, confidence = detect_language(cleaned.text)
    metadata = extract_metadata(doc, cleaned, page_meta=page_meta, language=language)
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
        notes=list(doc.notes),
    )


def _process_safe(doc: RawDocument) -> Article | WiretraceError:
    try:
        return process_document(doc)
    except WiretraceError as exc:
        if exc.path is None:
            exc.path = doc.source_path
        return exc
    except Exception as exc:  # a bug or a pathological page must not stop the run
        return ExtractionError(f"{type(exc).__name__}: {exc}", path=doc.source_path)


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

    story_ids: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        story_ids.update(r[0] for r in store.conn.execute(
            f"""SELECT m.story_id FROM story_members m WHERE m.article_id IN ({marks})
                GROUP BY m.story_id
                HAVING (SELECT count(*) FROM story_members x WHERE x.story_id = m.story_id) > 1""",
            chunk,
        ))
    traced = 0
    for story_id in sorted(story_ids):
        trace_story(store, story_id)
        traced += 1
    if progress:
        progress(len(ids))
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
) -> IngestReport:
    """Ingest files/folders/globs into ``store`` and bring stories and entities up to date."""
    from .sources import iter_documents

    observer = observer or IngestObserver()
    report = IngestReport(run_id=store.start_run([str(p) for p in paths]))
    status = "interrupted"
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        seen_hashes: dict[str, str] = {}
        documents = iter_documents(paths, max_bytes=max_bytes, exclude=store.own_files())
        for batch in _batched(documents, BATCH_SIZE):
            docs: list[RawDocument] = []
            for item in batch:
                if isinstance(item, WiretraceError):
                    _fail(store, report, observer, item)
                else:
                    docs.append(item)
            results = list(pool.map(_process_safe, docs, chunksize=4)) if pool else [_process_safe(d) for d in docs]
            with store.transaction():
                for doc, result in zip(docs, results, strict=True):
                    if isinstance(result, WiretraceError):
                        _fail(store, report, observer, result)
                        continue
                    previous = seen_hashes.get(result.id)
                    if previous is not None and previous != result.content_hash:
                        from .errors import DuplicateIdError

                        _fail(store, report, observer, DuplicateIdError(
                            f"article id {result.id!r} already used by another document in this run",
                            path=doc.source_path,
                        ))
                        continue
                    seen_hashes[result.id] = result.content_hash
                    state = store.put_article(result)
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
        if pool:
            pool.shutdown(cancel_futures=True)
        store.finish_run(report.run_id, status, report.counts())
    return report


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
