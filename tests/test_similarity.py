"""Same-event scoring: cue extraction, margin alignment, the shipped model, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from wiretrace.cli import app
from wiretrace.representations import ArticleRepr
from wiretrace.sentences import Sentence
from wiretrace.similarity import default_model, margin_align, pair_features
from wiretrace.similarity.features import (
    extract_dates,
    extract_names,
    extract_numbers,
    name_key,
    parse_number,
    text_features,
)
from wiretrace.similarity.fit import fit_centering
from wiretrace.similarity.scorer import Centering, match_names

PAIRS_DIR = Path(__file__).resolve().parent / "fixtures" / "pairs"


# -- numbers, dates, names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("35,000", 35000.0),
        ("35 000", 35000.0),
        ("35\u00a0000", 35000.0),
        ("35.000", 35000.0),
        ("1,500", 1500.0),
        ("1.234.567", 1234567.0),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("1,5", 1.5),
        ("3.25", 3.25),
        ("0,125", 0.125),
        ("192.168.1", None),
    ],
)
def test_parse_number_reads_every_separator_convention(raw: str, value: float | None) -> None:
    assert parse_number(raw) == value


def test_numbers_match_across_languages_and_scale_words() -> None:
    texts = [
        "Police said 35,000 people marched; damage was put at $3.5 million.",
        "По данным полиции, в шествии участвовали 35 тыс. человек, ущерб оценён в 3,5 млн долларов.",
        "Według policji w marszu wzięło udział 35 000 osób, a straty wyniosły 3,5 mln dolarów.",
        "Laut Polizei marschierten 35.000 Menschen; der Schaden liegt bei 3,5 Mio. Dollar.",
    ]
    for text in texts:
        numbers, _ = extract_numbers(text)
        assert "35000" in numbers, text
        assert "3500000" in numbers, text


def test_numbers_skip_times_small_integers_and_keep_years_apart() -> None:
    numbers, years = extract_numbers(
        "At 11:15 on 3 trains, 2 officials counted 48 bags in 2023; turnout was 61.5%."
    )
    assert numbers == ["48", "61.5%"]
    assert years == [2023]


def test_dates_are_normalised_across_languages() -> None:
    assert extract_dates("It happened on October 17, 2025.") == ["10-17"]
    assert extract_dates("Это случилось 17 октября 2025 года.") == ["10-17"]
    assert extract_dates("17 Октомври, 2025 17:16") == ["10-17"]
    assert extract_dates("Am 17. Oktober kam es zu Protesten.") == ["10-17"]
    assert extract_dates("el 17 de octubre") == ["10-17"]
    assert extract_dates("10月17日，数千人参加。") == ["10-17"]
    assert extract_dates("Published 2025-10-17, updated 18.10.2025") == ["10-17", "10-18"]
    assert extract_dates("He may 4 times have said so") == []  # "may" needs a day to follow


def test_dates_do_not_double_as_numbers() -> None:
    numbers, _ = extract_numbers("On 17 October 1,200 workers went on strike.")
    assert numbers == ["1200"]


def test_name_keys_meet_across_scripts_and_inflection() -> None:
    variants = ["Лукашенко", "Lukashenko", "Lukashenka", "Лукашенка", "Лукашенкой", "LUKASHENKO"]
    assert len({name_key(v) for v in variants}) == 1
    assert name_key("Szijjártó") == name_key("Szijjarto")
    assert name_key("Orbán") == name_key("Orban")
    assert name_key("Lukashenko") != name_key("Tikhanovskaya")


def test_fuzzy_name_matching_handles_transliteration_schemes() -> None:
    a = [name_key(n) for n in ("Tsikhanouskaya", "Ambrazevich", "Vilnius")]
    b = [name_key(n) for n in ("Тихановская", "Амбразевич", "Москва")]
    matched = match_names(a, b)
    assert len(matched) == 2
    assert name_key("Москва") not in {y for _, y in matched}


def test_names_skip_function_words_and_sentence_initial_common_words() -> None:
    names = extract_names(
        [
            "The EU said on Monday that Alexander Lukashenko must free prisoners.",
            "Lukashenko rejected the demand.",
            "Then the talks ended.",
        ]
    )
    assert {"eu", name_key("Lukashenko"), name_key("Alexander")} <= set(names)
    assert "the" not in names and name_key("Then") not in names
    assert names[name_key("Lukashenko")] == "Lukashenko"


def test_text_features_are_json_serialisable() -> None:
    feats = text_features(
        "Премиерът Роберт Голоб обеща 25 милиона евро помощ на 14 март.", "Голоб в Целе"
    )
    assert json.loads(json.dumps(feats, ensure_ascii=False)) == feats
    assert "25000000" in feats["numbers"] and feats["dates"] == ["03-14"]
    assert name_key("Golob") in feats["names"]


# -- margin alignment (hand-built vectors, no model) -------------------------------------


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_margin_alignment_finds_translations_and_rejects_hubs() -> None:
    rng = np.random.default_rng(7)
    a = _unit(rng.normal(size=(4, 16)))
    # b: the sentences of a reordered and perturbed, plus a "hub" close to all of them,
    # which plain nearest-neighbour search would pair with something.
    hub = _unit(a.sum(axis=0, keepdims=True))
    b = _unit(a[[2, 0, 3, 1]] + 0.1 * rng.normal(size=(4, 16)))
    b = np.vstack([b, hub])
    assert (a @ b.T)[:, 4].max() > 0.4
    pairs = margin_align(a, b, k=4)
    assert {(p.a, p.b) for p in pairs} == {(2, 0), (0, 1), (3, 2), (1, 3)}
    assert all(p.margin > 1.0 for p in pairs)
    assert [p.cosine for p in pairs] == sorted((p.cosine for p in pairs), reverse=True)


def test_margin_alignment_of_unrelated_sets_is_sparse() -> None:
    rng = np.random.default_rng(3)
    a = _unit(rng.normal(size=(6, 64)))
    b = _unit(rng.normal(size=(6, 64)))
    related = margin_align(a, _unit(a + 0.05 * rng.normal(size=a.shape)))
    unrelated = margin_align(a, b)
    assert len(related) == 6
    assert all(p.cosine < 0.6 for p in unrelated)
    assert margin_align(a, np.zeros((0, 64))) == []
    lone = margin_align(a[:1], b[:1])
    assert len(lone) == 1 and lone[0].cosine == pytest.approx(float(a[0] @ b[0]), abs=1e-5)


def _repr(rid: str, sentences: list[str], vectors: np.ndarray, **kw) -> ArticleRepr:
    text = " ".join(sentences)
    sents, pos = [], 0
    for s in sentences:
        sents.append(Sentence(s, pos, pos + len(s)))
        pos += len(s) + 1
    doc = _unit(vectors.sum(axis=0, keepdims=True))[0]
    return ArticleRepr(
        id=rid, language=kw.get("language"), published=kw.get("published"), title=None,
        text=text, sentences=sents, sentence_vectors=vectors, doc_vector=doc,
    )


def test_pair_features_and_evidence_without_a_model() -> None:
    rng = np.random.default_rng(11)
    base = _unit(rng.normal(size=(3, 32)))
    a = _repr("a", ["Лукашенко помиловал 18 заключённых 3 июля.", "Об этом сообщил его пресс-секретарь.",
                    "Ранее Тихановская призывала к освобождению."], base, language="ru")
    b = _repr("b", ["Lukashenka pardoned 18 prisoners on July 3.", "His press office announced it.",
                    "Tsikhanouskaya had called for their release."],
              _unit(base + 0.05 * rng.normal(size=base.shape)), language="en")
    features, evidence = pair_features(a, b)
    assert features["align_share"] == 1.0
    assert evidence["shared_numbers"] == ["18"]
    assert evidence["shared_dates"] == ["07-03"]
    assert any("Лукашенко" in n and "Lukashenka" in n for n in evidence["shared_names"])
    assert evidence["aligned"][0]["a"] in a.text and evidence["aligned"][0]["b"] in b.text


def test_shipped_model_orders_evidence_and_applies_the_time_prior() -> None:
    model = default_model()
    assert 0.0 < model.threshold < 1.0
    strong = {"doc_cos": 0.93, "title_cos": 0.92, "align_share": 0.6, "top_aligned": 0.92,
              "coverage": 0.88, "centroid_cos": 0.97, "same_language": 0.0,
              "name_overlap": 0.6, "number_overlap": 0.4, "date_overlap": 0.3, "days_apart": 1.0,
              "doc_cos_centered": 0.65, "coverage_centered": 0.55}
    weak = {"doc_cos": 0.80, "title_cos": 0.78, "align_share": 0.0, "top_aligned": 0.82,
            "coverage": 0.80, "centroid_cos": 0.90, "same_language": 0.0,
            "name_overlap": 0.0, "number_overlap": 0.0, "date_overlap": 0.0, "days_apart": 1.0,
            "doc_cos_centered": 0.10, "coverage_centered": 0.15}
    assert set(model.features) <= set(strong)
    assert model.similarity(strong) > model.threshold > model.similarity(weak)
    assert model.similarity({**strong, "days_apart": 120.0}) < model.similarity(strong)
    # The same-event decision may use its own combination; it must agree on clear cases.
    assert model.decide(strong, model.similarity(strong)) > 0.5
    assert model.decide(weak, model.similarity(weak)) < 0.5
    if model.decision is not None:
        assert set(model.decision.features) <= set(strong)


def test_centering_removes_the_shared_language_direction() -> None:
    """Two unrelated texts of one language share that language's offset; centering removes it,
    so their cosine drops while a translation-like pair in two languages keeps its match."""
    rng = np.random.default_rng(7)
    offset_en, offset_de = rng.normal(size=16), rng.normal(size=16)
    topic_x, topic_y = rng.normal(size=16), rng.normal(size=16)

    def unit(v: np.ndarray) -> np.ndarray:
        return (v / np.linalg.norm(v)).astype(np.float32)

    table = fit_centering([
        SimpleNamespace(language=lang, doc_vector=unit(3 * off + rng.normal(size=16)),
                        sentence_vectors=np.zeros((0, 16), np.float32))
        for lang, off in [("en", offset_en), ("de", offset_de)] for _ in range(40)
    ])
    assert set(table["doc"]) == {"en", "de"}
    centering = Centering.from_dict(table)
    en_x, en_y = unit(3 * offset_en + topic_x), unit(3 * offset_en + topic_y)
    de_x = unit(3 * offset_de + topic_x)
    raw_same_lang, raw_translation = float(en_x @ en_y), float(en_x @ de_x)
    assert raw_same_lang > raw_translation  # the language offset dominates raw cosines
    c_en_x, c_en_y = centering.center(en_x, "en", "doc"), centering.center(en_y, "en", "doc")
    c_de_x = centering.center(de_x, "de", "doc")
    assert float(c_en_x @ c_de_x) > float(c_en_x @ c_en_y)
    # An unknown language falls back to the global mean rather than failing.
    assert centering.center(en_x, "xx", "doc").shape == (16,)


# -- with the embedding model ------------------------------------------------------------


def _load_pairs(name: str) -> list[dict]:
    """The well-formed pairs of a fixture file (the CLI fixture also has broken lines)."""
    pairs = []
    with (PAIRS_DIR / name).open(encoding="utf-8") as fh:
        for line in fh:
            try:
                pair = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(pair.get("b"), dict) and pair["b"].get("text"):
                pairs.append(pair)
    return pairs


@pytest.fixture(scope="module")
def flood_scores() -> dict[str, object]:
    from wiretrace.similarity import score_texts

    pairs = _load_pairs("floods.jsonl")
    scores = score_texts([(p["a"], p["b"]) for p in pairs])
    return {p["id"]: s for p, s in zip(pairs, scores, strict=True)}


@pytest.mark.slow
def test_same_event_across_languages_beats_same_topic(flood_scores) -> None:
    same = ["celje-en-ru", "celje-en-bg", "celje-ru-bg"]
    different = ["celje-ostrava-en", "celje-en-ostrava-bg", "celje-bg-ostrava-bg"]
    for pid in same:
        assert flood_scores[pid].same_event, pid
    for pid in different:
        assert not flood_scores[pid].same_event, pid
    assert min(flood_scores[p].similarity for p in same) > max(
        flood_scores[p].similarity for p in different
    )
    evidence = flood_scores["celje-en-bg"].evidence
    assert {"3200", "1.5", "25000000"} <= set(evidence["shared_numbers"])
    assert any("Golob" in n for n in evidence["shared_names"])
    assert len(evidence["aligned"]) >= 3


@pytest.mark.slow
def test_compare_pairs_cli_reports_bad_lines_and_scores_the_rest(tmp_path) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "x.db"), "compare", "--pairs", str(PAIRS_DIR / "cli.jsonl")]
    )
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [str(line["id"]) for line in lines] == ["7", "lisbon-tram"]
    by_id = {str(line["id"]): line for line in lines}
    assert by_id["7"]["same_event"] is True
    assert by_id["lisbon-tram"]["same_event"] is False
    assert by_id["7"]["similarity"] > by_id["lisbon-tram"]["similarity"]
    assert "line 2" in result.stderr and "line 3" in result.stderr


@pytest.mark.slow
def test_compare_two_stored_articles_cli(tmp_path) -> None:
    from wiretrace.similarity import article_from_fields
    from wiretrace.store import open_store

    pair = _load_pairs("cli.jsonl")[0]
    db = tmp_path / "s.db"
    store = open_store(db)
    store.put_article(article_from_fields("hu-en", pair["a"]))
    store.put_article(article_from_fields("hu-ru", pair["b"]))
    store.close()
    result = CliRunner().invoke(app, ["--db", str(db), "compare", "hu-en", "hu-ru", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["same_event"] is True and 0.0 <= doc["similarity"] <= 1.0
    assert "1200" in doc["evidence"]["shared_numbers"]
    missing = CliRunner().invoke(app, ["--db", str(db), "compare", "hu-en", "nope"])
    assert missing.exit_code == 1 and "nope" in missing.stderr


def test_time_prior_spares_verbatim_reposts():
    """A copy re-posted months later keeps its score; a different text that far apart does not."""
    from wiretrace.similarity.scorer import default_model

    model = default_model()
    base = {name: 0.9 for name in model.features}
    near = model.similarity({**base, "days_apart": 1.0, "verbatim_share": 0.0})
    repost = model.similarity({**base, "days_apart": 240.0, "verbatim_share": 0.75})
    rewrite = model.similarity({**base, "days_apart": 240.0, "verbatim_share": 0.2})
    assert repost == pytest.approx(near)
    assert rewrite < near / 10
