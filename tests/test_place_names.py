"""A place name written as the first part of an adjective ("New York-based", "Kyiv-born")
is the whole place, not a fragment of it; a name that goes on after a hyphen is one name."""

from __future__ import annotations

import pytest

from wiretrace.entities.recognize import recognize


def places(text: str, language: str = "en") -> list[str]:
    return [m.text for m in recognize(text, language) if m.type == "location"]


@pytest.mark.parametrize("text, place", [
    ("The New York-based group said on Monday that the freighter sank.", "New York"),
    ("Analysts at a New Jersey-based firm said prices would rise.", "New Jersey"),
    ("New York officials said the bridge would reopen on Friday.", "New York"),
    ("A Kyiv-born engineer said the plant was safe.", "Kyiv"),
])
def test_a_place_before_a_hyphenated_adjective_is_kept_whole(text: str, place: str) -> None:
    found = places(text)
    assert place in found, found
    assert "York" not in found and "Jersey" not in found


def test_a_name_continuing_after_a_hyphen_is_not_cut() -> None:
    found = places("Officials in Baden-Württemberg said the plant would close in May.")
    assert "Baden-Württemberg" in found
    assert "Baden" not in found
