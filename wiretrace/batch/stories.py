"""Stories at scale: candidate pairs generated per time partition, scored in parallel, and one
deterministic merge that is the single-machine clustering itself.

The clusterer is sequential by nature (an article joins what the articles before it built), so
its decisions are not re-derived here: ``cluster`` runs the same ``StoryClusterer`` over the
same representations, in the same (published, id) order, with a scorer that answers from the
scores computed in parallel beforehand and scores any other pair itself. The scorer is a pure
function of the two articles, so the stories, their ids (from founding articles) and every
member's link are those of ``wiretrace ingest`` on the same input.

Candidates: dated articles sorted by (published, id) are cut into partitions of
``PARTITION_ARTICLES``; a partition also holds the articles of the ``window_days`` before its
first one (the overlap), and each of its articles is paired with its ``k`` nearest earlier
articles within the window (the exact search the clusterer itself does on windows of up to
``exact_limit`` articles) whose doc cosine reaches ``min_cosine``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..representations import ArticleRepr
from ..stories.cluster import (
    DAY_SECONDS,
    LINK_PROBABILITY,
    StoryClusterer,
    default_scorer,
    order_key,
    parse_time,
)

# Articles per candidate partition: one task's share of the pair scoring (a few seconds of
# scorer calls on one core at the ~1-3 ms a pair measured by bench/scale.py; large enough
# that the overlap, one window of earlier articles, stays a small part of it).
PARTITION_ARTICLES = 2000


@dataclass(frozen=True)
class Partition:
    """Articles whose candidates one task finds (``core``) and the earlier articles they may
    pair with (``context``, the overlap), as positions in the sorted order."""

    start: int
    end: int
    context_start: int


def sorted_reprs(reprs: Iterable[ArticleRepr]) -> list[ArticleRepr]:
    return sorted({r.id: r for r in reprs}.values(), key=lambda r: order_key(r.id, r.published))


def partitions(ordered: Sequence[ArticleRepr], window_days: float,
               size: int = PARTITION_ARTICLES) -> list[Partition]:
    """Partitions of the dated articles of ``ordered`` (undated ones come last and are
    scored during the merge: the clusterer compares them with everything)."""
    times = [parse_time(r.published) for r in ordered]
    dated = sum(1 for t in times if t is not None)
    seconds = window_days * DAY_SECONDS
    dated_times = [t for t in times[:dated]]
    out = []
    for start in range(0, dated, size):
        first = dated_times[start]
        assert first is not None
        context = bisect.bisect_left(dated_times, first - seconds)  # type: ignore[arg-type]
        out.append(Partition(start, min(start + size, dated), context))
    return out


def candidate_pairs(
    ordered: Sequence[ArticleRepr], part: Partition, *, window_days: float, k: int,
    min_cosine: float,
) -> list[tuple[str, str]]:
    """(id, id) pairs, first id lower, that the clusterer scores for ``part``'s articles."""
    seconds = window_days * DAY_SECONDS
    chunk = ordered[part.context_start : part.end]
    times = np.array([parse_time(r.published) for r in chunk], dtype=np.float64)
    vecs = np.stack([_unit(r.doc_vector) for r in chunk])
    pairs = []
    for i in range(part.start - part.context_start, len(chunk)):
        lo = int(np.searchsorted(times[:i], times[i] - seconds, side="left"))
        if lo >= i:
            continue
        labels = np.arange(lo, i)
        sims = vecs[lo:i] @ vecs[i]
        order = np.lexsort((labels, -np.round(sims, 6)))[:k]
        for j in order:
            if float(sims[j]) < min_cosine:
                continue
            a, b = chunk[i].id, chunk[int(labels[j])].id
            pairs.append((a, b) if a < b else (b, a))
    return pairs


def _unit(vec: np.ndarray) -> np.ndarray:
    v = np.asarray(vec, dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-9)


class CachedScorer:
    """The clusterer's default scorer, answering from precomputed scores first."""

    def __init__(self, scores: dict[tuple[str, str], Any]) -> None:
        self.scores = scores
        self.scorer = default_scorer()
        self.hits = 0
        self.misses = 0

    def __call__(self, a: ArticleRepr, b: ArticleRepr) -> Any:
        hit = self.scores.get((a.id, b.id))
        if hit is not None:
            self.hits += 1
            return hit
        self.misses += 1
        return self.scorer(a, b)


def cluster(reprs: Sequence[ArticleRepr], scores: dict[tuple[str, str], Any]) -> StoryClusterer:
    """The single-machine clustering of ``reprs`` (``fit``), with ``scores`` precomputed."""
    # The default scorer's calibrated link threshold, as StoryClusterer picks it for itself
    # when no scorer is given: the cached scorer is that scorer.
    clusterer = StoryClusterer(scorer=CachedScorer(scores), link_probability=LINK_PROBABILITY)
    clusterer.fit(reprs)
    return clusterer


def story_rows(clusterer: StoryClusterer, published: Callable[[str], str | None],
               language: Callable[[str], str | None]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``stories`` and ``members`` rows of a clustering, stories in creation order."""
    stories, members = [], []
    for story in sorted(clusterer.stories.values(), key=lambda s: (s.seq, s.id)):
        dates = sorted(
            (t, p) for m in story.members
            if (p := published(m)) is not None and (t := parse_time(p)) is not None
        )
        stories.append({
            "id": story.id, "seq": story.seq, "size": story.size, "articles": list(story.members),
            "languages": sorted({lang for m in story.members if (lang := language(m))}),
            "first_published": dates[0][1] if dates else None,
            "last_published": dates[-1][1] if dates else None,
        })
        for position, aid in enumerate(story.members):
            link = clusterer.links.get(aid)
            members.append({
                "story_id": story.id, "article_id": aid, "position": position,
                "score": None if link is None or link.score is None else float(link.score),
                "via": link.via if link else None,
                "linked_by": link.linked_by if link else None,
                "link_score": None if link is None or link.link_score is None else float(link.link_score),
                "detail": link.detail if link else None,
            })
    return stories, members
