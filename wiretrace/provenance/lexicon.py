"""Word-level signals the claim diff compares: tokens, numbers, names and marker words.

Word lists (hedges, quantifiers, number words ...) live in the language files of
``wiretrace/lang/data``, so a language is added by adding data. Numbers are read by the
language layer's parser ("35,000", "35 000", "35.000" in German, "35 тыс.", Arabic-Indic
digits) so a translation that keeps a figure does not read as a change; names are compared by
its name matcher, so "Лукашенко" and "Lukashenka" are the same person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from rapidfuzz import fuzz

from ..lang import tables
from ..lang.names import consonant_skeleton, romanise
from ..lang.numbers import ascii_digits, multipliers, number_values

# A language has the claim-diff word lists when its data file holds this key.
_LISTS_KEY = "hedges"
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
_NUMBER = re.compile(
    r"(?<![\d\w])(?:\d{1,3}(?:[\u00a0\u202f\u2009 '’]\d{3}(?!\d))+|\d+(?:[.,]\d+)*)(?:\s?%)?"
)
_UPPER_START = re.compile(r"^[^\W\d_]")
_CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")


@dataclass(frozen=True)
class Token:
    norm: str  # case-folded, quotes and ё normalised: what verbatim matching compares
    start: int
    end: int


@dataclass(frozen=True)
class Number:
    value: float
    surface: str
    kind: str  # year | percent | count


@cache
def lexicon(language: str | None) -> dict[str, Any]:
    """The word lists for ``language`` (English when unknown); a language without lists gets
    none (never another language's), only its decimal mark, the multilingual scale words and
    calendar words, so it is compared by numbers and names alone."""
    code = language or "en"
    table = tables.language_table(code)
    if has_lexicon(code):
        return table
    shared = tables.multilingual()
    return {
        "decimal_mark": tables.decimal_mark(code),
        "multipliers": multipliers(code),
        "calendar": list(shared["calendar"]) + list(table.get("calendar", [])),
    }


def has_lexicon(language: str | None) -> bool:
    """Whether ``language`` has the claim-diff word lists."""
    return _LISTS_KEY in tables.language_table(language)


@cache
def agencies() -> dict[str, dict[str, Any]]:
    """Wire services that publish originals: name -> ``language`` (where they first publish)
    and ``aliases`` (outlet names and hosts that mark the agency's own copy)."""
    return {
        name: {"language": info["language"], "aliases": info["outlet_aliases"]}
        for name, info in tables.agencies().items()
        if "outlet_aliases" in info
    }


def normalise_word(word: str) -> str:
    return word.casefold().replace("ё", "е").replace("’", "'")


def tokenize(text: str) -> list[Token]:
    """Word tokens with character offsets into ``text``."""
    return [Token(normalise_word(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def stem(word: str, size: int = 5) -> str:
    """A crude prefix stem: enough to match inflected forms within one language."""
    return word[:size] if len(word) > size + 1 else word


# -- numbers -----------------------------------------------------------------------------


def extract_numbers(text: str, language: str | None) -> list[Number]:
    """Numbers in a sentence, normalised; multiplier words ("35 тыс.", "2 million") applied."""
    lex = lexicon(language)
    decimal_sep = lex.get("decimal_mark", ".")
    scale: dict[str, float] = lex.get("multipliers", {})
    words: dict[str, float] = lex.get("number_words", {})
    ascii_text = ascii_digits(text)
    found: list[Number] = []
    for m in _NUMBER.finditer(ascii_text):
        raw = m.group()
        if _CLOCK.search(ascii_text, max(0, m.start() - 3), min(len(ascii_text), m.end() + 3)):
            continue  # a time of day: page furniture, not a claim
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", raw.strip()):
            continue  # a dotted date
        values = number_values(raw, decimal_sep)
        if not values:
            continue
        follow = re.match(r"\s?([^\W\d_]+\.?)", ascii_text[m.end() :])
        factor = 1.0
        if follow and len(values) == 1:
            word = normalise_word(follow.group(1))
            factor = float(scale.get(word, scale.get(word.rstrip("."), 1.0)))
        for value in values:
            kind = "percent" if raw.rstrip().endswith("%") else "count"
            if factor == 1.0 and value.is_integer() and 1900 <= value <= 2100 and "," not in raw:
                kind = "year"
            found.append(Number(value * factor, raw.strip(), kind))
    for tok in tokenize(text):
        if tok.norm in words:
            found.append(Number(float(words[tok.norm]), text[tok.start : tok.end], "count"))
    return found


# -- names -------------------------------------------------------------------------------


def extract_names(text: str, *, skip_first: bool = True, language: str | None = None) -> list[str]:
    """Runs of capitalised words. The sentence-initial word is skipped (unless an acronym), and
    so is a word after a determiner in languages that capitalise nouns ("zwei Häuser")."""
    blockers = set(lexicon(language).get("name_blockers", []))
    calendar = set(lexicon(language).get("calendar", []))
    names: list[str] = []
    current: list[str] = []
    tokens = list(_TOKEN.finditer(text))
    for idx, m in enumerate(tokens):
        word = m.group()
        capital = bool(_UPPER_START.match(word)) and word[0].isupper()
        acronym = len(word) >= 2 and word.isupper()
        initial = skip_first and idx == 0 and not acronym
        blocked = idx > 0 and not current and normalise_word(tokens[idx - 1].group()) in blockers
        if normalise_word(word) in calendar:
            capital = False
        if capital and not initial and not blocked:
            current.append(word)
            continue
        if current:
            names.append(" ".join(current))
            current = []
    if current:
        names.append(" ".join(current))
    return [n for n in names if len(romanise(n)) >= 3]


# -- marker words ------------------------------------------------------------------------


@cache
def _phrase_pattern(phrases: tuple[str, ...], ending: int) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = sorted((re.escape(normalise_word(p)) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(alternatives) + r")\w{0," + str(ending) + r"}(?!\w)")


def find_phrases(text: str, phrases: list[str], ending: int = 3) -> list[tuple[str, int, int]]:
    """Occurrences of any phrase (allowing ``ending`` more letters) as (surface, start, end)."""
    pattern = _phrase_pattern(tuple(phrases), ending)
    if pattern is None:
        return []
    norm = normalise_word(text)
    return [(text[m.start() : m.end()], m.start(), m.end()) for m in pattern.finditer(norm)]


def hedges(text: str, language: str | None) -> list[str]:
    return [s for s, _, _ in find_phrases(text, lexicon(language).get("hedges", []))]


def sourcing(text: str, language: str | None) -> list[str]:
    lex = lexicon(language)
    return [s for s, _, _ in find_phrases(text, lex.get("sourcing", []))]


def attribution_verbs(text: str, language: str | None) -> list[str]:
    lex = lexicon(language)
    return [s for s, _, _ in find_phrases(text, lex.get("attribution_verbs", []), ending=6)]


def quantifiers(text: str, language: str | None) -> list[tuple[str, int]]:
    """Quantifier words with their strength (0 none ... 5 all); "some 1,500" is not one."""
    table: dict[str, int] = lexicon(language).get("quantifiers", {})
    found = []
    for surface, _, end in find_phrases(text, list(table)):
        if re.match(r"\s*\d", text[end:]):
            continue  # "some 1,500 prisoners" approximates a number
        key = normalise_word(surface)
        strength = table.get(key)
        if strength is None:
            strength = next((v for k, v in table.items() if key.startswith(normalise_word(k))), 0)
        found.append((surface, strength))
    return found


def markers(text: str, language: str | None, list_name: str) -> list[tuple[str, str]]:
    """Intensifier or qualifier words in ``text`` with the word they modify (or "")."""
    words = lexicon(language).get(list_name, [])
    found = []
    for surface, _, end in find_phrases(text, words):
        nxt = re.match(r"[\s\-]*(\w+)", text[end:])
        found.append((surface, nxt.group(1) if nxt else ""))
    return found


@dataclass(frozen=True)
class NameSlot:
    """A name in a sentence with the words around it: a replacement must sit in the same slot."""

    name: str
    before: str
    after: str


def name_slots(
    text: str, language: str | None, lowercase_words: frozenset[str] = frozenset()
) -> list[NameSlot]:
    """Names with their neighbouring words. A sentence-initial capitalised word counts as a name
    when its article never writes it in lower case (``lowercase_words``)."""
    tokens = list(_TOKEN.finditer(text))
    lex = lexicon(language)
    stop = (
        set(lex.get("stopwords", []))
        | set(lex.get("calendar", []))
        | set(lex.get("name_blockers", []))
    )
    slots = []
    idx = 0
    while idx < len(tokens):
        word = tokens[idx].group()
        norm = normalise_word(word)
        capital = word[0].isupper() and bool(_UPPER_START.match(word))
        usable = capital and norm not in stop
        if usable and idx == 0 and (norm in lowercase_words or len(word) < 3):
            usable = False
        if (
            usable
            and idx > 0
            and normalise_word(tokens[idx - 1].group()) in set(lex.get("name_blockers", []))
        ):
            usable = False
        if not usable:
            idx += 1
            continue
        end = idx
        while (
            end + 1 < len(tokens)
            and tokens[end + 1].group()[0].isupper()
            and normalise_word(tokens[end + 1].group()) not in stop
        ):
            end += 1
        name = " ".join(t.group() for t in tokens[idx : end + 1])
        before = normalise_word(tokens[idx - 1].group()) if idx > 0 else ""
        after = normalise_word(tokens[end + 1].group()) if end + 1 < len(tokens) else ""
        if len(romanise(name)) >= 3:
            slots.append(NameSlot(name, before, after))
        idx = end + 1
    return slots


def words_match(a: str, b: str, same_language: bool) -> bool:
    """Neighbouring words that are the same word (one language) or cognates (across)."""
    if not a or not b:
        return False
    if same_language:
        return stem(a) == stem(b)
    ra, rb = romanise(a), romanise(b)
    if len(ra) < 3 or len(rb) < 3:
        return False
    return consonant_skeleton(a)[:3] == consonant_skeleton(b)[:3] and fuzz.ratio(ra, rb) >= 60
