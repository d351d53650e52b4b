"""Line features for the body model and headline features for the title ranker.

Each feature is filled by name: ``FEATURE_NAMES`` and ``TITLE_FEATURE_NAMES`` are the column
orders the shipped models were trained on, and ``text_model`` checks them against the model
file's own lists when it loads it, so a renamed, added or reordered feature is an error at
load rather than a silently wrong column.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..records import Removal
from . import settings as S
from .text_lines import (
    _SENTENCE_END,
    _TERMINAL,
    _URLISH,
    _densest_block,
    _has_date,
    _is_prose,
    _keyword_flags,
    _Line,
    _norm_phrase,
    _patterns,
    _split_lines,
    _stop_ratio,
)

_NOT_TITLE = {
    "counter",
    "date-line",
    "symbols",
    "language-switcher",
    "teaser",
    "share",
    "navigation",
    "details",
    "source-link",
    "caption",
    "comments",
}


_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " / ")


FEATURE_NAMES = [
    "log_chars",
    "log_words",
    "ends_terminal",
    "sentence_ends_per_word",
    "comma_ratio",
    "stop_ratio",
    "cap_ratio",
    "allcaps_ratio",
    "digit_ratio",
    "symbol_ratio",
    "bullet",
    "indent",
    "indent_rel",
    "indent_eq_block",
    "repeats",
    "pos_line",
    "pos_words",
    "in_block",
    "before_block",
    "after_block",
    "block_share",
    "has_date",
    "timestamp_line",
    "counter_line",
    "related_header",
    "comment_marker",
    "share_word",
    "details_word",
    "caption",
    "crumb",
    "byline",
    "date_prefix",
    "language_switch",
    "blank_before",
    "blank_after",
    "prev_words",
    "next_words",
    "prev_prose",
    "next_prose",
    "window_prose",
    "window_words",
    "short_run",
    "starts_lower",
    "urlish",
    "page_lines",
    "after_related",
    "after_comments",
    "words_vs_block",
    "prose",
    "title_like",
]


TITLE_FEATURE_NAMES = [
    "heuristic",
    "offset",
    "log_offset",
    "after_anchor",
    "log_words",
    "log_chars",
    "cap_ratio",
    "allcaps_ratio",
    "ends_question",
    "repeats",
    "inside_other",
    "separator",
    "bullet",
    "indent_eq_block",
    "blank_around",
    "line_proba",
    "stop_ratio",
    "body_overlap",
    "digit_ratio",
    "has_date",
    "pattern_removed",
    "rank_from_anchor",
    "first_candidate",
    "urlish",
    "date_below",
    "crumb_above",
    "page_top",
]


@dataclass
class PreparedPage:
    """A page split into lines with features computed, ready for any line model."""

    lines: list[_Line]
    rows: np.ndarray
    facts: dict[str, Any]
    teaser_removals: list[Removal]


def _features(lines: list[_Line], language: str | None) -> tuple[np.ndarray, dict[str, Any]]:
    """The feature matrix for the non-blank lines, and page facts reused by the decoder."""
    n = len(lines)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES))), {"block": (0, -1), "flags": []}
    stop = [_stop_ratio(line.words, language) for line in lines]
    prose = [_is_prose(line, s) for line, s in zip(lines, stop, strict=True)]
    start, end = _densest_block(lines, prose)
    block_indents = [lines[i].indent for i in range(start, end + 1) if prose[i]] or [
        lines[start].indent
    ]
    block_indent = Counter(block_indents).most_common(1)[0][0]
    word_counts = np.array([len(line.words) for line in lines], dtype=np.float64)
    total_words = max(word_counts.sum(), 1.0)
    cumulative = np.concatenate([[0.0], np.cumsum(word_counts)[:-1]]) / total_words
    block_words = word_counts[start : end + 1].sum()
    block_prose_words = [len(lines[i].words) for i in range(start, end + 1) if prose[i]]
    median_block_words = float(np.median(block_prose_words)) if block_prose_words else 10.0
    normalized = [_norm_phrase(line.text) for line in lines]
    repeats = Counter(normalized)
    flags = [_keyword_flags(line) for line in lines]
    prose_arr = np.array(prose, dtype=np.float64)
    log_words = np.log1p(word_counts)

    short = word_counts <= 6
    run_length = np.zeros(n)
    i = 0
    while i < n:
        j = i
        while j < n and short[j] == short[i]:
            j += 1
        run_length[i:j] = (j - i) if short[i] else 0
        i = j

    related_seen = np.zeros(n)
    comments_seen = np.zeros(n)
    seen_related = seen_comment = False
    for i in range(n):
        related_seen[i] = float(seen_related)
        comments_seen[i] = float(seen_comment)
        if i > end or i >= start:
            if flags[i]["related_header"] and i >= end - 1:
                seen_related = True
            if flags[i]["comment_marker"] and i >= start:
                seen_comment = True

    rows = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float64)
    for i, line in enumerate(lines):
        text = line.text
        words = line.words
        nw = max(len(words), 1)
        alpha_words = [w for w in words if w[0].isalpha()]
        na = max(len(alpha_words), 1)
        chars = max(len(text), 1)
        digits = sum(map(str.isdigit, text))
        symbols = len(text) - sum(map(str.isalnum, text)) - sum(map(str.isspace, text))
        lo, hi = max(0, i - 3), min(n, i + 4)
        f = flags[i]
        is_title_like = (
            3 <= len(words) <= 30
            and not _TERMINAL.search(text)
            and sum(w[0].isupper() for w in alpha_words) >= 1
        )
        row = {
            "log_chars": math.log1p(len(text)),
            "log_words": log_words[i],
            "ends_terminal": float(bool(_TERMINAL.search(text))),
            "sentence_ends_per_word": len(_SENTENCE_END.findall(text)) / nw,
            "comma_ratio": text.count(",") / nw,
            "stop_ratio": stop[i],
            "cap_ratio": sum(w[0].isupper() for w in alpha_words) / na,
            "allcaps_ratio": sum(w.isupper() and len(w) > 1 for w in alpha_words) / na,
            "digit_ratio": digits / chars,
            "symbol_ratio": symbols / chars,
            "bullet": float(line.bullet),
            "indent": min(line.indent, 60) / 20.0,
            "indent_rel": max(-3.0, min(3.0, (line.indent - block_indent) / 10.0)),
            "indent_eq_block": float(line.indent == block_indent),
            "repeats": math.log(repeats[normalized[i]]) if normalized[i] else 0.0,
            "pos_line": i / n,
            "pos_words": cumulative[i],
            "in_block": float(start <= i <= end),
            "before_block": math.log1p(start - i) if i < start else 0.0,
            "after_block": math.log1p(i - end) if i > end else 0.0,
            "block_share": block_words / total_words,
            "has_date": float(f["has_date"]),
            "timestamp_line": float(f["timestamp_line"]),
            "counter_line": float(f["counter_line"]),
            "related_header": float(f["related_header"]),
            "comment_marker": float(f["comment_marker"]),
            "share_word": float(f["share_word"]),
            "details_word": float(f["details_word"] or f["source_link"]),
            "caption": float(f["caption"]),
            "crumb": float(f["crumb"]),
            "byline": float(f["byline"]),
            "date_prefix": float(f["date_prefix"]),
            "language_switch": float(f["language_switch"]),
            "blank_before": float(line.blank_before),
            "blank_after": float(line.blank_after),
            "prev_words": log_words[i - 1] if i > 0 else 0.0,
            "next_words": log_words[i + 1] if i + 1 < n else 0.0,
            "prev_prose": prose_arr[i - 1] if i > 0 else 0.0,
            "next_prose": prose_arr[i + 1] if i + 1 < n else 0.0,
            "window_prose": prose_arr[lo:hi].mean(),
            "window_words": log_words[lo:hi].mean(),
            "short_run": math.log1p(run_length[i]),
            "starts_lower": float(bool(text[:1]) and text[0].islower()),
            "urlish": float(bool(_URLISH.search(text))),
            "page_lines": math.log1p(n),
            "after_related": related_seen[i],
            "after_comments": comments_seen[i],
            "words_vs_block": math.log1p(len(words)) - math.log1p(median_block_words),
            "prose": prose_arr[i],
            "title_like": float(is_title_like),
        }
        rows[i] = [row[name] for name in FEATURE_NAMES]
    facts = {"block": (start, end), "flags": flags, "prose": prose, "stop": stop}
    return rows, facts


def line_features(text: str, *, language: str | None = None) -> tuple[list[int], np.ndarray]:
    """Line numbers of the non-blank lines and their feature rows (used by training)."""
    lines = _split_lines(text)
    rows, _ = _features(lines, language)
    return [line.index for line in lines], rows


def title_candidates(
    page: PreparedPage,
    body_first: int,
    reasons: list[str | None],
    proba: np.ndarray,
    keep: np.ndarray,
) -> tuple[list[int], np.ndarray]:
    """Lines that could be the headline (near and above the body) and their feature rows."""
    lines = page.lines
    lo, hi = max(0, body_first - S.TITLE_LINES_ABOVE), min(len(lines), body_first + S.TITLE_LINES_BELOW)
    phrases = [_norm_phrase(line.text) for line in lines]
    counts = Counter(phrases)
    window_phrases = phrases[lo:hi]
    body_words = {
        w.lower() for i in range(len(lines)) if keep[i] for w in lines[i].words if len(w) > 3
    }
    col = {name: j for j, name in enumerate(FEATURE_NAMES)}
    flags: list[dict[str, bool]] = page.facts["flags"]
    indices: list[int] = []
    for i in range(lo, hi):
        words = lines[i].words
        if not (2 <= len(words) <= 40) or reasons[i] in _NOT_TITLE:
            continue
        if re.search(r"[.:;,]['\"”»’)]*$", lines[i].text):
            continue  # headlines do not end like sentences or lead-ins
        indices.append(i)
    rows = np.zeros((len(indices), len(TITLE_FEATURE_NAMES)))
    for rank, i in enumerate(indices):
        line, text, words = lines[i], lines[i].text, lines[i].words
        alpha = [w for w in words if w[0].isalpha()] or words
        long_words = [w.lower() for w in words if len(w) > 3]
        offset = i - body_first
        phrase = phrases[i]
        inside_other = any(
            phrase and phrase != other and phrase in other and len(other) <= len(phrase) + 60
            for other in window_phrases
        )
        row = {
            "heuristic": _title_heuristic(line, offset, counts[phrase]),
            "offset": max(-60, min(5, offset)),
            "log_offset": math.log1p(abs(offset)),
            "after_anchor": float(offset >= 0),
            "log_words": math.log1p(len(words)),
            "log_chars": math.log1p(len(text)),
            "cap_ratio": sum(w[0].isupper() for w in alpha) / len(alpha),
            "allcaps_ratio": sum(w.isupper() and len(w) > 1 for w in alpha) / len(alpha),
            "ends_question": float(text.rstrip().endswith(("?", "!"))),
            "repeats": math.log(max(counts[phrase], 1)),
            "inside_other": float(inside_other),
            "separator": float(any(sep in text for sep in _TITLE_SEPARATORS)),
            "bullet": float(line.bullet),
            "indent_eq_block": page.rows[i, col["indent_eq_block"]],
            "blank_around": float(line.blank_before and line.blank_after),
            "line_proba": float(proba[i]),
            "stop_ratio": page.facts["stop"][i],
            "body_overlap": sum(w in body_words for w in long_words) / max(len(long_words), 1),
            "digit_ratio": page.rows[i, col["digit_ratio"]],
            "has_date": page.rows[i, col["has_date"]],
            "pattern_removed": float(reasons[i] is not None),
            "rank_from_anchor": float(len([j for j in indices if i < j <= body_first])),
            "first_candidate": float(rank == 0),
            "urlish": float(bool(_URLISH.search(text))),
            "date_below": float(any(_dated(lines[j], flags[j]) for j in range(i + 1, min(i + 4, len(lines))))),
            "crumb_above": float(any(flags[j]["crumb"] for j in range(max(0, i - 3), i))),
            "page_top": float(i == 0),
        }
        rows[rank] = [row[name] for name in TITLE_FEATURE_NAMES]
    return indices, rows


def _dated(line: _Line, flags: dict[str, bool]) -> bool:
    """A date, byline or counter line, the kind that sits right under a headline."""
    return (flags["has_date"] and len(line.words) <= 12) or flags["byline"] or flags["counter_line"]


def _title_heuristic(line: _Line, offset: int, repeats: int) -> float:
    """A hand-set headline score, used without a trained ranker and as one ranker input."""
    words, text = line.words, line.text
    score = 1.0 - (abs(offset) * 0.08 if offset <= 0 else offset * 0.6)
    score += 0.6 if repeats >= 2 else 0.0
    score += 0.4 if 5 <= len(words) <= 20 else 0.0
    score -= 1.5 if line.bullet else 0.0
    score -= 2.0 if _URLISH.search(text) else 0.0
    score += 0.3 if line.blank_before and line.blank_after else 0.0
    alpha = [w for w in words if w[0].isalpha()]
    if alpha and not alpha[0][0].isupper():
        score -= 1.0
    if len(words) < 3:
        score -= 1.0
    if _has_date(text) and len(words) < 8:
        score -= 2.0
    if any(_norm_phrase(text) in _patterns()[k] for k in ("related_headers", "share")):
        score -= 3.0
    return score
