"""The web workbench in headless Chromium: what an analyst sees and clicks."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from .webserver import running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def site(sample_store_path):
    with running_server(str(sample_store_path)) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_story_list_then_story_page_with_highlighted_diff(site, page):
    page.goto(site + "/?min_size=2")
    rows = page.locator("#story-list tbody tr")
    assert rows.count() >= 3
    shot(page, "story-list")
    # Open the story with the most languages: the cross-lingual trace is the point.
    links = page.locator("a.story-link")
    best, best_langs = 0, -1
    for i in range(links.count()):
        langs = rows.nth(i).locator("td").nth(2).inner_text()
        n = len([x for x in langs.split(",") if x.strip()])
        if n > best_langs:
            best, best_langs = i, n
    links.nth(best).click()
    page.wait_for_selector("#story-title")
    assert page.locator("svg.graph .node").count() >= 2
    assert page.locator("svg.graph .edge").count() >= 1
    diff = page.locator("#diff")
    assert diff.count() == 1
    highlighted = page.locator("#diff .seg.added, #diff .seg.omitted, #diff .seg.altered, #diff .seg.aligned")
    assert highlighted.count() >= 1
    shot(page, "story-page")
    assert not [e for e in page.errors if "Content Security Policy" in e or "Uncaught" in e], page.errors


def test_entity_page_shows_variants_and_timeline(site, page):
    import httpx

    ents = httpx.get(site + "/api/entities", params={"type": "person", "limit": 200}).json()["items"]
    ent = max(ents, key=lambda e: (len(e["variants"]), len(e["articles"])))
    page.goto(site + "/entities/" + quote(ent["id"], safe=""))
    assert page.inner_text("#entity-name").startswith(ent["name"])
    assert page.locator("table.variants tbody tr").count() == len(ent["variants"])
    shot(page, "entity-page")


def test_article_page_shows_removed_boilerplate_and_evidence(site, page):
    import httpx

    items = httpx.get(site + "/api/articles", params={"limit": 500}).json()["items"]
    art = next(a for a in items if a["id"].endswith(".txt"))
    page.goto(site + "/articles/" + quote(art["id"], safe=""))
    assert page.locator("#article-text p").count() >= 1
    assert page.locator("#removed tbody tr").count() >= 1
    shot(page, "article-page")


def test_hostile_article_renders_as_text_and_runs_nothing(site, page):
    page.goto(site + "/articles/hostile-1")
    title = page.inner_text("#article-title")
    assert "<script>" in title and "onerror" in title
    assert page.evaluate("typeof window.__pwned") == "undefined"
    link = page.locator("#article-text a")
    assert link.count() == 0
    page.goto(site + "/?q=strike")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    shot(page, "hostile-article")
