"""Corrections over HTTP and in the browser: the REST routes of a server started with
--allow-writes, the refusal of a read-only one, and the forms of the story and entity pages
clicked in headless Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from .test_web_browser import CHROMIUM
from .webserver import running_server

pytestmark = pytest.mark.slow


@pytest.fixture
def db(sample_store_path: Path, tmp_path: Path) -> str:
    copy = tmp_path / "web-corrections.db"
    shutil.copy(sample_store_path, copy)
    return str(copy)


def a_big_story(base: str) -> dict[str, Any]:
    stories = httpx.get(base + "/api/stories", params={"min_size": 4}, timeout=60).json()
    listed = stories["items"]
    return httpx.get(base + "/api/stories/" + quote(listed[0]["id"], safe=""), timeout=120).json()


def members(base: str, story_id: str) -> list[str]:
    r = httpx.get(base + "/api/stories/" + quote(story_id, safe=""), timeout=120)
    assert r.status_code == 200, r.text
    return list(r.json()["articles"])


def test_read_only_server_refuses_corrections_but_lists_them(db: str) -> None:
    with running_server(db) as base:
        r = httpx.post(base + "/api/corrections",
                       json={"action": "delete", "target": "hostile-1"}, timeout=30)
        assert r.status_code == 405
        assert "--allow-writes" in r.json()["detail"]
        r = httpx.post(base + "/api/corrections/1/undo", json={}, timeout=30)
        assert r.status_code == 405
        assert httpx.get(base + "/api/corrections", timeout=30).json() == []
        page = httpx.get(base + "/corrections", timeout=30).text
        assert "--allow-writes" in page
        assert httpx.get(base + "/api/articles/hostile-1", timeout=30).status_code == 200


def test_api_detach_then_undo_on_a_writable_server(db: str) -> None:
    with running_server(db, allow_writes=True) as base:
        story = a_big_story(base)
        member = story["articles"][1]
        r = httpx.post(base + "/api/corrections", timeout=120, json={
            "action": "story-detach", "target": story["id"], "articles": [member],
            "by": "carol", "reason": "another event"})
        assert r.status_code == 200, r.text
        made = r.json()
        assert (made["by"], made["reason"], made["active"]) == ("carol", "another event", True)
        assert member not in members(base, story["id"])
        assert member in members(base, made["new_story"])
        logged = httpx.get(base + "/api/corrections", timeout=30).json()
        assert [c["id"] for c in logged] == [made["id"]]

        # a correction that cannot be is a 400 naming why, and nothing is logged
        r = httpx.post(base + "/api/corrections", timeout=60, json={
            "action": "story-detach", "target": story["id"], "articles": ["no-such-article"]})
        assert r.status_code == 400 and "not in story" in r.json()["detail"]
        r = httpx.post(base + "/api/corrections", timeout=60,
                       json={"action": "rename", "target": story["id"]})
        assert r.status_code == 400 and "story-split" in r.json()["detail"]
        # not JSON: a cross-site form could send this, so it is refused
        r = httpx.post(base + "/api/corrections", timeout=60,
                       content=b"action=delete&target=hostile-1",
                       headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 415
        r = httpx.post(base + "/corrections", timeout=60, data={"action": "delete", "target": "hostile-1"},
                       headers={"origin": "http://evil.example"})
        assert r.status_code == 403
        r = httpx.post(base + "/corrections", timeout=60, data={"action": "delete", "target": "hostile-1"},
                       headers={"sec-fetch-site": "cross-site", "origin": "null"})
        assert r.status_code == 403
        assert httpx.get(base + "/api/articles/hostile-1", timeout=30).status_code == 200
        assert len(httpx.get(base + "/api/corrections", timeout=30).json()) == 1

        r = httpx.post(base + f"/api/corrections/{made['id']}/undo", json={"by": "dave"}, timeout=120)
        assert r.status_code == 200, r.text
        assert r.json()["undone_by"] == "dave" and not r.json()["active"]
        assert member in members(base, story["id"])


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.mark.browser
def test_detach_reject_and_undo_in_the_browser(db: str, browser: Any) -> None:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        with running_server(db, allow_writes=True) as base:
            story = a_big_story(base)
            member = story["articles"][1]
            page.goto(base + "/stories/" + quote(story["id"], safe=""))
            page.locator(f'#split-form input[name="articles"][value="{member}"]').check()
            page.locator('#split-form input[name="reason"]').fill("a teaser of another story")
            page.locator("#detach-button").click()
            page.wait_for_selector("#story-title")
            assert page.locator(f'#members tr[data-article="{member}"]').count() == 0
            assert member not in members(base, story["id"])

            page.goto(base + "/corrections")
            row = page.locator('#corrections tr[data-action="story-detach"]')
            assert row.count() == 1 and "a teaser of another story" in row.inner_text()
            row.locator("button.undo").click()
            page.wait_for_selector("#corrections-title")
            assert "undone" in page.locator('#corrections tr[data-action="story-detach"]').inner_text()
            page.goto(base + "/stories/" + quote(story["id"], safe=""))
            assert page.locator(f'#members tr[data-article="{member}"]').count() == 1

            entities = httpx.get(base + "/api/entities", params={"type": "location"}, timeout=30).json()
            listed = entities["items"]
            entity = next(e for e in listed if len(e["variants"]) >= 3)
            surface = next(v for v in entity["variants"] if v != entity["name"])
            page.goto(base + "/entities/" + quote(entity["id"], safe=""))
            variant = page.locator(f'table.variants tr[data-surface="{surface}"]')
            variant.locator("button.reject").click()
            page.wait_for_selector("#entity-name")
            assert page.locator(f'table.variants tr[data-surface="{surface}"]').count() == 0
            assert page.locator('table.variants tr[data-surface]').count() == len(entity["variants"]) - 1
        with running_server(db) as base:  # read-only: the same pages offer no forms
            page.goto(base + "/stories/" + quote(story["id"], safe=""))
            assert page.locator("#correct-story").count() == 0
            page.goto(base + "/entities/" + quote(entity["id"], safe=""))
            assert page.locator("button.reject").count() == 0
        assert errors == []
    finally:
        ctx.close()
