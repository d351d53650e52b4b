"""Pages that are not articles: what a scraper gets instead of the article it asked for.

Bot checks ("unusual traffic from your IP address"), error pages, browser requirements
("enable JavaScript", "disable your ad blocker"), subscription and consent walls come back
from many sites with near-identical wording. Stored as articles they would be linked to each
other as copies and form stories of their own; compared with a real article they say nothing
about its event. A page is judged a notice only when cue-bearing sentences make up most of a
short text that addresses its reader ("you", "we", "sorry"), so a news report about an outage or a
cookie law is kept. The cues, in
several languages, are data: ``data/non_article.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "non_article.json"

MAX_NOTICE_CHARS = 2500  # notices are short; a long text with a notice is an article with one
MAX_OTHER_CHARS = 150  # text outside cue sentences that a notice may still carry (a title)
_SEGMENT = re.compile(r"[^\n.!?。！？]+[.!?。！？]*")


@dataclass(frozen=True)
class PageKind:
    """Why a text is not an article: the kind of notice, the cue found, the notice's share."""

    kind: str
    cue: str
    share: float

    def reason(self) -> str:
        return f"not an article: a {self.kind} page ({self.cue!r}, {self.share:.0%} of the text)"


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _cues() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (kind, re.compile(pattern, re.IGNORECASE))
        for kind, patterns in _data()["kinds"].items()
        for pattern in patterns
    ]


@lru_cache(maxsize=1)
def _reader_address() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _data()["reader_address"]), re.IGNORECASE)


def _size(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


def notice_kind(text: str) -> PageKind | None:
    """The kind of notice ``text`` is, or None when it reads as an article."""
    total = _size(text)
    if not total or total > MAX_NOTICE_CHARS:
        return None
    kind_chars: dict[str, int] = {}
    first_cue: dict[str, str] = {}
    for segment in _SEGMENT.findall(text):
        for kind, pattern in _cues():
            match = pattern.search(segment)
            if match:
                kind_chars[kind] = kind_chars.get(kind, 0) + _size(segment)
                first_cue.setdefault(kind, match.group())
                break
    if not kind_chars or not _reader_address().search(text):
        return None
    cue_chars = sum(kind_chars.values())
    other = total - cue_chars
    if cue_chars < other and other > MAX_OTHER_CHARS:
        return None
    kind = max(kind_chars, key=lambda k: kind_chars[k])
    return PageKind(kind=kind, cue=first_cue[kind], share=round(cue_chars / total, 3))


__all__ = ["PageKind", "notice_kind"]
