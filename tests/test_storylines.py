"""Storylines: follow-up stories linked by average linkage, with a demand for shared names that
grows with the time between them."""

from __future__ import annotations

import numpy as np

from wiretrace.stories.storylines import (
    NAME_GAP_DAYS,
    StoryProfile,
    date_span,
    gap_days,
    link_storylines,
    name_forms,
    storyline_id_for,
    summarize_storylines,
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


def test_a_storyline_summary_names_its_events_span_and_links():
    """Three events of one situation (2021-08-14, -20, -30) and an unrelated story: the summary
    reads like "Kabul, Taliban: 3 events, Aug 14–31", and each later story says which earlier
    one it continues, with the names they share and the days between them."""
    rng = np.random.default_rng(4)
    base = rng.normal(size=DIM)
    aug14 = 18853.0  # days since the epoch
    shared = {"kabul", "taliban", "ghani"}
    forms = {"kabul": "Kabul", "taliban": "Taliban", "ghani": "Ghani", "airlift": "airlift",
             "isis": "ISIS"}
    stories = [
        _profile("fall", 0, base + 0.05 * rng.normal(size=DIM), set(shared), aug14),
        _profile("airlift", 1, base + 0.05 * rng.normal(size=DIM), shared | {"airlift"},
                 aug14 + 6),
        _profile("blast", 2, base + 0.05 * rng.normal(size=DIM), shared | {"airlift", "isis"},
                 aug14 + 16),
        _profile("other", 3, rng.normal(size=DIM), {"varna", "strike", "kabul"}, aug14 + 1),
    ]
    for p in stories:
        p.forms = {k: forms.get(k, k) for k in p.names}
    profiles = stories + [  # names every story carries are not evidence
        _profile(f"filler{i}", 10 + i, rng.normal(size=DIM), {f"name{i}"}, aug14)
        for i in range(40)
    ]
    lines = link_storylines(profiles, min_cosine=0.8)
    assert len(lines) == 1
    (summary,) = summarize_storylines(profiles, lines).values()
    assert summary.stories == ("fall", "airlift", "blast")
    # the names all three share, the most specific first (another story mentions Kabul)
    assert summary.line() == "Ghani, Taliban, Kabul: 3 events, Aug 14–31"
    links = {e.story: e for e in summary.evidence}
    assert set(links) == {"airlift", "blast"}
    assert links["airlift"].follows == "fall" and links["airlift"].days_apart == 5
    # the blast shares more names with the airlift story than with the fall of the city
    assert links["blast"].follows == "airlift"
    assert set(links["blast"].shared_names) == {"Ghani", "Kabul", "Taliban", "airlift"}
    assert summary.to_dict()["evidence"][0]["shared_names"]


def test_date_spans_read_as_a_person_writes_them():
    day = 86400.0
    aug14 = 18853.0 * day
    assert date_span(aug14, aug14 + 3600) == "Aug 14"
    assert date_span(aug14, aug14 + 17 * day) == "Aug 14–31"
    assert date_span(aug14 + 16 * day, aug14 + 19 * day) == "Aug 30 – Sep 2"
    assert date_span(aug14 + 138 * day, aug14 + 142 * day) == "Dec 30, 2021 – Jan 3, 2022"
    assert date_span(None, aug14) == ""


def test_name_forms_take_the_spelling_most_members_use():
    features = [{"name_forms": {"kyiv": "Kyiv"}}, {"name_forms": {"kyiv": "Kiev"}},
                {"name_forms": {"kyiv": "Kyiv", "lviv": "Lviv"}}]
    assert name_forms(features, {"kyiv"}) == {"kyiv": "Kyiv"}
