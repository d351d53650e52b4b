"""Manipulation signals: persuasion techniques, genre and sensational headlines, in isolation
and relative to an article's source in its trace (what a rewrite added, escalated or dropped).

The models are small linear models over hashed n-grams, trained by ``eval/signals.py`` on the
SemEval-2023 Task 3 training data (research use) and shipped as weights only.
"""

from __future__ import annotations

from ..stage import Stage
from .analyze import (
    TRAINED_LANGUAGES,
    analyze_parts,
    analyze_text,
    genre,
    headline_score,
    paragraph_techniques,
)
from .article import page_signals, signal_names, signals_of_article
from .model import GENRES, TECHNIQUES
from .relative import relative_signals

# An article with its story's trace and the article it derives from in; its signals (isolated,
# page, relative) out. Run at ingest for new articles and the other members of the stories
# they joined, so filters cover every article and reads find them stored.
STAGE = Stage(
    "signals", 1, requires=("article", "traces"), writes=("signals",),
    process=signals_of_article, per_record=True,
)

__all__ = [
    "STAGE",
    "GENRES",
    "TECHNIQUES",
    "TRAINED_LANGUAGES",
    "analyze_parts",
    "analyze_text",
    "genre",
    "headline_score",
    "page_signals",
    "paragraph_techniques",
    "relative_signals",
    "signal_names",
    "signals_of_article",
]
