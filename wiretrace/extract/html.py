"""Main text and metadata candidates from a raw HTML page.

trafilatura finds the body well on most news pages; around it this module (1) removes blocks
that are never article text — comment threads, related/teaser lists, share bars — before
extraction, so they are reported as removals and cannot leak into the body, (2) takes
trafilatura's recall mode when it returns a clear superset of the default text (long guides
the default mode cuts short), drops repeated paragraphs (gallery captions printed twice), and
falls back to a text-density extractor over lxml when trafilatura returns nothing useful or
only a fragment of the densest block, then drops a leading copy of the headline and the short
paragraphs that a small logistic model (weights in the data file) reads as page furniture —
calls to action, teaser titles, labels outside the densest block — and (3) collects
metadata candidates (meta tags, JSON-LD, ``<time>``, bylines, canonical URL, ``lang``) for the
metadata stage. Selectors and meta keys are data: ``data/html_selectors.json`` and
``data/html_meta.json``.

Each concern has its module: ``html_dom`` (parsing, tree helpers), ``dom_repair`` (removing
furniture, revealing panels, protecting article containers), ``main_text`` (trafilatura, the
declared body, the density fallback), ``paragraph_filter`` and ``page_meta``; thresholds are in
``settings.py``. This module is the entry point: ``extract_html``.
"""

from __future__ import annotations

from typing import Any

from ..records import CleanedText
from .dom_repair import _protect_main_text
from .html_dom import _parse
from .main_text import (
    MainText,
    _declared_body_wins,
    _drop_repeats,
    _extends,
    density_extract,
    drop_headline,
    headlines_of,
    main_text_candidates,
)
from .page_meta import page_metadata
from .paragraph_filter import _filter_paragraphs, keep_probabilities, paragraph_features


def extract_html(html: str, *, url: str | None = None) -> tuple[CleanedText, dict[str, Any]]:
    """Article text of one page (paragraphs separated by blank lines) and metadata candidates.

    ``CleanedText.method`` is "trafilatura" (default or recall mode, see ``_extends``),
    "fallback" (density extractor) or "jsonld" (the page's schema.org ``articleBody``, for
    pages that render the article with scripts, see ``_declared_body_wins``).
    """
    tree = _parse(html)
    if tree is None:
        return CleanedText(text="", method="fallback"), {}
    meta = page_metadata(tree, url=url)
    found = main_text_candidates(tree, url)
    declared = meta.get("declared_body")
    if declared and _declared_body_wins(found.text, declared):
        found = MainText(declared, found.densest, {}, found.pruned, found.removed, "jsonld")
    paragraphs, removed = drop_headline(found.text, headlines_of(tree, meta))
    if found.method == "jsonld":  # the publisher's own text: no page furniture to filter
        text, dropped = "\n\n".join(paragraphs), []
    else:
        text, dropped = _filter_paragraphs(paragraphs, found)
    cleaned = CleanedText(
        text=text, title=meta.get("title"), removed=found.removed + removed + dropped,
        method=found.method,
    )
    return cleaned, meta


__all__ = [
    "MainText",
    "_drop_repeats",
    "_extends",
    "_filter_paragraphs",
    "_parse",
    "_protect_main_text",
    "density_extract",
    "drop_headline",
    "extract_html",
    "headlines_of",
    "keep_probabilities",
    "main_text_candidates",
    "page_metadata",
    "paragraph_features",
]
