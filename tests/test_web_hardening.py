"""The server against a hostile client: it never writes without --allow-writes, checks the Host
header, sends its security headers on every response, serves HEAD, bounds every parameter
before it reaches SQLite, and isolates bidi controls in what it renders."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from wiretrace.errors import StoreError
from wiretrace.store import open_store

from .webserver import running_server

pytestmark = pytest.mark.slow

RLO, PDF, LRM, RLM = "\u202e", "\u202c", "\u200e", "\u200f"
NEWLINE_ID = "wire\nbreak-1"
BIDI_TITLE = f"Harbour fees {RLO}desserpmi tsom{RLM} row"
WILDCARD_TITLE = "Turnout 100% of_the registered voters"

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def _copy(src: Path, dst: Path) -> Path:
    """A consistent copy through SQLite's backup API (the source may have a live WAL)."""
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def _late_records(store) -> list[dict]:
    """Extra articles: hostile ids and titles, and a late copy of a member of the largest story."""
    from wiretrace.store.reads import list_stories

    story = list_stories(store, min_size=2, limit=1)[0]
    member = store.get_article(story["articles"][0])
    return [
        {"id": NEWLINE_ID, "title": "Ferry strike ends", "language": "en",
         "published": "2025-05-02T08:00:00Z", "outlet": "Line Break Post",
         "text": "The ferry strike ended on Friday after the union accepted the offer. "
                 "Crossings resume on Saturday morning, the operator said."},
        {"id": "bidi-1", "title": BIDI_TITLE, "language": "en", "outlet": f"{RLO}Mirror{LRM} Times",
         "published": "2025-05-03T08:00:00Z",
         "text": "The harbour board raised its fees by a third on Monday. Shipping firms said "
                 "they would pass the cost on to customers within weeks."},
        {"id": "wild-1", "title": WILDCARD_TITLE, "language": "en", "outlet": "Poll Watch",
         "published": "2025-05-04T08:00:00Z",
         "text": "Turnout reached a record in the regional vote on Sunday. The electoral "
                 "commission will publish final figures on Tuesday."},
        {"id": "late-copy-1", "title": member.title, "language": member.language,
         "text": member.text + "\n\nThis report was updated with the latest figures."},
    ]


def _make_stale(path: Path, tmp: Path) -> str:
    """Ingest the extra articles and assign them to stories without tracing, as an ingest
    stopped between its stories and traces stages leaves it. Returns the now stale story."""
    from wiretrace.adapters.stories import update_stories
    from wiretrace.pipeline import ingest
    from wiretrace.provenance.trace import members_hash
    from wiretrace.store.stories import story_article_ids, story_of_article

    with open_store(path) as store:
        records = _late_records(store)
        source = tmp / "late.jsonl"
        source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                          encoding="utf-8")
        report = ingest(store, [str(source)], run_stages=False)
        assert not report.errors, report.errors
        update_stories(store, report.stored_ids)
        story_id = story_of_article(store, "late-copy-1")
        assert story_id is not None
        row = store.conn.execute(
            "SELECT members_hash FROM traces WHERE story_id = ?", (story_id,)
        ).fetchone()
        articles = list(store.iter_articles(story_article_ids(store, story_id)))
        assert row is not None and row[0] != members_hash(articles)  # cached, and stale
    return story_id


@pytest.fixture(scope="module")
def stale_store(sample_store_path, tmp_path_factory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("hardening")
    path = _copy(sample_store_path, tmp / "stale.db")
    story_id = _make_stale(path, tmp)
    return path, story_id


def _files(path: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        out[suffix] = p.read_bytes() if p.exists() else None
    return out


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def _visit_everything(client: httpx.Client) -> list[tuple[str, int]]:
    """GET (and HEAD) every page and API route over every story, article and entity."""
    seen: list[tuple[str, int]] = []

    def get(url: str, **kw) -> httpx.Response:
        r = client.get(url, **kw)
        seen.append((url, r.status_code))
        h = client.head(url, **kw)
        seen.append(("HEAD " + url, h.status_code))
        return r

    stories = get("/api/stories", params={"limit": 500}).json()["items"]
    articles = get("/api/articles", params={"limit": 500}).json()["items"]
    entities = get("/api/entities", params={"limit": 500}).json()["items"]
    for s in stories:
        sid = quote(s["id"], safe="")
        get(f"/api/stories/{sid}")
        get(f"/api/stories/{sid}/trace")
        get(f"/stories/{sid}")
        if len(s["articles"]) > 1:
            get(f"/stories/{sid}", params={"a": s["articles"][-1], "b": s["articles"][0]})
    for a in articles:
        aid = quote(a["id"], safe="")
        get(f"/api/articles/{aid}", params={"raw": "true"})
        get(f"/articles/{aid}")
    for e in entities[:40]:
        eid = quote(e["id"], safe="")
        get(f"/api/entities/{eid}")
        get(f"/entities/{eid}")
    for url, params in [
        ("/", {}), ("/", {"q": "strike", "min_size": 2}), ("/", {"lang": "ru"}),
        ("/entities", {}), ("/entities", {"q": "a"}), ("/api/search", {"q": "strike"}),
        ("/api/stories", {"q": "strike", "since": "2020-01-01"}), ("/healthz", {}),
        ("/api/stories", {"entity": "Lukashenko", "outlet": "Reuters", "until": "2030-01-01"}),
        ("/api/articles", {"entity": "Lukashenko", "q": "strike"}),
        ("/openapi.json", {}), ("/static/wiretrace.css", {}), ("/favicon.ico", {}),
        ("/api/stories/s-none", {}), ("/no/such/page", {}),
    ]:
        get(url, params=params)
    return seen


def _assert_read_only_visit(path: Path, story_id: str) -> None:
    before = _files(path)
    watcher = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    version = _data_version(watcher)
    with running_server(str(path)) as base, httpx.Client(base_url=base, timeout=120) as client:
        trace = client.get(f"/api/stories/{quote(story_id, safe='')}/trace").json()
        assert trace["stale"] is True and "late-copy-1" in trace["articles"]
        page = client.get(f"/stories/{quote(story_id, safe='')}").text
        assert 'id="trace-stale"' in page
        seen = _visit_everything(client)
        again = client.get(f"/api/stories/{quote(story_id, safe='')}/trace").json()
        assert again["stale"] is True  # still not stored
    assert [s for s in seen if s[1] >= 500] == []
    assert _data_version(watcher) == version
    watcher.close()
    after = _files(path)
    assert after[""] == before[""], "the database file changed"
    assert (after["-wal"] or b"") == (before["-wal"] or b""), "the WAL changed"
    if before["-shm"] is not None and after["-shm"] is not None:
        # The first 96 bytes are the two copies of the WAL-index header that every commit
        # rewrites; the read marks after them are set by any reader, read-only or not.
        assert after["-shm"][:96] == before["-shm"][:96], "something committed"


def test_gets_leave_a_checkpointed_store_byte_identical(stale_store, tmp_path):
    path = _copy(stale_store[0], tmp_path / "checkpointed.db")
    assert not Path(str(path) + "-wal").exists()
    _assert_read_only_visit(path, stale_store[1])


def test_gets_leave_a_live_wal_byte_identical(stale_store, tmp_path):
    from wiretrace.pipeline import ingest

    path = _copy(stale_store[0], tmp_path / "live.db")
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "wal-1", "title": "Bridge reopens", "language": "en",
                                 "text": "The old bridge reopened to traffic on Monday. "
                                         "Repairs took eleven months, the council said."}) + "\n",
                     encoding="utf-8")
    writer = open_store(path)
    try:
        writer.conn.execute("PRAGMA wal_autocheckpoint = 0")
        ingest(writer, [str(extra)], run_stages=False)
        assert Path(str(path) + "-wal").stat().st_size > 0  # frames not yet in the db file
        _assert_read_only_visit(path, stale_store[1])
    finally:
        writer.close()


def test_writes_only_with_allow_writes(stale_store, tmp_path):
    path = _copy(stale_store[0], tmp_path / "writable.db")
    sid = quote(stale_store[1], safe="")
    with running_server(str(path), allow_writes=True) as base, httpx.Client(base_url=base, timeout=120) as c:
        before = _files(path)
        # a read never writes, even on a server that allows writes: the trace is computed
        # for the request and said to be stale
        assert c.get(f"/api/stories/{sid}/trace").json()["stale"] is True
        assert c.get(f"/stories/{sid}").status_code == 200
        after = _files(path)
        assert after[""] == before[""] and (after["-wal"] or b"") == (before["-wal"] or b"")
        r = c.post("/api/ingest", content=json.dumps({
            "id": "posted-1", "title": "Posted report", "language": "en",
            "text": "The council approved the budget on Tuesday. Spending on roads rises by a tenth.",
        }).encode() + b"\n")
        assert r.status_code == 200 and r.json()["ids"] == ["posted-1"]
        assert c.get("/api/articles/posted-1").status_code == 200
    with open_store(path, readonly=True) as store:
        row = store.conn.execute("SELECT trace_json FROM traces WHERE story_id = ?",
                                 (stale_store[1],)).fetchone()
        # stored by the posted ingest's stages (pending work included), not by the reads
        assert "late-copy-1" in json.loads(row[0])["articles"]


def test_lone_surrogates_posted_to_ingest_are_not_a_server_error(stale_store, tmp_path):
    path = _copy(stale_store[0], tmp_path / "surrogate.db")
    bodies = [
        b'{"id": "sur-1", "text": "A line with a lone surrogate \\udfff in it. And another sentence."}\n',
        b'{"id": "sur-2\\ud800", "text": "The port reopened on Monday. Ships queued for a day."}\n',
    ]
    with running_server(str(path), allow_writes=True) as base, httpx.Client(base_url=base, timeout=120) as c:
        for body in bodies:
            r = c.post("/api/ingest", content=body)
            assert r.status_code < 500, r.text
            if r.status_code == 200:
                assert r.json()["errors"] and all(e["code"] for e in r.json()["errors"])
        assert c.get("/healthz").status_code == 200


def test_serving_a_missing_store_read_only_is_a_clear_error(tmp_path):
    from wiretrace.web.app import create_app

    missing = tmp_path / "nothing-here.db"
    with pytest.raises(StoreError, match="nothing-here.db"):
        create_app(str(missing))
    assert not missing.exists()


def test_serve_command_names_a_missing_store(tmp_path):
    from typer.testing import CliRunner

    from wiretrace.cli import app

    missing = tmp_path / "absent.db"
    result = CliRunner().invoke(app, ["--db", str(missing), "serve", "--allowed-host", "x.lan"])
    assert result.exit_code == 1
    assert "absent.db" in result.output and "no store" in result.output
    assert not missing.exists()


def test_serve_banner_takes_markup_in_the_store_path(tmp_path):
    """A store path holding rich markup ("[/]") is printed as written, not parsed as markup."""
    import socket
    import subprocess
    import sys

    folder = tmp_path / "cases[/]bold"
    folder.mkdir(parents=True)
    db = folder / "s.db"
    open_store(str(db)).close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "serve", "--port", str(port)],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        banner = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert f"store: {db};" in banner, banner


# -- one read-only server over the stale store for the request-level checks --------------


@pytest.fixture(scope="module")
def server(stale_store) -> Iterator[tuple[str, int]]:
    with running_server(str(stale_store[0]), allowed_hosts=["wiretrace.lan"]) as base:
        yield base, int(base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def api(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=120) as client:
        yield client


def test_only_trusted_host_headers_are_served(api, server):
    port = server[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}",
                 f"LOCALHOST:{port}", "wiretrace.lan:8080", "wiretrace.lan"):
        assert api.get("/healthz", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example",
                 "localhost.evil.example", "wiretrace.lan.evil", f"127.0.0.2:{port}", ""):
        r = api.get("/api/stories", headers={"Host": host})
        assert r.status_code == 400, host
        assert all(h in r.headers for h in HEADERS), host


def test_security_headers_on_every_response(api):
    responses = [
        api.get("/"), api.get("/api/stories/s-none"), api.get("/stories/s-none"),
        api.get("/no/such/page"), api.post("/api/stories"), api.get("/api/stories", params={"limit": 0}),
        api.get("/static/wiretrace.css"), api.get("/static/missing.css"), api.get("/openapi.json"),
        api.head("/api/stories"),
    ]
    assert [r.status_code for r in responses] == [200, 404, 404, 404, 405, 422, 200, 404, 200, 200]
    for r in responses:
        for h in HEADERS:
            assert h in r.headers, (r.request.url, h)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_a_server_error_keeps_its_headers_and_hides_the_traceback(stale_store, tmp_path):
    path = _copy(stale_store[0], tmp_path / "damaged.db")
    with sqlite3.connect(path) as conn:  # a store damaged outside wiretrace
        conn.execute("DROP TABLE attributions")
    conn.close()
    with running_server(str(path)) as base, httpx.Client(base_url=base, timeout=60) as c:
        r = c.get("/api/articles")
        assert r.status_code == 500
        for h in HEADERS:
            assert h in r.headers
        assert "Traceback" not in r.text and r.json()["detail"]
        assert c.get("/healthz").status_code == 200


def test_head_is_served_on_get_routes(api):
    story = api.get("/api/stories", params={"limit": 1}).json()["items"][0]
    for url in ("/", "/api/stories", f"/api/stories/{quote(story['id'], safe='')}", "/entities",
                f"/stories/{quote(story['id'], safe='')}", "/openapi.json", "/healthz",
                "/static/wiretrace.css"):
        got, head = api.get(url), api.head(url)
        assert head.status_code == got.status_code == 200, url
        assert head.content == b""
        assert head.headers.get("content-type") == got.headers.get("content-type")


@pytest.mark.parametrize("url", ["/api/stories", "/api/articles", "/api/entities", "/", "/entities"])
def test_huge_integers_are_rejected_not_a_server_error(api, url):
    for value in (2**63, 2**64 + 1, 10**30, -(2**63) - 1):
        r = api.get(url, params={"offset": value})
        assert r.status_code == 422, (url, value, r.status_code)
    if url in ("/api/stories", "/"):
        assert api.get(url, params={"min_size": 2**63}).status_code == 422


def test_long_strings_are_rejected_not_a_server_error(api):
    long = "a" * 60_000  # over SQLite's 50,000-byte LIKE pattern limit
    for url, params in [
        ("/api/entities", {"q": long}), ("/api/articles", {"q": long}),
        ("/api/stories", {"q": long}), ("/api/stories", {"entity": long}),
        ("/api/articles", {"outlet": long}), ("/api/search", {"q": long}),
        ("/entities", {"q": long}), ("/", {"q": long}),
    ]:
        assert api.get(url, params=params).status_code == 422, url
    for url in ("/api/entities/", "/api/articles/", "/api/stories/", "/entities/"):
        url += quote(long, safe="")
        assert api.get(url).status_code == 422, url[:20]


def test_like_wildcards_match_literally(api):
    everything = api.get("/api/entities", params={"limit": 500}).json()["total"]
    assert everything > 2
    for q in ("%", "_", "%%", "_%_"):
        page = api.get("/api/entities", params={"q": q}).json()
        names = [e["name"] + " ".join(e["variants"]) for e in page["items"]]
        assert all(q in n for n in names), (q, names)
        assert page["total"] < everything


def test_article_ids_with_control_characters_are_fetchable(api):
    got = api.get("/api/articles/" + quote(NEWLINE_ID, safe=""))
    assert got.status_code == 200 and got.json()["id"] == NEWLINE_ID
    assert api.get("/articles/" + quote(NEWLINE_ID, safe="")).status_code == 200


BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


class _BidiScan(HTMLParser):
    """Collects every text run and attribute value where a bidi control could reorder what
    follows it: an embedding or override left open, a mark or control outside an isolate
    (FSI…PDI, or a <bdi> element), or a closer without its opener."""

    def __init__(self) -> None:
        super().__init__()
        self.in_bdi = 0
        self.leaks: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "bdi":
            self.in_bdi += 1
        for _, value in attrs:
            self.check(value or "", isolated=False)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "bdi":
            self.in_bdi -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.check(data, isolated=self.in_bdi > 0)

    def check(self, text: str, *, isolated: bool) -> None:
        if not BIDI_CONTROLS & set(text):
            return
        stack: list[str] = []
        for ch in text:
            inside = isolated or "iso" in stack
            if ch in "\u2066\u2067\u2068":
                stack.append("iso")
            elif ch == "\u2069":
                if "iso" not in stack:
                    self.leaks.append(text)
                    return
                while stack.pop() != "iso":
                    pass
            elif ch in "\u202a\u202b\u202d\u202e":
                if not inside:
                    self.leaks.append(text)
                    return
                stack.append("emb")
            elif ch == "\u202c":
                if not stack or stack[-1] != "emb":
                    self.leaks.append(text)
                    return
                stack.pop()
            elif ch in "\u200e\u200f" and not inside:
                self.leaks.append(text)
                return
        if stack:
            self.leaks.append(text)


def _bidi_leaks(html: str) -> list[str]:
    scan = _BidiScan()
    scan.feed(html)
    return scan.leaks


def test_bidi_controls_cannot_reorder_the_page(api):
    assert _bidi_leaks("<p>a \u202eb</p>")  # the scan itself sees an open override
    assert not _bidi_leaks("<p>a \u2068\u202eb\u202c\u2069 c</p>")
    story = api.get("/api/articles/bidi-1").json()["story"]
    pages = [("/", {"q": "harbour"}), ("/articles/bidi-1", {}),
             (f"/stories/{quote(story, safe='')}", {}), ("/api/articles/bidi-1", {})]
    for url, params in pages[:3]:
        html = api.get(url, params=params).text
        assert RLO in html, url  # the title is shown, not stripped
        assert _bidi_leaks(html) == [], url
    assert api.get(pages[3][0]).json()["title"] == BIDI_TITLE  # the API returns what is stored
