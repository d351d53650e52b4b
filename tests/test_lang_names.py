"""The language layer's name skeleton and matcher: one answer for every stage."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.entities import skeleton
from wiretrace.lang.names import (
    allowed_distance,
    consonant_skeleton,
    gender_clash,
    match_name_keys,
    name_key,
    names_match,
    skeleton_token,
    variant_distance,
    weighted_distance,
)
from wiretrace.similarity.features import extract_names

# Spellings of one name across scripts, transliteration systems, diacritics and case forms.
SAME = [
    ("Лукашенко", "Lukashenka"),
    ("Lukashenko", "Лукашенкой"),
    ("Тихановская", "Tikhanovskaya"),
    ("Амбразевич", "Ambrazevich"),
    ("Szijjártó", "Szijjarto"),
    ("Orbán", "Orban"),
    ("Орбаном", "Orban"),
    ("Будапешт", "Budapest"),
    ("Зеленского", "Zelensky"),
]
DIFFERENT = [("Minsk", "Moscow"), ("Orban", "Urban"), ("Putin", "Poroshenko"), ("Kyiv", "Kharkiv")]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_every_key_agrees_that_variants_are_one_name(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert skeleton(a) == skeleton(b)
    assert consonant_skeleton(a) == consonant_skeleton(b)
    assert names_match(a, b)
    assert variant_distance(a, b) <= allowed_distance(len(skeleton_token(a)))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)
    assert variant_distance(a, b) > allowed_distance(len(skeleton_token(a)))


def test_a_typo_is_near_but_not_the_same_key() -> None:
    assert name_key("Lukasehnko") != name_key("Lukashenko")
    assert names_match("Lukasehnko", "Lukashenka")
    assert weighted_distance(skeleton_token("Lukasehnko"), skeleton_token("Lukashenko")) <= 1.0


def test_multi_word_names_match_on_any_word_and_declension() -> None:
    assert names_match("Sviatlana Tsikhanouskaya", "Светлана Тихановская")
    assert names_match("Житомирській", "Zhytomyr")
    assert not names_match("Minsk", "Moscow")


def test_masculine_and_feminine_surnames_are_two_people() -> None:
    assert gender_clash("Ivanova", "Ivanov")
    assert gender_clash("Kowalska", "Kowalski")
    assert not gender_clash("Ivanov", "Ivanov")


def test_digits_keep_model_names_apart() -> None:
    assert name_key("F-16") != name_key("F-35")
    assert name_key("F-16") == name_key("f16")


def test_similarity_features_use_the_shared_key() -> None:
    names = extract_names(["Президент Лукашенко встретился с Тихановской.",
                           "The meeting, said Lukashenka, was short."])
    assert name_key("Lukashenko") in names
    assert name_key("Tikhanovskaya") in names


def test_name_keys_match_once_and_only_when_close() -> None:
    a = [name_key(n) for n in ("Tsikhanouskaya", "Ambrazevich", "Vilnius", "EU")]
    b = [name_key(n) for n in ("Тихановская", "Амбразевич", "Москва", "EU")]
    matched = dict(match_name_keys(a, b))
    assert matched[name_key("Ambrazevich")] == name_key("Амбразевич")
    assert matched[name_key("Tsikhanouskaya")] == name_key("Тихановская")  # "cih..." ~ "tih..."
    assert matched[name_key("EU")] == name_key("EU")
    assert name_key("Vilnius") not in matched
    assert len(set(matched.values())) == len(matched)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_keys_never_raise_and_are_ascii(text: str) -> None:
    for key in (name_key(text), skeleton(text), consonant_skeleton(text)):
        assert key.isascii()
    assert isinstance(names_match(text, "Lukashenko"), bool)
