"""Cheap checks before the expensive path: a document that no news article resembles is
refused in milliseconds instead of stalling the run in the parser or the line classifier.

The time and memory budget (``wiretrace.extract.budget``) stops whatever these checks miss;
these exist so the common hostile shapes never get that far.
"""

from __future__ import annotations

import re

from ..errors import OverBudgetError
from ..records import RawDocument
from . import uses_html

__all__ = [
    "MAX_ATTRIBUTES_PER_ELEMENT",
    "MAX_FIELD_CHARS",
    "MAX_HTML_CHARS",
    "MAX_TEXT_CHARS",
    "cap_field",
    "precheck",
]

# The largest page in the WCXB and ScrapingHub dev sets (1,606 pages) decodes to 1.8M
# characters; 10M leaves more than 5x headroom for real pages and keeps trafilatura's several
# passes over the tree within the default time budget.
MAX_HTML_CHARS = 10_000_000
# Plain text goes through the line classifier and every metadata pass, which together cost
# about 20 s per million characters on one core (measured on a 2M-character page); a news
# article is far shorter (the longest plain-text pages in the cleaning benchmark are ~100k).
MAX_TEXT_CHARS = 1_000_000
# Most attributes on one element in the 1,606 benchmark pages: 340. lxml checks attributes for
# duplicates pairwise (2 s at 25k attributes, 21 s at 50k), so the cap sits far below that.
MAX_ATTRIBUTES_PER_ELEMENT = 2000
# Longest value kept for a one-line metadata field (title, author, outlet); a URL may be longer.
MAX_FIELD_CHARS = 1000
MAX_URL_CHARS = 4096

# A start tag long enough to hold MAX_ATTRIBUTES_PER_ELEMENT attributes (each takes at least two
# characters: a name and a space); shorter tags cannot break the cap and are not looked at.
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{" + str(2 * MAX_ATTRIBUTES_PER_ELEMENT - 1) + ",}")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_ATTRIBUTE_START = re.compile(r"\s+[^\s=>/\"']")


def _most_attributes(html: str) -> int:
    """The largest number of attributes on one element (an upper bound, counted cheaply)."""
    most = 0
    for match in _LONG_TAG.finditer(html):
        unquoted = _QUOTED.sub('""', match.group())
        most = max(most, len(_ATTRIBUTE_START.findall(unquoted)))
    return most


def precheck(doc: RawDocument) -> OverBudgetError | None:
    """Why ``doc`` is too big or too odd to extract within budget, or None if it may proceed."""
    where = doc.location or doc.source_path
    if uses_html(doc):
        html = doc.html or ""
        if len(html) > MAX_HTML_CHARS:
            return OverBudgetError(
                f"over budget: {len(html):,} characters of HTML, more than the "
                f"{MAX_HTML_CHARS:,} one page may have",
                path=where,
            )
        attributes = _most_attributes(html)
        if attributes > MAX_ATTRIBUTES_PER_ELEMENT:
            return OverBudgetError(
                f"over budget: an element with {attributes:,} attributes (at most "
                f"{MAX_ATTRIBUTES_PER_ELEMENT:,} are parsed)",
                path=where,
            )
        return None
    text = doc.text or ""
    if len(text) > MAX_TEXT_CHARS:
        return OverBudgetError(
            f"over budget: {len(text):,} characters of text, more than the "
            f"{MAX_TEXT_CHARS:,} one article may have",
            path=where,
        )
    return None


def cap_field(name: str, value: str | None, notes: list[str]) -> str | None:
    """``value`` cut to the field's limit, with a note in ``notes`` when it was longer."""
    if value is None:
        return None
    limit = MAX_URL_CHARS if name == "url" else MAX_FIELD_CHARS
    if len(value) <= limit:
        return value
    notes.append(f"{name} truncated from {len(value):,} to {limit:,} characters")
    return value[:limit]
