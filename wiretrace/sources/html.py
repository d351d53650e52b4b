"""Raw HTML pages, decoded with the charset the page (or its HTTP response) declares."""

from __future__ import annotations

from typing import Any

from ..records import RawDocument
from .encoding import declared_charset, decode_bytes

__all__ = ["read_html"]


def read_html(
    data: bytes,
    *,
    doc_id: str,
    source_path: str,
    http_charset: str | None = None,
    fields: dict[str, Any] | None = None,
) -> RawDocument:
    """One ``kind="html"`` document; an HTTP charset outranks the page's own meta tag."""
    declared = http_charset or declared_charset(data)
    decoded = decode_bytes(data, declared=declared)
    return RawDocument(
        id=doc_id,
        source_path=source_path,
        kind="html",
        raw_bytes=data,
        html=decoded.text,
        encoding=decoded.encoding,
        fields=dict(fields or {}),
        notes=decoded.notes,
    )
