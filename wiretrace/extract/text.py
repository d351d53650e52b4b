"""Cleaning plain-text page copies: keep the article body, say what was removed and why.

A page saved as flattened text has lost its markup, so the body has to be told from menus,
crumbs, counters, link lists and comment threads by how the lines read. Each line gets signals
that hold across sites and languages (length, sentence ends, stop-word density, capitalisation,
digits, list structure, repetition, position relative to the densest run of prose, timestamp and
counter patterns); a small gradient-boosted tree model trained on labelled pages turns them into
a probability that the line belongs to the body, and a second small tree model ranks the lines
above the body as headline candidates. Patterns kept as data
(``data/text_patterns.json``) then name the reason for each removal and catch the structures a
per-line score cannot see: comment threads, link lists under a "Related" header, and teasers of
other articles glued onto the last body line.

The work is split by concern: ``text_lines`` (the page as lines, patterns and word lists),
``text_features`` (line and headline features, by name), ``text_model`` (loading and checking
the shipped trees, evaluating them), ``text_rules`` (decoding probabilities into the body, the
headline and the removals) and ``settings`` (every threshold, with where it comes from). This
module is the entry point: ``clean_text``.
"""

from __future__ import annotations

import unicodedata

from ..records import CleanedText
from .text_features import (
    FEATURE_NAMES,
    TITLE_FEATURE_NAMES,
    PreparedPage,
    _features,
    line_features,
    title_candidates,
)
from .text_lines import _split_lines
from .text_model import _model, as_runtime_model, predict_proba
from .text_rules import (
    METHOD,
    _body_decisions,
    _split_glued_teaser,
    _strip_site_parts,
    decide,
)


def prepare_page(text: str, *, language: str | None = None) -> PreparedPage:
    """Split a page into lines, cut glued teasers and compute line features."""
    text = unicodedata.normalize("NFC", text or "")
    lines = _split_lines(text)
    teasers = _split_glued_teaser(lines)
    rows, facts = _features(lines, language)
    return PreparedPage(lines, rows, facts, teasers)


def clean_text(text: str, *, language: str | None = None) -> CleanedText:
    """Clean a page saved as plain text.

    Returns the article body (paragraphs separated by blank lines), the headline as ``title``,
    and every removed line or fragment as a ``Removal`` with a short reason and, where the
    line model scored it, the probability that it was body text (``score``).
    """
    page = prepare_page(text, language=language)
    model = _model()
    title_model = (model or {}).get("title_model")
    return decide(page, predict_proba(page.rows, model), (model or {}).get("decode"), title_model)


__all__ = [
    "FEATURE_NAMES",
    "METHOD",
    "TITLE_FEATURE_NAMES",
    "PreparedPage",
    "_body_decisions",
    "_strip_site_parts",
    "as_runtime_model",
    "clean_text",
    "decide",
    "line_features",
    "predict_proba",
    "prepare_page",
    "title_candidates",
]
