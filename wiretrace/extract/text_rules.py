"""Decoding a page: line probabilities and patterns into the body, the headline and the list
of removals with their reasons.

Patterns name the removals a per-line score cannot see (comment threads, link lists under a
"Related" header, teasers glued onto the last body line); the thresholds are in
``settings.py``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..records import CleanedText, Removal
from . import settings as S
from .text_features import _TITLE_SEPARATORS, PreparedPage, title_candidates
from .text_lines import (
    _SENTENCE_END,
    _TERMINAL,
    _WORD,
    _is_prose,
    _Line,
    _line_body,
    _norm_phrase,
    _patterns,
)
from .text_model import as_runtime_model, predict_proba

METHOD = "text-lines"


def _default_decode() -> dict[str, float]:
    return dict(S.DEFAULT_DECODE)


def _pattern_reason(line: _Line, flags: dict[str, bool]) -> str | None:
    """A removal reason read from patterns alone, for lines that are never body text."""
    text = line.text
    if not line.words:
        return "symbols"
    if flags["language_switch"]:
        return "language-switcher"
    if flags["crumb"] and len(line.words) <= S.FURNITURE_LINE_MAX_WORDS:
        return "navigation"
    if flags["counter_line"]:
        return "counter"
    if flags["date_prefix"] and len(line.words) <= S.FURNITURE_LINE_MAX_WORDS:
        return "date-line"
    if flags["timestamp_line"]:
        return "date-line"
    if flags["source_link"]:
        return "source-link"
    if _inline_related(text):
        return "related-links"
    if flags["details_word"]:
        return "details"
    if flags["share_word"]:
        return "share"
    if flags["caption"] and not _SENTENCE_END.search(text.rstrip(")")[:-1] or "x"):
        return "caption"
    return _meta_line_reason(text)


def _meta_line_reason(text: str) -> str | None:
    """Page furniture such as 'June 2, 2025 · 2 min read · 1,204 views' or 'Quelle: dpa'."""
    pats = _patterns()
    if len(text) > S.META_LINE_MAX_CHARS:
        return None
    if pats["source_line"].match(text):
        return (
            "caption"
            if re.match(r"^\W*(?:фото|снимка|джерело фото|source photo)", text, re.I)
            else "source-link"
        )
    segments = [seg.strip() for seg in pats["meta_split"].split(text) if seg and seg.strip()]
    if not segments:
        return None
    has_date, has_meta = False, False
    for segment in segments:
        if any(p.match(segment) for p in pats["meta_segment"]):
            has_meta = True
            continue
        rest = segment
        for pattern in (*pats["date"], pats["relative_date"]):
            rest = pattern.sub(" ", rest)
        if rest != segment:
            has_date = True
            rest_words = _WORD.findall(rest)
            if len(segments) > 1 and len(rest_words) <= 4:
                continue
            if len(rest_words) <= 2 and not re.search(r"[.!?…]$", segment):
                continue
            return None
        byline = any(p.match(segment) for p in pats["byline"])
        if byline or (segment[:1].isupper() and len(_WORD.findall(segment)) <= 3 and has_date):
            continue  # an author name next to the date
        return None
    if has_meta:
        return "counter"
    return "date-line" if has_date else None


def _inline_related(text: str) -> bool:
    """'Read also: <other headline>' put between body paragraphs."""
    head, sep, rest = text.partition(":")
    if not sep:
        for dash in (" — ", " – ", " - "):
            head, sep, rest = text.partition(dash)
            if sep:
                break
    if not sep or not rest.strip() or len(_WORD.findall(rest)) > S.INLINE_RELATED_MAX_WORDS:
        return False
    return _norm_phrase(head) in _patterns()["related_headers"]


def _counter_reason(line: _Line) -> str | None:
    """Vote/view counters such as 'veryGood! (6633)' or '1 087 22' after a date."""
    text = line.text
    if len(line.words) <= S.COUNTER_MAX_WORDS and re.search(r"\(\d[\d ,.]*\)\s*$", text):
        return "counter"
    return None


def _split_glued_teaser(lines: list[_Line]) -> list[Removal]:
    """Cut a teaser (headline + date + counter) glued onto a body line; return the cut parts."""
    pats = _patterns()
    removals: list[Removal] = []
    for line in lines:
        match = pats["glued_teaser_tail"].search(line.text)
        if not match or match.start() == 0:
            continue
        head = line.text[: match.start()]
        if len(_WORD.findall(head)) < S.TEASER_MIN_BODY_WORDS:
            continue
        # The teaser headline starts after the last sentence end before the date.
        cut = 0
        for end in re.finditer(r"[.!?…][\"”»’)]*\s*(?=[^\s.!?…])", head):
            cut = end.end()
        teaser = line.text[cut:]
        kept = line.text[:cut].strip()
        removals.append(Removal(teaser.strip(), "teaser", line.index, None))
        line.text = kept
        line.words = _WORD.findall(kept)
        if not kept:
            line.reason = "teaser"
    return removals


def _bulk_of_prose(lines: list[_Line], prose: list[bool], block: tuple[int, int]) -> int:
    """Index of the line by which 60% of the main block's prose words have been read.

    Comment threads and link lists start after the bulk of the article, never before it, so
    markers ahead of this point ("6 Comments" under a headline) do not open a region.
    """
    start, end = block
    words = [len(lines[i].words) if prose[i] else 0 for i in range(start, end + 1)]
    total, seen = sum(words), 0
    for offset, n in enumerate(words):
        seen += n
        if seen >= S.BULK_SHARE * total:
            return start + offset
    return end


def _comment_region(
    lines: list[_Line], flags: list[dict[str, bool]], block_end: int, floor: int, bulk: int
) -> int | None:
    """Index of the first line of a reader-comment thread after the body, if there is one."""
    pats = _patterns()
    markers: list[int] = []
    for i in range(bulk + 1, len(lines)):
        line = lines[i]
        is_marker = flags[i]["comment_marker"] or any(
            p.search(line.text) for p in pats["comment_line"]
        )
        if not is_marker and flags[i]["timestamp_line"] and i > block_end:
            is_marker = True
        if is_marker:
            markers.append(i)
    if len(markers) < S.COMMENT_MIN_MARKERS:
        return None
    first = markers[0]
    # Step back over the thread's opening line (the first author's name or number).
    start = first
    opens_with_header = _norm_phrase(lines[first].text) in pats["comment_headers"]
    if not opens_with_header and first - 1 > max(bulk, floor - 1):
        previous = lines[first - 1]
        if len(previous.words) <= S.COMMENT_OPENER_MAX_WORDS and not _TERMINAL.search(previous.text):
            start = first - 1
    return start


def _related_region(lines: list[_Line], flags: list[dict[str, bool]], bulk: int) -> int | None:
    """First 'Related / Read also' header that sits past the bulk of the prose, if any."""
    for i in range(bulk + 1, len(lines)):
        if flags[i]["related_header"]:
            return i
    return None


def _strip_site_parts(candidate: str, others: set[str]) -> str:
    """Drop crumbs, site names and '- 1' style suffixes glued to a headline."""
    text = candidate.strip()
    crumbs = re.split(r"\s+[›>»→]\s+", text)
    if len(crumbs) >= 3 and len(_WORD.findall(crumbs[-1])) >= 4:
        text = crumbs[-1]  # 'Home › Politics › <headline>'
    text = re.sub(r"\s*[-–—|]\s*\d{1,2}$", "", text)
    for sep in _TITLE_SEPARATORS:
        if sep not in text:
            continue
        parts = [p.strip() for p in text.split(sep)]
        longest = max(parts, key=len)
        rest = [p for p in parts if p is not longest]
        if all(len(_WORD.findall(p)) <= 4 for p in rest) and len(_WORD.findall(longest)) >= 4:
            text = longest
    # A suffix glued without a space, e.g. 'isolation -消息'
    text = (
        re.sub(r"\s+[-–—|]\s*\S{1,12}$", "", text)
        if re.search(r"\s[-–—|]\s*[^\s\w]*\w{1,12}$", text) and len(_WORD.findall(text)) > 5
        else text
    )
    # the longest other line inside the candidate, so the answer never depends on set order
    for other in sorted(others, key=lambda o: (-len(o), o)):
        if other and other != text and len(other) >= 15 and other in text:
            return other
    return text


def _pick_title(
    page: PreparedPage,
    body_first: int,
    reasons: list[str | None],
    proba: np.ndarray,
    keep: np.ndarray,
    title_model: dict[str, Any] | None,
) -> tuple[int, str] | None:
    """The headline line: the trained ranker's best candidate, or the heuristic's."""
    lines = page.lines
    indices, rows = title_candidates(page, body_first, reasons, proba, keep)
    if not indices:
        return None
    if title_model is not None:
        scores = predict_proba(rows, as_runtime_model(title_model))
    else:
        scores = rows[:, 0]
    index = indices[int(np.argmax(scores))]
    lo, hi = max(0, body_first - S.TITLE_LINES_ABOVE), min(len(lines), body_first + S.TITLE_LINES_BELOW)
    texts = {line.text.strip() for line in lines[lo:hi]}
    title = _strip_site_parts(lines[index].text, texts - {lines[index].text.strip()})
    phrase = _norm_phrase(title)
    for i in range(lo, hi):
        if _norm_phrase(lines[i].text) == phrase:
            return i, title
    return index, title


def _join_paragraphs(kept: list[_Line]) -> str:
    """Each kept line is a paragraph, except hard-wrapped continuations, which are joined."""
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line in kept:
        text = line.text.strip()
        if (
            previous is not None
            and paragraphs
            and not previous.blank_after
            and line.index == previous.index + 1
            and not _TERMINAL.search(previous.text)
            and text[:1].islower()
            and len(previous.text) >= S.WRAPPED_LINE_MIN_CHARS
        ):
            paragraphs[-1] = f"{paragraphs[-1]} {text}"
        else:
            paragraphs.append(text)
        previous = line
    return "\n\n".join(p for p in paragraphs if p)


def decide(
    page: PreparedPage,
    proba: np.ndarray,
    decode: dict[str, float] | None = None,
    title_model: dict[str, Any] | None = None,
) -> CleanedText:
    """Turn line probabilities into the body, the title and the list of removals."""
    lines = page.lines
    if not lines:
        return CleanedText(text="", title=None, removed=[], method=METHOD)
    flags: list[dict[str, bool]] = page.facts["flags"]
    block_start, block_end = page.facts["block"]
    removed: list[Removal] = list(page.teaser_removals)
    keep, reasons = _body_decisions(page, proba, decode)
    kept_indices = [i for i in range(len(lines)) if keep[i]]
    body_first = kept_indices[0] if kept_indices else block_start
    picked = _pick_title(page, body_first, reasons, proba, keep, title_model)
    if picked is not None and keep[picked[0]] and len(kept_indices) == 1:
        picked = None  # the only body line (a one-paragraph page) is the article, not its title
    title = picked[1] if picked else None
    title_phrase = _norm_phrase(title) if title else ""
    if picked is not None and title_phrase:
        title_index = picked[0]
        for i, line in enumerate(lines):
            if i > max(body_first, title_index) + S.TITLE_COPY_REACH_LINES:
                break
            phrase = _norm_phrase(line.text)
            if i == title_index:
                keep[i] = False
                reasons[i] = "title"
            elif phrase == title_phrase or (
                title_phrase in phrase and len(phrase) <= len(title_phrase) + S.TITLE_COPY_EXTRA_CHARS
            ):
                keep[i] = False
                if flags[i]["crumb"]:
                    reasons[i] = "navigation"
                elif flags[i]["caption"]:
                    reasons[i] = "caption"
                else:
                    reasons[i] = "duplicate-title"

    for i, line in enumerate(lines):
        if keep[i] or not line.text.strip():
            continue
        reason = reasons[i] or _reason_by_position(i, line, flags[i], block_start, block_end)
        shown = line.raw.strip() if line.text == _line_body(line.raw) else line.text.strip()
        removed.append(Removal(shown, reason, line.index, round(float(proba[i]), 4)))
    removed.sort(key=lambda r: r.line if r.line is not None else -1)
    body = _join_paragraphs([lines[i] for i in range(len(lines)) if keep[i]])
    return CleanedText(text=body, title=title, removed=removed, method=METHOD)


def _body_decisions(
    page: PreparedPage, proba: np.ndarray, decode: dict[str, float] | None
) -> tuple[np.ndarray, list[str | None]]:
    """Which lines are body, and the reasons already known for the others."""
    lines = page.lines
    decode = decode or _default_decode()
    flags: list[dict[str, bool]] = page.facts["flags"]
    block_start, block_end = page.facts["block"]
    reasons: list[str | None] = [line.reason for line in lines]
    keep = np.zeros(len(lines), dtype=bool)
    for i, line in enumerate(lines):
        if reasons[i]:
            continue
        pattern = _pattern_reason(line, flags[i]) or _counter_reason(line)
        if pattern and not (pattern in {"caption", "share"} and proba[i] > S.PATTERN_OVERRIDE_PROBABILITY):
            reasons[i] = pattern
            continue
        if block_start <= i <= block_end:
            prose = page.facts["prose"][i]
            threshold = decode.get("prose_inside", decode["inside"]) if prose else decode["inside"]
        else:
            threshold = decode["outside"]
        keep[i] = proba[i] >= threshold

    # A short closing sentence right after kept body text is body too ("No one was hurt.").
    adjacent = decode.get("adjacent")
    if adjacent is not None:
        for i in range(1, len(lines)):
            line = lines[i]
            if (
                not keep[i]
                and keep[i - 1]
                and reasons[i] is None
                and proba[i] >= adjacent
                and len(line.words) >= S.CLOSING_LINE_MIN_WORDS
                and _SENTENCE_END.search(line.text[-3:] + " ")
                and line.text[:1].isupper()
            ):
                keep[i] = True

    bulk = _bulk_of_prose(lines, page.facts["prose"], (block_start, block_end))
    related_from = _related_region(lines, flags, bulk)
    comments_from = _comment_region(
        lines, flags, block_end, related_from + 1 if related_from is not None else 0, bulk
    )
    if related_from is not None:
        for i in range(related_from, comments_from if comments_from is not None else len(lines)):
            line = lines[i]
            long_prose = (_is_prose(line, page.facts["stop"][i])
                          and len(line.words) >= S.RELATED_STOP_MIN_WORDS)
            if keep[i] and proba[i] >= S.RELATED_STOP_PROBABILITY and long_prose:
                break
            keep[i] = False
            reasons[i] = reasons[i] or "related-links"
    if comments_from is not None:
        for i in range(comments_from, len(lines)):
            keep[i] = False
            reasons[i] = "comments" if reasons[i] != "teaser" else reasons[i]
    return keep, reasons


def _reason_by_position(
    i: int, line: _Line, flags: dict[str, bool], block_start: int, block_end: int
) -> str:
    """Name a removal the model made from where the line sits and how it reads."""
    if flags["byline"]:
        return "byline"
    if flags["has_date"] and len(line.words) <= S.FURNITURE_LINE_MAX_WORDS:
        return "date-line"
    if flags["caption"]:
        return "caption"
    if i < block_start:
        return "navigation" if len(line.words) <= S.NAVIGATION_MAX_WORDS or line.bullet else "header"
    if i > block_end:
        return "related-links" if line.bullet or len(line.words) <= S.RELATED_LINK_MAX_WORDS else "footer"
    return "boilerplate"
