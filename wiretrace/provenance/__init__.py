"""Provenance: who copied, translated or rewrote whom, and what changed on the way.

``trace_story_articles`` is the pure stage (articles and their representations in, a trace
out); ``trace_story`` reads a stored story and caches its trace until the membership changes.
"""

from __future__ import annotations

from .align import Doc, PairAlignment, align_pair, candidate_pairs, verbatim_spans
from .diff import claim_diff, compare_sentences
from .trace import members_hash, trace_articles, trace_nodes, trace_story, trace_story_articles

__all__ = [
    "Doc",
    "PairAlignment",
    "align_pair",
    "candidate_pairs",
    "claim_diff",
    "compare_sentences",
    "members_hash",
    "trace_articles",
    "trace_nodes",
    "trace_story",
    "trace_story_articles",
    "verbatim_spans",
]
