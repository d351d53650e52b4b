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
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import numpy as np

from ..records import CleanedText, Removal

METHOD = "text-lines"
_WORD = re.compile(r"\w+", re.UNICODE)
_BULLET = re.compile(r"^(?:[*+•·▪◦●■□‣⁃–-]|\d{1,3}[.)]|o)\s+")
_TERMINAL = re.compile(r"[.!?…:;][\"'”»’)\]]*$|[\"”»]$")
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”»’)\]]*)(?=\s|$)")
_URLISH = re.compile(r"https?://|www\.|@\w|#\w|©|\.(?:com|org|net|ru|ua|bg|de)\b", re.I)
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


# --------------------------------------------------------------------------- data


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


@lru_cache(maxsize=1)
def _model() -> dict[str, Any] | None:
    """The trained line model (gradient-boosted trees over line features), if shipped."""
    try:
        model = _data("text_model.json")
    except FileNotFoundError:
        return None
    model = as_runtime_model(model)
    if model.get("title_model"):
        model["title_model"] = as_runtime_model(model["title_model"])
    return model


def _norm_phrase(text: str) -> str:
    """Lower-case words only, digits and punctuation dropped: 'Reply (3)' -> 'reply'."""
    return " ".join(w for w in _WORD.findall(text.lower()) if not w.isdigit())


# --------------------------------------------------------------------------- lines


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


# --------------------------------------------------------------------------- features

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
        rows[i] = [
            math.log1p(len(text)),
            log_words[i],
            float(bool(_TERMINAL.search(text))),
            len(_SENTENCE_END.findall(text)) / nw,
            text.count(",") / nw,
            stop[i],
            sum(w[0].isupper() for w in alpha_words) / na,
            sum(w.isupper() and len(w) > 1 for w in alpha_words) / na,
            digits / chars,
            symbols / chars,
            float(line.bullet),
            min(line.indent, 60) / 20.0,
            max(-3.0, min(3.0, (line.indent - block_indent) / 10.0)),
            float(line.indent == block_indent),
            math.log(repeats[normalized[i]]) if normalized[i] else 0.0,
            i / n,
            cumulative[i],
            float(start <= i <= end),
            math.log1p(start - i) if i < start else 0.0,
            math.log1p(i - end) if i > end else 0.0,
            block_words / total_words,
            float(f["has_date"]),
            float(f["timestamp_line"]),
            float(f["counter_line"]),
            float(f["related_header"]),
            float(f["comment_marker"]),
            float(f["share_word"]),
            float(f["details_word"] or f["source_link"]),
            float(f["caption"]),
            float(f["crumb"]),
            float(f["byline"]),
            float(f["date_prefix"]),
            float(f["language_switch"]),
            float(line.blank_before),
            float(line.blank_after),
            log_words[i - 1] if i > 0 else 0.0,
            log_words[i + 1] if i + 1 < n else 0.0,
            prose_arr[i - 1] if i > 0 else 0.0,
            prose_arr[i + 1] if i + 1 < n else 0.0,
            prose_arr[lo:hi].mean(),
            log_words[lo:hi].mean(),
            math.log1p(run_length[i]),
            float(bool(text[:1]) and text[0].islower()),
            float(bool(_URLISH.search(text))),
            math.log1p(n),
            related_seen[i],
            comments_seen[i],
            math.log1p(len(words)) - math.log1p(median_block_words),
            prose_arr[i],
            float(is_title_like),
        ]
    facts = {"block": (start, end), "flags": flags, "prose": prose, "stop": stop}
    return rows, facts


def line_features(text: str, *, language: str | None = None) -> tuple[list[int], np.ndarray]:
    """Line numbers of the non-blank lines and their feature rows (used by training)."""
    lines = _split_lines(text)
    rows, _ = _features(lines, language)
    return [line.index for line in lines], rows


def predict_proba(rows: np.ndarray, model: dict[str, Any] | None = None) -> np.ndarray:
    """Probability that each line belongs to the body, from the boosted trees."""
    model = model if model is not None else _model()
    if model is None or len(rows) == 0:
        return _fallback_proba(rows)
    feature, threshold, value = model["feature"], model["threshold"], model["value"]
    depth = int(model["depth"])
    n_internal = (1 << depth) - 1
    scores = np.full(len(rows), float(model["base"]))
    arange = np.arange(len(rows))
    for t in range(feature.shape[0]):
        node = np.zeros(len(rows), dtype=np.int64)
        for _ in range(depth):
            go_left = rows[arange, feature[t, node]] <= threshold[t, node]
            node = np.where(go_left, 2 * node + 1, 2 * node + 2)
        scores += value[t, node - n_internal]
    return 1.0 / (1.0 + np.exp(-scores))


def _fallback_proba(rows: np.ndarray) -> np.ndarray:
    """Without a trained model: prose lines inside the densest block."""
    if len(rows) == 0:
        return np.zeros(0)
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    prose = rows[:, col["prose"]]
    inside = rows[:, col["in_block"]]
    return np.clip(0.15 + 0.5 * prose + 0.3 * inside, 0.0, 1.0)


# --------------------------------------------------------------------------- rules


def _pattern_reason(line: _Line, flags: dict[str, bool]) -> str | None:
    """A removal reason read from patterns alone, for lines that are never body text."""
    text = line.text
    if not line.words:
        return "symbols"
    if flags["language_switch"]:
        return "language-switcher"
    if flags["crumb"] and len(line.words) <= 12:
        return "navigation"
    if flags["counter_line"]:
        return "counter"
    if flags["date_prefix"] and len(line.words) <= 12:
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
    if len(text) > 160:
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
    if not sep or not rest.strip() or len(_WORD.findall(rest)) > 20:
        return False
    return _norm_phrase(head) in _patterns()["related_headers"]


def _counter_reason(line: _Line) -> str | None:
    """Vote/view counters such as 'veryGood! (6633)' or '1 087 22' after a date."""
    text = line.text
    if len(line.words) <= 4 and re.search(r"\(\d[\d ,.]*\)\s*$", text):
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
        if len(_WORD.findall(head)) < 3:
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
        if seen >= 0.6 * total:
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
    if len(markers) < 2:
        return None
    first = markers[0]
    # Step back over the thread's opening line (the first author's name or number).
    start = first
    opens_with_header = _norm_phrase(lines[first].text) in pats["comment_headers"]
    if not opens_with_header and first - 1 > max(bulk, floor - 1):
        previous = lines[first - 1]
        if len(previous.words) <= 6 and not _TERMINAL.search(previous.text):
            start = first - 1
    return start


def _related_region(lines: list[_Line], flags: list[dict[str, bool]], bulk: int) -> int | None:
    """First 'Related / Read also' header that sits past the bulk of the prose, if any."""
    for i in range(bulk + 1, len(lines)):
        if flags[i]["related_header"]:
            return i
    return None


# --------------------------------------------------------------------------- title


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
    for other in others:
        if other and other != text and len(other) >= 15 and other in text:
            return other
    return text


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


def title_candidates(
    page: PreparedPage,
    body_first: int,
    reasons: list[str | None],
    proba: np.ndarray,
    keep: np.ndarray,
) -> tuple[list[int], np.ndarray]:
    """Lines that could be the headline (near and above the body) and their feature rows."""
    lines = page.lines
    lo, hi = max(0, body_first - 60), min(len(lines), body_first + 3)
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
        rows[rank] = [
            _title_heuristic(line, offset, counts[phrase]),
            max(-60, min(5, offset)),
            math.log1p(abs(offset)),
            float(offset >= 0),
            math.log1p(len(words)),
            math.log1p(len(text)),
            sum(w[0].isupper() for w in alpha) / len(alpha),
            sum(w.isupper() and len(w) > 1 for w in alpha) / len(alpha),
            float(text.rstrip().endswith(("?", "!"))),
            math.log(max(counts[phrase], 1)),
            float(inside_other),
            float(any(sep in text for sep in _TITLE_SEPARATORS)),
            float(line.bullet),
            page.rows[i, col["indent_eq_block"]],
            float(line.blank_before and line.blank_after),
            float(proba[i]),
            page.facts["stop"][i],
            sum(w in body_words for w in long_words) / max(len(long_words), 1),
            page.rows[i, col["digit_ratio"]],
            page.rows[i, col["has_date"]],
            float(reasons[i] is not None),
            float(len([j for j in indices if i < j <= body_first])),
            float(rank == 0),
            float(bool(_URLISH.search(text))),
            float(any(_dated(lines[j], flags[j]) for j in range(i + 1, min(i + 4, len(lines))))),
            float(any(flags[j]["crumb"] for j in range(max(0, i - 3), i))),
            float(i == 0),
        ]
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
    lo, hi = max(0, body_first - 60), min(len(lines), body_first + 3)
    texts = {line.text.strip() for line in lines[lo:hi]}
    title = _strip_site_parts(lines[index].text, texts - {lines[index].text.strip()})
    phrase = _norm_phrase(title)
    for i in range(lo, hi):
        if _norm_phrase(lines[i].text) == phrase:
            return i, title
    return index, title


def as_runtime_model(model: dict[str, Any]) -> dict[str, Any]:
    """Trees as numpy arrays (models are stored as JSON lists)."""
    if isinstance(model.get("feature"), np.ndarray):
        return model
    runtime = dict(model)
    runtime["feature"] = np.asarray(model["feature"], dtype=np.int64)
    runtime["threshold"] = np.asarray(model["threshold"], dtype=np.float64)
    runtime["value"] = np.asarray(model["value"], dtype=np.float64)
    return runtime


# --------------------------------------------------------------------------- decode


def _default_decode() -> dict[str, float]:
    return {"inside": 0.5, "outside": 0.5, "prose_inside": 0.3}


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
            and len(previous.text) >= 50
        ):
            paragraphs[-1] = f"{paragraphs[-1]} {text}"
        else:
            paragraphs.append(text)
        previous = line
    return "\n\n".join(p for p in paragraphs if p)


@dataclass
class PreparedPage:
    """A page split into lines with features computed, ready for any line model."""

    lines: list[_Line]
    rows: np.ndarray
    facts: dict[str, Any]
    teaser_removals: list[Removal]


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
            if i > max(body_first, title_index) + 5:
                break
            phrase = _norm_phrase(line.text)
            if i == title_index:
                keep[i] = False
                reasons[i] = "title"
            elif phrase == title_phrase or (
                title_phrase in phrase and len(phrase) <= len(title_phrase) + 40
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
        if pattern and not (pattern in {"caption", "share"} and proba[i] > 0.97):
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
                and len(line.words) >= 3
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
            long_prose = _is_prose(line, page.facts["stop"][i]) and len(line.words) >= 25
            if keep[i] and proba[i] >= 0.9 and long_prose:
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
    if flags["has_date"] and len(line.words) <= 12:
        return "date-line"
    if flags["caption"]:
        return "caption"
    if i < block_start:
        return "navigation" if len(line.words) <= 8 or line.bullet else "header"
    if i > block_end:
        return "related-links" if line.bullet or len(line.words) <= 20 else "footer"
    return "boilerplate"


__all__ = [
    "FEATURE_NAMES",
    "METHOD",
    "PreparedPage",
    "clean_text",
    "decide",
    "line_features",
    "title_candidates",
    "predict_proba",
    "prepare_page",
]
