"""Datelines: the place a wire report was filed from ("TALLINN, Estonia (AP) —" -> "TALLINN, Estonia")."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁІЇЄҐ"
_PLACE = f"[{_UPPER}][{_UPPER}'’.\\-]+(?:[ ][{_UPPER}][{_UPPER}'’.\\-]+){{0,3}}"
_REGION = f"[{_UPPER}][^\\W\\d_]+(?:[ .'’-]+[{_UPPER}]?[^\\W\\d_]+\\.?){{0,3}}"
_DATELINE = re.compile(
    rf"^\s*(?P<place>{_PLACE})(?:,\s*(?P<region>{_REGION}))?"
    r"(?:,\s*(?P<date>[^()\n/—–]{2,30}?))?"
    r"\s*(?:\((?P<agency>[^()\n]{1,40})\)|/(?P<agency2>[^/\n]{1,25})/)?"
    r"\s*(?P<dash>—|–|--|-|:|\.)\s",
)


@dataclass(frozen=True)
class Dateline:
    """A dateline at the start of a paragraph: place, optional agency credit, and its span."""

    place: str
    agency: str | None
    start: int
    end: int
    text: str


def find_dateline(text: str, *, max_paragraphs: int = 6, max_chars: int = 3000) -> Dateline | None:
    """The first dateline at the start of one of the first paragraphs or lines of ``text``.

    The place must be written in capitals (as wire datelines are) and be followed by an agency
    credit in parentheses/slashes or by a dash, so ordinary sentences do not match.
    """
    offset = 0
    seen = 0
    for line in text[:max_chars].split("\n"):
        if line.strip():
            seen += 1
            match = _DATELINE.match(line)
            if match and _plausible(match):
                place = match.group("place").strip()
                if match.group("region"):
                    place = f"{place}, {match.group('region').strip()}"
                agency = match.group("agency") or match.group("agency2")
                return Dateline(place, agency.strip() if agency else None, offset + match.start(),
                                offset + match.end(), match.group(0).strip())
            if seen >= max_paragraphs:
                break
        offset += len(line) + 1
    return None


def _plausible(match: re.Match[str]) -> bool:
    place = match.group("place")
    letters = [c for c in place if c.isalpha()]
    if len(letters) < 3:
        return False
    agency = match.group("agency") or match.group("agency2")
    if agency:
        return True
    # Without a credit only a dash ends a dateline ("KYIV, Oct 17 —"), never a colon or full stop.
    return match.group("dash") in ("—", "–", "--") or (
        match.group("dash") == "-" and bool(match.group("date"))
    )
