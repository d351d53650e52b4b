"""Extraction and cleaning: from a raw document to article text, with what was removed and why.

Plain-text page copies go through the line classifier (``extract.text``); HTML pages through
trafilatura with repairs (``extract.html``). Records from JSONL or feeds carry their body in
``text`` or ``html`` and take the matching path.
"""

from __future__ import annotations

import re
from typing import Any

from ..records import CleanedText, RawDocument
from ..stage import Stage
from .html import extract_html
from .text import clean_text

# Characters XML (and so lxml) refuses in text and attributes: C0 controls other than tab and
# line breaks, non-characters and lone surrogates. Browsers ignore them; lxml raises.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def uses_html(doc: RawDocument) -> bool:
    """Whether ``doc`` is cleaned from its HTML (else from its text)."""
    return doc.html is not None and (doc.kind == "html" or not (doc.text or "").strip())


def clean_document(doc: RawDocument, *, language: str | None = None) -> tuple[CleanedText, dict[str, Any]]:
    """Clean one raw document. Returns the cleaned text and page metadata candidates."""
    if uses_html(doc):
        return extract_html(_NOT_XML.sub("", doc.html), url=doc.fields.get("url"))
    return clean_text(doc.text or "", language=language), {}


# One raw document in; its cleaned text (with what was removed) and the page's metadata
# candidates out.
STAGE = Stage(
    "extract", 1, requires=("document",), writes=("cleaned", "page_meta"),
    process=clean_document, per_record=True,
)

__all__ = ["STAGE", "clean_document"]
