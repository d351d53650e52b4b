"""A plain-text page as lines, and the patterns and word lists read on each line.

Patterns and stop words are data (``data/text_patterns.json``, ``data/stopwords.json``); this
module compiles them once and answers the per-line questions (is it prose, does it carry a
date, which boilerplate keywords does it hold) that the features and the decoding rules share.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)


_BULLET = re.compile(r"^(?:[*+•·▪◦●■□‣⁃–-]|\d{1,3}[.)]|o)\s+")


_TERMINAL = re.compile(r"[.!?…:;][\"'”»’)\]]*$|[\"”»]$")


_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”»’)\]]*)(?=\s|$)")


_URLISH = re.compile(r"https?://|www\.|@\w|#\w|©|\.(?:com|org|net|ru|ua|bg|de)\b", re.I)


@dataclass
class _Line:
    """One non-blank line of the page and what is known about it."""

    index: int  # 0-based line number in the source text
    raw: str
    text: str  # stripped, bullet marker removed
    indent: int
    bullet: bool
    blank_before: bool
    blank_after: bool
    words: list[str] = field(default_factory=list)
    reason: str | None = None  # set when a pattern or region rule removes the line


@cache
def _data(name: str) -> Any:
    path = resources.files(__package__) / "data" / name
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, Any]:
    """Compile the boilerplate patterns once."""
    raw = _data("text_patterns.json")
    months = raw["month_names"]

    def compile_all(items: list[str]) -> list[re.Pattern[str]]:
        return [re.compile(p.replace("{months}", months), re.I) for p in items]

    def phrase_set(items: list[str]) -> frozenset[str]:
        return frozenset(_norm_phrase(x) for x in items)

    return {
        "date": compile_all(raw["date"]),
        "relative_date": re.compile(raw["relative_date"], re.I),
        "timestamp_line": re.compile(raw["timestamp_line"], re.I),
        "counter_token": re.compile(raw["counter_token"], re.I),
        "glued_teaser_tail": re.compile(raw["glued_teaser_tail"], re.I),
        "crumb": compile_all(raw["crumb"]),
        "crumb_separator": re.compile(raw["crumb_separator"]),
        "language_codes": frozenset(x.lower() for x in raw["language_codes"]),
        "related_headers": phrase_set(raw["related_headers"]),
        "comment_markers": phrase_set(raw["comment_markers"]),
        "comment_headers": phrase_set(raw["comment_headers"]),
        "comment_line": compile_all(raw["comment_line"]),
        "caption": compile_all(raw["caption"]),
        "source_link": phrase_set(raw["source_link"]),
        "details": phrase_set(raw["details"]),
        "share": phrase_set(raw["share"]),
        "byline": compile_all(raw["byline"]),
        "date_line_prefix": re.compile(raw["date_line_prefix"], re.I),
        "meta_segment": compile_all(raw["meta_line"]["segment"]),
        "meta_split": re.compile(raw["meta_line"]["split"]),
        "source_line": re.compile(raw["source_line"], re.I),
    }


@lru_cache(maxsize=1)
def _stopwords() -> tuple[dict[str, int], list[str]]:
    """Map each stop word to a bit mask of the languages whose list holds it."""
    table: dict[str, list[str]] = _data("stopwords.json")
    languages = sorted(table)
    masks: dict[str, int] = {}
    for bit, language in enumerate(languages):
        for word in table[language]:
            masks[word] = masks.get(word, 0) | (1 << bit)
    return masks, languages


def _norm_phrase(text: str) -> str:
    """Lower-case words only, digits and punctuation dropped: 'Reply (3)' -> 'reply'."""
    return " ".join(w for w in _WORD.findall(text.lower()) if not w.isdigit())


def _line_body(raw: str) -> str:
    """A line without its indentation and list-item marker."""
    stripped = raw.strip()
    bullet = _BULLET.match(stripped)
    return (stripped[bullet.end() :].strip() if bullet else stripped) or stripped


def _split_lines(text: str) -> list[_Line]:
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[_Line] = []
    for index, raw in enumerate(raw_lines):
        stripped = raw.strip()
        if not stripped:
            continue
        expanded = raw.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        bullet_match = _BULLET.match(stripped)
        body = stripped[bullet_match.end() :].strip() if bullet_match else stripped
        lines.append(
            _Line(
                index=index,
                raw=raw,
                text=body or stripped,
                indent=indent,
                bullet=bool(bullet_match) and bool(body),
                blank_before=index == 0 or not raw_lines[index - 1].strip(),
                blank_after=index + 1 >= len(raw_lines) or not raw_lines[index + 1].strip(),
                words=_WORD.findall(body or stripped),
            )
        )
    return lines


def _stop_ratio(words: list[str], language: str | None) -> float:
    if not words:
        return 0.0
    masks, languages = _stopwords()
    lowered = [w.lower() for w in words]
    if language and language in languages:
        bit = 1 << languages.index(language)
        return sum(1 for w in lowered if masks.get(w, 0) & bit) / len(words)
    counts: Counter[int] = Counter()
    for w in lowered:
        mask = masks.get(w, 0)
        while mask:
            low = mask & -mask
            counts[low] += 1
            mask ^= low
    return max(counts.values(), default=0) / len(words)


def _is_prose(line: _Line, stop_ratio: float) -> bool:
    n = len(line.words)
    return (n >= 5 and bool(_TERMINAL.search(line.text))) or (n >= 20 and stop_ratio >= 0.2)


def _densest_block(lines: list[_Line], prose: list[bool]) -> tuple[int, int]:
    """Indices [start, end] of the run of lines with the most prose (max-sum subarray)."""
    best, best_span = -math.inf, (0, max(len(lines) - 1, 0))
    running, start = 0.0, 0
    for i, line in enumerate(lines):
        n = len(line.words)
        gain = float(n) if prose[i] else -float(min(max(n, 2), 8))
        if running <= 0:
            running, start = gain, i
        else:
            running += gain
        if running > best:
            best, best_span = running, (start, i)
    return best_span


def _has_date(text: str) -> bool:
    pats = _patterns()
    if any(map(str.isdigit, text)) and any(p.search(text) for p in pats["date"]):
        return True
    return bool(pats["relative_date"].search(text))


def _keyword_flags(line: _Line) -> dict[str, bool]:
    pats = _patterns()
    phrase = _norm_phrase(line.text)
    short = len(line.words) <= 6
    tokens = line.text.split()
    lowered_tokens = [t.lower().strip(".,|/·•") for t in tokens]
    return {
        "related_header": short and phrase in pats["related_headers"],
        "comment_marker": (
            short
            and (
                phrase in pats["comment_markers"]
                or any(w in pats["comment_markers"] for w in phrase.split()[-1:])
            )
        )
        or phrase in pats["comment_headers"]
        or any(p.search(line.text) for p in pats["comment_line"]),
        "share_word": short and phrase in pats["share"],
        "details_word": short and phrase in pats["details"],
        "source_link": short and phrase in pats["source_link"],
        "caption": len(line.words) <= 25 and any(p.search(line.text) for p in pats["caption"]),
        "crumb": len(line.words) <= 30
        and (
            any(p.search(line.text) for p in pats["crumb"])
            or len(pats["crumb_separator"].findall(line.text)) >= 2
        ),
        "byline": len(line.words) <= 14 and any(p.match(line.text) for p in pats["byline"]),
        "date_prefix": bool(pats["date_line_prefix"].match(line.text)) and _has_date(line.text),
        "language_switch": 2 <= len(lowered_tokens) <= 12
        and all(t in pats["language_codes"] for t in lowered_tokens if t),
        "counter_line": bool(tokens)
        and all(pats["counter_token"].match(t) for t in tokens)
        and any(ch.isdigit() for ch in line.text),
        "timestamp_line": len(line.words) <= 10 and bool(pats["timestamp_line"].match(line.text)),
        "has_date": _has_date(line.text),
    }
