"""Provenance: who copied, translated or rewrote whom, and what changed on the way.

``trace_story_articles`` is the pure stage (articles and their representations in, a trace
out); ``wiretrace.store.traces.trace_story`` reads a stored story and keeps its trace until
the membership changes.
"""

from __future__ import annotations

from ..stage import Stage
from .align import Doc, PairAlignment, align_pair, candidate_pairs, verbatim_spans
from .diff import claim_diff, compare_sentences
from .trace import members_hash, trace_nodes, trace_story_articles

# A story's articles, their representations and the story id in; the trace (origins, edges,
# added/omitted/altered per article) out. Run once per story.
STAGE = Stage(
    "traces", 1, requires=("article", "representations", "stories"), writes=("traces",),
    process=trace_story_articles, per_record=True,
)

__all__ = [
    "STAGE",
    "Doc",
    "PairAlignment",
    "align_pair",
    "candidate_pairs",
    "claim_diff",
    "compare_sentences",
    "members_hash",
    "trace_nodes",
    "trace_story_articles",
    "verbatim_spans",
]
