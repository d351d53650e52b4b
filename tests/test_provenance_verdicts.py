"""Provenance that does not accuse: verdicts, calibrated edges and what is not evidence.

Independent reports of one event share quotes, names and numbers; an edge needs more (shared
wording outside quotation marks, aligned order, a credit line). These tests cover identical
copies, quotes of the same speaker, an attribution that names a common source, numbers of
different claims, traces over different events, and the calibration helpers. Stories come from
tests/fixtures/provenance (their vectors stored beside them); small texts that only need
verbatim matching are aligned with zero sentence vectors, so no embedding pair can form.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from wiretrace.provenance import trace_story_articles
from wiretrace.provenance.align import Doc, align_pair
from wiretrace.provenance.diff import compare_sentences, number_changes
from wiretrace.provenance.evaluate import apply_platt, fit_logistic, fit_platt, reliability
from wiretrace.provenance.graph import (
    DISPLAY_THRESHOLD,
    Node,
    classify,
    edge_probability,
    evidence_features,
    quoted_tokens,
)
from wiretrace.provenance.offline import article_from_text
from wiretrace.sentences import split_sentences

from .test_provenance import load_story


def _doc(doc_id: str, text: str) -> Doc:
    sentences = split_sentences(text, "en")
    return Doc(doc_id, text, "en", sentences, np.zeros((len(sentences), 384), np.float32))


def _features(source_text: str, target_text: str) -> dict[str, float]:
    source, target = Node(_doc("s", source_text), None), Node(_doc("t", target_text), None)
    alignment = align_pair(source.doc, target.doc)
    quoted = {"s": quoted_tokens(source.doc), "t": quoted_tokens(target.doc)}
    return evidence_features(source, target, alignment, quoted)


QUOTE = (
    '"We will not reopen the line until every bridge on it has been inspected by engineers '
    'from outside the company."'
)


# -- identical copies ---------------------------------------------------------------------


def test_identical_copies_are_a_copy_at_confidence_one():
    articles, reprs = load_story("fire_story")
    original = next(a for a in articles if a.id == "harbour/orig")
    twin = article_from_text(
        "twin/orig", original.text, language=original.language, published=original.published
    )
    reprs = {**reprs, "twin/orig": reprs["harbour/orig"].__class__.of(
        twin,
        reprs["harbour/orig"].sentences,
        reprs["harbour/orig"].sentence_vectors,
        reprs["harbour/orig"].doc_vector,
    )}
    trace = trace_story_articles([original, twin], reprs, "twins")
    assert len(trace["edges"]) == 1
    edge = trace["edges"][0]
    assert edge["kind"] == "copy" and edge["identical"] is True and edge["confidence"] == 1.0
    target = edge["to"]
    assert trace["verdicts"][target] == {
        "verdict": "derived",
        "source": edge["from"],
        "kind": "copy",
        "confidence": 1.0,
        "identical": True,
    }
    assert trace["articles"][target]["added"] == trace["articles"][target]["altered"] == []


@pytest.mark.slow
def test_compare_calls_text_identical_articles_identical(tmp_path):
    from typer.testing import CliRunner

    from wiretrace.cli import app
    from wiretrace.store import open_store

    text = (
        "Rescuers evacuated 1,200 residents from the valley on Tuesday after the river burst "
        "its banks. The mayor said the water had reached the first floors of forty houses."
    )
    store = open_store(tmp_path / "s.db")
    store.put_article(article_from_text("a", text, language="en", published="2025-03-04"))
    # The same text re-posted with other spacing and a changed date: a copy, not two reports.
    store.put_article(article_from_text(
        "b", text.replace(". ", ".\n\n"), language="en", published="2025-11-02"
    ))
    store.put_article(article_from_text(
        "c", text.replace("1,200", "12,000"), language="en", published="2025-03-04"
    ))
    store.close()
    runner = CliRunner()
    same = runner.invoke(app, ["--db", str(tmp_path / "s.db"), "compare", "a", "b", "--json"])
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["identical"] is True
    edited = runner.invoke(app, ["--db", str(tmp_path / "s.db"), "compare", "a", "c", "--json"])
    assert json.loads(edited.stdout)["identical"] is False
    summary = runner.invoke(app, ["--db", str(tmp_path / "s.db"), "compare", "a", "b"])
    assert "identical text" in summary.stdout


REPORT = [
    "The town of Marrow closed its ferry landing on Monday after divers found damage to two of "
    "its wooden piles, the harbour board said.",
    "About 900 passengers use the landing on an average weekday, according to board figures.",
    "Engineers suspect that storm surges may have loosened the piles, a board spokesman said.",
    "The landing was built in 1974 and last repaired in 2009.",
]


def _kind(target_paragraphs: list[str]) -> str:
    source = Node(_doc("s", "\n\n".join(REPORT)), None)
    target = Node(_doc("t", "\n\n".join(target_paragraphs)), None)
    return classify(source, target, align_pair(source.doc, target.doc))[0]


def test_a_copy_in_page_furniture_is_a_copy_and_an_edited_copy_a_rewrite():
    furniture = ["Harbour News | Local", *REPORT, "Read also: new cycle lanes planned for the seafront"]
    assert _kind(furniture) == "copy"
    inserted = [*REPORT[:3], "This shameful neglect shows the board cares nothing for the "
                "islanders who depend on it.", REPORT[3]]
    assert _kind(inserted) == "rewrite"
    edited = [REPORT[0], REPORT[1].replace("900", "9,000"), *REPORT[2:]]
    assert _kind(edited) == "rewrite"


# -- quotes and wording -------------------------------------------------------------------


def test_a_shared_quote_is_marked_and_is_not_shared_wording():
    a = "Rail traffic between the two cities stopped on Monday. The minister said: " + QUOTE
    b = "Commuters faced long bus journeys after the closure. Halden told reporters: " + QUOTE
    features = _features(a, b)
    assert features["unquoted_verbatim"] == 0.0
    assert features["longest_run"] == 0.0
    assert edge_probability(features) < DISPLAY_THRESHOLD
    doc = _doc("b", b)
    mask = quoted_tokens(doc)
    inside = [doc.text[t.start : t.end] for t, q in zip(doc.tokens, mask, strict=True) if q]
    assert inside[0] == "We" and "Commuters" not in inside


def test_shared_wording_outside_quotes_is_evidence():
    shared = (
        "The regional operator suspended all services on the northern line after cracks were "
        "found in the supports of the Velmar viaduct during a routine check on Sunday evening."
    )
    a = shared + " Repairs could take months, the operator said."
    b = shared + " Local shops said they expected fewer visitors."
    features = _features(a, b)
    assert features["unquoted_verbatim"] > 0.5 and features["longest_run"] > 0.9
    assert edge_probability(features) > edge_probability(_features(
        "Rail traffic stopped. " + QUOTE, "Commuters waited. " + QUOTE
    ))


# -- attribution names a common source ----------------------------------------------------


def test_an_attribution_is_a_common_source_not_a_derivation_between_members():
    articles, reprs = load_story("wire_story")
    trace = trace_story_articles(articles, reprs, "wire")
    assert not any(e["from"] in trace["articles"] for e in trace["edges"])
    assert all(e.get("common_source") for e in trace["edges"])
    assert trace["independent"] is True
    for article in articles:
        verdict = trace["verdicts"][article.id]
        assert verdict["verdict"] == "common-source" and verdict["source"] == "Reuters"
        assert verdict["credited"]


def test_a_lone_credit_draws_no_edge_to_an_unrelated_member():
    wire, wire_reprs = load_story("wire_story")
    fire, fire_reprs = load_story("fire_story")
    ukrainian = next(a for a in wire if a.id == "ua/kordon")
    german = next(a for a in fire if a.id == "de/translation")
    trace = trace_story_articles([ukrainian, german], {**wire_reprs, **fire_reprs}, "mixed")
    assert not any(e["from"] in trace["articles"] for e in trace["edges"])
    assert trace["verdicts"]["ua/kordon"]["verdict"] == "common-source"
    assert trace["verdicts"]["de/translation"]["verdict"] == "independent"


# -- numbers of different claims ----------------------------------------------------------


def test_numbers_of_different_claims_are_not_altered():
    deadline = "Lawmakers must agree on funding beyond an Oct. 31 deadline to keep agencies open."
    countdown = "The vote came just 12 days before federal offices would have to close."
    assert number_changes(deadline, countdown, "en", "en") == []
    assert not [
        c for c in compare_sentences(deadline, countdown, "en", "en") if c["what"] == "number"
    ]


def test_a_changed_number_in_the_same_claim_is_altered():
    assert number_changes(
        "Rescuers evacuated 1,200 residents from the valley on Tuesday.",
        "Rescuers evacuated 12,000 residents from the valley on Tuesday.",
        "en",
        "en",
    ) == ["1,200 -> 12,000"]
    # Different wording, the same slot: the word after the figure is the same.
    assert number_changes(
        "The blaze destroyed 40 hectares of pine forest.",
        "Firefighters said about 140 hectares burned.",
        "en",
        "en",
    ) == ["40 -> 140"]


# -- traces over different events ---------------------------------------------------------


def test_a_trace_over_two_events_warns_and_draws_nothing_between_them():
    fire, fire_reprs = load_story("fire_story")
    wire, wire_reprs = load_story("wire_story")
    chosen = [a for a in fire if a.id in ("harbour/orig", "herald/copy", "ru/translation")] + wire
    trace = trace_story_articles(chosen, {**fire_reprs, **wire_reprs}, None, check_events=True)
    assert trace["warnings"] and "different events" in trace["warnings"][0]
    groups = [set(g) for g in trace["events"]]
    assert {"harbour/orig", "herald/copy", "ru/translation"} in groups
    assert {a.id for a in wire} in groups
    fire_ids = {a.id for a in fire}
    for edge in trace["edges"] + trace["hidden_edges"]:
        assert (edge["from"] in fire_ids) == (edge["to"] in fire_ids), edge
    # One event alone: no warning.
    alone = trace_story_articles(wire, wire_reprs, None, check_events=True)
    assert "warnings" not in alone


# -- display threshold and calibration helpers --------------------------------------------


def test_shown_edges_clear_the_threshold_and_the_rest_are_hidden():
    articles, reprs = load_story("fire_story")
    trace = trace_story_articles(articles, reprs, "fire")
    assert all(e["confidence"] >= DISPLAY_THRESHOLD for e in trace["edges"])
    assert all(e["confidence"] < DISPLAY_THRESHOLD for e in trace["hidden_edges"])
    shown = {e["to"] for e in trace["edges"]}
    assert not shown & {e["to"] for e in trace["hidden_edges"]}
    for article_id, verdict in trace["verdicts"].items():
        assert (verdict["verdict"] == "derived") == (article_id in shown)


def test_fit_logistic_recovers_a_known_model_and_ece_reads_it():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=(4000, 2))
    true_w = np.array([4.0, -2.0])
    p = 1 / (1 + np.exp(-(x @ true_w - 1.0)))
    y = (rng.uniform(size=len(p)) < p).astype(float)
    w = fit_logistic(x, y, l2=0.0)
    assert np.allclose(w, [4.0, -2.0, -1.0], atol=0.4)
    ece, table = reliability(p, y)
    assert ece < 0.05 and sum(row[2] for row in table) == len(p)
    overconfident, _ = reliability(np.where(p > 0.5, 0.99, 0.01), y)
    assert overconfident > 0.1


def test_platt_map_recovers_an_overconfident_score():
    rng = np.random.default_rng(3)
    true_p = rng.uniform(0.02, 0.98, size=4000)
    y = (rng.uniform(size=len(true_p)) < true_p).astype(float)
    logit = np.log(true_p / (1 - true_p))
    overconfident = 1 / (1 + np.exp(-2.0 * logit))  # twice the true log-odds
    a, b = fit_platt(overconfident, y)
    assert abs(a - 0.5) < 0.1 and abs(b) < 0.15
    fixed, _ = reliability(apply_platt(overconfident, a, b), y)
    assert fixed < reliability(overconfident, y)[0]
