"""Credit lines ("Quelle: dpa", "По материалам БТА", a lone "(AFP)") name an article's sources
even when cleaning removed them from the body, and journalists' sign-offs and photo credits
are not taken for sources."""

from __future__ import annotations

import pytest

from wiretrace.metadata.attribution import credit_line_attributions
from wiretrace.pipeline import process_document
from wiretrace.records import RawDocument


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Quelle: dpa, Reuters", [("dpa", "agency"), ("Reuters", "agency")]),
        ("Джерело: Укрінформ", [("Ukrinform", "agency")]),
        ("По материалам ТАСС", [("TASS", "agency")]),
        ("(AFP)", [("AFP", "agency")]),
        ("Źródło: Gazeta Lubuska", [("Gazeta Lubuska", "outlet")]),
        ("Source : Balkan Insight (Sofia)", [("Balkan Insight", "outlet")]),
        ("Източник: Дневник", [("Дневник", "outlet")]),
        ("With reporting by Interfax-Ukraine.", [("Interfax-Ukraine", "agency")]),
        ("With reporting by Hromadske.", [("Hromadske", "outlet")]),
    ],
)
def test_credit_lines_name_their_sources(line, expected):
    found = [(a.name, a.kind) for a in credit_line_attributions([line])]
    assert found == expected


@pytest.mark.parametrize(
    "line",
    [
        "Reporting by Jan Kowalski; Editing by Anna Lee",  # journalists, not sources
        "Fot. PAP/EPA",  # a photo credit
        "Photo: Reuters",
        "Sources said the talks would resume on Monday.",  # prose, not a credit
        "Source: https://example.org/story/123",
        "(Video)",
        "Quelle: " + "Ein sehr langer Satz, der kein Name einer Redaktion ist, sondern Text. " * 2,
    ],
)
def test_lines_that_are_not_credits(line):
    assert credit_line_attributions([line]) == []


def test_a_removed_source_line_still_credits_the_source():
    page = (
        "Startseite > Ausland > Ukraine\n"
        "Gericht friert Vermögen eines Ministers ein\n\n"
        "Ein Kiewer Gericht hat am Mittwoch das Vermögen des Infrastrukturministers eingefroren. "
        "Die Ermittler werfen ihm vor, Geld aus dem Brückenbau abgezweigt zu haben.\n"
        "Der Minister weist die Vorwürfe zurück und spricht von einer politischen Kampagne.\n"
        "Quelle: Kyjiw Monitor\n"
        "Teilen: Facebook | X | E-Mail\n"
    )
    doc = RawDocument(
        id="minister.txt", source_path="minister.txt", kind="text",
        raw_bytes=page.encode(), text=page,
    )
    article = process_document(doc)
    assert "Quelle: Kyjiw Monitor" not in article.text  # page furniture, removed from the body
    assert [(a.name, a.kind) for a in article.metadata.attributions] == [("Kyjiw Monitor", "outlet")]
