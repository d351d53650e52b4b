"""The text cleaner's models are checked against the features the code computes, at load."""

from __future__ import annotations

import pytest

from wiretrace.errors import ModelFeaturesError
from wiretrace.extract import settings, text_model
from wiretrace.extract.text import FEATURE_NAMES, TITLE_FEATURE_NAMES, clean_text, line_features

PAGE = (
    "Home | News | Contact\n\n"
    "Rail strike ends after overnight deal\n\n"
    "Train drivers returned to work on Thursday after the union and the operator agreed a "
    "new shift pattern in talks that ran through the night, both sides said.\n\n"
    "Services on the coastal line will run to the normal timetable from Friday morning.\n\n"
    "Related: Bus fares frozen for a year\n"
)


@pytest.fixture
def shipped_model_file():
    """The shipped model file as read from disk, restored in the loader's cache afterwards."""
    text_model._model.cache_clear()
    yield dict(text_model._data(text_model.MODEL_FILE))
    text_model._model.cache_clear()


def _load_with(monkeypatch: pytest.MonkeyPatch, model: dict) -> None:
    monkeypatch.setattr(text_model, "_data", lambda name: model)
    text_model._model.cache_clear()


def test_the_shipped_models_list_the_features_computed_here(shipped_model_file):
    assert shipped_model_file["features"] == FEATURE_NAMES
    assert shipped_model_file["title_model"]["features"] == TITLE_FEATURE_NAMES
    assert text_model._model() is not None
    _, rows = line_features(PAGE)
    assert rows.shape[1] == len(FEATURE_NAMES)


def test_a_model_with_its_columns_in_another_order_is_refused_at_load(monkeypatch, shipped_model_file):
    swapped = list(FEATURE_NAMES)
    swapped[3], swapped[4] = swapped[4], swapped[3]
    _load_with(monkeypatch, {**shipped_model_file, "features": swapped})
    with pytest.raises(ModelFeaturesError) as caught:
        clean_text(PAGE)
    message = str(caught.value)
    assert "text_model.json" in message and "line model" in message
    assert f"column 3: model {FEATURE_NAMES[4]!r}, computed {FEATURE_NAMES[3]!r}" in message


def test_a_title_model_missing_a_feature_is_refused_naming_it(monkeypatch, shipped_model_file):
    title = dict(shipped_model_file["title_model"])
    title["features"] = [n for n in TITLE_FEATURE_NAMES if n != "urlish"]
    _load_with(monkeypatch, {**shipped_model_file, "title_model": title})
    with pytest.raises(ModelFeaturesError, match="title model.*not in the model: urlish"):
        clean_text(PAGE)


def test_a_model_that_does_not_list_its_features_is_refused(monkeypatch, shipped_model_file):
    _load_with(monkeypatch, {k: v for k, v in shipped_model_file.items() if k != "features"})
    with pytest.raises(ModelFeaturesError, match="does not list the features"):
        clean_text(PAGE)


def test_without_a_model_the_fallback_keeps_prose_of_the_main_block(monkeypatch):
    def missing(name: str) -> dict:
        raise FileNotFoundError(name)

    monkeypatch.setattr(text_model, "_data", missing)
    text_model._model.cache_clear()
    try:
        cleaned = clean_text(PAGE)
    finally:
        text_model._model.cache_clear()
    assert "Train drivers returned to work" in cleaned.text
    assert "Home | News | Contact" not in cleaned.text
    base, prose, inside = settings.FALLBACK_LINE_PROBABILITY
    assert base < settings.DEFAULT_DECODE["outside"] < base + prose + inside


def test_a_headline_glued_to_other_lines_resolves_to_the_longest_whatever_the_set_order():
    from wiretrace.extract.text_rules import _strip_site_parts

    inner = [f"Council approves the {w} budget" for w in
             ("river", "harbour", "school", "library", "tramway", "stadium", "museum", "airport")]
    longest = "Council approves the harbour budget for the coming year"
    candidate = f"{longest} and beyond, officials say"
    others = {*inner, longest, "Council approves the"}
    assert _strip_site_parts(candidate, others) == longest
