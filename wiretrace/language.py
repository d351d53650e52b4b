"""Language identification per article and per paragraph (py3langid).

Short Cyrillic snippets are where identifiers disagree most; py3langid is the most reliable of
the offline options on them. The candidate set is restricted to languages news scrapers meet
(``identify`` in ``wiretrace/lang/data/multilingual.json``) so a two-word paragraph is not
labelled Luxembourgish.
"""

from __future__ import annotations

from functools import lru_cache

from .lang.tables import identifiable_languages
from .stage import Stage

MIN_CHARS = 20  # below this a paragraph inherits the article's language


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True, langs=list(identifiable_languages()))


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) for ``text``; (None, 0.0) when there is too little text."""
    sample = text.strip()[:5000]
    if len([c for c in sample if c.isalpha()]) < 3:
        return None, 0.0
    lang, prob = _identifier().classify(sample)
    return lang, float(prob)


def paragraph_languages(paragraphs: list[str], default: str | None) -> list[str | None]:
    """One language per paragraph; short paragraphs take ``default``."""
    out: list[str | None] = []
    for para in paragraphs:
        if len(para.strip()) < MIN_CHARS:
            out.append(default)
            continue
        lang, prob = detect_language(para)
        out.append(lang if lang and prob >= 0.5 else default)
    return out


# Cleaned text in; its language and the identifier's probability out.
STAGE = Stage(
    "language", 1, requires=("cleaned",), writes=("language",), process=detect_language,
    per_record=True,
)
