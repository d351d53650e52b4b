"""wiretrace: trace news stories across outlets and languages.

The public Python API is small and stable::

    import wiretrace
    store = wiretrace.open_store("cases.db")
    wiretrace.ingest(store, ["scraped/"])
    for story in wiretrace.list_stories(store):
        trace = wiretrace.trace_story(store, story["id"])

The stages underneath (``wiretrace.sources``, ``extract``, ``metadata``, ``similarity``,
``stories``, ``provenance``, ``entities``) are importable for advanced use.
"""

from __future__ import annotations

from typing import Any

from .errors import WiretraceError
from .records import Article, Attribution, CleanedText, Evidence, Metadata, RawDocument, Removal
from .store import Store, open_store

__version__ = "0.1.0"


def ingest(store: Store, paths: list[str], **kwargs: Any) -> Any:
    """Ingest files, folders or globs into ``store``; returns an ``IngestReport``."""
    from .pipeline import ingest as _ingest

    return _ingest(store, paths, **kwargs)


def process_document(doc: RawDocument) -> Article:
    """Clean, date, attribute and language-tag one raw document (no store involved)."""
    from .pipeline import process_document as _process

    return _process(doc)


def list_stories(store: Store, **filters: Any) -> list[dict[str, Any]]:
    """Stories in the store, largest first (see ``wiretrace.store.reads.list_stories``)."""
    from .store.reads import list_stories as _list

    return _list(store, **filters)


def trace_story(store: Store, story_id: str) -> dict[str, Any]:
    """The provenance graph and claim diff of one story (``trace --json`` shape)."""
    from .store.traces import trace_story as _trace

    return _trace(store, story_id)


def list_entities(store: Store, **filters: Any) -> list[dict[str, Any]]:
    """Entities with their merged variants (``entities --json`` shape)."""
    from .store.reads import list_entities as _list

    return _list(store, **filters)


def score_pair(a: Any, b: Any) -> Any:
    """Same-event score of two article representations (see ``wiretrace.similarity``)."""
    from .similarity import score_pair as _score

    return _score(a, b)


__all__ = [
    "Article",
    "Attribution",
    "CleanedText",
    "Evidence",
    "Metadata",
    "RawDocument",
    "Removal",
    "WiretraceError",
    "__version__",
    "ingest",
    "list_entities",
    "list_stories",
    "open_store",
    "process_document",
    "score_pair",
    "trace_story",
]
