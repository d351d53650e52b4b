"""Metadata stage: dates in many languages and formats, attributions, datelines, titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiretrace.metadata import (
    canonical_source,
    extract_metadata,
    find_attributions,
    find_dateline,
    find_dates,
    parse_date,
    strip_site_name,
)
from wiretrace.records import CleanedText, RawDocument

META = Path(__file__).resolve().parent / "fixtures" / "meta"


def text_doc(text: str, **fields: str) -> RawDocument:
    return RawDocument(id="t", source_path="t.txt", kind="text", raw_bytes=text.encode(),
                       text=text, fields=dict(fields))


def body_only(raw: str, first: str, last: str) -> CleanedText:
    """The cleaned text a cleaner would return: from the line starting ``first`` to ``last``."""
    lines = raw.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(first))
    end = next(i for i, ln in enumerate(lines) if ln.startswith(last))
    return CleanedText(text="\n\n".join(ln for ln in lines[start:end + 1] if ln.strip()))


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("17 Октомври, 2025 17:16 1 087 22", "2025-10-17T17:16:00"),
        ("13.10.25, 05:58 • 4 210 views", "2025-10-13T05:58:00"),
        ("Date:2025-04-26 07:44:15", "2025-04-26T07:44:15"),
        ("Updated Oct. 17, 2025", "2025-10-17"),
        ("Опубликовано 17 октября 2025 г., 12:30", "2025-10-17T12:30:00"),
        ("12 жовтня 2025 року, 10:15", "2025-10-12T10:15:00"),
        ("Stand: 17. Oktober 2025", "2025-10-17"),
        ("Publié le 3 mars 2024 à 14h05", "2024-03-03T14:05:00"),
        ("Publicado el 5 de octubre de 2025", "2025-10-05"),
        ("Pubblicato il 9 settembre 2025 alle 18:40", "2025-09-09T18:40:00"),
        ("Opublikowano: 17 października 2025, 12:45", "2025-10-17T12:45:00"),
        ("18:09 17.10.2025", "2025-10-17T18:09:00"),
        ("October 17th, 2025 at 3:45 p.m.", "2025-10-17T15:45:00"),
        ("Posted 2025-10-17T08:00:00Z by staff", "2025-10-17T08:00:00+00:00"),
    ],
)
def test_dates_are_isolated_and_parsed_in_situ(written: str, expected: str) -> None:
    found = find_dates(written)
    assert [d.value for d in found] == [expected]


def test_impossible_and_non_dates_are_not_dates() -> None:
    assert find_dates("Score 31.02.2025 was a typo; version 3.14 ships; call 555-12-34") == []
    assert find_dates("He may 2025 be right") == []


def test_slash_order_follows_language() -> None:
    assert find_dates("04/05/2025", language="en")[0].value == "2025-04-05"
    assert find_dates("04/05/2025", language="fr")[0].value == "2025-05-04"
    assert find_dates("25/05/2025", language="en")[0].value == "2025-05-25"


def test_parse_date_of_isolated_strings() -> None:
    assert parse_date("2025-10-17T17:16:00+03:00") == "2025-10-17T17:16:00+03:00"  # offset kept
    assert parse_date("Fri, 17 Oct 2025 10:00:00 GMT") == "2025-10-17T10:00:00"
    assert parse_date("not a date") is None


def test_page_date_on_labelled_line_near_title() -> None:
    raw = (META / "en_wire_repost.txt").read_text(encoding="utf-8")
    cleaned = body_only(raw, "ROTTERDAM", "Port officials")
    meta = extract_metadata(text_doc(raw), cleaned)
    assert meta.published == "2024-11-03T18:20:41"
    assert meta.evidence["published"].text == "2024-11-03 18:20:41"


def test_bulgarian_date_beats_comment_timestamps() -> None:
    raw = (META / "bg_news.txt").read_text(encoding="utf-8")
    cleaned = body_only(raw, "Унгария блокира", "Външните министри")
    meta = extract_metadata(text_doc(raw), cleaned)
    assert meta.published == "2025-10-17T17:16:00"
    assert "Октомври" in meta.evidence["published"].text


def test_teaser_timestamp_glued_to_last_line_is_not_the_page_date() -> None:
    raw = (META / "en_teaser.txt").read_text(encoding="utf-8")
    cleaned = CleanedText(text="\n\n".join(
        ln.split("spring.")[0] + ("spring." if "spring." in ln else "")
        for ln in raw.splitlines() if ln.strip()))
    meta = extract_metadata(text_doc(raw), cleaned)
    assert meta.published is None
    uncleaned = extract_metadata(text_doc(raw), CleanedText(text=raw))
    assert uncleaned.published is None


def test_source_field_outranks_text() -> None:
    raw = (META / "ru_news.txt").read_text(encoding="utf-8")
    meta = extract_metadata(text_doc(raw, published="2025-10-18T09:00:00Z", title="Ставка 16%"),
                            CleanedText(text=raw))
    assert meta.published == "2025-10-18T09:00:00+00:00"
    assert meta.title == "Ставка 16%"
    assert meta.evidence["published"].source == "field:published"


# --- attributions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TALLINN, Estonia (AP) — The president invited the prime minister.", ["AP"]),
        ("Belarus is seeking a thaw with Europe, Reuters reports.", ["Reuters"]),
        ("the official told The Associated Press on Friday.", ["AP"]),
        ("Минск търси диалог, съобщават дипломати, цитирани от \"Ройтерс\".", ["Reuters"]),
        ("Об этом пишет РБК со ссылкой на источники.", ["RBC"]),
        ("По данным ТАСС, заседание пройдет в декабре.", ["TASS"]),
        ("Про це повідомляє Укрінформ з посиланням на Міноборони.", ["Ukrinform"]),
        ("Kyiv wants more air defence, writes UNN.", ["UNN"]),
        ("Das berichtet die Nachrichtenagentur dpa am Montag.", ["dpa"]),
        ("Laut AFP muss der Bundesrat noch zustimmen.", ["AFP"]),
        ("Les trains circuleront dès décembre, selon l'AFP.", ["AFP"]),
        ("СОФИЯ /БТА/. Президентът откри сесията.", ["BTA"]),
        ("according to Interfax-Ukraine, the talks stalled.", ["Interfax-Ukraine"]),
        ("Two diplomats, in a comment to Reuters, called it a ploy.", ["Reuters"]),
        ("Source: Ukrinform", ["Ukrinform"]),
    ],
)
def test_attributions_with_canonical_names(text: str, expected: list[str]) -> None:
    assert [a.name for a in find_attributions(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Reuters, the news unit of Thomson Reuters, cut 200 jobs on Tuesday.",
        "Thomson Reuters shares rose 3% in Toronto.",
        "Снимка: БГНЕС/ЕРА",
        "Photo: AP",
        "A Reuters/Ipsos poll found support slipping.",
        "Компания «Интерфакс» в этом году отметила тридцатилетие.",
        "Bloomberg Philanthropies funded the study.",
        "The AP stylebook allows the abbreviation.",
    ],
)
def test_mentions_without_cue_are_not_attributions(text: str) -> None:
    assert find_attributions(text) == []


def test_attribution_offsets_point_into_cleaned_text() -> None:
    text = "Lead paragraph.\n\nMinsk sent invitations, according to Reuters, in September."
    (attribution,) = find_attributions(text)
    assert text[attribution.start:attribution.end] == "Reuters"
    assert attribution.kind == "agency"


def test_company_fixture_has_no_attribution() -> None:
    raw = (META / "en_company.txt").read_text(encoding="utf-8")
    meta = extract_metadata(text_doc(raw), CleanedText(text=raw))
    assert meta.attributions == []
    assert meta.published == "2025-11-05"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("ru_news.txt", ["RBC", "TASS"]),
        ("uk_news.txt", ["Ukrinform", "Reuters", "UNIAN"]),
        ("de_news.txt", ["dpa", "Reuters", "AFP"]),
        ("bg_news.txt", ["Reuters", "AFP"]),
    ],
)
def test_fixture_attributions(fixture: str, expected: list[str]) -> None:
    raw = (META / fixture).read_text(encoding="utf-8")
    meta = extract_metadata(text_doc(raw), CleanedText(text=raw))
    assert [a.name for a in meta.attributions] == expected


def test_canonical_source_across_scripts() -> None:
    assert canonical_source("Ройтерс") == "Reuters"
    assert canonical_source("Асошиейтед прес") == "AP"
    assert canonical_source("УНІАН") == "UNIAN"
    assert canonical_source("Acme Gazette") is None


# --- datelines, titles, outlet ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("TALLINN, Estonia (AP) — The president of Belarus", "TALLINN, Estonia"),
        ("KYIV, Oct 17 (Reuters) - Ukraine said on Friday", "KYIV"),
        ("BERLIN (dpa) - Der Bundestag hat", "BERLIN"),
        ("МОСКВА, 17 окт — РИА Новости. Президент", "МОСКВА"),
        ("Home > News\nView\nWASHINGTON — The Senate voted", "WASHINGTON"),
    ],
)
def test_datelines(text: str, place: str) -> None:
    dateline = find_dateline(text)
    assert dateline is not None and dateline.place == place


@pytest.mark.parametrize(
    "text", ["NATO said on Friday - that it would", "US President Donald Trump — who", "UN: talks"]
)
def test_sentence_starts_are_not_datelines(text: str) -> None:
    assert find_dateline(text) is None


@pytest.mark.parametrize(
    ("title", "kwargs", "expected"),
    [
        ("Belarus leader asks Orban to visit | AP News", {}, "Belarus leader asks Orban to visit"),
        ("Lukashenko seeks way out - RBC-Ukraine", {"url": "https://newsukraine.rbc.ua/news/1"},
         "Lukashenko seeks way out"),
        ("Sport: Ukraine wins the cup - BBC Sport", {"site_names": ["BBC Sport"]},
         "Sport: Ukraine wins the cup"),
        ("Der Spiegel | Politik » Merz will Reform", {}, "Merz will Reform"),
        ("Ukraine - Russia talks resume in Istanbul", {}, "Ukraine - Russia talks resume in Istanbul"),
        ("Le Courrier du Sud :: La SNCF annonce de nouveaux trains de nuit", {},
         "La SNCF annonce de nouveaux trains de nuit"),
    ],
)
def test_site_names_are_stripped_from_titles(title: str, kwargs: dict, expected: str) -> None:
    assert strip_site_name(title, **kwargs) == expected


def test_outlet_and_author_fall_back_to_url_and_byline() -> None:
    raw = "Council backs cycling plan\nBy Jane Okafor\nThe council voted 7-2 on Monday."
    doc = text_doc(raw, url="https://www.millbrook-gazette.example/news/1")
    meta = extract_metadata(doc, CleanedText(text="The council voted 7-2 on Monday."))
    assert meta.outlet == "millbrook-gazette.example"
    assert meta.author == "Jane Okafor"
    assert meta.url == "https://www.millbrook-gazette.example/news/1"


def test_date_line_offered_as_title_is_rejected_for_the_headline_above() -> None:
    raw = (META / "bg_news.txt").read_text(encoding="utf-8")
    cleaned = body_only(raw, "Унгария блокира", "Външните министри")
    cleaned.title = "17 Октомври, 2025 17:16   2 341   14"
    meta = extract_metadata(text_doc(raw), cleaned)
    assert meta.title == "Унгария отказа да подкрепи новите санкции срещу Русия"


def test_headline_repeated_without_site_name_wins_and_body_sentences_never_do() -> None:
    raw = (META / "en_wire_repost.txt").read_text(encoding="utf-8")
    meta = extract_metadata(text_doc(raw), body_only(raw, "ROTTERDAM", "Port officials"))
    assert meta.title == "Dockworkers in Rotterdam end strike after pay deal"
    teaser = (META / "en_teaser.txt").read_text(encoding="utf-8")
    assert extract_metadata(text_doc(teaser), CleanedText(text=teaser)).title is None


def test_credit_after_dateline_dash_is_an_attribution() -> None:
    text = "МОСКВА, 17 окт — РИА Новости. Президент подписал указ.\n\nВторой абзац."
    meta = extract_metadata(text_doc(text), CleanedText(text=text))
    assert meta.dateline == "МОСКВА"
    (credit,) = meta.attributions
    assert credit.name == "RIA Novosti" and text[credit.start:credit.end] == "РИА Новости"
    plain = "WASHINGTON — The Senate voted on Tuesday."
    assert extract_metadata(text_doc(plain), CleanedText(text=plain)).attributions == []


# --- machine-readable date against the date shown under the headline ----------------------

KOMBUCHA_BODY = (
    "Kombucha starts with sweet black tea, a little vinegar and a living culture that turns "
    "sugar into a tart, lightly fizzy drink within a week or two.\n\n"
    "Keep the jar out of direct sunlight, cover it with a cloth and taste it every few days "
    "until the balance of sweet and sour suits you."
)


def html_page_meta(date_lines: str, published: str, source: str = "meta:article:published_time",
                   modified: str | None = None) -> tuple[RawDocument, CleanedText, dict]:
    """A page whose ``source`` says ``published`` and whose header shows ``date_lines``."""
    page_text = (
        "Home\nFood & Drink\nHow to Brew Kombucha at Home\nBy Marta Ilić\n"
        f"{date_lines}\n{KOMBUCHA_BODY.replace(chr(10) * 2, chr(10))}\n"
        "More stories\nJanuary 2, 2019\nFermenting vegetables: a beginner's guide"
    )
    page = {"dates": [(source, published)], "page_text": page_text, "modified": modified,
            "h1": "How to Brew Kombucha at Home", "title": "How to Brew Kombucha at Home"}
    doc = RawDocument(id="k", source_path="k.html", kind="html", raw_bytes=b"", html="")
    return doc, CleanedText(text=KOMBUCHA_BODY), page


@pytest.mark.parametrize(
    ("date_lines", "published", "expected"),
    [
        # the shown date is an update when its label sits on the line above
        ("Last updated:\nMarch 3, 2025", "2023-06-01T08:00:00+00:00", "2023-06-01"),
        ("Zuletzt aktualisiert am\n3. März 2025", "2023-06-01T08:00:00+00:00", "2023-06-01"),
        # an unlabelled shown date is what the page claims
        ("March 3, 2025", "2023-06-01T08:00:00+00:00", "2025-03-03"),
        # one day apart: the same moment in another time zone, the exact value stays
        ("July 4, 2025", "2025-07-05T00:04:00Z", "2025-07-05"),
        # ... unless the page labels its own date as the publication date
        ("Published:\nJuly 4, 2025", "2025-07-05T00:04:00Z", "2025-07-04"),
    ],
)
def test_shown_date_against_meta_date(date_lines: str, published: str, expected: str) -> None:
    doc, cleaned, page = html_page_meta(date_lines, published)
    meta = extract_metadata(doc, cleaned, page_meta=page)
    assert (meta.published or "")[:10] == expected


@pytest.mark.parametrize(
    ("date_lines", "published", "expected"),
    [
        # day-first reading of a month-first date: the machine-readable value settles the order
        ("09.10.2024", "2024-09-10T16:07:00Z", "2024-09-10"),
        ("03/10/2023", "2023-10-03T09:00:00+01:00", "2023-10-03"),
        # a numeric shown date that is no reading of the machine value still wins
        ("09.11.2024", "2024-09-10T16:07:00Z", "2024-11-09"),
    ],
)
def test_shown_numeric_date_read_in_the_wrong_order(date_lines: str, published: str,
                                                     expected: str) -> None:
    doc, cleaned, page = html_page_meta(date_lines, published)
    assert (extract_metadata(doc, cleaned, page_meta=page).published or "")[:10] == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "2025-03-03"),
        ({"url_date": "2023-06-01"}, "2023-06-01"),
        ({"time_elements": [{"text": "2023-06-01T08:00:00+00:00", "hints": "published-on",
                             "distance": 40}]}, "2023-06-01"),
        # a <time> that is not marked as the publication time confirms nothing
        ({"time_elements": [{"text": "2023-06-01T08:00:00+00:00", "hints": "card-date",
                             "distance": 900}]}, "2025-03-03"),
    ],
)
def test_meta_date_confirmed_by_url_or_time_element_beats_shown_date(
        extra: dict, expected: str) -> None:
    doc, cleaned, page = html_page_meta("March 3, 2025", "2023-06-01T08:00:00+00:00")
    meta = extract_metadata(doc, cleaned, page_meta={**page, **extra})
    assert (meta.published or "")[:10] == expected


@pytest.mark.parametrize(
    ("source", "date_lines", "expected"),
    [
        # OpenGraph publication time is set once: a shown update date does not replace it
        ("meta:article:published_time", "Updated March 3, 2025", "2023-06-01"),
        ("meta:article:published_time", "March 3, 2025", "2023-06-01"),
        # schema.org datePublished alone: the date the page shows is the one it claims
        ("jsonld:datePublished", "Updated March 3, 2025", "2025-03-03"),
        ("itemprop:datePublished", "Last updated on\nMarch 3, 2025", "2025-03-03"),
    ],
)
def test_shown_revision_date_against_first_publication_time(source: str, date_lines: str,
                                                            expected: str) -> None:
    doc, cleaned, page = html_page_meta(date_lines, "2023-06-01T08:00:00+00:00", source=source,
                                        modified="2025-03-03T10:00:00+00:00")
    assert (extract_metadata(doc, cleaned, page_meta=page).published or "")[:10] == expected


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        # 22:02 UTC on the 19th is the 19th or the 20th everywhere: the 18th is another day
        ("2025-12-19T22:02:58.705Z", "2025-12-18"),
        # 03:05 UTC on the 19th is still the 18th in California: the exact value stays
        ("2025-12-19T03:05:00+00:00", "2025-12-19"),
        # without a UTC offset one day either side may be a time zone
        ("2025-12-19T22:02:58", "2025-12-19"),
    ],
)
def test_one_day_off_only_when_a_time_zone_can_explain_it(published: str, expected: str) -> None:
    doc, cleaned, page = html_page_meta("Dec 18, 2025", published)
    assert (extract_metadata(doc, cleaned, page_meta=page).published or "")[:10] == expected


def test_month_name_glued_to_the_previous_word() -> None:
    found = find_dates("Mental HealthDECEMBER 22, 2022\nBack to all articlesFebruary 4, 2025")
    assert [d.value for d in found] == ["2022-12-22", "2025-02-04"]
    assert find_dates("Decemberists 4, 2025 tour") == []


def test_dashed_and_year_first_slashed_values() -> None:
    assert parse_date("03-25-2026", language="en") == "2026-03-25"
    assert parse_date("25-03-2026 14:05", language="de") == "2026-03-25T14:05:00"
    assert parse_date("03-09-2026") is None  # March 9 or 3 September: no way to tell
    assert parse_date("2025/12/18") == "2025-12-18"
    assert [d.value for d in find_dates("Posted 2019/1/22 in Reviews")] == ["2019-01-22"]
    # in running text dashes are part numbers and phone numbers as often as dates
    assert find_dates("Call 12-25-2024 for details") == []


def no_meta_page(header: str, footer: str = "") -> tuple[RawDocument, CleanedText, dict]:
    """A page without machine-readable dates: header lines under the headline, then body."""
    headline = "Living in a Tiny House: What Owners Wish They Had Known"
    standfirst = ("Small homes promise lower bills and a simpler life, but buyers often "
                  "underestimate storage, zoning rules and how hard it is to find land that "
                  "allows a dwelling on wheels. We asked owners about their first winter, what "
                  "they would change and what still surprises them.")
    body = ("Ana Petrović moved into her 24-square-metre house outside Ljubljana after selling "
            "a flat she could no longer afford to heat.\n"
            "The first winter taught her to insulate the floor before anything else, she says, "
            "and to keep the composting toilet away from the kitchen corner.")
    page_text = (f"Menu\nHomes\n{headline}\n{standfirst}\nShare this article\nSave\n"
                 f"By Nika Horvat\n{header}\n{body}\n{footer}\nRelated\nMarch 2, 2018\n"
                 "Ten garden sheds")
    cleaned = CleanedText(text="\n\n".join([headline, standfirst, *body.split("\n")]))
    page = {"dates": [], "page_text": page_text, "h1": headline, "title": headline}
    doc = RawDocument(id="t", source_path="t.html", kind="html", raw_bytes=b"", html="")
    return doc, cleaned, page


def test_byline_date_after_headline_and_standfirst_in_cleaned_text() -> None:
    doc, cleaned, page = no_meta_page("Published 9 March 2026")
    assert extract_metadata(doc, cleaned, page_meta=page).published == "2026-03-09"


def test_update_label_gives_way_to_the_other_shown_date() -> None:
    doc, cleaned, page = no_meta_page("DECEMBER 22, 2022 | Updated: JANUARY 02, 2026")
    assert extract_metadata(doc, cleaned, page_meta=page).published == "2022-12-22"
    doc, cleaned, page = no_meta_page("Updated: JANUARY 02, 2026")
    assert extract_metadata(doc, cleaned, page_meta=page).published == "2026-01-02"


@pytest.mark.parametrize(
    "footer",
    ["This article was originally published on\n26 Sep 2019 at 4:12pm and is updated yearly.",
     "Dieser Beitrag wurde ursprünglich veröffentlicht am 26. September 2019."],
)
def test_originally_published_note_gives_the_first_publication(footer: str) -> None:
    doc, cleaned, page = no_meta_page("30 Sep 2022, 11:07am", footer=footer)
    assert (extract_metadata(doc, cleaned, page_meta=page).published or "")[:10] == "2019-09-26"
    doc, cleaned, page = no_meta_page("30 Sep 2022, 11:07am")
    assert (extract_metadata(doc, cleaned, page_meta=page).published or "")[:10] == "2022-09-30"


def test_headline_after_a_disclaimer_in_cleaned_text() -> None:
    doc, cleaned, page = no_meta_page("Updated Sep 17, 2025")
    disclaimer = ("We earn commissions from some partners. This does not influence our "
                  "recommendations, which our editors make independently after testing.")
    page["page_text"] = disclaimer + "\n" + page["page_text"]
    cleaned = CleanedText(text=disclaimer + "\n\n" + cleaned.text)
    assert extract_metadata(doc, cleaned, page_meta=page).published == "2025-09-17"


@pytest.mark.parametrize(
    "h1",
    [
        "Open Menu Close Menu",  # a menu button's label
        "{{ item.title }} Overview",  # a template the scraper saw unrendered
        "Science > Space > Missions",  # a breadcrumb
    ],
)
def test_an_h1_that_is_page_furniture_gives_way_to_the_meta_title(h1):
    from wiretrace.extract.html import extract_html

    html = (
        "<html><head><title>Probe lands on comet after ten-year flight | Orbit Daily</title>"
        '<meta property="og:title" content="Probe lands on comet after ten-year flight">'
        f"</head><body><header><h1>{h1}</h1></header><article>"
        "<p>The probe touched down on the comet's surface on Tuesday, ten years after launch, "
        "mission controllers said, and its first images reached Earth six hours later.</p>"
        "<p>Engineers will spend the coming week checking the lander's instruments before the "
        "drilling experiments begin.</p></article></body></html>"
    )
    _, page = extract_html(html)
    assert page["title"] == "Probe lands on comet after ten-year flight"


def test_a_real_headline_with_a_comparison_sign_is_kept():
    from wiretrace.extract.html import extract_html

    html = (
        "<html><head><title>Orbit Daily</title></head><body><article>"
        "<h1>Why 2 > 1 is harder to prove than you think</h1>"
        "<p>Mathematicians have long argued about how much must be assumed before simple "
        "inequalities can be proved, and a new book revisits the question in detail.</p>"
        "</article></body></html>"
    )
    _, page = extract_html(html)
    assert page["title"] == "Why 2 > 1 is harder to prove than you think"


# --- trustworthy values: UTC times, relative dates, decoded entities -----------------------


def _jsonl_article(tmp_path: Path, record: dict):
    """One record through the real JSONL reader and the whole per-document pipeline."""
    import json

    from wiretrace.pipeline import process_document
    from wiretrace.sources import iter_documents

    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    docs = list(iter_documents([str(path)]))
    assert len(docs) == 1 and isinstance(docs[0], RawDocument), docs
    return process_document(docs[0])


_BODY = ("Ferry crossings between Vidin and Calafat resumed on Wednesday after crews ended a "
         "six-day strike over pay, the operator said. The crews accepted a 9 percent rise.")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2021-10-18T11:30:00-07:00", "2021-10-18T18:30:00+00:00"),
        ("2021-10-18T23:30:00-07:00", "2021-10-19T06:30:00+00:00"),  # the next day in UTC
        ("2021-10-18T11:30:00+0300", "2021-10-18T08:30:00+00:00"),
        ("2021-10-18T11:30:00.250Z", "2021-10-18T11:30:00+00:00"),
        ("2021-10-18T11:30:00", "2021-10-18T11:30:00"),  # no offset: the local time as written
        ("2021-10-18", "2021-10-18"),  # a date stays a date
    ],
)
def test_published_is_converted_to_utc_and_the_offset_kept_in_evidence(written, expected):
    meta = extract_metadata(text_doc(_BODY, published=written), CleanedText(text=_BODY))
    assert meta.published == expected
    assert meta.evidence["published"].text == written


def test_a_page_time_with_an_offset_is_converted_to_utc():
    doc = RawDocument(id="p", source_path="p.html", kind="html", raw_bytes=b"", html="")
    page = {"dates": [("meta:article:published_time", "2025-03-03T10:02:00+02:00")],
            "page_text": "Dam bursts\n" + _BODY, "title": "Dam bursts"}
    meta = extract_metadata(doc, CleanedText(text=_BODY), page_meta=page)
    assert meta.published == "2025-03-03T08:02:00+00:00"
    assert meta.evidence["published"].text == "2025-03-03T10:02:00+02:00"


@pytest.mark.parametrize(
    ("written", "read_at", "expected"),
    [
        ("yesterday", "2021-10-19T08:00:00Z", "2021-10-18"),
        ("Вчера", "2021-10-19T08:00:00+03:00", "2021-10-18"),
        ("vor 2 Tagen", "2021-10-19T08:00:00Z", "2021-10-17"),
        ("3 hours ago", "2021-10-19T08:00:00+02:00", "2021-10-19T03:00:00+00:00"),
        ("преди 2 часа", "2021-10-19T01:00:00Z", "2021-10-18T23:00:00+00:00"),
    ],
)
def test_a_relative_date_is_resolved_against_the_time_the_page_was_read(tmp_path, written, read_at,
                                                                         expected):
    article = _jsonl_article(tmp_path, {"id": "r1", "text": _BODY, "published": written,
                                        "scraped_at": read_at})
    assert article.metadata.published == expected
    evidence = article.metadata.evidence["published"]
    assert written in evidence.text and read_at in evidence.text and evidence.confidence < 1


def test_a_relative_date_without_the_reading_time_is_refused_not_stored(tmp_path):
    article = _jsonl_article(tmp_path, {"id": "r2", "text": _BODY, "published": "yesterday"})
    assert article.metadata.published is None
    evidence = article.metadata.evidence["published"]
    assert "refused" in evidence.source and evidence.text == "yesterday"
    junk = _jsonl_article(tmp_path, {"id": "r3", "text": _BODY, "published": "sometime in spring"})
    assert junk.metadata.published is None


def test_a_refused_field_leaves_the_page_date_to_the_text(tmp_path):
    text = "Ferry traffic resumes\nPublished: 12.03.2025 14:20\n\n" + _BODY
    article = _jsonl_article(tmp_path, {"id": "r4", "text": text, "published": "yesterday"})
    assert article.metadata.published == "2025-03-12T14:20:00"


def test_html_entities_are_decoded_in_every_field(tmp_path):
    article = _jsonl_article(tmp_path, {
        "id": "e1", "text": _BODY, "author": "Maria &amp; Katerina", "title": "Q&amp;A: ferries &#8211; what next",
        "outlet": "Smith &amp;amp; Sons", "url": "https://example.org/a?x=1&amp;y=2",
    })
    meta = article.metadata
    assert meta.author == "Maria & Katerina"
    assert meta.title == "Q&A: ferries – what next"
    assert meta.outlet == "Smith & Sons"
    assert meta.url == "https://example.org/a?x=1&y=2"
    assert meta.evidence["author"].text == "Maria &amp; Katerina"  # the evidence stays as written


def test_the_local_day_of_a_utc_time_is_the_day_the_page_shows():
    from wiretrace.metadata.dates import local_day

    # 18:00 in California on the 12th is 01:00 UTC on the 13th
    assert local_day("2020-04-13T01:00:00+00:00", "2020-04-12T18:00:00-0700") == "2020-04-12"
    assert local_day("2025-12-18T20:04:00+00:00", "2025-12-19T09:04:00+13:00") == "2025-12-19"
    assert local_day("2025-10-17T17:16:00", "17 Октомври, 2025 17:16") == "2025-10-17"
    assert local_day("2025-10-17", "yesterday (read at 2025-10-18)") == "2025-10-17"
    assert local_day(None, None) is None
