"""Outlet and author: who published the page and who wrote it."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from . import data

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _byline_spec() -> tuple[re.Pattern[str], frozenset[str]]:
    spec = data.load("bylines")
    alternation = "|".join(re.escape(p) for p in sorted(spec["prefixes"], key=len, reverse=True))
    prefix = re.compile(f"^(?:{alternation})\\s*[:.]?\\s+", re.IGNORECASE)
    return prefix, frozenset(n.lower() for n in spec["not_names"])


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
