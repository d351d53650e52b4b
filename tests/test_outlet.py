"""Outlet names for pages that carry no machine-readable site name: the masthead line of a
plain-text page copy, and the name a page title adds to its headline."""

from __future__ import annotations

import pytest

from wiretrace.lang.titles import site_name_from_title
from wiretrace.metadata.outlet import outlet_from_masthead
from wiretrace.pipeline import process_document
from wiretrace.records import RawDocument


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Dunav Herald", "Dunav Herald"),
        ("Вечерний Харьков | Новости | Город | Спорт", "Вечерний Харьков"),
        ("Portal24 Home » World » Europe", "Portal24"),
        ("Рідне Місто — новини Полтавщини", "Рідне Місто"),
        ("AFP World News", "AFP"),
        ("УКРИНФОРМ", "Ukrinform"),
        ("UA | RU | EN", None),
        ("Главная / Происшествия / Украина", None),
        ("Skip to main content", None),
        ("Пожар в порту! Горят склады с зерном, эвакуированы 40 человек", None),
        ("12.03.2025 14:20", None),
    ],
)
def test_masthead_lines(line, expected):
    assert outlet_from_masthead(line) == expected


@pytest.mark.parametrize(
    "title, headline, expected",
    [
        ("Ferry strike ends after six days - Baltic Courier", "Ferry strike ends after six days",
         "Baltic Courier"),
        ("Северные ведомости | Паром снова ходит", "Паром снова ходит", "Северные ведомости"),
        ("Ferry strike ends - What we know so far", "Ferry strike ends", None),
        ("Ferry strike ends after six days", "Ferry strike ends after six days", None),
        ("Ferry strike ends - Baltic Courier", None, None),
    ],
)
def test_site_name_from_title(title, headline, expected):
    assert site_name_from_title(title, headline) == expected


def _text_doc(text: str) -> RawDocument:
    return RawDocument(
        id="page.txt", source_path="page.txt", kind="text", raw_bytes=text.encode(), text=text
    )


def test_a_text_page_takes_its_outlet_from_the_masthead_line():
    page = (
        "Dunav Herald | News | Region | Sport\n"
        "Ferry traffic on the Danube resumes after six-day strike\n"
        "12.03.2025 14:20 | 1 204 views\n\n"
        "Ferry crossings between Vidin and Calafat resumed on Wednesday after crews ended a "
        "six-day strike over pay, the operator said. The first ferry left Vidin at 6 a.m.\n"
        "The crews accepted a 9 percent rise and a new roster, union leader Petar Ivanov said.\n"
    )
    article = process_document(_text_doc(page))
    assert article.metadata.outlet == "Dunav Herald"
    assert article.metadata.evidence["outlet"].source == "text:masthead"


def test_a_headline_on_the_first_line_is_not_an_outlet():
    page = (
        "Ferry traffic resumes\n\n"
        "Ferry crossings between Vidin and Calafat resumed on Wednesday after crews ended a "
        "six-day strike over pay, the operator said. The first ferry left Vidin at 6 a.m.\n"
        "The crews accepted a 9 percent rise and a new roster, union leader Petar Ivanov said.\n"
    )
    assert process_document(_text_doc(page)).metadata.outlet is None


@pytest.mark.parametrize(
    "line",
    [
        "Current:Home > reviewsFerry traffic on the Danube resumes after six-day strike",
        "You are here: Home » World » Europe",
        "Вы здесь: Главная / Происшествия",
        "Home: News",
    ],
)
def test_a_breadcrumb_trail_names_no_outlet(line):
    assert outlet_from_masthead(line) is None


def test_a_text_page_under_a_breadcrumb_gets_no_outlet_from_it():
    page = (
        "Current:Home > reviewsFerry traffic on the Danube resumes after six-day strike\n"
        "Ferry traffic on the Danube resumes after six-day strike\n"
        "View\n"
        "Date:2025-03-12 14:20:00\n"
        "Ferry crossings between Vidin and Calafat resumed on Wednesday after crews ended a "
        "six-day strike over pay, the operator said. The first ferry left Vidin at 6 a.m.\n"
        "The crews accepted a 9 percent rise and a new roster, union leader Petar Ivanov said.\n"
    )
    meta = process_document(_text_doc(page)).metadata
    assert meta.outlet is None or ("Home" not in meta.outlet and "Current" not in meta.outlet)
