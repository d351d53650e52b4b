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
    messy = "  Dam\u00a0bursts,\n\n villages\tflooded "
    assert normalize_space(messy) == "Dam bursts, villages flooded"


def test_contains_normalized_ignores_reflowed_lines_but_not_words():
    cleaned = "Рятувальники евакуювали\n1 200 мешканців.\n\nРічка вийшла з берегів."
    assert contains_normalized(cleaned, "евакуювали 1 200  мешканців.")
    assert not contains_normalized(cleaned, "евакуювали 12 000 мешканців.")


def test_title_tokens_lowercase_words_across_scripts():
    assert title_tokens("Streik im Hafen: „Wir bleiben!“") == [
        "streik", "im", "hafen", "wir", "bleiben"]
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


def test_bcubed_over_a_subset_keeps_whole_clusters():
    gold = {"a": "g1", "b": "g1", "c": "g1", "d": "g2", "e": "g2"}
    pred = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}
    # c alone: precision 1/3, recall 1/3; d and e: precision 2/3, recall 1
    assert bcubed(pred, gold, items=["c"]).precision == pytest.approx(1 / 3)
    de = bcubed(pred, gold, items=["d", "e", "not-gold"])
    assert (de.precision, de.recall) == (pytest.approx(2 / 3), 1.0)


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


# -- store-level scorers on a tiny hand-built store -------------------------------------------

TINY_TRUTH = {
    "articles": {
        "a1": {"event": "strike", "language": "en", "published": "2025-10-17",
               "title": "Dockers strike in Varna", "outlet": "Port Daily",
               "attributions": ["BTA"], "must_keep": ["Dockers walked out on Friday."],
               "must_remove": ["Share 0 | Reply"]},
        "a2": {"event": "strike", "language": "bg", "published": "2025-10-17",
               "title": "Стачка във Варна", "outlet": "Морски вести", "attributions": ["BTA"],
               "must_keep": ["Докерите излязоха на стачка."], "must_remove": ["Свързани новини"]},
        "a3": {"event": "talks", "language": "en", "published": "2025-11-02",
               "title": "Port talks resume", "outlet": "Port Daily", "attributions": [],
               "must_keep": ["Talks resumed on Sunday, said port chief"], "must_remove": []},
        "a4": {"event": None, "language": "en", "published": "2025-10-18",
               "title": "Weather: rain in Varna", "outlet": "Port Daily", "attributions": [],
               "must_keep": ["Rain is expected."], "must_remove": []},
    },
    "events": {"strike": {"storyline": "port-dispute"}, "talks": {"storyline": "port-dispute"}},
    "entities": [
        {"name": "Stoyan Dimitrov", "variants": ["Stoyan Dimitrov", "Стоян Димитров"],
         "articles": ["a1", "a2"], "distinct_from": ["Petar Dimitrov"]},
        {"name": "Petar Dimitrov", "variants": ["Petar Dimitrov"], "articles": ["a3"],
         "distinct_from": ["Stoyan Dimitrov"]},
    ],
}

TINY_TEXTS = {
    "a1": "Dockers walked out on Friday.\n\nUnion leader Stoyan Dimitrov said so. Share 0 | Reply",
    "a2": "Докерите излязоха\nна стачка. Стоян Димитров го потвърди.",
    "a3": "Talks resumed on Sunday, said port chief Petar Dimitrov.",
    "a4": "Rain is expected.",
}


def _tiny_store(store):
    from wiretrace.records import Article, Attribution, Metadata

    stored = {
        "a1": ("Dockers strike in Varna", "2025-10-17T09:00:00", "en", ["BTA"]),
        "a2": ("Стачка във Варна!", "2025-10-16T23:00:00", "bg", []),
        "a3": ("Port talks resume", "2025-11-02", "en", ["Reuters"]),
        "a4": ("Share 0 | Reply", None, "bg", []),
    }
    for aid, (title, published, language, names) in stored.items():
        metadata = Metadata(title=title, published=published, outlet="Port Daily",
                            attributions=[Attribution(n, n) for n in names])
        store.put_article(Article(
            id=aid, source_path=aid, source_kind="text", content_hash=aid, raw_bytes=b"",
            encoding="utf-8", text=TINY_TEXTS[aid], metadata=metadata, language=language))
    now = "2025-11-03T00:00:00"
    with store.transaction() as conn:
        # a1+a2 one story, a3 its own, a4 (event-less) glued to a3's storyline as well
        for seq, sid in enumerate(("s1", "s3", "s4")):
            conn.execute("INSERT INTO stories(id, seq, created_at, updated_at) VALUES (?,?,?,?)",
                         (sid, seq, now, now))
        for aid, sid in (("a1", "s1"), ("a2", "s1"), ("a3", "s3"), ("a4", "s4")):
            conn.execute("INSERT INTO story_members(story_id, article_id, added_at) VALUES (?,?,?)",
                         (sid, aid, now))
        conn.execute("INSERT INTO storylines(id, created_at, updated_at) VALUES ('l1', ?, ?)",
                     (now, now))
        for sid in ("s1", "s3", "s4"):
            conn.execute("INSERT INTO storyline_members(storyline_id, story_id) VALUES ('l1', ?)",
                         (sid,))
        # both Dimitrovs in one entity: a wrong merge of distinct people
        conn.execute("INSERT INTO entities(id, name, type, key, article_count, mention_count, "
                     "updated_at) VALUES ('dimitrov', 'Dimitrov', 'person', 'dimitrov', 3, 3, ?)",
                     (now,))
        for surface in ("Stoyan Dimitrov", "Petar Dimitrov"):
            conn.execute("INSERT INTO entity_variants(entity_id, surface, count) VALUES "
                         "('dimitrov', ?, 1)", (surface,))
        for aid, surface in (("a1", "Stoyan Dimitrov"), ("a3", "Petar Dimitrov")):
            start = TINY_TEXTS[aid].index(surface)
            conn.execute('INSERT INTO mentions(article_id, entity_id, start, "end", surface, type) '
                         "VALUES (?, 'dimitrov', ?, ?, ?, 'person')",
                         (aid, start, start + len(surface), surface))
    return store


def test_store_scorers_on_a_hand_built_store(store):
    from wiretrace.evaluation import (
        score_cleaning,
        score_entities,
        score_metadata,
        score_stories,
        score_storylines,
    )

    _tiny_store(store)
    cleaning = score_cleaning(store, TINY_TRUTH)
    assert (cleaning.keep.hits, cleaning.keep.total) == (4, 4)  # a2's sentence spans a newline
    assert (cleaning.remove.hits, cleaning.remove.total) == (1, 2)
    assert cleaning.remove.misses == [("a1", "Share 0 | Reply")]
    assert cleaning.remove.language_share("bg") == 1.0

    metadata = score_metadata(store, TINY_TRUTH)
    assert (metadata.date.hits, metadata.date.total) == (2, 4)  # a2 a day early, a4 undated
    assert metadata.title.hits == 3  # "!" does not matter; a4's title is boilerplate
    assert metadata.language.misses == [("a4", "expected en, got bg")]
    assert metadata.outlet.hits == 3
    # stored (a1, bta), (a3, reuters); truth (a1, bta), (a2, bta)
    assert (metadata.attributions.precision, metadata.attributions.recall) == (0.5, 0.5)

    stories, diagnosis = score_stories(store, TINY_TRUTH)
    assert (stories.precision, stories.recall) == (1.0, 1.0)
    assert not diagnosis.split and not diagnosis.merged

    storylines = score_storylines(store, TINY_TRUTH)
    assert storylines.linked == {"port-dispute": True}
    assert storylines.unrelated == [("l1", "s4")]
    # linked pairs across events: s1-s3 right, s1-s4 and s3-s4 wrong
    assert storylines.pairs.precision == pytest.approx(1 / 3)
    assert storylines.pairs.recall == 1.0

    entities = score_entities(store, TINY_TRUTH)
    assert entities.together == {"Stoyan Dimitrov": False, "Petar Dimitrov": True}
    assert entities.not_found == [("Stoyan Dimitrov", "Стоян Димитров",
                                   "in the text but in no mention")]
    assert entities.apart == {("Petar Dimitrov", "Stoyan Dimitrov"): False}
    # pairs: Stoyan/Стоян (gold, not merged), Stoyan/Petar (merged, wrong), Стоян/Petar (neither)
    assert (entities.pairs.precision, entities.pairs.recall) == (0.0, 0.0)
