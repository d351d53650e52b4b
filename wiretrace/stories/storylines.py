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
from datetime import UTC, datetime
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
    forms: dict[str, str] = field(default_factory=dict)  # name -> how the story writes it
    title: str | None = None


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
        features = [features_of(a) or {} for a in story.members]
        names = story_names((f.get("names") or [] for f in features), story.size)
        out.append(StoryProfile(sid, story.seq, clusterer.centroid(sid), names,
                                story.first, story.last, name_forms(features, names)))
    return out


def name_forms(features: Iterable[dict[str, Any]], names: set[str]) -> dict[str, str]:
    """The spelling most members give each of ``names`` (ties: the shorter, then the first
    in sort order), read from the members' ``name_forms``."""
    seen: dict[str, Counter[str]] = {}
    for f in features:
        for key, form in (f.get("name_forms") or {}).items():
            if key in names and form:
                seen.setdefault(key, Counter())[str(form)] += 1
    return {key: min(c, key=lambda x: (-c[x], len(x), x)) for key, c in seen.items()}


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
    rare = rare_names(profiles, max_name_share)
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


def rare_names(
    profiles: Sequence[StoryProfile], max_name_share: float = MAX_NAME_SHARE
) -> list[set[str]]:
    """Each story's names that few stories carry (those that can link two stories)."""
    story_freq: Counter[str] = Counter()
    for p in profiles:
        story_freq.update(p.names)
    common_above = max(MIN_NAME_STORIES, max_name_share * len(profiles))
    return [{x for x in p.names if story_freq[x] <= common_above} for p in profiles]


@dataclass(frozen=True)
class StorylineLink:
    """Why a story continues its storyline: the earlier story of the storyline it is closest
    to, their centroid cosine, the rare names they share (as the stories write them) and the
    days between them."""

    story: str
    follows: str
    cosine: float
    shared_names: tuple[str, ...]
    days_apart: float

    def to_dict(self) -> dict[str, Any]:
        return {"story": self.story, "follows": self.follows, "cosine": round(self.cosine, 4),
                "shared_names": list(self.shared_names),
                "days_apart": round(self.days_apart, 1)}


# A storyline is titled by the names most of its stories share; at most this many.
TITLE_NAMES = 3


@dataclass(frozen=True)
class StorylineSummary:
    """What a reader sees of one storyline: "Kabul, Taliban: 6 events, Aug 14–31", with the
    link that brought each story in."""

    id: str
    title: str
    stories: tuple[str, ...]  # oldest first
    first: float | None
    last: float | None
    evidence: tuple[StorylineLink, ...]

    @property
    def events(self) -> int:
        return len(self.stories)

    @property
    def span(self) -> str:
        return date_span(self.first, self.last)

    def line(self) -> str:
        span = f", {self.span}" if self.span else ""
        return f"{self.title}: {self.events} events{span}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "summary": self.line(), "events": self.events,
            "stories": list(self.stories), "span": self.span,
            "evidence": [e.to_dict() for e in self.evidence],
        }


def date_span(first: float | None, last: float | None) -> str:
    """ "Aug 14–31", "Aug 30 – Sep 2", "Dec 30, 2023 – Jan 2, 2024", "Aug 14" (UTC days);
    empty when a date is unknown."""
    if first is None or last is None:
        return ""
    a = datetime.fromtimestamp(first, UTC)
    b = datetime.fromtimestamp(last, UTC)
    if a.date() == b.date():
        return f"{a:%b} {a.day}"
    if a.year != b.year:
        return f"{a:%b} {a.day}, {a.year} – {b:%b} {b.day}, {b.year}"
    if a.month != b.month:
        return f"{a:%b} {a.day} – {b:%b} {b.day}"
    return f"{a:%b} {a.day}–{b.day}"


def summarize_storylines(
    profiles: Sequence[StoryProfile],
    lines: dict[str, list[tuple[str, float]]],
    *,
    max_name_share: float = MAX_NAME_SHARE,
) -> dict[str, StorylineSummary]:
    """A summary per storyline of ``link_storylines(profiles)``: its title (the rare names
    most of its stories share, as they write them; else its oldest story's title), event
    count, date span and, for each story after the oldest, the earlier story it links to
    best (shared names first, then cosine)."""
    index = {p.id: i for i, p in enumerate(profiles)}
    rare = rare_names(profiles, max_name_share)
    story_freq: Counter[str] = Counter()
    for p in profiles:
        story_freq.update(p.names)
    out = {}
    for line_id, members in lines.items():
        idx = [index[sid] for sid, _ in members if sid in index]
        idx.sort(key=lambda i: (profiles[i].first is None, profiles[i].first or 0.0,
                                profiles[i].seq, profiles[i].id))
        evidence = []
        for pos, i in enumerate(idx[1:], start=1):
            def strength(j: int, i: int = i) -> tuple[int, float, str]:
                cos = float(profiles[i].centroid @ profiles[j].centroid)
                return (len(rare[i] & rare[j]), round(cos, 6), profiles[j].id)
            j = max(idx[:pos], key=strength)
            shared = sorted(rare[i] & rare[j])
            forms = {**profiles[j].forms, **profiles[i].forms}
            evidence.append(StorylineLink(
                profiles[i].id, profiles[j].id,
                float(profiles[i].centroid @ profiles[j].centroid),
                tuple(forms.get(x, x) for x in shared), gap_days(profiles[i], profiles[j]),
            ))
        out[line_id] = StorylineSummary(
            line_id, _title([profiles[i] for i in idx], [rare[i] for i in idx], story_freq),
            tuple(profiles[i].id for i in idx),
            min((profiles[i].first for i in idx if profiles[i].first is not None), default=None),
            max((profiles[i].last for i in idx if profiles[i].last is not None), default=None),
            tuple(evidence),
        )
    return out


def _title(
    stories: Sequence[StoryProfile], rare: Sequence[set[str]], story_freq: Counter[str]
) -> str:
    """The rare names carried by most of the stories, as written: the most widely carried
    first, then the rarest among all stories (the most specific); the oldest story's title
    (or id) when they share none."""
    counts: Counter[str] = Counter()
    for names in rare:
        counts.update(names)
    need = len(stories) // 2 + 1
    shared = sorted((x for x, c in counts.items() if c >= need),
                    key=lambda x: (-counts[x], story_freq[x], x))
    forms: dict[str, str] = {}
    for p in reversed(stories):  # the oldest story's spelling wins
        forms.update(p.forms)
    if shared and all(x in forms for x in shared[:TITLE_NAMES]):
        return ", ".join(forms[x] for x in shared[:TITLE_NAMES])
    return stories[0].title or stories[0].id


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
    "StoryProfile", "StorylineLink", "StorylineSummary", "date_span", "link_storylines",
    "name_forms", "profiles_of", "rare_names", "story_names", "storyline_id_for",
    "summarize_storylines",
]
