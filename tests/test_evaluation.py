"""The scoring helpers score hand-checked examples exactly.

A wrong B-cubed or P/R would make every floor test guard the wrong number, so each helper is
checked on small inputs whose scores were worked out by hand.
"""

from __future__ import annotations

import pytest

from wiretrace.evaluation import (
    bcubed,
    cluster_diagnosis,
    contains_normalized,
    gold_labels,
    normalize_space,
    pair_merge_scores,
    prf,
    set_prf,
    title_tokens,
    titles_match,
)


def test_normalize_space_collapses_newlines_tabs_and_nbsp():
    assert normalize_space("  Dam\u00a0bursts,\n\n villages\tflooded ") == "Dam bursts, villages flooded"


def test_contains_normalized_ignores_reflowed_lines_but_not_words():
    cleaned = "Рятувальники евакуювали\n1 200 мешканців.\n\nРічка вийшла з берегів."
    assert contains_normalized(cleaned, "евакуювали 1 200  мешканців.")
    assert not contains_normalized(cleaned, "евакуювали 12 000 мешканців.")


def test_title_tokens_lowercase_words_across_scripts():
    assert title_tokens("Streik im Hafen: „Wir bleiben!“") == ["streik", "im", "hafen", "wir", "bleiben"]
    assert title_tokens("НБУ знизив облікову ставку до 14,5%") == [
        "нбу", "знизив", "облікову", "ставку", "до", "14", "5"]
    assert title_tokens(None) == []


def test_titles_match_is_exact_on_tokens():
    assert titles_match("Dam bursts — villages flooded", "dam bursts: villages flooded")
    assert not titles_match("Dam bursts, villages flooded", "Dam bursts, village flooded")
    assert not titles_match("Dam bursts", "Dam bursts in Ukraine")
    assert not titles_match("", "")
    assert not titles_match(None, "Dam bursts")


def test_prf_counts_and_empty_conventions():
    score = prf(3, 4, 3, 6)
    assert score.precision == pytest.approx(0.75)
    assert score.recall == pytest.approx(0.5)
    assert score.f1 == pytest.approx(0.6)
    assert prf(0, 0, 0, 5).precision == 1.0
    assert prf(0, 0, 0, 5).recall == 0.0
    assert prf(0, 2, 0, 0).recall == 1.0
    assert prf(0, 2, 0, 3).f1 == 0.0
    with pytest.raises(ValueError):
        prf(3, 2, 3, 5)


def test_set_prf_ignores_duplicates():
    score = set_prf(["Reuters", "AP", "AP", "dpa"], ["Reuters", "BTA"])
    assert (score.precision, score.recall) == (pytest.approx(1 / 3), pytest.approx(0.5))


def test_bcubed_perfect_and_all_in_one():
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    perfect = bcubed({"a": "x", "b": "x", "c": "y", "d": "y"}, gold)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    lumped = bcubed({k: "one" for k in gold}, gold)
    assert lumped.precision == pytest.approx(0.5)
    assert lumped.recall == 1.0


def test_bcubed_known_example():
    # gold {a,b,c} {d,e}; predicted {a,b} {c,d,e}
    # precision per item: a 1, b 1, c 1/3, d 2/3, e 2/3  -> 11/15
    # recall per item:    a 2/3, b 2/3, c 1/3, d 1, e 1  -> 11/15
    gold = {"a": "g1", "b": "g1", "c": "g1", "d": "g2", "e": "g2"}
    pred = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}
    score = bcubed(pred, gold)
    assert score.precision == pytest.approx(11 / 15)
    assert score.recall == pytest.approx(11 / 15)


def test_bcubed_missing_items_are_singletons_and_extra_items_ignored():
    gold = {"a": "g", "b": "g"}
    # b was never clustered; "x" is not in gold and must not dilute a's cluster.
    score = bcubed({"a": 1, "x": 1}, gold)
    assert score.precision == 1.0
    assert score.recall == pytest.approx(0.5)


def test_gold_labels_make_each_none_its_own_cluster():
    labels = gold_labels({"a": "ev", "b": "ev", "c": None, "d": None})
    assert labels["a"] == labels["b"]
    assert labels["c"] != labels["d"]
    lumped = bcubed({"a": 1, "b": 1, "c": 1, "d": 1}, labels)
    # a, b: precision 2/4; c, d: precision 1/4 -> 3/8
    assert lumped.precision == pytest.approx(3 / 8)
    assert lumped.recall == 1.0


def test_cluster_diagnosis_names_splits_and_merges():
    gold = {"a": "dam", "b": "dam", "c": "dam", "d": "fire", "e": "strike"}
    pred = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    diagnosis = cluster_diagnosis(pred, gold)
    assert diagnosis.split == {"dam": [{"a", "b"}, {"c"}]}
    assert diagnosis.merged == {2: {"dam": {"c"}, "fire": {"d"}}}


def test_pair_merge_scores_over_variant_pairs():
    gold = {"Hrytsenko": "O", "Гриценко": "O", "Gritsenko": "O", "Taras Hrytsenko": "T"}
    predicted = {
        "Hrytsenko": ["e1"],
        "Гриценко": ["e1", "e2"],  # sits in two entities, one of them wrong
        "Gritsenko": [],  # never found
        "Taras Hrytsenko": ["e2"],
    }
    score = pair_merge_scores(predicted, gold)
    # merged pairs: (Hrytsenko, Гриценко) right, (Гриценко, Taras Hrytsenko) wrong -> P 1/2
    # gold pairs: the three pairs among O's variants, one of them merged -> R 1/3
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(1 / 3)
