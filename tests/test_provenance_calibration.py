"""The calibration stories: labelled pairs the edge confidence is fitted and checked on.

tests/fixtures/provenance/calibration_stories.json holds stories written for the project
beside the sample corpus: outlets reporting one event in their own words while quoting the
same official, a police statement several outlets report, a wire-credited report, rewrites in
other words of a report in the collection, a shortened translation and a summary in another
language. ``eval/provenance.py`` refits the edge model on them (with the sample corpus and
AllSides dev) and reports the leave-one-event-out calibration; these tests hold the trace to
their truth. Vectors are stored beside them; regenerate with
``.venv/bin/python -m tests.test_provenance_calibration``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from wiretrace.provenance import trace_story_articles
from wiretrace.provenance.graph import DISPLAY_THRESHOLD, agency_key
from wiretrace.provenance.offline import article_from_item
from wiretrace.records import Article

from .stored_vectors import (
    assert_vectors_match_the_model,
    load_vectors,
    representation,
    save_vectors,
    texts_to_embed,
)

FOLDER = Path(__file__).resolve().parent / "fixtures" / "provenance"
STORIES = FOLDER / "calibration_stories.json"
VECTORS = FOLDER / "calibration_vectors.npz"


def stories() -> tuple[dict[str, list[Article]], list[dict]]:
    data = json.loads(STORIES.read_text(encoding="utf-8"))
    events: dict[str, list[Article]] = defaultdict(list)
    for item in data["articles"]:
        events[item["event"]].append(
            article_from_item(item)
        )
    return dict(events), data["derivations"]


@pytest.fixture(scope="module")
def traces() -> tuple[dict[str, dict], list[dict]]:
    events, derivations = stories()
    table = load_vectors(VECTORS)
    out = {}
    for name, articles in events.items():
        reprs = {a.id: representation(a, table) for a in articles}
        out[name] = trace_story_articles(articles, reprs, name)
    return out, derivations


def _shown_member_edges(trace: dict) -> list[tuple[str, str]]:
    members = set(trace["articles"])
    return [(e["from"], e["to"]) for e in trace["edges"] if e["from"] in members]


def test_same_official_quoted_by_every_outlet_is_independent_coverage(traces):
    # Four outlets (one in German) share the chief executive's quote, the number of homes and
    # the plant's name; none took its report from another.
    trace = traces[0]["kelmouth-boil-water"]
    assert _shown_member_edges(trace) == []
    assert trace["independent"] is True
    assert {v["verdict"] for v in trace["verdicts"].values()} == {"independent"}


def test_outlets_reporting_one_police_statement_are_not_derived_from_each_other(traces):
    trace = traces[0]["ravenholt-bank-raid"]
    assert _shown_member_edges(trace) == []
    wire = trace["verdicts"]["raven/regional-wire"]
    assert wire["verdict"] == "common-source" and agency_key(wire["source"]) == "AP"


def test_every_shown_edge_is_a_true_derivation(traces):
    by_event, derivations = traces
    true = {(d["from"], d["to"]) for d in derivations}
    shown = [
        (e["from"], e["to"], e["confidence"])
        for t in by_event.values()
        for e in t["edges"]
        if e["from"] in t["articles"]
    ]
    assert shown, "the rewrites in other words should be traced"
    assert all(c >= DISPLAY_THRESHOLD for _, _, c in shown)
    assert [s for s in shown if s[:2] not in true] == []


def test_a_rewrite_in_other_words_is_derived_and_an_own_report_is_not(traces):
    trace = traces[0]["larnach-tram-strike"]
    assert trace["verdicts"]["larnach/citizen-blog"]["verdict"] == "derived"
    assert trace["verdicts"]["larnach/citizen-blog"]["source"] == "larnach/herald"
    assert trace["verdicts"]["larnach/weekly"]["verdict"] == "independent"


@pytest.mark.slow
def test_stored_vectors_match_the_model():
    events, _ = stories()
    articles = [a for group in events.values() for a in group]
    assert_vectors_match_the_model(VECTORS, texts_to_embed(articles), samples=6)


if __name__ == "__main__":
    events, _ = stories()
    count = save_vectors(VECTORS, texts_to_embed(a for g in events.values() for a in g))
    print(f"{count} vectors -> {VECTORS}")
