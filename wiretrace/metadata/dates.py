"""Publication dates: isolate date strings with patterns, parse them, and pick the page's own.

General parsers fail on date strings as they sit in scraped pages ("17 Октомври, 2025 17:16
1 087 22"), so candidates are first isolated with the patterns in ``data/date_patterns.json``
(month names from the language files of ``wiretrace/lang/data``) and then parsed here. The choice
among candidates uses position: the page date sits near the title, while dates in comment
threads and teasers sit at the bottom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from ..lang import tables
from ..lang.tables import month_table
from ..records import CleanedText, Evidence
from . import data


@dataclass(frozen=True)
class DateMatch:
    """A date found in a text: where, as written, and as ISO-8601."""

    start: int
    end: int
    text: str
    value: str  # "2025-10-17" or "2025-10-17T17:16:00"
    pattern: str

    @property
    def has_time(self) -> bool:
        return "T" in self.value


@lru_cache(maxsize=2)
def _patterns(fields: bool = False) -> list[tuple[str, re.Pattern[str]]]:
    spec = data.load("date_patterns")
    names = sorted(month_table(), key=len, reverse=True)
    month_alt = "(?:" + "|".join(re.escape(n) for n in names) + ")(?!\\w)"
    compiled = []
    for item in spec["patterns"]:
        if item.get("fields_only") and not fields:
            continue
        regex = item["regex"].replace("{MONTH}", month_alt).replace("{TIME}", spec["time_suffix"])
        compiled.append((item["name"], re.compile(regex, re.IGNORECASE)))
    return compiled


@lru_cache(maxsize=1)
def date_labels() -> dict[str, tuple[str, ...]]:
    """Words that label a date line ("Published:", "Опубликовано") by kind."""
    labels = tables.merged("date_labels")
    return {kind: tuple(sorted(labels[kind], key=len, reverse=True)) for kind in ("published", "updated")}


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _build(groups: dict[str, str | None], pattern: str, slash_month_first: bool) -> str | None:
    try:
        year = _year(groups["y"] or "")
        if groups.get("mon"):
            month = month_table().get(groups["mon"].lower().rstrip("."))
            if month is None:
                return None
        elif groups.get("a") is not None:
            a, b = int(groups["a"] or 0), int(groups["b"] or 0)
            if pattern == "dashed" and a <= 12 and b <= 12 and a != b:
                return None  # dashes are written day-first and month-first alike
            if a > 12:
                day, month = a, b
            elif b > 12 or slash_month_first:
                month, day = a, b
            else:
                day, month = a, b
            groups = {**groups, "d": str(day)}
        else:
            month = int(groups["m"] or 0)
        day = int(groups["d"] or 0)
        if not 1990 <= year <= 2100:
            return None
        found = date(year, month, day)
    except (ValueError, TypeError):
        return None
    if groups.get("H") is None:
        return found.isoformat()
    hour, minute = int(groups["H"] or 0), int(groups["M"] or 0)
    second = int(groups.get("S") or 0)
    ampm = (groups.get("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        stamp = datetime(found.year, found.month, found.day, hour, minute, second).isoformat()
    except ValueError:
        return found.isoformat()
    tz = groups.get("tz")
    if tz:
        stamp += "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
    return stamp


def find_dates(text: str, *, language: str | None = None,
               field: bool = False) -> list[DateMatch]:
    """Every date in ``text`` that the patterns isolate and that parses to a real day.

    ``field`` marks an isolated metadata value, where formats too ambiguous for running
    text (``03-09-2026``) are read as well.

    Overlapping matches keep the longest (a date with its time beats the bare date).
    """
    slash_month_first = language in (None, "en")
    found: list[DateMatch] = []
    for name, regex in _patterns(field):
        for m in regex.finditer(text):
            value = _build(m.groupdict(), name, slash_month_first)
            if value:
                found.append(DateMatch(m.start(), m.end(), m.group(0).strip(), value, name))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMatch] = []
    for match in found:
        if kept and match.start < kept[-1].end:
            if match.end - match.start > kept[-1].end - kept[-1].start:
                kept[-1] = match
            continue
        kept.append(match)
    return kept


_ISO_LIKE = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2})([T ]\d{2}:\d{2}(?::\d{2})?)?(?:[.,]\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE)


def _offset(text: str | None) -> str:
    """A UTC offset as ``+HH:MM`` ("Z" -> "+00:00", "-0700" -> "-07:00"), or "" when absent."""
    if not text:
        return ""
    if text.upper() == "Z":
        return "+00:00"
    digits = text[1:].replace(":", "")
    return f"{text[0]}{digits[:2]}:{(digits[2:4] or '00')}"


def parse_date(text: str | None, *, language: str | None = None) -> str | None:
    """Parse one isolated date string (a meta tag, a JSON field) to ISO-8601, or None.

    A time with a UTC offset keeps it ("2021-10-18T11:30:00-07:00"): the local day is what
    the page shows, and :func:`to_utc` gives the instant. Date-only values stay date-only.
    """
    if not text:
        return None
    text = str(text).strip()
    iso = _ISO_LIKE.match(text)
    if iso:
        try:
            day = date.fromisoformat(iso.group(1))
        except ValueError:
            day = None
        if day is not None and 1990 <= day.year <= 2100:
            if iso.group(2):
                clock = iso.group(2)[1:]
                clock = clock if clock.count(":") == 2 else clock + ":00"
                return f"{day.isoformat()}T{clock}{_offset(iso.group(3))}"
            return day.isoformat()
    matches = find_dates(text, language=language, field=True)
    if matches:
        return matches[0].value
    if re.fullmatch(r"\d{10}(\d{3})?", text):  # Unix timestamp (seconds or milliseconds)
        try:
            seconds = int(text[:10])
            return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="seconds")
        except (OverflowError, ValueError, OSError):
            return None
    return None


def local_day(published: str | None, written: str | None) -> str | None:
    """The calendar day of ``published`` (UTC) where the page was published: in the offset of
    the value as written (the evidence), the day the page itself shows. Without an offset in
    ``written`` the stored day is the only one known."""
    if not published:
        return None
    local = parse_date(written) if written else None
    if local and "T" in published and "T" in local and local[19:]:
        try:
            moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
            zone = datetime.fromisoformat(local).tzinfo
        except ValueError:
            return published[:10]
        if moment.tzinfo is not None and zone is not None:
            return moment.astimezone(zone).date().isoformat()
    return published[:10]


@lru_cache(maxsize=1)
def _relative_spec() -> tuple[dict[str, int], re.Pattern[str], list[tuple[str, str]], dict[str, int]]:
    spec = tables.merged("relative_dates")
    days = {w.lower(): int(n) for n, words in spec["days"].items() for w in words}
    before = "|".join(re.escape(w) for w in sorted(spec["before"], key=len, reverse=True))
    after = "|".join(re.escape(w) for w in sorted(spec["after"], key=len, reverse=True))
    pattern = re.compile(
        rf"^(?:(?:{before})\s+)?(?P<n>\d+|{'|'.join(sorted(spec['one'], key=len, reverse=True))})\s+(?P<unit>[^\W\d_]+)"
        rf"(?:\s+(?:{after}))?$", re.IGNORECASE)
    units = {stem.lower(): unit for unit, stems in spec["units"].items() for stem in stems}
    by_length = sorted(units.items(), key=lambda kv: -len(kv[0]))  # longest stem first
    seconds = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
    return days, pattern, by_length, seconds


def relative_date(text: str, anchor: str) -> str | None:
    """Resolve "yesterday", "3 hours ago", "вчера", "vor 2 Tagen" against ``anchor`` (the
    ISO time the page was read at). Day words give a date; hours and minutes a time, in the
    anchor's offset. None when ``text`` is not a relative date or the anchor does not parse."""
    days, pattern, units, seconds = _relative_spec()
    phrase = " ".join(text.lower().split()).strip(" .")
    try:
        moment = datetime.fromisoformat(anchor.replace("Z", "+00:00"))
    except ValueError:
        return None
    if phrase in days:
        return (moment.date() - timedelta(days=days[phrase])).isoformat()
    found = pattern.match(phrase)
    if not found:
        return None
    unit = next((u for stem, u in units if found["unit"].lower().startswith(stem)), None)
    if unit is None:
        return None
    count = int(found["n"]) if found["n"].isdigit() else 1
    delta = timedelta(seconds=count * seconds[unit])
    if unit in ("day", "week") or "T" not in anchor:
        return (moment - delta).date().isoformat()
    return (moment - delta).isoformat(timespec="seconds")


def locate(haystack: str, needle: str | None, *, from_end: bool = False,
            after: int = 0) -> int | None:
    """Position of a short probe from ``needle`` in ``haystack`` (whitespace-insensitive)."""
    if not needle:
        return None
    probe = " ".join(needle.split())
    if len(probe) < 8:
        return None
    probe = probe[-60:] if from_end else probe[:60]
    pattern = r"\s+".join(re.escape(w) for w in probe.split())
    matches = list(re.finditer(pattern, haystack[after:]))
    if not matches:
        return None
    hit = matches[-1] if from_end else matches[0]
    return after + (hit.end() if from_end else hit.start())


def _prefix_before(raw: str, start: int, width: int = 40) -> str:
    """The lower-cased text just before a date on its line, or the short line above it.

    Pages often put the label on its own line ("Last updated:" then the date), so when the
    date starts its line a short previous line counts as its label.
    """
    line_start = raw.rfind("\n", 0, start) + 1
    prefix = raw[max(line_start, start - width): start].lower().strip(_LABEL_STRIP)
    if not prefix and line_start > 0:
        previous_start = raw.rfind("\n", 0, line_start - 1) + 1
        previous = raw[previous_start: line_start - 1]
        if len(previous) <= width:
            prefix = previous.lower().strip(_LABEL_STRIP)
    return prefix


def _label_before(raw: str, start: int) -> str | None:
    """The kind of label ("published", "updated") written just before a date, if any."""
    prefix = _prefix_before(raw, start)
    for kind, words in date_labels().items():
        for word in words:
            if prefix.endswith(word):
                return kind
    return None


_LABEL_STRIP = " :\t-–—|·•"


@lru_cache(maxsize=1)
def _original_labels() -> tuple[str, ...]:
    words = tables.merged("date_labels")["original"]
    return tuple(sorted(words, key=len, reverse=True))


def original_date(raw: str, *, language: str | None = None) -> DateMatch | None:
    """A date the page says the article was first published on ("Originally published on").

    Republished and regularly refreshed pages show their latest date by the headline and
    keep the first publication date in a note, often at the end of the article.
    """
    if not raw:
        return None
    lowered = raw.lower()
    if not any(word in lowered for word in _original_labels()):
        return None
    for match in find_dates(raw, language=language):
        prefix = _prefix_before(raw, match.start, width=80)
        prefix = re.sub(r"\s+(?:on|the|in|at|le|am|el|il|em)$", "", prefix)
        if prefix.endswith(_original_labels()):
            return match
    return None


_STANDFIRST_MAX = 300
_TITLE_LINES = 5


@dataclass(frozen=True)
class PageZones:
    """Where the title and the article body sit in the raw page text."""

    title: int | None
    body_start: int | None
    body_end: int | None


def page_zones(raw: str, cleaned: CleanedText | None, title: str | None) -> PageZones:
    """Locate the title and the body (first and last cleaned paragraph) in the raw text."""
    lines = [ln for ln in (cleaned.text.splitlines() if cleaned else []) if len(ln.strip()) >= 8]
    same = cleaned is not None and " ".join(cleaned.text.split()) == " ".join(raw.split())
    if same:
        lines = []
    # Extracted text often repeats the headline near its start (after a disclaimer or a
    # kicker); the body starts after it, and the byline date sits between the two.
    title_key = " ".join((title or "").lower().split())
    keys = [" ".join(line.lower().split()) for line in lines[:_TITLE_LINES]]
    if title_key and title_key in keys:
        lines = lines[keys.index(title_key) + 1:]
    title_pos = locate(raw, title)
    body_start = body_end = None
    if lines:
        search_from = title_pos or 0
        lead = None
        for index, line in enumerate(lines[:3]):
            body_start = locate(raw, line, after=search_from)
            if body_start is None:
                body_start = locate(raw, line)
            if body_start is not None:
                lead = index
                break
        # A short first paragraph right under the headline is a standfirst: the byline and
        # its date come after it, so the body starts at the next paragraph.
        if (lead is not None and body_start is not None and len(lines) > lead + 2
                and len(lines[lead]) <= _STANDFIRST_MAX):
            after_lead = locate(raw, lines[lead + 1], after=body_start + 1)
            if after_lead is not None and after_lead - body_start <= 2 * _STANDFIRST_MAX:
                body_start = after_lead
        for line in reversed(lines[-3:]):
            body_end = locate(raw, line, from_end=True, after=body_start or 0)
            if body_end is not None:
                break
    if title_pos is not None and body_start is not None and title_pos > body_start:
        earlier = [m.start() for m in re.finditer(re.escape(title[:40]), raw[:body_start])] \
            if title else []
        title_pos = earlier[-1] if earlier else None
    return PageZones(title_pos, body_start, body_end)


def date_from_text(
    raw: str,
    cleaned: CleanedText | None = None,
    *,
    title: str | None = None,
    language: str | None = None,
) -> tuple[str, Evidence] | None:
    """The page's own date from raw page text, preferring the date nearest the title.

    Dates after the end of the article body (comments, teasers, "related" lists) are never
    taken, nor dates deep inside the body (those are event dates, not the page date). Without
    a located title or body only the top of the page is searched.
    """
    candidates = header_dates(raw, cleaned, title=title, language=language)
    if not candidates:
        return None
    score, match, label, in_header = candidates[0]
    confidence = (0.8 if in_header else 0.5) + (0.1 if label == "published" else 0.0)
    source = "text:labelled-date" if label else "text:date-near-title"
    return match.value, Evidence(source=source, text=match.text, confidence=round(confidence, 2))


def header_dates(
    raw: str,
    cleaned: CleanedText | None = None,
    *,
    title: str | None = None,
    language: str | None = None,
) -> list[tuple[float, DateMatch, str | None, bool]]:
    """Dates in the page header (around the title, before the body), best first.

    Each item: (score, match, label kind or None, whether it lies in the located header).
    """
    if not raw:
        return []
    matches = find_dates(raw, language=language)
    if not matches:
        return []
    zones = page_zones(raw, cleaned, title)
    if zones.title is None and zones.body_start is None:
        anchor, low, high, located = 0, 0, min(1500, max(300, len(raw) // 4)), False
    else:
        anchor = zones.title if zones.title is not None else zones.body_start or 0
        body_start = zones.body_start if zones.body_start is not None else anchor + 400
        low = anchor - 400
        high = max(body_start + 200, anchor + 300)
        located = True
    body_end = zones.body_end if zones.body_end is not None else len(raw)
    scored = []
    for match in matches:
        if match.start >= body_end and body_end > anchor:
            continue  # comments, teasers and link lists below the article
        if not low <= match.start <= high:
            continue
        line_start = raw.rfind("\n", 0, match.start) + 1
        line_end = raw.find("\n", match.end)
        line_length = (len(raw) if line_end < 0 else line_end) - line_start
        if line_length > 120 and match.start - line_start > 40:
            continue  # inside prose or glued to a paragraph: not a page date line
        label = _label_before(raw, match.start)
        distance = match.start - anchor
        # Page dates follow the headline (byline line); dates above it are tickers and menus.
        score = float(distance) if distance >= 0 else -2.0 * distance + 100
        score -= 150 if label == "published" else 0
        score -= 30 if match.has_time else 0
        scored.append((score, match, label, located))
    scored.sort(key=lambda item: item[0])
    return scored
