"""The language layer's dates: one time-zone rule, and date parsers that never raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.lang.dates import (
    adjacent_days,
    days_apart,
    from_rfc822,
    has_offset,
    parse_instant,
    timestamp,
    to_utc,
)
from wiretrace.metadata.dates import find_dates, parse_date
from wiretrace.similarity.features import extract_dates


def test_an_offset_fixes_the_instant_and_its_absence_reads_as_utc() -> None:
    assert parse_instant("2025-10-17T17:16:00+03:00") == datetime(2025, 10, 17, 14, 16, tzinfo=UTC)
    assert parse_instant("2025-10-17T14:16:00Z") == datetime(2025, 10, 17, 14, 16, tzinfo=UTC)
    assert parse_instant("2025-10-17T14:16:00") == datetime(2025, 10, 17, 14, 16, tzinfo=UTC)
    assert parse_instant("2025-10-17") == datetime(2025, 10, 17, tzinfo=UTC)
    assert parse_instant("2025-10-17T14:16:00 (Kyiv)") == datetime(2025, 10, 17, 14, 16, tzinfo=UTC)
    assert parse_instant("17 October") is None
    assert parse_instant(None) is None


def test_every_reader_places_one_time_at_one_instant() -> None:
    written = "2025-10-17T23:30:00-02:00"
    assert to_utc(written) == "2025-10-18T01:30:00+00:00"
    assert days_apart(written, "2025-10-18T01:30:00") == 0.0
    assert timestamp(written) == timestamp(to_utc(written))
    assert days_apart("2025-10-17", "2025-10-20T12:00:00+00:00") == pytest.approx(3.5)
    assert days_apart("2025-10-17", "not a date") is None


def test_helpers() -> None:
    assert has_offset("2021-10-18T11:30:00-07:00") and has_offset("2021-10-18T11:30:00Z")
    assert not has_offset("2021-10-18T11:30:00") and not has_offset("2021-10-18")
    assert to_utc("2025-10-17") == "2025-10-17"  # a date stays a date
    assert to_utc("2025-10-17T10:00:00") == "2025-10-17T10:00:00"  # local time unknown
    assert adjacent_days("2025-10-17", "2025-10-18") and not adjacent_days("2025-10-17", "x")
    assert from_rfc822("Fri, 17 Oct 2025 14:16:00 +0300") == "2025-10-17T14:16:00+03:00"
    assert from_rfc822("yesterday") == "yesterday"


def test_month_names_come_from_the_language_files() -> None:
    # Turkish and Hungarian have nothing but their language file: parsing follows from it.
    assert parse_date("17 Ekim 2025") == "2025-10-17"
    assert extract_dates("A 17 Ekim tarihinde ve október 18-án") == ["10-17", "10-18"]
    assert extract_dates("17 Октомври, 2025 and October 17") == ["10-17"]
    assert extract_dates("we may 4 times") == []  # "may" is a month only when capitalised
    assert extract_dates("Lesen Sie 3 Artikel") == []  # and Polish "sie" only in lower case
    assert extract_dates("3 sie 2024") == ["08-03"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for value in (parse_instant(text), timestamp(text), days_apart(text, "2025-01-01")):
        assert value is None or isinstance(value, datetime | float)
    assert isinstance(has_offset(text), bool)
    to_utc(text)
    from_rfc822(text)
    parsed = parse_date(text)
    assert parsed is None or parsed[:4].isdigit()
    for found in find_dates(text):
        assert found.value[:4].isdigit()
    assert all(len(d) == 5 for d in extract_dates(text))


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
       st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_written_times_read_back_as_the_same_instant(local: datetime, minutes: int) -> None:
    moment = local.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    written = moment.replace(microsecond=0).isoformat()
    assert parse_instant(written) == moment.replace(microsecond=0)
    assert parse_instant(to_utc(written)) == moment.replace(microsecond=0)
