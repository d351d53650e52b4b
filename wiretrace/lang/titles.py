"""Headlines and the site names glued to them ("Headline | Site", "Site - Headline").

Extraction (the HTML headline) and metadata (the page title) both cut site names off titles;
the separators are shared data (``title_separators`` in ``data/multilingual.json``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from . import tables

WORD = re.compile(r"\w+")  # the words of a title


@lru_cache(maxsize=1)
def _separators() -> tuple[tuple[str, ...], tuple[str, ...]]:
    spec = tables.multilingual()["title_separators"]
    return tuple(spec["strong"]), tuple(spec["weak"])


def _key(text: str) -> str:
    return "".join(WORD.findall(text.lower()))


def _site_keys(site_names: list[str | None], url: str | None) -> set[str]:
    keys = {_key(s) for s in site_names if s and _key(s)}
    if url:
        host = urlsplit(url).hostname or ""
        labels = [p for p in host.split(".") if p not in ("www", "m", "amp", "news", "edition")]
        if labels:
            keys.add(_key(labels[0]) if len(labels) == 1 else _key(labels[-2]))
            keys.add(_key("".join(labels[:-1])))
    return {k for k in keys if len(k) >= 2}


def _is_site(part: str, keys: set[str]) -> bool:
    key = _key(part)
    if not key:
        return True
    return any(
        key == k
        or (len(k) >= 4 and (k in key or key in k))
        or (len(k) >= 3 and (key.startswith(k) or key.endswith(k)) and len(key) <= 4 * len(k))
        for k in keys
    )


_DOMAIN_SUFFIX_CHARS = 4  # "davidbau.com" is the site "davidbau" with its top-level domain


def is_site_name(text: str | None, *, site_names: list[str | None] | None = None,
                 url: str | None = None) -> bool:
    """Whether ``text`` is the site's own name (a blog's masthead set as its h1), not a
    headline: a known site name, the domain, or part of the domain ("Engora Data Blog" on
    engora-data-blog.example). A headline that merely mentions the site is not."""
    key = _key(text or "")
    if len(key) < 3:
        return False
    for site in _site_keys(list(site_names or []), url):
        if key == site or (len(key) >= 4 and key in site):
            return True
        if key.startswith(site) and len(key) - len(site) <= _DOMAIN_SUFFIX_CHARS:
            return True
    return False


def strip_site_name(title: str | None, *, site_names: list[str | None] | None = None,
                    url: str | None = None) -> str | None:
    """``title`` with a leading or trailing site name cut off.

    A part set off by a strong separator ("|", "»") is dropped when it is the shorter side;
    a part set off by a dash or colon only when it matches a known site name or the domain,
    so headlines that contain dashes keep them.
    """
    if not title:
        return title
    title = " ".join(title.split())
    keys = _site_keys(list(site_names or []), url)
    strong, weak = _separators()
    for _ in range(3):  # "Headline | Section | Site"
        cut = _cut_once(title, strong, weak, keys)
        if cut is None or cut == title:
            break
        title = cut
    return title


def _cut_once(title: str, strong: tuple[str, ...], weak: tuple[str, ...],
              keys: set[str]) -> str | None:
    for separators, needs_match in ((strong, False), (weak, True)):
        for sep in separators:
            if sep not in title:
                continue
            head, _, tail = title.rpartition(sep)
            first, _, rest = title.partition(sep)
            if tail and _is_site(tail, keys) and head.strip():
                return head.strip()
            if first and _is_site(first, keys) and rest.strip():
                return rest.strip()
            if not needs_match:
                head_words, tail_words = len(WORD.findall(head)), len(WORD.findall(tail))
                if tail_words <= 5 and head_words > tail_words:
                    return head.strip()
                first_words, rest_words = len(WORD.findall(first)), len(WORD.findall(rest))
                if first_words <= 4 and rest_words >= first_words * 2:
                    return rest.strip()
    return None


def site_name_from_title(title: str | None, headline: str | None, *, max_words: int = 5) -> str | None:
    """The site name a page title adds to its headline ("Headline - Kyiv Monitor" with the
    headline "Headline" gives "Kyiv Monitor"); None unless the rest reads as a short name
    (capitalised words, so a subtitle such as "What we know" is not taken for one)."""
    if not title or not headline:
        return None
    title, headline = " ".join(title.split()), " ".join(headline.split())
    strong, weak = _separators()
    # "Blog Name: Headline" too: a bare colon is safe here, the other side must be the headline
    for sep in strong + weak + (": ",):
        if sep not in title:
            continue
        headline_first = title.rsplit(sep, 1)  # "Headline | Site"
        site_first = title.split(sep, 1)[::-1]  # "Site | Headline", as (headline, site)
        for head, tail in (headline_first, site_first):
            rest = tail.strip(" -–—|:")
            words = rest.split()
            if (
                _key(head) == _key(headline)
                and words
                and len(words) <= max_words
                and rest[0].isupper()
                and sum(w[0].isupper() or not w[0].isalpha() for w in words) * 2 >= len(words)
                and rest[-1] not in "?!."
            ):
                return rest
    return None
