"""Plain-text pages: a browser's "save as text" or a copy-paste, one article per file."""

from __future__ import annotations

from ..records import RawDocument
from .encoding import decode_bytes

__all__ = ["read_text"]


def read_text(data: bytes, *, doc_id: str, source_path: str) -> RawDocument:
    """One ``kind="text"`` document from a whole file's bytes."""
    decoded = decode_bytes(data)
    return RawDocument(
        id=doc_id,
        source_path=source_path,
        kind="text",
        raw_bytes=data,
        text=decoded.text,
        encoding=decoded.encoding,
        notes=decoded.notes,
    )
