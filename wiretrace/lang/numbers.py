"""Numbers as written in any language: "35,000", "35 000", "35.000", "1,5", "٣٥", "35 тыс.".

One parser for every stage. A separator followed by exactly three digits groups thousands,
unless it is the language's decimal mark written once ("3.250" in English is 3.25, in German
3250); without a language, three digits after a lone separator group thousands, the reading
news text mostly needs. Scale words ("тыс.", "million", "万") come from the language files.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from . import tables

# Spaces and apostrophes that group thousands (Swiss 1'000, French narrow no-break space).
GROUP_SPACES = "\u00a0\u202f\u2009 '’"
_GROUP_SPACE = re.compile(f"[{GROUP_SPACES}]")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of another script written as ASCII ("٣٥" -> "35")."""
    if not _OTHER_DIGIT.search(text):
        return text
    # isdigit() also holds for superscripts and circled digits, which have no decimal value.
    return "".join(
        ch if ch.isascii() or (d := unicodedata.decimal(ch, None)) is None else str(d)
        for ch in text
    )


def number_values(raw: str, decimal_mark: str | None = None) -> list[float]:
    """The value(s) of one written number; several when it is dotted parts ("17.10.2025"),
    none when ``raw`` is not a number. ``decimal_mark`` is the language's ("." or ","), None
    when unknown. Never raises."""
    s = _GROUP_SPACE.sub("", ascii_digits(raw).strip().rstrip("%％ "))
    if not s or not _DIGITS.fullmatch(s) or not s.isascii():
        return []
    parts = re.split(r"[.,]", s)
    if len(parts) == 1:
        return [float(s)]
    seps = set(re.findall(r"[.,]", s))
    if len(seps) == 2:  # both marks: the last one written is the decimal mark
        last = max(s.rfind("."), s.rfind(","))
        return [float(re.sub(r"[.,]", "", s[:last]) + "." + s[last + 1 :])]
    sep = seps.pop()
    grouped = all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3 and parts[0] != "0"
    if grouped and (sep != decimal_mark or len(parts) > 2):
        return [float("".join(parts))]
    if len(parts) == 2:
        return [float(parts[0] + "." + parts[1])]
    return [float(p) for p in parts]


def parse_number(raw: str, decimal_mark: str | None = None) -> float | None:
    """One written number's value; None for dotted parts (a date, a version) or non-numbers."""
    values = number_values(raw, decimal_mark)
    return values[0] if len(values) == 1 else None


def format_number(value: float) -> str:
    """Canonical text for a number: integers without a decimal part, others to 4 digits."""
    if value == int(value):
        return str(int(value))
    return f"{value:.4g}"


def same_number(a: float, b: float) -> bool:
    """Equal up to rounding (half a percent): "1.5 million" and "1,520,000" are one figure."""
    return abs(a - b) <= max(1e-9, 0.005 * max(abs(a), abs(b)))


@cache
def multipliers(language: str | None) -> dict[str, float]:
    """Scale words -> factor for ``language`` ("тыс." -> 1000); every language's when None.
    A language without its own list gets the multilingual one."""
    own = tables.language_table(language).get("multipliers") if language else None
    if own:
        return {k.lower(): float(v) for k, v in own.items()}
    found = {k.lower(): float(v) for k, v in tables.multilingual()["multipliers"].items()}
    if language is None:
        for code in tables.languages():
            for word, factor in tables.language_table(code).get("multipliers", {}).items():
                found.setdefault(word.lower(), float(factor))
    return found
