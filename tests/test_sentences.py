"""Sentence segmentation: offsets, abbreviations, quotes, scripts with and without case."""

from __future__ import annotations

import pytest

from wiretrace.sentences import split_sentences


def _texts(text: str, language: str | None = None) -> list[str]:
    sentences = split_sentences(text, language)
    for s in sentences:
        assert text[s.start : s.end] == s.text
    return [s.text for s in sentences]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = (
        "Mr. Orbán met A. Lukashenko in Minsk on Friday. The U.S. State Dept. criticised it. "
        "Talks continue."
    )
    assert _texts(text, "en") == [
        "Mr. Orbán met A. Lukashenko in Minsk on Friday.",
        "The U.S. State Dept. criticised it.",
        "Talks continue.",
    ]


def test_russian_and_bulgarian_abbreviations() -> None:
    assert _texts("Встреча прошла в 2023 г. в Минске. Подробности т.е. детали позже.", "ru") == [
        "Встреча прошла в 2023 г. в Минске.",
        "Подробности т.е. детали позже.",
    ]
    assert _texts("Проф. Иванов каза, че ул. Раковски е затворена. Полицията разследва.", "bg") == [
        "Проф. Иванов каза, че ул. Раковски е затворена.",
        "Полицията разследва.",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = 'He said: "We will not back down." «Это ложь», — ответил он. ¿Y ahora? Nadie sabe.'
    assert _texts(text) == [
        'He said: "We will not back down."',
        "«Это ложь», — ответил он.",
        "¿Y ahora?",
        "Nadie sabe.",
    ]


def test_lower_case_after_a_full_stop_does_not_split() -> None:
    assert len(_texts("The figure rose to 3.5 percent. e.g. in March. it was odd.")) == 1


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("习近平10月17日在北京表示，会议取得成功。他说：“很好。”随后离开！", 3),
        ("قال الرئيس إن الوضع خطير. وأضاف أن الحكومة ستتخذ إجراءات؟ نعم.", 3),
        ("東京で地震があった。被害は小さい。", 2),
    ],
)
def test_scripts_without_case_are_split(text: str, count: int) -> None:
    assert len(_texts(text)) == count


def test_paragraph_breaks_always_split_and_offsets_point_into_the_text() -> None:
    text = "  First paragraph without a stop\n\nSecond one. Third one\nFourth"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "First paragraph without a stop",
        "Second one.",
        "Third one",
        "Fourth",
    ]
    assert sentences[0].start == 2
    assert split_sentences("") == [] and split_sentences(" ... \n -- ") == []
