"""Manipulation signals where a reader meets them: ``show --json``, the ``--signal`` /
``?signal=`` filters of the one read model, the story page's marked passages and the HTML
report, on a real store ingested from records written here: a wire report, a spun copy of it
(an added loaded paragraph holding markup and a bidi override, an escalated weapon and
number, a dropped attribution, a louder headline) and an unrelated plain report."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from typer.testing import CliRunner

from wiretrace.cli.app import app
from wiretrace.store import open_store
from wiretrace.store.reads import StoryFilters, articles_page, stories_page
from wiretrace.web.report import render_report

from .webserver import running_server

WIRE = [
    "The interior ministry said on Wednesday that the neighbouring army had moved troops and "
    "missiles closer to the border near the town of Kalinograd Dolny.",
    "Around 400 soldiers were seen near the hamlet of Brzeziny Male, according to regional "
    "officials, who spoke on condition of anonymity.",
    "The ministry said talks with the neighbour would resume next week in Vienna, where both "
    "delegations are expected on Tuesday.",
    "Satellite pictures released by a commercial operator showed new tents and lorries at a "
    "disused airstrip north of the town.",
    "Residents said the road to the border crossing had been closed to civilian traffic since "
    "Monday evening.",
    "The foreign minister is due to brief parliament on the situation on Friday morning.",
]
LOADED = ("These gutless <b>traitors</b> and their crooked puppet masters have betrayed the "
          "nation yet again, \u202eand only fools still believe a word these liars say.")
SPUN = list(WIRE)
SPUN[0] = SPUN[0].replace("troops and missiles", "troops and nuclear missiles")
SPUN[1] = "Around 4000 soldiers were seen near the hamlet of Brzeziny Male, who spoke on " \
          "condition of anonymity."
SPUN.insert(4, LOADED)
RECORDS = [
    {"id": "wire-a", "title": "Ministry reports troop movements near the border",
     "text": "\n\n".join(WIRE), "outlet": "Wire Agency", "published": "2025-06-03T08:00:00Z",
     "language": "en"},
    {"id": "spun-a", "title": "SHOCKING: Enemy rushes NUCLEAR missiles to our border!!",
     "text": "\n\n".join(SPUN), "outlet": "Daily Blaze", "published": "2025-06-03T15:00:00Z",
     "language": "en"},
    {"id": "ferry-a", "title": "Harbour town opens a new ferry terminal",
     "text": "The town of Portmarin opened a new ferry terminal on Thursday after two years of "
             "work.\n\nThe terminal can handle four ships at once and replaces a building from "
             "1962, the port authority said.",
     "outlet": "Coast News", "published": "2025-06-05T09:00:00Z", "language": "en"},
]
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wiretrace.pipeline import ingest

    folder = tmp_path_factory.mktemp("signals-surfaces")
    (folder / "in.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n",
                                     encoding="utf-8")
    path = folder / "store.db"
    with open_store(path) as store:
        ingest(store, [str(folder / "in.jsonl")])
    return path


def _cli(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def _stored_signal_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM article_signals").fetchone()[0]


def _story_of(db: Path, article_id: str) -> str:
    code, out, _ = _cli(db, "show", article_id, "--json", "--no-signals")
    assert code == 0
    return json.loads(out)["story"]


def test_the_spun_copy_shares_a_story_with_its_source(db: Path):
    assert _story_of(db, "spun-a") == _story_of(db, "wire-a") != _story_of(db, "ferry-a")


def test_show_json_carries_the_signals_command_output_and_writes_nothing(db: Path):
    before = _stored_signal_rows(db)
    code, out, err = _cli(db, "show", "spun-a", "--json")
    assert code == 0, err
    shown = json.loads(out)["signals"]
    assert _stored_signal_rows(db) == before  # show opens the store read-only
    rel = shown["relative"]
    assert rel["source"] == "wire-a"
    assert {t["name"] for t in rel["added_techniques"]} & {"Loaded_Language",
                                                           "Name_Calling-Labeling"}
    assert any("nuclear" in e["text"] and "nuclear" not in e["source_text"]
               for e in rel["escalations"])
    assert "escalation" in shown["names"] and "sensational-headline" in shown["names"]
    code, out, err = _cli(db, "signals", "spun-a", "--json")
    assert code == 0, err
    assert json.loads(out) == shown  # the same function, the same answer
    code, out, _ = _cli(db, "show", "spun-a", "--json", "--no-signals")
    assert code == 0 and "signals" not in json.loads(out)


def test_show_json_on_the_plain_report_has_no_relative_signals(db: Path):
    code, out, err = _cli(db, "show", "ferry-a", "--json")
    assert code == 0, err
    sig = json.loads(out)["signals"]
    assert sig.get("relative") is None
    assert not {n for n in sig["names"] if n.startswith("added:")}


def test_cli_signal_filter_keeps_the_story_of_articles_whose_signals_say_so(db: Path):
    story = _story_of(db, "spun-a")
    code, out, err = _cli(db, "signals", "spun-a", "--json")  # computes and stores them
    assert code == 0, err
    for name in ("escalation", "dropped-hedge", "sensational-headline"):
        code, out, err = _cli(db, "stories", "--json", "--signal", name)
        assert code == 0, err
        assert [s["id"] for s in json.loads(out)] == [story], name
    code, out, _ = _cli(db, "stories", "--json", "--signal", "Whataboutism")
    assert code == 0 and json.loads(out) == []  # valid name, nothing stored carries it


def test_cli_unknown_signal_is_a_usage_error_listing_the_valid_names(db: Path):
    code, out, err = _cli(db, "stories", "--signal", "Spin")
    assert code == 2 and out == ""
    assert "unknown signal 'Spin'" in err
    assert "Whataboutism" in err and "added:Loaded_Language" in err and "escalation" in err


def test_filter_ignores_signals_of_an_earlier_version_of_the_article(db: Path, tmp_path: Path):
    """Names stored for other content than the article's current content do not match."""
    import shutil

    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    with open_store(copy) as store:
        from wiretrace.adapters.signals import article_signals

        article_signals(store, "spun-a")
        assert stories_page(store, StoryFilters(signal="escalation"))["total"] == 1
        store.conn.execute("UPDATE articles SET content_hash = 'other' WHERE id = 'spun-a'")
        assert stories_page(store, StoryFilters(signal="escalation"))["total"] == 0
        assert articles_page(store, signal="escalation")["total"] == 0


@pytest.fixture(scope="module")
def api(db: Path):
    code, _, err = _cli(db, "signals", "spun-a", "--json")
    assert code == 0, err
    with running_server(str(db)) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client


def test_api_signal_filter_returns_what_the_cli_returns(db: Path, api: httpx.Client):
    for name in ("escalation", "added:Loaded_Language", "genre:satire"):
        code, out, err = _cli(db, "stories", "--json", "--signal", name)
        assert code == 0, err
        page = api.get("/api/stories", params={"signal": name, "limit": 500})
        assert page.status_code == 200, page.text
        assert page.json()["items"] == json.loads(out), name
    articles = api.get("/api/articles", params={"signal": "dropped-hedge"}).json()
    assert [a["id"] for a in articles["items"]] == ["spun-a"]
    assert api.get("/api/articles", params={"signal": ""}).json()["total"] == len(RECORDS)


def test_api_unknown_signal_is_a_422_naming_the_valid_ones(api: httpx.Client):
    for path in ("/api/stories", "/api/articles"):
        r = api.get(path, params={"signal": "Spin"})
        assert r.status_code == 422, (path, r.text)
        detail = r.json()["detail"][0]
        assert detail["loc"] == ["query", "signal"]
        assert "Whataboutism" in detail["msg"]
    spec = api.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/stories"]["get"]["parameters"]}
    assert "Loaded_Language" in json.dumps(params["signal"]["schema"])


def test_story_page_marks_technique_passages_with_labels_and_escaped_text(db: Path,
                                                                      api: httpx.Client):
    story = _story_of(db, "spun-a")
    html = api.get(f"/stories/{quote(story, safe='')}").text
    marks = re.findall(r'<mark class="technique" title="([^"]*)">(.*?)</mark>', html, re.S)
    assert marks, "no technique passage marked"
    titles = " ".join(t for t, _ in marks)
    assert re.search(r"(Loaded_Language|Name_Calling-Labeling) 0\.\d\d", titles)
    marked = "".join(body for _, body in marks)
    assert "traitors" in marked and "Portmarin" not in marked
    labels = re.findall(r'<sup class="technique-label" data-technique="([^"]+)">\1 (0\.\d\d)</sup>',
                        html)
    assert labels
    # the article's markup stays text, its bidi override stays inside an isolate
    assert "<b>traitors</b>" not in html and "&lt;b&gt;traitors&lt;/b&gt;" in html
    assert "\u202e" in html
    for chunk in re.findall("[^\u2068\u2069]*\u202e[^\u2068\u2069]*", html):
        start = html.index(chunk)
        assert html.rfind("\u2068", 0, start) > html.rfind("\u2069", 0, start)
    section = html[html.index('id="signals"'):]
    assert 'data-signal="escalation"' in section and "nuclear missiles" in section
    assert 'data-signal="dropped-hedge"' in section and "according to" in section
    assert 'data-signal="sensational-headline"' in section


def test_report_includes_each_articles_signals(db: Path):
    story = _story_of(db, "spun-a")
    with open_store(db, readonly=True) as store:
        html = render_report(store, story_id=story)
    blocks = dict(re.findall(r'<div class="signals" data-article="([^"]+)">(.*?)</div>', html,
                             re.S))
    assert set(blocks) == {"wire-a", "spun-a"}
    spun = blocks["spun-a"]
    assert "Genre <strong>opinion</strong>" in spun or "Genre <strong>reporting</strong>" in spun
    assert "sensational headline" in spun
    assert re.search(r'data-technique="(Loaded_Language|Name_Calling-Labeling)"', spun)
    assert "traitors" in spun and "<b>traitors</b>" not in spun
    assert 'data-signal="escalation"' in spun and "Relative to its source wire-a" in spun
    assert "Relative to its source" not in blocks["wire-a"]


def test_article_page_lists_its_signals_with_passages(api: httpx.Client):
    spun = api.get("/articles/spun-a").text
    section = spun[spun.index('<section id="signals">'):]
    section = section[:section.index("</section>")]
    assert re.search(r'data-technique="(Loaded_Language|Name_Calling-Labeling)"', section)
    assert "&lt;b&gt;traitors&lt;/b&gt;" in section and "<b>" not in section
    assert 'data-signal="sensational-headline"' in section
    ferry = api.get("/articles/ferry-a").text
    assert '<section id="signals">' in ferry and "data-signal=" not in ferry
