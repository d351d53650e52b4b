"""Why each article is in its story: the signal that linked it, its score and the member it
linked through, recorded by the clusterer and shown by `stories --json`, the REST API and the
story page."""

from __future__ import annotations

import json
import math
from urllib.parse import quote

import httpx
import numpy as np
import pytest

from wiretrace.adapters.stories import recluster, update_stories
from wiretrace.representations import ArticleRepr
from wiretrace.sentences import Sentence
from wiretrace.stories import SimpleScore, StoryClusterer, story_id_for
from wiretrace.stories.cluster import SIGNALS, p_same

from .test_stories import CachedOnlyBackend, _store_articles
from .webserver import running_server

DIM = 24


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _at_cosine(u: np.ndarray, cos: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector at exactly ``cos`` from the unit vector ``u``."""
    w = rng.normal(size=u.shape[0])
    w = _unit(w - (w @ u) * u)
    return _unit(cos * u + math.sqrt(1.0 - cos * cos) * w)


def _repr(aid: str, vec: np.ndarray, published: str, event: str,
          sentences: list[str] | None = None) -> ArticleRepr:
    sentences = sentences or [f"Report {aid} about {event}.", "A second sentence with details."]
    spans, cursor = [], 0
    for s in sentences:
        spans.append(Sentence(s, cursor, cursor + len(s)))
        cursor += len(s) + 1
    return ArticleRepr(
        id=aid, language="en", published=published, title=f"About {event} ({aid})",
        text=" ".join(sentences), sentences=spans,
        sentence_vectors=np.tile(vec, (len(spans), 1)), doc_vector=vec,
        features={"event": event, "names": []},
    )


def graded_scorer(a: ArticleRepr, b: ArticleRepr) -> SimpleScore:
    """A calibrated scorer whose P(same event) rises with doc cosine: 0.5 at 0.9."""
    cos = float(a.doc_vector @ b.doc_vector)
    p = 1.0 / (1.0 + math.exp(-(cos - 0.9) * 40))
    return SimpleScore(cos, p >= 0.5, p if p >= 0.5 else 1.0 - p)


PARAMS = {"scorer": graded_scorer, "link_probability": 0.02, "center": None}


def two_events(seed: int = 5) -> list[ArticleRepr]:
    """Two events on one day. Event a has four close reports and a fifth, ``a-faint``, that the
    scorer alone gives well under 0.5 against each of them but still above the link threshold."""
    rng = np.random.default_rng(seed)
    ua, ub = _unit(rng.normal(size=DIM)), _unit(rng.normal(size=DIM))
    a = [_repr(f"a{i}", _at_cosine(ua, 0.985, rng), f"2024-05-02T0{i}:00:00+00:00", "a")
         for i in range(4)]
    faint = _repr("a-faint", _at_cosine(ua, 0.86, rng), "2024-05-02T07:00:00+00:00", "a")
    b = [_repr(f"b{i}", _at_cosine(ub, 0.985, rng), f"2024-05-02T0{i}:30:00+00:00", "b")
         for i in range(3)]
    return [*a, faint, *b]


def _check_members(story: dict, reprs: dict[str, ArticleRepr]) -> dict[str, dict]:
    """Every member is explained, founder first; scorer links carry the scorer's own P."""
    members = {m["id"]: m for m in story["members"]}
    assert set(members) == set(story["articles"])
    founders = [m for m in members.values() if m["linked_by"] == "founder"]
    assert [m["id"] for m in founders] == [next(a for a in story["articles"]
                                                if story_id_for(a) == story["id"])]
    for m in members.values():
        assert m["linked_by"] in SIGNALS and m["detail"]
        if m["linked_by"] == "founder" or (m["linked_by"] == "merge" and m["via"] is None):
            # a founder, or the founder of a story merged into this one
            assert m["link_score"] is None and m["via"] is None
            continue
        assert m["via"] in members and m["via"] != m["id"]
        expected = p_same(graded_scorer(reprs[m["id"]], reprs[m["via"]]))
        assert m["link_score"] == pytest.approx(expected, abs=2e-3)  # vectors stored as float16
    return members


def test_clusterer_records_the_signal_and_probability_of_each_link():
    corpus = two_events()
    reprs = {r.id: r for r in corpus}
    clusterer = StoryClusterer(k=8, **PARAMS)
    result = clusterer.fit(corpus)
    assert result["a-faint"] == result["a0"] != result["b0"]
    faint = clusterer.links["a-faint"]
    assert faint.linked_by == "scorer" and faint.via in {"a0", "a1", "a2", "a3"}
    # the link compare would refuse on its own (P < 0.5), confirmed by the story's members
    assert 0.02 <= faint.link_score < 0.5
    assert faint.link_score == pytest.approx(p_same(graded_scorer(reprs["a-faint"],
                                                                  reprs[faint.via])), abs=1e-4)
    assert "confirmed by" in faint.detail and "founder included" in faint.detail
    assert clusterer.links["a0"].linked_by == "founder"
    assert clusterer.links["b0"].linked_by == "founder"


def test_explaining_changes_no_decision_and_calls_the_scorer_no_more():
    """The explanation reads the decision's own notes: same stories, same number of calls as
    a clusterer that is never asked why (the recorded score is the cohesion check's input)."""
    corpus = two_events(seed=9)
    calls: list[tuple[str, str]] = []

    def counting(a: ArticleRepr, b: ArticleRepr) -> SimpleScore:
        calls.append((a.id, b.id))
        return graded_scorer(a, b)

    clusterer = StoryClusterer(k=8, scorer=counting, link_probability=0.02, center=None)
    clusterer.fit(corpus)
    assert clusterer.scorer_calls == len(calls)
    for link in clusterer.links.values():
        if link.linked_by != "founder":
            assert link.score == pytest.approx(
                float(graded_scorer(clusterer._repr(link.article_id),
                                    clusterer._repr(link.via)).similarity))


def test_a_verbatim_repost_says_it_joined_as_a_copy():
    rng = np.random.default_rng(2)
    u = _unit(rng.normal(size=DIM))
    report = ["A ferry ran aground off the northern cape on Sunday night.",
              "All 212 passengers were taken ashore by lifeboats, the coastguard said.",
              "The operator suspended sailings on the route until Wednesday.",
              "Investigators will examine the ship's navigation records."]
    wire = _repr("wire", u, "2024-07-07T22:00:00+00:00", "ferry", report)
    late = _repr("late-copy", _at_cosine(u, 0.99, rng), "2025-01-20T09:00:00+00:00", "ferry",
                 [*report[:3], "Navigation records will be examined by investigators."])
    clusterer = StoryClusterer(k=6, **PARAMS)
    result = clusterer.fit([wire, late])
    assert result["late-copy"] == result["wire"]
    link = clusterer.links["late-copy"]
    assert link.linked_by == "verbatim" and link.via == "wire"
    assert link.link_score == pytest.approx(0.75)  # 3 of 4 sentences identical
    assert "verbatim" in link.detail


def test_stories_json_shows_each_member_and_recluster_recomputes_merges(db_path):
    from typer.testing import CliRunner

    from wiretrace.cli.app import app
    from wiretrace.store import open_store

    corpus = two_events()
    reprs = {r.id: r for r in corpus}
    # Event a arrives as two stories three days apart, then a bridge article merges them.
    rng = np.random.default_rng(3)
    later = [_repr(f"a-late{i}", _at_cosine(corpus[0].doc_vector, 0.99, rng),
                   "2024-05-05T09:00:00+00:00", "a") for i in range(2)]
    bridge = _repr("a-bridge", _at_cosine(corpus[0].doc_vector, 0.995, rng),
                   "2024-05-03T20:00:00+00:00", "a")
    reprs.update({r.id: r for r in [*later, bridge]})
    params = {**PARAMS, "backend": CachedOnlyBackend(), "window_days": 2.5}
    with open_store(db_path) as s:
        _store_articles(s, list(reprs.values()))
        update_stories(s, [r.id for r in [*corpus, *later]], **params)
        update_stories(s, ["a-bridge"], **params)

    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db_path), "stories", "--json", "--min-size", "2"])
    assert result.exit_code == 0, result.output
    stories = {s["id"]: s for s in json.loads(result.stdout)}
    story_a = stories[story_id_for("a0")]
    assert {"id", "title", "articles", "languages", "first_seen", "last_seen"} <= set(story_a)
    assert {"a-faint", "a-late0", "a-late1", "a-bridge"} <= set(story_a["articles"])
    members = _check_members(story_a, reprs)
    assert members["a-faint"]["linked_by"] == "scorer"
    assert members["a-faint"]["link_score"] < 0.5
    late = story_id_for("a-late0")
    for aid in ("a-late0", "a-late1"):  # moved by the merge, their first link kept
        assert members[aid]["linked_by"] == "merge"
        assert late in members[aid]["detail"] and "a-bridge" in members[aid]["detail"]
    assert members["a-bridge"]["linked_by"] in {"scorer", "sure"}
    _check_members(stories[story_id_for("b0")], reprs)

    with open_store(db_path) as s:  # from scratch the late reports join directly: no merge
        recluster(s, **params)
    again = runner.invoke(app, ["--db", str(db_path), "stories", "--json", "--min-size", "2"])
    story_a = {s["id"]: s for s in json.loads(again.stdout)}[story_id_for("a0")]
    members = _check_members(story_a, reprs)
    assert {members[a]["linked_by"] for a in ("a-late0", "a-late1")} <= {"scorer", "sure"}


def test_api_story_record_shows_member_scores_from_a_read_only_server(db_path):
    from wiretrace.store import open_store

    corpus = two_events(seed=7)
    reprs = {r.id: r for r in corpus}
    with open_store(db_path) as s:
        _store_articles(s, corpus)
        update_stories(s, list(reprs), **PARAMS, backend=CachedOnlyBackend())
    with running_server(str(db_path)) as base:
        story = httpx.get(f"{base}/api/stories/{quote(story_id_for('a0'), safe='')}",
                          timeout=30).json()
    members = _check_members(story, reprs)
    assert members["a-faint"]["link_score"] < 0.5 <= max(
        m["link_score"] or 0.0 for m in members.values())
    assert story["link_probability"] == pytest.approx(0.02)
    details = {d["id"]: d["link"] for d in story["article_details"]}
    assert details["a-faint"]["link_score"] == members["a-faint"]["link_score"]


@pytest.mark.slow
def test_story_page_lists_why_each_member_joined(sample_store_path):
    with running_server(str(sample_store_path)) as base, httpx.Client(base_url=base,
                                                                      timeout=120) as client:
        page = client.get("/api/stories", params={"min_size": 3}).json()
        sid = page["items"][0]["id"]
        story = client.get(f"/api/stories/{quote(sid, safe='')}").json()
        html = client.get(f"/stories/{quote(sid, safe='')}").text
    assert "Why these articles" in html
    table = html.split('id="members"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-article=") == len(story["articles"])
    for m in story["members"]:
        assert m["linked_by"] in SIGNALS, m  # the pipeline records every member's signal
        row = table.split(f'data-article="{m["id"]}"', 1)[1].split("</tr>", 1)[0]
        assert m["linked_by"] in row
        if m["link_score"] is not None:
            assert f"{m['link_score']:.2f}" in row


def test_a_drifted_member_says_it_split_off_and_whom_it_joined():
    """A story chained over two events (stored by a looser decision) splits when it grows:
    the members that left say so, the first founds the new story, the next joins it."""
    rng = np.random.default_rng(8)
    ua, ub = _unit(rng.normal(size=DIM)), _unit(rng.normal(size=DIM))
    a = [_repr(f"a{i}", _at_cosine(ua, 0.985, rng), f"2024-03-01T0{i}:00:00+00:00", "a")
         for i in range(3)]
    b = [_repr(f"b{i}", _at_cosine(ub, 0.985, rng), f"2024-03-01T1{i}:00:00+00:00", "b")
         for i in range(2)]
    reprs = {r.id: r for r in a + b}
    chained = story_id_for("a0")
    clusterer = StoryClusterer(**PARAMS, resolve=lambda aid: reprs[aid])
    clusterer.restore([(chained, 0, list(reprs))], {k: r.doc_vector for k, r in reprs.items()},
                      {k: r.published for k, r in reprs.items()})
    [split] = clusterer.split_drifted([chained])
    assert set(split.members) == {"b0", "b1"}
    first, second = clusterer.links["b0"], clusterer.links["b1"]
    assert first.linked_by == second.linked_by == "split"
    assert first.via is None and first.link_score is None and chained in first.detail
    assert second.via == "b0" and second.story_id == story_id_for("b0")
    assert second.link_score == pytest.approx(p_same(graded_scorer(reprs["b1"], reprs["b0"])),
                                              abs=1e-4)
    assert clusterer.links["a1"].linked_by is None  # kept, and not re-explained
