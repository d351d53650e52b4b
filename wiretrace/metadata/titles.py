"""Titles: the first usable candidate, and a headline found in a plain page copy. Cutting the
site name off ("Headline | Site") is :mod:`wiretrace.lang.titles`."""

from __future__ import annotations

from ..lang.titles import WORD as _WORD
from ..lang.titles import strip_site_name


def best_title(candidates: list[tuple[str, str | None]], *, site_names: list[str | None],
               url: str | None) -> tuple[str, str] | None:
    """The first usable (source, title) from candidates in priority order, site name stripped."""
    for source, text in candidates:
        cleaned = strip_site_name(text, site_names=site_names, url=url)
        if cleaned and len(_WORD.findall(cleaned)) >= 1:
            return source, cleaned
    return None


_NAV_MARKS = (">", "›", "»", "|", "/", "•")


def plausible_title(text: str | None) -> bool:
    """Whether a string can be a headline: two real words at least, and not a date line."""
    if not text:
        return False
    words = [w for w in _WORD.findall(text) if len(w) >= 2 and not any(c.isdigit() for c in w)]
    if len(words) < 2:
        return False
    from .dates import find_dates

    dated = sum(d.end - d.start for d in find_dates(text))
    return dated < 0.4 * len(text)


def title_from_text(raw: str, *, before: int | None = None, max_lines: int = 3) -> str | None:
    """A headline-like line at the top of a plain page copy, for pages no cleaner titled.

    Only lines above ``before`` (where the article body starts) are considered, or the first
    ``max_lines`` lines when the body was not located. Skips breadcrumbs, menus and sentences
    of body text; when the next lines repeat the headline without the site name glued on
    ("Headline - Site" then "Headline"), the shorter repeat wins.
    """
    head = raw[:before] if before is not None else raw
    lines = [ln.strip() for ln in head.split("\n") if ln.strip()]
    if before is None:
        lines = lines[:max_lines]
    for index, line in enumerate(lines):
        words = _WORD.findall(line)
        if not 3 <= len(words) <= 25 or any(m in line for m in _NAV_MARKS[:2]):
            continue
        if not plausible_title(line) or line.endswith("."):
            continue  # a sentence of body text, not a headline
        for later in lines[index + 1: index + 4]:
            if len(later) < len(line) and line.startswith(later) and plausible_title(later):
                return later
        return line
    return None
