"""Language-independent cues that two articles report the same event: names, numbers, dates.

Embeddings say two texts are *about* the same thing; concrete shared details (the same
people, the same casualty figure, the same date) say they report the same *event*. Each cue
is normalised so it matches across languages and scripts:

- names: capitalised words reduced to the language layer's name key (``lang.names``), so
  Лукашенко / Lukashenko / Lukashenka / Лукашенкой meet;
- numbers: "35,000", "35 000", "35.000" and "35 тыс." all become ``35000``;
- dates: "17 Октомври", "October 17", "17. Oktober", "10月17日" all become ``10-17``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from ..extract.page_kind import notice_kind
from ..lang import tables
from ..lang.names import name_key
from ..lang.numbers import format_number, multipliers, parse_number
from ..records import Article
from ..sentences import Sentence, split_sentences

FEATURES_SCHEMA = 4  # bump when the output changes: stored features are then recomputed

_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_OPENERS = "«\"'“‘„(["
_POSSESSIVE = re.compile(r"['’]s$")

# -- names -------------------------------------------------------------------------------


def _is_acronym(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in tables.multilingual()["name_stopwords"])


def extract_names(sentences: Iterable[str]) -> dict[str, str]:
    """Name keys -> first surface form, from capitalised words that are not merely
    sentence-initial (a sentence-initial word counts if it is capitalised elsewhere too) and
    that never occur in lower case in the same text."""
    candidates: list[tuple[str, bool]] = []
    lower_words: set[str] = set()
    for sentence in sentences:
        tokens = [
            t
            for t in (_POSSESSIVE.sub("", m.group()).strip("'’-") for m in _WORD.finditer(sentence))
            if t
        ]
        for i, token in enumerate(tokens):
            if token[0].islower():
                lower_words.add(token.lower())
            elif token[0].isupper():
                # Sentence-initial capitals are weak evidence: short ones are dropped unless a
                # capitalised word follows ("Sviatlana Tsikhanouskaya") or they recur mid-sentence.
                initial = (
                    i == 0 and len(token) < 5 and not (len(tokens) > 1 and tokens[1][0].isupper())
                )
                candidates.append((token, initial))
    mid_sentence = {t.lower() for t, initial in candidates if not initial}
    stopwords = _stopwords()
    names: dict[str, str] = {}
    for token, initial in candidates:
        low = token.lower()
        if low in stopwords or (low in lower_words and not _is_acronym(token)):
            continue
        if initial and low not in mid_sentence:
            continue
        key = name_key(token)
        if len(key) < 3 and not (_is_acronym(token) and len(key) >= 2):
            continue
        names.setdefault(key, token)
    return names


# -- numbers -----------------------------------------------------------------------------

_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:h|Uhr|ч|a\.m\.|p\.m\.|am|pm)\b|\b\d{1,2}:\d{2}\b")
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f'’]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)"
    r"(?:\s*(%|％))?"
)


@lru_cache(maxsize=1)
def _scales() -> tuple[dict[str, float], re.Pattern[str]]:
    scales = multipliers(None)
    alternation = "|".join(re.escape(w) for w in sorted(scales, key=len, reverse=True))
    return scales, re.compile(rf"\s*({alternation})(?![^\W\d_])", re.IGNORECASE)


def extract_numbers(text: str) -> tuple[list[str], list[int]]:
    """(numbers, years): normalised figures that identify an event, and the years mentioned.

    Times of day are skipped; bare integers below 10 are too common to identify anything.
    """
    scales, scale_re = _scales()
    masked = _TIME.sub(lambda m: " " * len(m.group()), text)
    for _, start, end in _date_spans(masked):
        masked = masked[:start] + " " * (end - start) + masked[end:]
    numbers: set[str] = set()
    years: set[int] = set()
    for m in _NUMBER.finditer(masked):
        raw = m.group(1)
        value = parse_number(raw)
        if value is None:
            continue
        if re.fullmatch(r"(19|20)\d\d", raw) and not m.group(2):
            years.add(int(raw))
            continue
        scale = scale_re.match(masked, m.end())
        if scale and not m.group(2):
            value *= scales[scale.group(1).lower()]
        elif value < 10 and value == int(value) and not m.group(2):
            continue
        numbers.add(format_number(value) + ("%" if m.group(2) else ""))
    return sorted(numbers), sorted(years)


# -- dates -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _date_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    forms = sorted(tables.month_table(), key=len, reverse=True)
    month = rf"(?P<month>(?:{'|'.join(re.escape(f) for f in forms)})\.?)(?![^\W\d_])"
    day_first = re.compile(
        rf"(?<!\d)(?P<day>[0-3]?\d)(?:\.|-?(?:го|ти|th|st|nd|rd|er))?\s+(?:de\s+)?{month}",
        re.IGNORECASE,
    )
    month_first = re.compile(
        rf"(?<![^\W\d_]){month}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d]|[.,]\d)",
        re.IGNORECASE,
    )
    return day_first, month_first


@lru_cache(maxsize=1)
def _lowercase_words() -> frozenset[str]:
    return tables.words("months_capitalised_only")


@lru_cache(maxsize=1)
def _capitalised_words() -> frozenset[str]:
    return tables.words("months_lowercase_only")


def _date_spans(text: str) -> list[tuple[str, int, int]]:
    """(``MM-DD``, start, end) for each calendar day written in ``text``."""
    day_first, month_first = _date_patterns()
    months = tables.month_table()
    found: list[tuple[int, int, int, int]] = []  # month, day, start, end
    lower_only, capital_only = _lowercase_words(), _capitalised_words()
    for pattern in (day_first, month_first):
        for m in pattern.finditer(text):
            word = m.group("month")
            if word[0].isupper() and word.rstrip(".").lower() in capital_only:
                continue  # "Lesen Sie 3 Artikel": a pronoun, not the Polish "sie" (August)
            if word[0].islower() and word.rstrip(".").lower() in lower_only:
                continue  # "may 4 times", "march 5 miles": a verb, not a month
            month = months.get(word.lower().rstrip("."))
            if month:
                found.append((month, int(m.group("day")), m.start(), m.end()))
    numeric = (
        (r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日", 0),
        (r"\b(?:20\d\d|19\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b", 0),
        (r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?:20\d\d|19\d\d)\b", 0),
    )
    for pattern, _ in numeric:
        for m in re.finditer(pattern, text):
            found.append((int(m.group("m")), int(m.group("d")), m.start(), m.end()))
    return [
        (f"{month:02d}-{day:02d}", start, end)
        for month, day, start, end in found
        if 1 <= month <= 12 and 1 <= day <= 31
    ]


def extract_dates(text: str) -> list[str]:
    """Calendar days mentioned, as ``MM-DD`` (years are often left out in news text)."""
    return sorted({key for key, _, _ in _date_spans(text)})


# -- article -----------------------------------------------------------------------------


def text_features(
    text: str, title: str | None = None, sentences: Sequence[str] | None = None
) -> dict[str, Any]:
    """Features of one text (and its title); ``sentences`` saves re-splitting."""
    if sentences is None:
        sentences = [s.text for s in split_sentences(text)]
    lines = ([title] if title else []) + list(sentences)
    names = extract_names(lines)
    full = f"{title}\n{text}" if title else text
    numbers, years = extract_numbers(full)
    notice = notice_kind(text)
    return {
        "schema": FEATURES_SCHEMA,
        # why the text is a bot check or paywall notice rather than an article, if it is one
        "notice": notice.reason() if notice else None,
        "names": sorted(names),
        "name_forms": names,
        "numbers": numbers,
        "years": years,
        "dates": extract_dates(full),
    }


def article_features(article: Article, sentences: Sequence[Sentence]) -> dict[str, Any]:
    """JSON-serialisable features of an article, stored beside its embeddings."""
    return text_features(article.text, article.title, [s.text for s in sentences])


__all__ = [
    "article_features",
    "extract_dates",
    "extract_names",
    "extract_numbers",
    "name_key",
    "parse_number",
    "text_features",
]
