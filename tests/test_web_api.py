"""The REST API against a real server on loopback, over the ingested sample corpus."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from .webserver import running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(sample_store_path):
    with running_server(str(sample_store_path)) as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            yield client


def test_openapi_lists_every_endpoint(api):
    spec = api.get("/openapi.json").json()
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/stories/{story_id}/trace",
                 "/api/articles", "/api/articles/{article_id}", "/api/entities",
                 "/api/entities/{entity_id}", "/api/search"):
        assert path in spec["paths"], path


def test_story_list_story_and_trace(api):
    page = api.get("/api/stories", params={"min_size": 2}).json()
    assert page["total"] >= 3
    story = page["items"][0]
    assert {"id", "title", "articles", "languages", "first_seen", "last_seen"} <= set(story)
    assert len(story["articles"]) >= 2
    detail = api.get(f"/api/stories/{quote(story['id'], safe='')}").json()
    assert set(detail["articles"]) == set(story["articles"])
    trace = api.get(f"/api/stories/{quote(story['id'], safe='')}/trace").json()
    assert {"origins", "edges", "articles"} <= set(trace)
    for edge in trace["edges"]:
        assert edge["kind"] in {"copy", "partial-copy", "translation", "rewrite", "summary"}
        assert 0 <= edge["confidence"] <= 1


def test_paging_and_filters(api):
    everything = api.get("/api/articles", params={"limit": 500}).json()
    assert everything["total"] == len(everything["items"])
    first = api.get("/api/articles", params={"limit": 5, "offset": 0}).json()["items"]
    second = api.get("/api/articles", params={"limit": 5, "offset": 5}).json()["items"]
    assert len(first) == 5 and not {a["id"] for a in first} & {a["id"] for a in second}
    ru = api.get("/api/articles", params={"lang": "ru", "limit": 500}).json()
    assert ru["total"] >= 1 and all(a["language"] == "ru" for a in ru["items"])
    stories_ru = api.get("/api/stories", params={"lang": "ru"}).json()
    assert stories_ru["total"] >= 1
    assert all("ru" in s["languages"] for s in stories_ru["items"])
    dated = api.get("/api/articles", params={"since": "2100-01-01"}).json()
    assert dated["total"] == 0


def test_article_ids_with_slashes_are_url_encoded(api):
    items = api.get("/api/articles", params={"limit": 500}).json()["items"]
    with_slash = next(a for a in items if "/" in a["id"])
    got = api.get("/api/articles/" + quote(with_slash["id"], safe="")).json()
    assert got["id"] == with_slash["id"]
    assert "removed" in got and "evidence" in got


def test_bad_ids_and_parameters(api):
    assert api.get("/api/articles/" + quote("no/such/article.txt", safe="")).status_code == 404
    assert api.get("/api/stories/s-does-not-exist").status_code == 404
    assert api.get("/api/stories/s-does-not-exist/trace").status_code == 404
    assert api.get("/api/entities/does-not-exist").status_code == 404
    assert api.get("/api/articles", params={"limit": 0}).status_code == 422
    assert api.get("/api/articles", params={"limit": 100000}).status_code == 422
    assert api.get("/api/articles", params={"offset": -1}).status_code == 422
    assert api.get("/api/search").status_code == 422
    assert api.get("/api/search", params={"q": '") OR 1=1 --'}).status_code == 200


def test_large_page_is_capped_and_complete(api):
    page = api.get("/api/articles", params={"limit": 500}).json()
    assert page["limit"] == 500 and len(page["items"]) == page["total"]


def test_search_finds_articles_and_their_stories(api):
    item = api.get("/api/articles", params={"limit": 1, "lang": "en"}).json()["items"][0]
    word = max((w for w in (item["title"] or "").split() if w.isalpha()), key=len)
    res = api.get("/api/search", params={"q": word}).json()
    assert any(a["id"] == item["id"] for a in res["articles"])


def test_entities_api(api):
    page = api.get("/api/entities", params={"type": "person", "limit": 100}).json()
    assert page["total"] >= 1
    ent = page["items"][0]
    detail = api.get("/api/entities/" + quote(ent["id"], safe="")).json()
    assert detail["name"] == ent["name"] and detail["articles"]


def test_api_is_read_only_by_default(api):
    r = api.post("/api/ingest", content=b'{"id": "x", "text": "A sentence about a strike."}\n')
    assert r.status_code == 405
    r = api.delete("/api/articles/hostile-1")
    assert r.status_code == 405


def test_security_headers(api):
    r = api.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_hostile_article_is_escaped_in_pages(api):
    html = api.get("/articles/hostile-1").text
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert 'onerror="window' not in html and "<b onmouseover" not in html
    assert 'href="javascript:' not in html
