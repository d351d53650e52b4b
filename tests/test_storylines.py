"""Storylines: follow-up stories linked by average linkage, with a demand for shared names that
grows with the time between them."""

from __future__ import annotations

import numpy as np

from wiretrace.stories.storylines import (
    NAME_GAP_DAYS,
    StoryProfile,
    gap_days,
    link_storylines,
    storyline_id_for,
)

DIM = 16
DAY = 86400.0


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _profile(sid: str, seq: int, vec: np.ndarray, names: set[str], day: float) -> StoryProfile:
    return StoryProfile(sid, seq, _unit(vec), names, day * DAY, (day + 1) * DAY)


def test_a_story_between_two_situations_does_not_chain_them():
    """B shares names with A and with C, but A and C share nothing: single linkage would make
    one storyline of all three; average linkage links B to one side only."""
    rng = np.random.default_rng(1)
    base = rng.normal(size=DIM)
    a = _profile("a", 0, base + 0.05 * rng.normal(size=DIM), {"orban", "budapest", "vote"}, 0)
    b = _profile("b", 1, base + 0.05 * rng.normal(size=DIM),
                 {"orban", "budapest", "vote", "lima", "peru", "quito"}, 3)
    c = _profile("c", 2, base + 0.05 * rng.normal(size=DIM), {"lima", "peru", "quito"}, 6)
    lines = link_storylines([a, b, c], min_cosine=0.8)
    assert len(lines) == 1
    (members,) = lines.values()
    linked = {sid for sid, _ in members}
    assert len(linked) == 2 and "b" in linked
    assert not {"a", "c"} <= linked


def test_stories_far_apart_need_more_shared_names():
    rng = np.random.default_rng(2)
    base = rng.normal(size=DIM)
    names = {"hrytsenko", "zhytomyr", "pechersk"}
    early = _profile("early", 0, base + 0.05 * rng.normal(size=DIM), names, 0)
    soon = _profile("soon", 1, base + 0.05 * rng.normal(size=DIM), names, 30)
    assert gap_days(early, soon) == 29
    lines = link_storylines([early, soon], min_cosine=0.8)
    assert list(lines) == [storyline_id_for("early")]
    late = _profile("late", 1, base + 0.05 * rng.normal(size=DIM), names, 2 * NAME_GAP_DAYS + 5)
    assert link_storylines([early, late], min_cosine=0.8) == {}
    richer = names | {"appeal", "kyiv"}  # two gaps of NAME_GAP_DAYS: two more names shared
    early.names, late.names = set(richer), set(richer)
    assert len(link_storylines([early, late], min_cosine=0.8)) == 1


def test_storyline_id_follows_its_oldest_story_whatever_the_input_order():
    rng = np.random.default_rng(3)
    base = rng.normal(size=DIM)
    names = {"varna", "dockers", "strike"}
    profiles = [_profile(f"s{i}", i, base + 0.05 * rng.normal(size=DIM), names, i)
                for i in range(4)]
    forward = link_storylines(profiles, min_cosine=0.8)
    backward = link_storylines(profiles[::-1], min_cosine=0.8)
    assert forward == backward
    assert list(forward) == [storyline_id_for("s0")]
    assert [sid for sid, _ in forward[storyline_id_for("s0")]] == ["s0", "s1", "s2", "s3"]
