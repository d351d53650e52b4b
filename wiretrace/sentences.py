"""Sentence segmentation with character offsets, for Latin and Cyrillic news text.

Offsets index into the cleaned article text so any finding (aligned, added, altered) can be
highlighted. Abbreviations ("Mr.", "U.S.", "г.", "т.е.", "z.B.") and initials ("A. Lukashenko")
do not end a sentence; quotes and brackets after the full stop stay with their sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .langdata import abbreviations_for

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) then whitespace
# and something that can start a sentence (upper-case letter, digit, opening quote, dash).
_BOUNDARY = re.compile(
    r"""(?P<end>[.!?…]+[»"'”’)\]]*)(?P<space>\s+)(?=[«"'“‘(\[\-–—]?\s*[\d\p{Lu}]|[«"“‘(\[\-–—])""".replace(
        r"\p{Lu}", "A-ZА-ЯЁЇІЄҐЎÀ-ÖØ-ÞĀ-ſ"
    )
)
_WORD_BEFORE = re.compile(r"(\S+)$")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def _is_abbreviation(token: str, abbreviations: frozenset[str]) -> bool:
    core = token.lstrip("«\"'“‘([")
    if not core:
        return False
    low = core.lower()
    if low in abbreviations:
        return True
    # Single initials ("A.", "Ю.") and dotted acronyms ("U.S.", "т.е.").
    if re.fullmatch(r"[^\W\d_]\.", core):
        return True
    if re.fullmatch(r"([^\W\d_]\.){2,}", core):
        return True
    return False


def split_sentences(text: str, language: str | None = None) -> list[Sentence]:
    """Split ``text`` into sentences; paragraphs (blank-line or newline breaks) always split."""
    abbreviations = abbreviations_for(language)
    sentences: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        p_start = para.start()
        chunk = para.group()
        cursor = 0
        for m in _BOUNDARY.finditer(chunk):
            end = m.end("end")
            before = chunk[cursor:end]
            last = _WORD_BEFORE.search(before)
            if last and m.group("end").startswith(".") and _is_abbreviation(last.group(1), abbreviations):
                continue
            _emit(sentences, chunk, cursor, end, p_start)
            cursor = m.end("space")
        _emit(sentences, chunk, cursor, len(chunk), p_start)
    return sentences


def _emit(out: list[Sentence], chunk: str, start: int, end: int, offset: int) -> None:
    piece = chunk[start:end]
    stripped = piece.strip()
    if not stripped or not re.search(r"\w", stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    s = offset + start + lead
    out.append(Sentence(stripped, s, s + len(stripped)))
