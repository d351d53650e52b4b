"""Manipulation signals: the shipped models, per-paragraph techniques, genre, headlines, the
relative-to-source signals (pure, on trace entries written here), the store and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.signals import (
    GENRES,
    TECHNIQUES,
    analyze_text,
    headline_score,
    paragraph_techniques,
    relative_signals,
)
from wiretrace.signals.model import GENRE_PATH, TECHNIQUES_PATH, genre_model, techniques_model

LOADED = (
    "These spineless traitors and their corrupt puppet masters have once again betrayed the "
    "nation, and only fools still believe a word these liars say."
)
PLAIN = [
    "The regional water authority opened a new pumping station in Tarnow on Monday.",
    "The station can deliver 3,000 cubic metres of water an hour, the authority said in a "
    "statement. Construction began in March last year and cost 11 million zlotys.",
    "The old station, built in 1971, will be dismantled next year.",
]
SOURCE = {
    "id": "src", "language": "en", "title": "Ministry reports troop movements near the border",
    "text": (
        "The ministry said on Tuesday that the neighbouring army had moved tanks and rockets "
        "closer to the border.\n\n"
        "Around 300 soldiers were reportedly seen near the village of Ostrava Mala, according "
        "to local officials.\n\n"
        "The ministry said talks with the neighbour would continue next week."
    ),
}


def _derived(text: str, title: str | None = None) -> dict:
    return {"id": "dst", "language": "en", "title": title or SOURCE["title"], "text": text}


def test_models_ship_small_with_the_semeval_taxonomy():
    model = techniques_model()
    assert model.labels == TECHNIQUES and len(TECHNIQUES) == 23
    assert "Whataboutism" in TECHNIQUES and "Appeal_to_Hypocrisy" in TECHNIQUES
    assert model.weights.shape[1] == 23 and model.thresholds.shape == (23,)
    assert genre_model().labels == GENRES
    assert TECHNIQUES_PATH.stat().st_size + GENRE_PATH.stat().st_size < 5_000_000


def test_loaded_paragraph_gets_techniques_with_span_and_reason():
    text = PLAIN[0] + "\n\n" + LOADED + "\n\n" + PLAIN[2]
    found = paragraph_techniques(text, "en")
    names = {t["name"] for t in found}
    assert names & {"Loaded_Language", "Name_Calling-Labeling"}, found
    loaded_start = text.index(LOADED)
    for t in found:
        assert 0 <= t["start"] < t["end"] <= len(text)
        assert t["reason"]
        assert 0.0 < t["score"] <= 1.0
    assert all(loaded_start <= t["start"] < loaded_start + len(LOADED)
               for t in found if t["name"] in ("Loaded_Language", "Name_Calling-Labeling"))


def test_plain_reporting_carries_no_technique_and_reads_as_reporting_or_low_score():
    found = paragraph_techniques("\n\n".join(PLAIN), "en")
    assert found == [] or max(t["score"] for t in found) < 0.5, found


def test_confidence_is_lower_outside_the_training_languages():
    text = LOADED + "\n\nMore of the same: " + LOADED
    inside = paragraph_techniques(text, "en")
    outside = paragraph_techniques(text, "bg")
    assert inside and outside
    assert all(t["confidence"] == t["score"] for t in inside)
    assert all(t["confidence"] < t["score"] for t in outside)


@pytest.mark.parametrize("language,text", [
    ("en", "The minister lectured us about freedom. But what about the protesters jailed in "
           "his own capital last spring? Double standards, as always."),
    ("fr", "Le ministre nous parle de liberté. Et que dire de ses propres prisons, où les "
           "manifestants attendent leur procès depuis un an ? Deux poids, deux mesures."),
    ("ru", "Министр рассуждает о свободе. А как же протестующие, которых задержали в его "
           "собственной столице? Двойные стандарты, как всегда."),
])
def test_whataboutism_cues_in_several_languages(language, text):
    names = {t["name"] for t in paragraph_techniques(text, language)}
    assert names & {"Whataboutism", "Appeal_to_Hypocrisy"}, names


def test_genre_scores_are_a_distribution():
    result = analyze_text("\n\n".join(PLAIN), "Pumping station opens", "en")
    assert result["genre"] in GENRES
    assert set(result["genre_scores"]) == set(GENRES)
    assert abs(sum(result["genre_scores"].values()) - 1.0) < 0.01
    assert result["genre_scores"][result["genre"]] == max(result["genre_scores"].values())


WIRE_REPORT = (
    "GENEVA, March 3 - The World Meteorological Organization said on Tuesday that average "
    "temperatures in Europe rose by 0.4 degrees last year, according to its annual report.\n\n"
    "The report said rainfall in southern Spain fell 18% below the long-term average. A "
    "spokeswoman for the agency told reporters that the figures would be revised in April.\n\n"
    "The agency said 41 countries had submitted data, up from 36 a year earlier."
)
OPINION_COLUMN = (
    "I have had enough of politicians who lecture us about sacrifice while they fly to their "
    "summits in private jets. Who do they think they are fooling?\n\n"
    "We are told, again and again, that the crisis demands patience. But patience is a luxury "
    "for people who do not have to choose between heating and eating. It is time we said no."
    "\n\nMark my words: this shameful betrayal will not be forgotten at the ballot box."
)


def test_genre_tells_a_wire_report_from_an_opinion_column():
    report = analyze_text(WIRE_REPORT, "Europe warmed 0.4 degrees last year, agency says", "en")
    column = analyze_text(OPINION_COLUMN, "Enough of their hypocrisy", "en")
    assert report["genre"] == "reporting", report["genre_scores"]
    assert column["genre"] == "opinion", column["genre_scores"]
    assert column["genre_scores"]["opinion"] > report["genre_scores"]["opinion"]


def test_genre_rows_are_tfidf_weighted_and_unit_length():
    from wiretrace.signals import features as F

    model = genre_model()
    assert model.idf is not None and model.idf.shape == (model.weights.shape[0],)
    counts = F.genre_counts("A title", WIRE_REPORT)
    row = F.tfidf_row(counts, model.idf)
    assert row and abs(sum(v * v for v in row.values()) - 1.0) < 1e-6
    # buckets no two training articles shared carry no weight and are left out
    assert all(model.idf[k] > 0 for k in row)
    assert len(row) == sum(1 for k in counts if model.idf[k] > 0)
    assert F.tfidf_row({}, model.idf) == {}


def test_sensational_headline_scores_above_a_plain_one():
    body = "\n\n".join(PLAIN)
    plain = headline_score("Tarnow opens new pumping station", body, "en")
    loud = headline_score("SHOCKING! You won't believe what they did to your water…", body, "en")
    assert loud > 0.5 > plain
    assert headline_score(None, body, "en") == 0.0


def test_added_loaded_paragraph_is_reported_relative_to_the_source():
    text = SOURCE["text"] + "\n\n" + LOADED
    start = text.index(LOADED)
    entry = {"source": "src", "kind": "rewrite",
             "added": [{"text": LOADED, "start": start, "end": start + len(LOADED)}],
             "omitted": [], "altered": []}
    rel = relative_signals(entry, SOURCE, _derived(text))
    added = rel["added_techniques"]
    assert added and all(t["kind"] == "added" for t in added)
    assert {t["name"] for t in added} & {"Loaded_Language", "Name_Calling-Labeling"}
    assert all(LOADED in t["text"] for t in added)


def test_neutral_update_is_not_flagged():
    update = ("The ministry added on Wednesday that a second round of talks is planned for "
              "the end of the month in Geneva.")
    text = SOURCE["text"] + "\n\n" + update
    start = text.index(update)
    entry = {"source": "src", "kind": "rewrite",
             "added": [{"text": update, "start": start, "end": start + len(update)}],
             "omitted": [], "altered": []}
    rel = relative_signals(entry, SOURCE, _derived(text))
    assert rel["added_techniques"] == [] and rel["escalations"] == []
    assert rel["dropped_hedges"] == []
    assert rel["headline"]["more_sensational"] is False


def test_escalation_of_weapons_and_numbers_with_both_passages():
    text = (SOURCE["text"]
            .replace("moved tanks and rockets", "moved nuclear rockets")
            .replace("Around 300 soldiers", "Around 3,000 soldiers"))
    rel = relative_signals({"source": "src", "added": [], "omitted": [], "altered": []},
                           SOURCE, _derived(text))
    esc = rel["escalations"]
    assert any("nuclear" in e.get("terms", []) and "tanks and rockets" in e["source_text"]
               for e in esc), esc
    assert any(e.get("numbers") == {"source": 300.0, "derived": 3000.0} for e in esc), esc


def test_dropped_hedge_and_attribution():
    text = SOURCE["text"].replace(
        "Around 300 soldiers were reportedly seen near the village of Ostrava Mala, according "
        "to local officials.", "Around 300 soldiers were seen near the village of Ostrava Mala.")
    rel = relative_signals({"source": "src", "added": [], "omitted": [], "altered": []},
                           SOURCE, _derived(text))
    dropped = {d for h in rel["dropped_hedges"] for d in h["dropped"]}
    assert {"reportedly", "according to"} <= dropped, rel["dropped_hedges"]
    assert all(h["source_text"] and h["text"] for h in rel["dropped_hedges"])


def test_more_sensational_headline_than_the_source():
    rel = relative_signals({"source": "src", "added": [], "omitted": [], "altered": []}, SOURCE,
                           _derived(SOURCE["text"], "WAR IS COMING! Tanks at the border, and "
                                    "this is what they are not telling you"))
    assert rel["headline"]["more_sensational"] is True
    assert rel["headline"]["score"] > rel["headline"]["source_score"]


def test_store_keeps_signals_per_content_and_filters_by_name(store):
    from wiretrace.adapters.signals import article_signals
    from wiretrace.pipeline import ingest
    from wiretrace.store.signals import articles_with_signal

    folder = Path(store.path).parent / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps({
        "id": "opinion-1", "title": "Shameful!", "language": "en",
        "text": PLAIN[0] + "\n\n" + LOADED, "published": "2025-05-01"}) + "\n", encoding="utf-8")
    ingest(store, [str(folder)], run_stages=False)
    first = article_signals(store, "opinion-1", trace=False)
    assert first["names"] and "opinion-1" in articles_with_signal(store, first["names"][0])
    again = article_signals(store, "opinion-1", trace=False)
    assert again == first


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wiretrace", *args], capture_output=True,
                          text=True, timeout=240, input=stdin,
                          env={**os.environ, "COLUMNS": "200"})


def test_cli_texts_reports_bad_lines_and_goes_on(tmp_path):
    path = tmp_path / "texts.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "t1", "text": LOADED, "title": "Traitors!", "language": "en"}),
        "{not json",
        json.dumps({"id": "t2"}),
        json.dumps({"id": 3, "text": "\n\n".join(PLAIN)}),
    ]) + "\n", encoding="utf-8")
    result = _cli("signals", "--texts", str(path))
    assert result.returncode == 1
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["t1", 3]
    for x in lines:
        assert set(x) >= {"id", "genre", "genre_scores", "headline_score", "techniques"}
        for t in x["techniques"]:
            assert t["name"] in TECHNIQUES
            assert set(t) >= {"name", "score", "start", "end", "reason"}
    assert f"{path}:2:" in result.stderr and f"{path}:3:" in result.stderr


def test_cli_texts_reads_consecutive_lines_of_one_article_together(tmp_path):
    from wiretrace.signals import analyze_parts

    parts = [PLAIN[0], LOADED, PLAIN[1]]
    lines = [{"id": f"p{i}", "article": "a1", "text": t, "language": "en"}
             for i, t in enumerate(parts)]
    lines.append({"id": "alone", "article": "a2", "text": LOADED, "language": "en"})
    lines.append({"id": "plain", "text": PLAIN[2], "language": "en"})
    path = tmp_path / "paragraphs.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = _cli("signals", "--texts", str(path))
    assert result.returncode == 0, result.stderr
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in out] == ["p0", "p1", "p2", "alone", "plain"]
    expected = analyze_parts(parts, None, "en")
    joined = analyze_text("\n\n".join(parts), None, "en")
    for x, want, text in zip(out[:3], expected, parts, strict=True):
        assert [t["name"] for t in x["techniques"]] == [t["name"] for t in want["techniques"]]
        for t in x["techniques"]:  # offsets are into the line's own text
            assert 0 <= t["start"] < t["end"] <= len(text)
        assert x["genre"] == joined["genre"]
    # the article's techniques, split by paragraph, are those of the article read whole
    assert sum(len(x["techniques"]) for x in out[:3]) == len(joined["techniques"])
    assert out[1]["techniques"], "the loaded paragraph gets its techniques"
    # another article, and a line without one, are read on their own
    assert out[3]["techniques"] == [
        {k: t[k] for k in ("name", "score", "start", "end", "reason", "confidence")}
        for t in analyze_text(LOADED, None, "en")["techniques"]]
    assert out[4]["genre"] == analyze_text(PLAIN[2], None, "en")["genre"]


def test_cli_texts_rejects_an_article_that_is_not_a_string_or_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "text": LOADED, "article": {"a": 1}}) + "\n",
                    encoding="utf-8")
    result = _cli("signals", "--texts", str(path))
    assert result.returncode == 1 and f"{path}:1:" in result.stderr and "article" in result.stderr


def test_cli_signals_without_store_or_arguments_fails_cleanly(tmp_path):
    result = _cli("--db", str(tmp_path / "none.db"), "signals", "missing-id", "--json")
    assert result.returncode != 0 and "no store" in result.stderr
    result = _cli("signals")
    assert result.returncode == 2


def test_second_stage_features_read_the_other_paragraphs_of_the_article():
    import numpy as np

    from wiretrace.signals.features import STACK_CLIP, stack_features

    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 4))
    z[2, 1] = z[4, 1] = 9.0  # a tie at the top: the other one is still the maximum of others
    s = stack_features(z)
    assert s.shape == (5, 13)
    for i in range(5):
        others = np.delete(z, i, axis=0)
        assert np.allclose(s[i, :4], z[i])
        assert np.allclose(s[i, 4:8], others.mean(axis=0), atol=1e-5)
        assert np.allclose(s[i, 8:12], others.max(axis=0))
        assert np.isclose(s[i, 12], np.log(5))
    alone = stack_features(np.array([[50.0, -1.0]]))
    assert np.allclose(alone[0], [STACK_CLIP, -1.0, 0.0, 0.0, -STACK_CLIP, -STACK_CLIP, 0.0])
