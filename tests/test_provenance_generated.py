"""Generated calibration stories: many labelled pairs for checking the edge confidence.

tests/fixtures/provenance/generated_stories.json is composed by eval/provenance_stories.py
from hand-written sentence banks (eval/provenance_banks.py): invented events reported by
several outlets in several languages, independent reports quoting the same official, cut
copies, light and heavy rewrites, rewrites with a changed number, summaries, translations,
rewrites in another language and outlets crediting a wire. Vectors are stored beside them;
regenerate with ``.venv/bin/python -m tests.test_provenance_generated``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from wiretrace.provenance import trace_story_articles
from wiretrace.provenance.evaluate import (
    LabelledEvent,
    held_out_confidences,
    labelled_event,
    reliability,
    truth_events,
)
from wiretrace.provenance.graph import DISPLAY_THRESHOLD, agency_key, edge_model
from wiretrace.provenance.offline import article_from_item
from wiretrace.provenance.settings import EDGE_MODEL_L2
from wiretrace.records import Article

from .stored_vectors import (
    assert_vectors_match_the_model,
    load_vectors,
    representation,
    save_vectors,
    texts_to_embed,
)

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path(__file__).resolve().parent / "fixtures" / "provenance"
STORIES = FOLDER / "generated_stories.json"
VECTORS = FOLDER / "generated_vectors.npz"
GENERATOR = ROOT / "eval" / "provenance_stories.py"


def generated_stories() -> tuple[dict[str, list[Article]], dict[str, str], list[dict]]:
    """Articles by event, each event's group (its scenario), and the true derivations."""
    data = json.loads(STORIES.read_text(encoding="utf-8"))
    events: dict[str, list[Article]] = defaultdict(list)
    groups: dict[str, str] = {}
    for item in data["articles"]:
        groups[item["event"]] = item["group"]
        events[item["event"]].append(
            article_from_item(item)
        )
    return dict(events), groups, data["derivations"]


@pytest.fixture(scope="module")
def generated() -> tuple[dict[str, list[Article]], dict[str, str], list[dict], dict]:
    events, groups, derivations = generated_stories()
    table = load_vectors(VECTORS)
    reprs = {a.id: representation(a, table) for g in events.values() for a in g}
    return events, groups, derivations, reprs


@pytest.fixture(scope="module")
def traces(generated) -> dict[str, dict]:
    events, _, _, reprs = generated
    return {name: trace_story_articles(arts, reprs, name) for name, arts in events.items()}


def test_the_fixture_is_what_the_generator_writes():
    """The stories are the deterministic output of eval/provenance_stories.py (so anyone can
    read how each text was made, and a change to the banks shows here)."""
    spec = importlib.util.spec_from_file_location("provenance_stories", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules["provenance_stories"] = module  # dataclasses look their module up there
    path = list(sys.path)
    try:
        spec.loader.exec_module(module)
        written = module.generate()
    finally:
        sys.modules.pop("provenance_stories", None)
        sys.modules.pop("provenance_banks", None)
        sys.path[:] = path
    assert written == json.loads(STORIES.read_text(encoding="utf-8"))


def test_the_stories_hold_the_hard_cases(generated):
    events, _, derivations, _ = generated
    kinds = {d["kind"] for d in derivations}
    assert {"partial-copy", "rewrite", "summary", "translation"} <= kinds
    languages = {a.language for g in events.values() for a in g}
    assert languages == {"en", "de", "fr", "es", "ru", "uk", "bg"}
    targets = {d["to"] for d in derivations}
    independent = [a for g in events.values() for a in g if a.id not in targets]
    assert len(independent) >= 100  # originals and independent reports
    assert any(agency_key(d["from"]) for d in derivations)  # outlets crediting a wire


# The shipped edge model was fitted without these stories. Measured when pinned: 166 edges shown
# at the display threshold, 78.3% of them true derivations; 154 articles called independent,
# 83.8% of them rightly. Both are below what the sample corpus gives (0.946, 0.941): the
# generated independent reports tell the same few facts, often in a similar order, from
# sentence banks of six facts. The chain of four followed sentences counts only with exclusive
# material (was 175 shown, 72.6% true, before that gate). Floors pin today's figures so that
# a change that loses more shows.
SHOWN_PRECISION_FLOOR = 0.75
INDEPENDENT_PRECISION_FLOOR = 0.80


def test_shown_edges_are_mostly_right(traces, generated):
    _, _, derivations, _ = generated
    true = {(agency_key(d["from"]) or d["from"], d["to"]) for d in derivations}
    shown = [
        (agency_key(e["from"]) or e["from"], e["to"])
        for t in traces.values()
        for e in t["edges"]
        if e["confidence"] >= DISPLAY_THRESHOLD
    ]
    assert len(shown) >= 100
    right = sum(edge in true for edge in shown)
    assert right / len(shown) >= SHOWN_PRECISION_FLOOR, sorted(set(shown) - true)[:10]


def test_independent_verdicts_are_mostly_right(traces, generated):
    _, _, derivations, _ = generated
    derived = {d["to"] for d in derivations}
    independent = [
        a for t in traces.values() for a, v in t["verdicts"].items() if v["verdict"] == "independent"
    ]
    assert len(independent) >= 100
    wrong = [a for a in independent if a in derived]
    assert 1 - len(wrong) / len(independent) >= INDEPENDENT_PRECISION_FLOOR, wrong[:10]


# -- held-out calibration on the whole labelled set -------------------------------------------

# Measured when pinned (eval/provenance.py, each event's group held out): expected calibration
# error of the confidence the trace shows, on the extended corpus (sample corpus, hand-written
# and generated stories), 0.043 on 316 edges (95% interval over events 0.038-0.086), where a
# perfectly calibrated confidence would average 0.042; precision at the display threshold
# 0.809. Before the followed-sentences rule needed exclusive material: 0.095 and 0.739. Most of
# the edges are on generated stories (265 of 316). This test trains without AllSides dev, so
# its figure differs a little. The ceiling leaves room for noise, not for a regression.
ECE_CEILING = 0.065
HELD_OUT_PRECISION_FLOOR = 0.77


def labelled_set() -> list[LabelledEvent]:
    from .test_provenance_calibration import VECTORS as HAND_VECTORS
    from .test_provenance_calibration import stories
    from .test_provenance_floor import SAMPLE, load_sample
    from .test_provenance_floor import representations as sample_representations

    out = []
    if (SAMPLE / "truth.json").exists():
        truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
        articles = load_sample()
        reprs = sample_representations(articles)
        by_event = truth_events(truth, articles)
        for event, ids in sorted(by_event.items()):
            out.append(labelled_event(
                event, "sample", [articles[i] for i in ids], reprs,
                [d for d in truth["derivations"] if d["to"] in ids],
            ))
    hand, hand_derivations = stories()
    table = load_vectors(HAND_VECTORS)
    for event, members in sorted(hand.items()):
        reprs = {a.id: representation(a, table) for a in members}
        ids = {a.id for a in members}
        out.append(labelled_event(
            f"stories-{event}", "stories", members, reprs,
            [d for d in hand_derivations if d["to"] in ids],
        ))
    events, groups, derivations = generated_stories()
    table = load_vectors(VECTORS)
    for event, members in sorted(events.items()):
        reprs = {a.id: representation(a, table) for a in members}
        ids = {a.id for a in members}
        out.append(labelled_event(
            f"generated-{event}", "generated", members, reprs,
            [d for d in derivations if d["to"] in ids], group=f"generated-{groups[event]}",
        ))
    return out


@pytest.mark.slow
def test_held_out_confidence_is_calibrated():
    """The edge model refitted without each event's group (for generated stories, its whole
    scenario) and the group traced again: the confidences it shows mean what they say."""
    events = labelled_set()
    held = held_out_confidences(events, edge_model()["features"], EDGE_MODEL_L2)
    rows = np.vstack([r for r in held.values() if len(r)])
    ece, table = reliability(rows[:, 0], rows[:, 1])
    assert len(rows) >= 300
    assert ece <= ECE_CEILING, table
    shown = rows[:, 0] >= DISPLAY_THRESHOLD
    assert rows[shown, 1].mean() >= HELD_OUT_PRECISION_FLOOR


@pytest.mark.slow
def test_stored_vectors_match_the_model():
    events, _, _ = generated_stories()
    articles = [a for group in events.values() for a in group]
    assert_vectors_match_the_model(VECTORS, texts_to_embed(articles), samples=6)


if __name__ == "__main__":
    events, _, _ = generated_stories()
    count = save_vectors(VECTORS, texts_to_embed(a for g in events.values() for a in g))
    print(f"{count} vectors -> {VECTORS}")
