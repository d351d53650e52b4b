"""Sentence segmentation with character offsets, for Latin and Cyrillic news text.

Offsets index into the cleaned article text so any finding (aligned, added, altered) can be
highlighted. Abbreviations ("Mr.", "U.S.", "г.", "т.е.", "z.B.") and initials ("A. Lukashenko")
do not end a sentence; quotes and brackets after the full stop stay with their sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lang.tables import abbreviations_for

# A sentence ends at . ! ? … ؟ (optionally followed by closing quotes/brackets) before
# whitespace and something that can start a sentence; CJK full stops need no space after them.
_WESTERN_END = re.compile(r"""[.!?…؟]+[»"'”’)\]]*(?=\s)""")
_CJK_END = re.compile(r"""[。！？]+[”’」』）)"']*""")
_OPENERS = frozenset("«\"'“‘„([-–—¿¡")
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


def _can_start_sentence(ch: str) -> bool:
    """Upper-case letters, digits, opening quotes and letters of scripts without case."""
    return ch.isdigit() or ch in _OPENERS or (ch.isalpha() and not ch.islower())


def _boundaries(chunk: str, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    """(end of sentence, start of the next) positions within one paragraph."""
    found: list[tuple[int, int]] = []
    for m in _WESTERN_END.finditer(chunk):
        end = m.end()
        nxt = end
        while nxt < len(chunk) and chunk[nxt].isspace():
            nxt += 1
        if nxt >= len(chunk) or not _can_start_sentence(chunk[nxt]):
            continue
        if m.group().startswith("."):
            last = _WORD_BEFORE.search(chunk[:end])
            if last and _is_abbreviation(last.group(1), abbreviations):
                continue
        found.append((end, nxt))
    for m in _CJK_END.finditer(chunk):
        nxt = m.end()
        while nxt < len(chunk) and chunk[nxt].isspace():
            nxt += 1
        if nxt < len(chunk):
            found.append((m.end(), nxt))
    return sorted(set(found))


def split_sentences(text: str, language: str | None = None) -> list[Sentence]:
    """Split ``text`` into sentences; paragraphs (blank-line or newline breaks) always split."""
    abbreviations = abbreviations_for(language)
    sentences: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        p_start = para.start()
        chunk = para.group()
        cursor = 0
        for end, nxt in _boundaries(chunk, abbreviations):
            if end <= cursor:
                continue
            _emit(sentences, chunk, cursor, end, p_start)
            cursor = nxt
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
