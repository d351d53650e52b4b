"""Metadata stage: title, publication date, outlet, author, URL, dateline and attributions.

Every value carries an :class:`~wiretrace.records.Evidence` saying where it was read. Values
the source supplied (``doc.fields`` from JSONL or feeds) outrank page metadata (meta tags,
JSON-LD, ``<time>``), which outranks what is inferred from the text (date lines near the
title, bylines, datelines).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ..lang.dates import adjacent_days, to_utc
from ..lang.titles import site_name_from_title, strip_site_name
from ..records import Attribution, CleanedText, Evidence, Metadata, RawDocument
from ..stage import Stage
from .attribution import (
    canonical_source,
    credit_line_attributions,
    find_attributions,
    source_at,
)
from .dateline import Dateline, find_dateline
from .dates import (
    DateMatch,
    date_from_text,
    find_dates,
    header_dates,
    locate,
    original_date,
    parse_date,
    relative_date,
)
from .outlet import author_from_text, clean_author, outlet_from_masthead, outlet_from_url
from .titles import plausible_title, title_from_text

__all__ = [
    "extract_metadata", "find_attributions", "find_dateline", "find_dates", "parse_date",
    "date_from_text", "strip_site_name", "canonical_source", "Dateline", "DateMatch", "STAGE",
]

# Machine-readable dates written once, when the article first went out.
_FIRST_PUBLICATION_SOURCES = frozenset(
    {"meta:article:published_time", "meta:og:article:published_time"})
# Class, itemprop or attribute words of a <time> element: the first four mark the publication
# time itself, the rest any date of the entry.
_PUBLICATION_HINTS = ("publish", "pubdate", "datepublished", "posted")
_TIME_HINTS = (*_PUBLICATION_HINTS, "created", "entry-date", "date")
# Record fields that say when the page was read: "yesterday" in a record means the day before.
READ_AT_FIELDS = ("crawled", "crawled_at", "crawl_date", "crawl_time", "date_crawled", "scraped",
                  "scraped_at", "date_scraped", "fetched", "fetched_at", "retrieved", "retrieved_at",
                  "downloaded", "downloaded_at", "collected_at")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]{1,31});", re.IGNORECASE)


def extract_metadata(
    doc: RawDocument,
    cleaned: CleanedText,
    *,
    page_meta: dict[str, Any] | None = None,
    language: str | None = None,
) -> Metadata:
    """Metadata of one article from its source fields, page metadata and text."""
    page = page_meta or {}
    fields = doc.fields or {}
    language = language or fields.get("language") or (page.get("lang") or "")[:2] or None
    evidence: dict[str, Evidence] = {}
    raw = _raw_text(doc, page)

    url = _first(fields.get("url"), page.get("url"), page.get("canonical_url"))
    if url:
        evidence["url"] = Evidence("field:url" if fields.get("url") else "html:url", str(url))

    site_names: list[str | None] = [fields.get("outlet"), *page.get("site_names", [])]
    outlet = _outlet(fields, page, url, evidence)
    if outlet is None and doc.kind != "html" and doc.text:
        outlet = _masthead_outlet(doc.text, cleaned, evidence)

    title = _title(fields, page, cleaned, site_names + [outlet], url, raw, evidence)
    published = _published(fields, page, raw, cleaned, title, language, evidence)
    author = _author(fields, page, raw, evidence)

    dateline = find_dateline(cleaned.text) or (find_dateline(raw) if raw else None)
    if dateline:
        evidence["dateline"] = Evidence("text:dateline", dateline.text, 0.9)

    attributions = find_attributions(cleaned.text)
    credit_lines = [ln for r in cleaned.removed for ln in r.text.splitlines()]
    for credit in credit_line_attributions(cleaned.text.splitlines() + credit_lines):
        if all(a.name != credit.name for a in attributions):
            attributions.append(credit)
    if dateline and not dateline.agency and cleaned.text.startswith(dateline.text, dateline.start):
        credit = source_at(cleaned.text, dateline.end)
        if credit and all(a.name != credit.name for a in attributions):
            attributions.insert(0, credit)
    if dateline and dateline.agency:
        name = canonical_source(dateline.agency)
        if name and all(a.name != name for a in attributions):
            in_body = cleaned.text.find(dateline.text)
            start = in_body + dateline.text.find(dateline.agency) if in_body >= 0 else None
            attributions.insert(0, Attribution(
                name=name, surface=dateline.agency, start=start,
                end=None if start is None else start + len(dateline.agency)))

    return Metadata(
        title=_decoded(title), published=published, outlet=_decoded(outlet), author=_decoded(author),
        url=_decoded(str(url)) if url else None,
        dateline=_decoded(dateline.place) if dateline else None,
        attributions=attributions, evidence=evidence,
    )


def _decoded(value: str | None) -> str | None:
    """A field with its HTML entities decoded (Maria &amp; Katerina -> Maria & Katerina): feeds,
    JSON exports and meta tags hand them over escaped, once or twice."""
    for _ in range(2):
        if not value or "&" not in value or not _ENTITY.search(value):
            break
        value = html.unescape(value)
    return value


def _first(*values: Any) -> Any:
    return next((v for v in values if v), None)


def _raw_text(doc: RawDocument, page: dict[str, Any]) -> str:
    """The page text as scraped, before cleaning: date lines and bylines live here."""
    if doc.text and doc.kind != "html":
        return doc.text
    return page.get("page_text") or doc.text or ""


def _outlet(fields: dict[str, Any], page: dict[str, Any], url: str | None,
            evidence: dict[str, Evidence]) -> str | None:
    if fields.get("outlet"):
        evidence["outlet"] = Evidence("field:outlet", str(fields["outlet"]))
        return str(fields["outlet"])
    for name in page.get("site_names", []):
        if name and len(name) <= 80:
            evidence["outlet"] = Evidence("html:site_name", name, 0.9)
            return name
    feed_name = outlet_from_masthead(str(fields["feed_title"])) if fields.get("feed_title") else None
    if feed_name:
        evidence["outlet"] = Evidence("feed:title", str(fields["feed_title"]), 0.8)
        return feed_name
    html_title = next((text for source, text in page.get("titles", []) if source == "html:title"), None)
    suffix = site_name_from_title(html_title, page.get("h1"))
    if suffix:
        evidence["outlet"] = Evidence("html:title_site_name", html_title or "", 0.7)
        return outlet_from_masthead(suffix) or suffix
    host = outlet_from_url(url)
    if host:
        evidence["outlet"] = Evidence("url:domain", host, 0.7)
    return host


def _masthead_outlet(raw: str, cleaned: CleanedText, evidence: dict[str, Evidence]) -> str | None:
    """The outlet a plain-text page names in its first line, when cleaning removed that line
    as page furniture (a first line kept, or taken as the title, is the headline)."""
    lines = raw.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not any(r.line == first and r.reason != "title" for r in cleaned.removed):
        return None
    name = outlet_from_masthead(lines[first])
    if name:
        evidence["outlet"] = Evidence("text:masthead", lines[first].strip(), 0.6)
    return name


def _title(fields: dict[str, Any], page: dict[str, Any], cleaned: CleanedText,
           site_names: list[str | None], url: str | None, raw: str,
           evidence: dict[str, Evidence]) -> str | None:
    if fields.get("title"):
        evidence["title"] = Evidence("field:title", str(fields["title"]))
        return str(fields["title"]).strip()
    candidates = [("html:title", page.get("title"), 0.9), ("cleaned:title", cleaned.title, 0.7)]
    # the page's other titles (JSON-LD headline, og:title ...) when the chosen one is a label
    candidates += [(source, text, 0.7) for source, text in page.get("titles", [])
                   if source != "html:h1"]
    for source, text, confidence in candidates:
        stripped = strip_site_name(text, site_names=site_names, url=url)
        if stripped and plausible_title(stripped):
            evidence["title"] = Evidence(source, str(text), confidence)
            return stripped
    if raw and not page:
        paragraphs = [p for p in cleaned.text.split("\n") if len(p.strip()) >= 8]
        same = " ".join(cleaned.text.split()) == " ".join(raw.split())
        body_start = None if same or not paragraphs else locate(raw, paragraphs[0])
        found = title_from_text(raw, before=body_start)
        if found:
            evidence["title"] = Evidence("text:first-heading-line", found, 0.5)
            return strip_site_name(found, site_names=site_names, url=url)
    return None


def _published(fields: dict[str, Any], page: dict[str, Any], raw: str, cleaned: CleanedText,
               title: str | None, language: str | None,
               evidence: dict[str, Evidence]) -> str | None:
    """Publication time in UTC (a date alone when no time is known); the evidence keeps the
    value as written, with its original offset."""
    return to_utc(_published_local(fields, page, raw, cleaned, title, language, evidence))


def _field_published(fields: dict[str, Any], language: str | None,
                     evidence: dict[str, Evidence]) -> str | None:
    """The record's own ``published``: parsed, or a relative date resolved against the time the
    page was read, or refused (recorded in the evidence, never stored as written)."""
    written = str(fields["published"]).strip()
    value = parse_date(written, language=language)
    if value:
        evidence["published"] = Evidence("field:published", written)
        return value
    for key in READ_AT_FIELDS:
        anchor = parse_date(str(fields.get(key) or ""), language=language)
        if anchor:
            value = relative_date(written, anchor)
            if value:
                evidence["published"] = Evidence(f"field:published+field:{key}",
                                                 f"{written} (read at {fields[key]})", 0.7)
                return value
    reason = "relative date and no time the page was read" if relative_date(written, "2000-01-01") \
        else "not a date"
    evidence["published"] = Evidence(f"field:published refused: {reason}", written, 0.0)
    return None


def _published_local(fields: dict[str, Any], page: dict[str, Any], raw: str, cleaned: CleanedText,
                     title: str | None, language: str | None,
                     evidence: dict[str, Evidence]) -> str | None:
    """Publication date: source field, else machine-readable page dates checked against the
    date the page shows next to its headline, else that shown date, else weaker hints."""
    if fields.get("published"):
        value = _field_published(fields, language, evidence)
        if value:
            return value
    machine: tuple[str, str, str] | None = None
    for source, text in page.get("dates", []):
        value = parse_date(text, language=language)
        if value:
            machine = (value, source, text)
            break
    modified = parse_date(page.get("modified"), language=language)
    anchor = page.get("h1") or title
    shown = [c for c in header_dates(raw, cleaned, title=anchor, language=language) if c[3]]
    if not shown and anchor != title:
        shown = [c for c in header_dates(raw, cleaned, title=title, language=language) if c[3]]
    top = shown[0] if shown else None
    if machine:
        value, source, text = machine
        if top is not None:
            _, match, label, _ = top
            day = match.value[:10]
            # A page that shows a different date beside its headline claims that date. An
            # OpenGraph publication time still wins over a shown update or modification date:
            # publishing systems set it once, on first publication. Schema.org datePublished
            # alone is often the creation date of a page that is rewritten and re-dated in
            # place, and the date shown is the one the page claims. A date one day off is the
            # same instant shown in another time zone: the machine-readable one is exact.
            firm = source in _FIRST_PUBLICATION_SOURCES
            if (day != value[:10]
                    and (not firm or (label != "updated" and day != (modified or "")[:10]))
                    and (label == "published" or not _same_instant(day, value[:10], text))
                    and not _swapped_reading(match, value[:10])
                    and not _corroborated(value[:10], page, language)):
                evidence["published"] = Evidence("text:date-near-title", match.text, 0.75)
                return match.value
        evidence["published"] = Evidence(source, text, 0.95)
        return value
    first = original_date(raw, language=language)
    if first is not None:
        evidence["published"] = Evidence("text:originally-published", first.text, 0.85)
        return first.value
    if top is not None:
        # "Updated: <date>" next to an earlier unlabelled or "Published" date: the earlier
        # one is the publication date.
        original = next((c for c in shown if c[2] != "updated"), None) \
            if top[2] == "updated" else None
        _, match, label, _ = original or top
        source = "text:labelled-date" if label == "published" else "text:date-near-title"
        evidence["published"] = Evidence(source, match.text, 0.85 if label else 0.8)
        return match.value
    timed = _time_element_date(page.get("time_elements", []), language)
    if timed:
        value, text = timed
        evidence["published"] = Evidence("html:time", text, 0.8)
        return value
    if page.get("htmldate"):
        evidence["published"] = Evidence("htmldate", str(page["htmldate"]), 0.6)
        return str(page["htmldate"])
    found = date_from_text(raw, cleaned, title=title, language=language)
    if found:
        value, ev = found
        evidence["published"] = ev
        return value
    if page.get("url_date"):
        evidence["published"] = Evidence("url:date", page["url_date"], 0.6)
        return str(page["url_date"])
    return None


def _swapped_reading(match: DateMatch, day: str) -> bool:
    """Whether a numeric date read day-first (or month-first) is ``day`` read the other way.

    "09.10.2024" is 9 October or September 10; when the machine-readable date is one of the
    two readings, the page shows that date and only the order was guessed wrong.
    """
    if match.pattern not in ("dotted", "slashed", "dashed", "time-dotted"):
        return False
    year, month, dom = match.value[:10].split("-")
    return f"{year}-{dom}-{month}" == day


def _corroborated(day: str, page: dict[str, Any], language: str | None) -> bool:
    """Whether the machine-readable date is confirmed by an independent source on the page:
    the date in the URL path or a ``<time>`` element marked as the publication time."""
    if (page.get("url_date") or "")[:10] == day:
        return True
    for item in page.get("time_elements", []):
        hints = item.get("hints", "")
        if any(h in hints for h in _PUBLICATION_HINTS):
            if (parse_date(item["text"], language=language) or "")[:10] == day:
                return True
    return False


def _same_instant(shown_day: str, day: str, stamp: str) -> bool:
    """Whether ``shown_day`` can be the local calendar day of the machine-readable time.

    A timestamp with a UTC offset fixes the instant: local days anywhere on Earth (UTC-12 to
    UTC+14) are the only ones it can be shown as. Without an offset, one day either side.
    """
    try:
        moment = datetime.fromisoformat(str(stamp).strip().replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return adjacent_days(shown_day, day)
    utc = moment.astimezone(UTC)
    earliest = (utc - timedelta(hours=12)).date().isoformat()
    latest = (utc + timedelta(hours=14)).date().isoformat()
    return earliest <= shown_day <= latest


def _time_element_date(items: list[dict[str, Any]], language: str | None) -> tuple[str, str] | None:
    """The ``<time>`` nearest after the headline, preferring ones marked as publication time."""
    scored = []
    for item in items:
        value = parse_date(item["text"], language=language)
        if not value:
            continue
        distance = item.get("distance")
        score = abs(distance) if distance is not None else 5000
        if distance is not None and distance < 0:
            score += 200
        if any(h in item.get("hints", "") for h in _TIME_HINTS):
            score -= 100
        if "modif" in item.get("hints", "") or "update" in item.get("hints", ""):
            score += 300
        scored.append((score, value, item["text"]))
    if not scored:
        return None
    _, value, text = min(scored)
    return value, text


def _author(fields: dict[str, Any], page: dict[str, Any], raw: str,
            evidence: dict[str, Evidence]) -> str | None:
    if fields.get("author"):
        evidence["author"] = Evidence("field:author", str(fields["author"]))
        return str(fields["author"])
    for source, text in page.get("authors", []):
        name = clean_author(text)
        if name:
            evidence["author"] = Evidence(source, text, 0.8)
            return name
    found = author_from_text(raw) if raw else None
    if found:
        name, line = found
        evidence["author"] = Evidence("text:byline", line, 0.6)
        return name
    return None


# The raw document, its cleaned text, the page's candidates and the language in; title, dates,
# outlet, author, dateline and attributions, each with its evidence, out.
STAGE = Stage(
    "metadata", 1, requires=("document", "cleaned", "page_meta", "language"), writes=("metadata",),
    process=extract_metadata, per_record=True,
)
