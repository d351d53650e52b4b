"""Storylines: stories about one ongoing situation, linked over time but kept apart.

Two stories belong to one storyline when their centroids are close (same subject) and they
share several names (same people and places), although the pair scorer put them in different
stories (different events: a vote, then its aftermath a week later); the further apart in time,
the more names they must share. Linking is over nearest-neighbour story centroids, never all
pairs, and storylines grow by average linkage (a story joins when it links to most of a
storyline's stories), so one story on the border of two situations does not chain them; a
storyline's id derives from its oldest story, so it is stable as it grows.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MIN_CENTROID_COSINE = 0.86
MIN_SHARED_NAMES = 3
# A name carried by more than this share of all stories (a head of state, a country) links
# everything to everything; only rarer names count as shared.
MAX_NAME_SHARE = 0.03
MIN_NAME_STORIES = 4
# Stories far apart in time must share more to continue one situation: one more shared name
# for every NAME_GAP_DAYS between them (set on the sample corpus, whose storylines resume
# after two to four months and whose year-apart fires in one heath are not one situation).
NAME_GAP_DAYS = 90.0
DAY_SECONDS = 86400.0


@dataclass
class StoryProfile:
    """What storyline linking needs to know about one story."""

    id: str
    seq: int
    centroid: np.ndarray
    names: set[str] = field(default_factory=set)
    first: float | None = None  # earliest member's time (seconds since the epoch)
    last: float | None = None


def story_names(member_names: Iterable[Iterable[str]], size: int) -> set[str]:
    """Names that recur in a story: in at least a third of its members (all, if one member)."""
    counts: Counter[str] = Counter()
    for names in member_names:
        counts.update(set(names))
    need = max(1, math.ceil(size / 3))
    return {name for name, n in counts.items() if n >= need and len(name) >= 3}


def profiles_of(
    clusterer: Any, features_of: Callable[[str], dict[str, Any] | None]
) -> list[StoryProfile]:
    """One profile per story of ``clusterer``, names read through ``features_of(article)``."""
    out = []
    for sid, story in clusterer.stories.items():
        if not story.members:
            continue
        names = story_names(
            ((features_of(a) or {}).get("names") or [] for a in story.members), story.size
        )
        out.append(StoryProfile(sid, story.seq, clusterer.centroid(sid), names,
                                story.first, story.last))
    return out


def storyline_id_for(oldest_story_id: str) -> str:
    return "l-" + hashlib.sha1(oldest_story_id.encode("utf-8")).hexdigest()[:12]


def link_storylines(
    profiles: Sequence[StoryProfile],
    *,
    min_cosine: float = MIN_CENTROID_COSINE,
    min_shared_names: int = MIN_SHARED_NAMES,
    max_name_share: float = MAX_NAME_SHARE,
    k: int = 10,
) -> dict[str, list[tuple[str, float]]]:
    """Group stories into storylines: {storyline id: [(story id, best link cosine)]}.

    Two stories link when their centroid cosine is at least ``min_cosine`` and they share
    ``min_shared_names`` names rare among all stories, plus one for every ``NAME_GAP_DAYS``
    between them. Links between mutual ``k`` nearest centroids are taken strongest first, and
    two storylines join only when most of their cross pairs link. Only groups of two or more
    stories are returned, each ordered oldest story first.
    """
    n = len(profiles)
    if n < 2:
        return {}
    story_freq: Counter[str] = Counter()
    for p in profiles:
        story_freq.update(p.names)
    common_above = max(MIN_NAME_STORIES, max_name_share * n)
    rare = [{x for x in p.names if story_freq[x] <= common_above} for p in profiles]
    vecs = np.stack([p.centroid for p in profiles]).astype(np.float32)
    neighbours = _neighbours(vecs, min(k, n - 1))
    parent = list(range(n))
    best = [0.0] * n

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    near = [{j for j, _ in row} for row in neighbours]

    def linked(i: int, j: int) -> bool:
        need = min_shared_names + int(gap_days(profiles[i], profiles[j]) // NAME_GAP_DAYS)
        return float(vecs[i] @ vecs[j]) >= min_cosine and len(rare[i] & rare[j]) >= need

    candidates = sorted(
        (-round(cos, 6), i, j)
        for i in range(n) for j, cos in neighbours[i]
        if j > i and i in near[j] and linked(i, j)
    )
    members = {i: [i] for i in range(n)}
    for neg_cos, i, j in candidates:
        a, b = find(i), find(j)
        if a == b:
            continue
        # Average linkage: two storylines join only when most of their cross pairs link, so
        # one story on the border of two situations does not chain them into one.
        cross = [linked(x, y) for x in members[a] for y in members[b]]
        if sum(cross) * 2 <= len(cross):
            continue
        best[i] = max(best[i], -neg_cos)
        best[j] = max(best[j], -neg_cos)
        keep, gone = (a, b) if profiles[a].seq < profiles[b].seq else (b, a)
        parent[gone] = keep
        members[keep] += members.pop(gone)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out: dict[str, list[tuple[str, float]]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: (profiles[i].seq, profiles[i].id))
        out[storyline_id_for(profiles[members[0]].id)] = [
            (profiles[i].id, round(best[i], 4)) for i in members
        ]
    return out


def gap_days(a: StoryProfile, b: StoryProfile) -> float:
    """Days between the end of the earlier story and the start of the later (0 if they
    overlap or a date is unknown)."""
    if None in (a.first, a.last, b.first, b.last):
        return 0.0
    gap = max(b.first - a.last, a.first - b.last, 0.0)  # type: ignore[operator]
    return gap / DAY_SECONDS


def _neighbours(vecs: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """k nearest centroids of each centroid: exact for few stories, HNSW beyond."""
    n = len(vecs)
    if n <= 2000:
        out = []
        for start in range(0, n, 512):
            sims = vecs[start : start + 512] @ vecs.T
            for row_i, row in enumerate(sims):
                idx = np.argpartition(-row, min(k, n - 1))[: k + 1]
                out.append([(int(j), float(row[j])) for j in idx if j != start + row_i])
        return out
    import hnswlib

    index = hnswlib.Index(space="ip", dim=vecs.shape[1])
    index.init_index(max_elements=n, ef_construction=100, M=16, random_seed=7)
    index.set_num_threads(1)
    index.add_items(vecs, np.arange(n))
    index.set_ef(max(64, k + 1))
    labels, dists = index.knn_query(vecs, k=k + 1)
    return [
        [(int(j), float(1 - d)) for j, d in zip(lab, dist, strict=True) if j != i]
        for i, (lab, dist) in enumerate(zip(labels, dists, strict=True))
    ]


__all__ = [
    "StoryProfile", "link_storylines", "profiles_of", "story_names", "storyline_id_for",
]
