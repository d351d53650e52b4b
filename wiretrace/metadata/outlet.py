"""Outlet and author: who published the page and who wrote it."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from ..lang import tables
from . import data

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _byline_spec() -> tuple[re.Pattern[str], frozenset[str]]:
    prefixes = tables.words("byline_prefixes")
    alternation = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    prefix = re.compile(f"^(?:{alternation})\\s*[:.]?\\s+", re.IGNORECASE)
    return prefix, tables.words("not_author_names")


def outlet_from_url(url: str | None) -> str | None:
    """The registrable-looking host of a URL ("www.reuters.com" -> "reuters.com")."""
    if not url:
        return None
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host or None


def clean_author(text: str | None) -> str | None:
    """An author string without "By", dates, e-mail or placeholder names, or None."""
    if not text:
        return None
    prefix, not_names = _byline_spec()
    value = _SPACE.sub(" ", str(text)).strip(" |,;:-–—")
    value = prefix.sub("", value)
    value = re.split(r"\s+[|•·]\s+|\s+(?:on|am|le|el)\s+\d|\s+\d{1,2}[./]\d{1,2}[./]\d{2,4}", value)[0]
    value = re.sub(r"\S+@\S+", "", value).strip(" |,;:-–—")
    if not value or value.lower() in not_names or len(value) > 80 or value.startswith("http"):
        return None
    if not re.search(r"[^\W\d_]", value):
        return None
    return value


def author_from_text(raw: str, *, max_lines: int = 15) -> tuple[str, str] | None:
    """A "By Jane Doe" / "Автор: ..." line near the top of plain page text: (author, line)."""
    prefix, _ = _byline_spec()
    for line in raw.split("\n")[:max_lines]:
        line = line.strip()
        if len(line) > 80 or not prefix.match(line):
            continue
        name = clean_author(line)
        if name and len(name.split()) <= 5 and name[:1].isupper():
            return name, line
    return None


@lru_cache(maxsize=1)
def _masthead_spec() -> tuple[re.Pattern[str], frozenset[str], int, int, re.Pattern[str]]:
    spec = data.load("masthead")
    labels = "|".join(re.escape(w) for w in sorted(spec["breadcrumb_labels"], key=len, reverse=True))
    return (
        re.compile(spec["separators"]),
        frozenset(w.lower() for w in spec["navigation"]),
        int(spec["max_words"]),
        int(spec["max_chars"]),
        re.compile(rf"^\s*(?:{labels})\s*:", re.IGNORECASE),
    )


def outlet_from_masthead(first_line: str) -> str | None:
    """The outlet named by a page's masthead line ("NewsFlash24 Home » World" -> "NewsFlash24").

    The caller passes the page's first line only when cleaning removed it as furniture, so a
    headline is never read as a name; a language switcher or a lone menu word gives None.
    """
    separators, navigation, max_words, max_chars, breadcrumb = _masthead_spec()
    if breadcrumb.match(first_line):
        return None  # "Current:Home > Reviews": a breadcrumb trail, not a masthead
    segment = separators.split(first_line.strip(), maxsplit=1)[0].strip(" :")
    agency = _agency_at_start(segment)
    if agency:
        return agency  # "AFP World News", "БТА"
    words = [w for w in re.split(r"[\s:]+", segment) if w]
    while words and words[-1].lower() in navigation:
        words.pop()  # "NewsFlash24 Home"
    name = " ".join(words)
    if (
        not name
        or name.lower() in navigation
        or len(words) > max_words
        or len(name) > max_chars
        or not name[0].isupper()
        or all(len(w) <= 3 for w in words)  # "UKR", "RU", "ua ru en"
        or re.search(r"[!?]|\.\s|\d{2}[./:]\d{2}", name)
    ):
        return None
    return name


def _agency_at_start(text: str) -> str | None:
    """The canonical name of a news agency that ``text`` opens with, if any."""
    from .attribution import source_at

    found = source_at(text, 0)
    return found.name if found and found.start == 0 else None
