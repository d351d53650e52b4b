"""Plain records that flow between pipeline stages.

Stages are pure functions: they take these records and return new ones. Nothing here knows
about the store, the CLI or a model; records serialise to JSON-compatible dicts with
``to_dict`` so they can be stored, exported or shipped to another process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SourceKind = Literal["text", "html", "record"]


@dataclass
class RawDocument:
    """One document as a source produced it, before any cleaning.

    ``kind`` says what the payload is: ``text`` (a page saved as plain text), ``html`` (a raw
    page), or ``record`` (a structured record, e.g. a JSONL line or feed item, whose body is in
    ``text`` or ``html``). ``fields`` holds metadata the source itself supplied (title, url,
    published, outlet, author, language and any extra keys), which outranks anything inferred.
    """

    id: str
    source_path: str
    kind: SourceKind
    raw_bytes: bytes
    text: str | None = None
    html: str | None = None
    encoding: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. "repaired mojibake"
    # where in its file the document sits ("feed.jsonl:7"), so errors can name the line
    location: str | None = None


@dataclass
class Removal:
    """A piece of the page that cleaning removed, and why (shown by ``wiretrace show``)."""

    text: str
    reason: str  # short machine-readable label: navigation, comment, related-links, ...
    line: int | None = None  # 0-based line number in the source text, when line-based
    score: float | None = None  # classifier probability that the line is boilerplate

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CleanedText:
    """The result of cleaning: article text with paragraphs separated by blank lines."""

    text: str
    title: str | None = None
    removed: list[Removal] = field(default_factory=list)
    method: str = ""  # which extractor produced it (text-lines, trafilatura, ...)


@dataclass
class Evidence:
    """Where a metadata value came from: the source (meta tag, byline, dateline, JSON field)
    and the exact string it was read from."""

    source: str
    text: str
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Attribution:
    """A source an article credits: ``name`` is canonical ("Reuters"), ``surface`` as written."""

    name: str
    surface: str
    start: int | None = None  # character offsets into the cleaned text, when found there
    end: int | None = None
    kind: str = "agency"  # agency | outlet | person

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Metadata:
    """Everything known about an article besides its text, each value with its evidence."""

    title: str | None = None
    published: str | None = None  # ISO-8601, as precise as the evidence allows
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    dateline: str | None = None  # place from "TALLINN, Estonia (AP) —"
    attributions: list[Attribution] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)  # field name -> evidence

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        return out


@dataclass
class Article:
    """A cleaned, dated, attributed article, ready for the store and the later stages."""

    id: str
    source_path: str
    source_kind: SourceKind
    content_hash: str  # sha256 of the original bytes (or of the record) — re-ingest detection
    raw_bytes: bytes
    encoding: str | None
    text: str
    metadata: Metadata
    language: str | None = None
    language_confidence: float | None = None
    paragraph_languages: list[str | None] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    extraction_method: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # source fields not otherwise used
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        return self.metadata.title

    @property
    def published(self) -> str | None:
        return self.metadata.published

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]

    def to_dict(self, *, include_raw: bool = False) -> dict[str, Any]:
        md = self.metadata
        out: dict[str, Any] = {
            "id": self.id,
            "title": md.title,
            "text": self.text,
            "published": md.published,
            "outlet": md.outlet,
            "author": md.author,
            "language": self.language,
            "url": md.url,
            "dateline": md.dateline,
            "attributions": [a.name for a in md.attributions],
            "attribution_details": [a.to_dict() for a in md.attributions],
            "evidence": {k: v.to_dict() for k, v in md.evidence.items()},
            "language_confidence": self.language_confidence,
            "paragraph_languages": self.paragraph_languages,
            "removed": [r.to_dict() for r in self.removed],
            "extraction_method": self.extraction_method,
            "source_path": self.source_path,
            "source_kind": self.source_kind,
            "content_hash": self.content_hash,
            "encoding": self.encoding,
            "extra": self.extra,
            "notes": self.notes,
        }
        if include_raw:
            out["raw"] = self.raw_bytes.decode(self.encoding or "utf-8", errors="replace")
        return out


def article_json_columns(article: Article) -> dict[str, str]:
    """The article's structured fields as the JSON columns the store and a batch dataset keep.

    One encoding for both, so an article read back from either is the same article.
    """
    return {
        "metadata_json": json.dumps(article.metadata.to_dict(), ensure_ascii=False),
        "removed_json": json.dumps([r.to_dict() for r in article.removed], ensure_ascii=False),
        "paragraph_languages_json": json.dumps(article.paragraph_languages),
        "extra_json": json.dumps(article.extra, ensure_ascii=False, default=str),
        "notes_json": json.dumps(article.notes, ensure_ascii=False),
    }


def article_from_columns(row: Mapping[str, Any]) -> Article:
    """An article from its stored columns (a store row or a dataset row: the same layout)."""
    md_dict = json.loads(row["metadata_json"])
    md = Metadata(
        title=md_dict.get("title"),
        published=md_dict.get("published"),
        outlet=md_dict.get("outlet"),
        author=md_dict.get("author"),
        url=md_dict.get("url"),
        dateline=md_dict.get("dateline"),
        attributions=[Attribution(**a) for a in md_dict.get("attributions", [])],
        evidence={k: Evidence(**v) for k, v in md_dict.get("evidence", {}).items()},
    )
    return Article(
        id=row["id"],
        source_path=row["source_path"],
        source_kind=row["source_kind"],
        content_hash=row["content_hash"],
        raw_bytes=bytes(row["raw"]),
        encoding=row["encoding"],
        text=row["text"],
        metadata=md,
        language=row["language"],
        language_confidence=row["language_confidence"],
        paragraph_languages=json.loads(row["paragraph_languages_json"]),
        removed=[Removal(**r) for r in json.loads(row["removed_json"])],
        extraction_method=row["extraction_method"],
        extra=json.loads(row["extra_json"]),
        notes=json.loads(row["notes_json"]),
    )
