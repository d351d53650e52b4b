"""Floors for the relative signals on the sample corpus cases whose answers truth.json states:
an added loaded paragraph, an escalated number with a dropped attribution, a neutral update."""

from __future__ import annotations

import pytest

from wiretrace.adapters.signals import article_signals
from wiretrace.sample import load_truth
from wiretrace.store import open_store

CASES = load_truth()["signals"]


@pytest.fixture(scope="module")
def signals_of(sample_store_path):
    store = open_store(sample_store_path)
    try:
        yield {aid: article_signals(store, aid) for aid in CASES}
    finally:
        store.close()


def test_each_case_is_compared_with_its_source(signals_of):
    truth = load_truth()
    for aid, case in CASES.items():
        rel = signals_of[aid].get("relative")
        assert rel, aid
        # the trace may draw a case from a sibling copy; the source must be of the same event
        assert truth["articles"][rel["source"]]["event"] == truth["articles"][aid]["event"], rel
        assert case["source"] in truth["articles"]


def test_added_loaded_paragraph(signals_of):
    for aid, case in CASES.items():
        if "added_technique_in" not in case:
            continue
        added = signals_of[aid]["relative"]["added_techniques"]
        hits = [t for t in added if case["added_technique_in"] in t["text"]
                and t["name"] in case["techniques_any"]]
        assert hits, (aid, added)
        assert all(t["kind"] == "added" and t["reason"] for t in hits)


def test_escalated_number_and_dropped_attribution(signals_of):
    for aid, case in CASES.items():
        rel = signals_of[aid]["relative"]
        if "escalation" in case:
            want = case["escalation"]
            assert any(want["source_text"] in e["source_text"] and want["text"] in e["text"]
                       and e.get("numbers") for e in rel["escalations"]), rel["escalations"]
        if "dropped_hedge" in case:
            want = case["dropped_hedge"]
            assert any(want["source_text"] in h["source_text"] and want["text"] in h["text"]
                       for h in rel["dropped_hedges"]), rel["dropped_hedges"]


def test_neutral_update_is_not_flagged(signals_of):
    for aid, case in CASES.items():
        if not case.get("neutral"):
            continue
        rel = signals_of[aid]["relative"]
        assert rel["added_techniques"] == [], rel["added_techniques"]
        assert rel["escalations"] == [] and rel["dropped_hedges"] == []
        assert not (rel["headline"] or {}).get("more_sensational")
