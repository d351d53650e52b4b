"""The language layer's number parser: every writing convention, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.lang.numbers import (
    ascii_digits,
    format_number,
    multipliers,
    number_values,
    parse_number,
    same_number,
)
from wiretrace.lang.tables import decimal_mark
from wiretrace.provenance.lexicon import extract_numbers as claim_numbers
from wiretrace.similarity.features import extract_numbers as event_numbers


@pytest.mark.parametrize(
    ("raw", "mark", "value"),
    [
        ("35,000", None, 35000.0),
        ("35.000", None, 35000.0),
        ("35 000", None, 35000.0),
        ("35\u202f000", None, 35000.0),
        ("1'234'567", None, 1234567.0),
        ("1,5", None, 1.5),
        ("3.25", None, 3.25),
        ("0.500", None, 0.5),
        ("1.234.567,89", None, 1234567.89),
        ("1,234,567.89", None, 1234567.89),
        ("3.250", ".", 3.25),  # English: a lone decimal point
        ("3.250", ",", 3250.0),  # German: a thousands point
        ("3,250", ",", 3.25),
        ("12%", None, 12.0),
        ("٣٥", None, 35.0),
    ],
)
def test_conventions(raw: str, mark: str | None, value: float) -> None:
    assert parse_number(raw, mark) == pytest.approx(value)


def test_dotted_parts_are_not_one_number() -> None:
    assert parse_number("17.10.2025") is None
    assert number_values("17.10.2025", ",") == [17.0, 10.0, 2025.0]
    assert parse_number("1.2.3") is None


@pytest.mark.parametrize("raw", ["", "abc", "1,,2", ".5.", "12a", "-", "½"])
def test_non_numbers_have_no_value(raw: str) -> None:
    assert number_values(raw) == []
    assert parse_number(raw) is None


def test_language_files_give_the_decimal_mark_and_scale_words() -> None:
    assert decimal_mark("en") == "."
    assert decimal_mark("de") == ","
    assert decimal_mark("xx") == ","  # unknown languages: the comma most of the world writes
    assert multipliers("ru")["тыс."] == 1000
    assert multipliers("de")["millionen"] == 1_000_000
    assert multipliers(None)["万"] == 10_000  # every language's, for cross-lingual features


def test_helpers() -> None:
    assert ascii_digits("٢٠٢٥ and ۱۲") == "2025 and 12"
    assert format_number(35000.0) == "35000"
    assert format_number(1.5) == "1.5"
    assert same_number(1_500_000, 1_505_000)
    assert not same_number(1_200, 12_000)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, ".", ","]))
def test_never_raises_on_arbitrary_text(text: str, mark: str | None) -> None:
    values = number_values(text, mark)
    assert all(isinstance(v, float) for v in values)
    value = parse_number(text, mark)
    assert value is None or isinstance(value, float)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_integers_read_back_in_both_conventions(n: int) -> None:
    english = f"{n:,}"
    german = english.replace(",", ".")
    french = english.replace(",", "\u202f")
    assert parse_number(english, ".") == n
    assert parse_number(german, ",") == n
    assert parse_number(french) == n


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from([None, "en", "de", "ru", "tr", "xx"]))
def test_the_stages_number_readers_never_raise(text: str, language: str | None) -> None:
    numbers, years = event_numbers(text)
    assert all(isinstance(n, str) for n in numbers) and all(isinstance(y, int) for y in years)
    assert all(isinstance(n.value, float) for n in claim_numbers(text, language))


def test_the_stages_agree_on_a_figure_across_conventions() -> None:
    assert event_numbers("35 тыс. человек")[0] == ["35000"]
    assert event_numbers("35.000 Menschen")[0] == ["35000"]
    assert [n.value for n in claim_numbers("35.000 Menschen", "de")] == [35000.0]
    assert [n.value for n in claim_numbers("35 тыс. человек", "ru")] == [35000.0]
    assert [n.value for n in claim_numbers("3.5 million", "en")] == [3_500_000.0]


@pytest.mark.parametrize("text", ["²", "3²", "①", "x⁵"])
def test_digits_without_a_decimal_value_are_not_numbers(text: str) -> None:
    """Superscripts and circled digits pass ``str.isdigit`` but have no decimal value."""
    assert number_values(text) == [] and parse_number(text) is None
