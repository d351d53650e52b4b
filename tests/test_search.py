"""Article search: any spelling of a name finds every article of that entity, each hit with its
story, snippets and the matches highlighted, under the same filters on the CLI, the API and
the pages."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from wiretrace.cli import app
from wiretrace.store import open_store
from wiretrace.store.reads import SearchPlan, _term_pattern, match_spans, search_plan, snippets

from .webserver import running_server

pytestmark = pytest.mark.slow


def cli(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold())
                   if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def web(sample_store_path: Path) -> Iterator[httpx.Client]:
    with running_server(str(sample_store_path)) as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            yield client


def highlighted(hit: dict[str, Any]) -> list[str]:
    out = [hit["title"][s:e] for s, e in hit["title_highlights"]]
    for snippet in hit["snippets"]:
        out += [snippet["text"][s:e] for s, e in snippet["highlights"]]
    return out


def test_any_spelling_finds_the_same_articles_and_stories(sample_store_path: Path) -> None:
    """The Hrytsenko entity is written Гриценко, Hrytsenko, Hrycenko in the sample corpus."""
    found = {q: cli(sample_store_path, "search", q, "--json", "--limit", "200")
             for q in ("Гриценко", "Hrytsenko", "Hrycenko")}
    stories = {q: {h["story"] for h in r["items"]} for q, r in found.items()}
    articles = {q: {h["id"] for h in r["items"]} for q, r in found.items()}
    assert stories["Hrycenko"] == stories["Гриценко"] == stories["Hrytsenko"]
    assert len(stories["Hrycenko"]) >= 2
    assert articles["Hrycenko"] == articles["Гриценко"] == articles["Hrytsenko"]
    # more than a literal match: the Polish spelling alone is in few of them
    store = open_store(sample_store_path, readonly=True)
    try:
        literal = set(store.search_article_ids("Hrycenko"))
    finally:
        store.close()
    assert literal < articles["Hrycenko"]
    languages = {h["language"] for h in found["Hrycenko"]["items"]}
    assert {"en", "uk", "pl"} <= languages
    assert found["Hrycenko"]["entities"] and "Гриценко" in found["Hrycenko"]["spellings"]


def test_every_hit_has_its_story_and_highlighted_matches(sample_store_path: Path) -> None:
    result = cli(sample_store_path, "search", "Hrycenko", "--json", "--limit", "200")
    stems = ("hrytsenk", "hrycenk", "hryzenk", "gritsenk", "гриценк", "грицен")
    titles = {s["id"]: s["title"] for s in cli(sample_store_path, "stories", "--json")}
    for hit in result["items"]:
        assert hit["story_title"] == titles[hit["story"]]
        assert hit["snippets"] and hit["matches"] >= 1
        marks = highlighted(hit)
        assert marks, hit["id"]
        for mark in marks:
            assert any(stem in fold(mark) for stem in stems), (hit["id"], mark)
        for snippet in hit["snippets"]:
            for start, end in snippet["highlights"]:
                assert 0 <= start < end <= len(snippet["text"])


def test_stories_query_is_entity_aware_like_search(sample_store_path: Path) -> None:
    hits = cli(sample_store_path, "search", "Гриценко", "--json", "--limit", "200")
    listed = cli(sample_store_path, "stories", "-q", "Гриценко", "--json")
    assert {s["id"] for s in listed} == {h["story"] for h in hits["items"]}


def test_free_words_and_accents(sample_store_path: Path) -> None:
    words = cli(sample_store_path, "search", "reservoir dam", "--json")
    assert words["items"] and not words["entities"]
    for hit in words["items"]:
        assert {fold(m)[:9] for m in highlighted(hit)} <= {"reservoir", "dam", "dams"}
    plain = cli(sample_store_path, "search", "Wojcik", "--json")
    assert plain["items"]
    assert any("Wójcik" in m for h in plain["items"] for m in highlighted(h))


def test_filters_apply_to_search_on_cli_and_api(sample_store_path: Path, web: httpx.Client) -> None:
    polish = cli(sample_store_path, "search", "Гриценко", "--lang", "pl", "--json")
    assert polish["items"] and {h["language"] for h in polish["items"]} == {"pl"}
    api = web.get("/api/search", params={"q": "Гриценко", "lang": "pl"}).json()
    assert [a["id"] for a in api["articles"]] == [h["id"] for h in polish["items"]]
    assert web.get("/api/search", params={"q": "x", "lang": "Polish"}).status_code == 422
    dated = cli(sample_store_path, "search", "Гриценко", "--until", "2025-06-30", "--json")
    assert all(h["published"][:10] <= "2025-06-30" for h in dated["items"])
    assert len(dated["items"]) < cli(sample_store_path, "search", "Гриценко", "--json")["total"]


def test_api_search_lists_stories_of_every_match(web: httpx.Client) -> None:
    res = web.get("/api/search", params={"q": "Hrycenko", "limit": 1}).json()
    assert len(res["articles"]) == 1 and res["total"] > 1
    assert len(res["stories"]) >= 2  # the stories of all matches, not of the first page only


def test_search_page_marks_matches_and_escapes_hostile_text(web: httpx.Client) -> None:
    page = web.get("/search", params={"q": "Гриценко"})
    assert page.status_code == 200
    assert page.text.count('class="hit"') >= 2 and "<mark>" in page.text
    assert "Every spelling of" in page.text
    hostile = web.get("/search", params={"q": "strike"})
    assert hostile.status_code == 200 and "Port strike" in hostile.text
    assert "<script>window" not in hostile.text and "onerror=" not in hostile.text.replace(
        "onerror=&#34;", "").replace("onerror=&quot;", "")
    header = web.get("/").text
    assert 'action="/search"' in header and "Search articles" in header
    assert 'name="entity"' in header  # the story list filters by entity too


def test_story_list_page_filters_by_entity_any_spelling(web: httpx.Client) -> None:
    by_cyrillic = web.get("/", params={"entity": "Гриценко"}).text
    by_latin = web.get("/", params={"entity": "Hrytsenko"}).text
    ids = re.compile(r'href="/stories/([^"]+)"')
    assert set(ids.findall(by_cyrillic)) == set(ids.findall(by_latin))
    assert ids.findall(by_cyrillic)


def test_snippets_mark_the_matched_words() -> None:
    text = ("The council met on Monday. " * 6 + "Mayor Ana Núñez said the bridge would reopen. "
            + "Traffic was light. " * 8 + "Núñez added that repairs cost 2 million euros.")

    plan = SearchPlan(q="Nunez bridge", entities=(), spellings=("Nunez bridge",))
    spans = match_spans(text, _term_pattern(plan))
    assert [text[s:e] for s, e in spans] == ["Núñez", "bridge", "Núñez"]
    out = snippets(text, spans)
    assert 1 <= len(out) <= 3
    marked = [sn["text"][s:e] for sn in out for s, e in sn["highlights"]]
    assert marked == ["Núñez", "bridge", "Núñez"]
    assert out[0]["text"].startswith("…")


def test_search_plan_names_entities_only_for_a_whole_name(sample_store_path: Path) -> None:
    store = open_store(sample_store_path, readonly=True)
    try:
        named = search_plan(store, "Гриценко")
        free = search_plan(store, "frozen assets appeal")
    finally:
        store.close()
    assert named.entities and len(named.spellings) > 2
    assert not free.entities and free.spellings == ("frozen assets appeal",)
