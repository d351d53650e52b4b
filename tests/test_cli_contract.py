"""The public command-line contract (DESIGN.md), checked through the real CLI on the sample store.

Every command runs as a user's script would run it: ``python -m wiretrace`` in a subprocess,
stdout parsed as JSON, exit codes and stderr checked. Commands that may write (caches, migrations)
run on a copy of the shared store.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import HOSTILE_RECORDS

pytestmark = pytest.mark.slow

EDGE_KINDS = {"copy", "partial-copy", "translation", "rewrite", "summary"}
EXPORT_REQUIRED = {
    "id", "title", "text", "published", "outlet", "author", "language", "url", "attributions",
    "story",
}


def wiretrace(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None,
    cwd: Path | None = None, stdin: str | None = None, timeout: int = 300,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would; ``db`` becomes the global ``--db``."""
    base_env = {k: v for k, v in os.environ.items() if k != "WIRETRACE_DB"}
    base_env["COLUMNS"] = "200"
    base_env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    command = [sys.executable, "-m", "wiretrace"]
    if db is not None:
        command += ["--db", str(db)]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=timeout,
        env={**base_env, **(env or {})}, cwd=cwd, input=stdin,
    )


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    """Exit 0 and stdout is one JSON document and nothing else."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A usage or lookup failure: exit 1 or 2, nothing on stdout, a message, no traceback."""
    assert result.returncode in (1, 2), (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.strip(), "a failure must say why on stderr"
    for needle in needles:
        assert needle.lower() in result.stderr.lower(), result.stderr


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert_clean_failure(result, *needles)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


# -- shared data (computed once per module) ---------------------------------------------------


@pytest.fixture(scope="module")
def db(sample_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the shared sample store, for commands that cache into it."""
    folder = tmp_path_factory.mktemp("cli-contract")
    copy = folder / "sample.db"
    shutil.copy(sample_store_path, copy)
    return copy


@pytest.fixture(scope="module")
def exported(db: Path) -> dict[str, dict[str, Any]]:
    result = wiretrace("export", "--format", "jsonl", db=db)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return {r["id"]: r for r in records}


@pytest.fixture(scope="module")
def stories(db: Path) -> list[dict[str, Any]]:
    return ok_json(wiretrace("stories", "--json", db=db))


@pytest.fixture(scope="module")
def largest(stories: list[dict[str, Any]]) -> dict[str, Any]:
    return max(stories, key=lambda s: (len(s["articles"]), s["id"]))


@pytest.fixture(scope="module")
def trace(db: Path, largest: dict[str, Any]) -> dict[str, Any]:
    return ok_json(wiretrace("trace", largest["id"], "--json", db=db))


@pytest.fixture(scope="module")
def entities(db: Path) -> list[dict[str, Any]]:
    return ok_json(wiretrace("entities", "--json", db=db))


# -- export ------------------------------------------------------------------------------------


def test_export_jsonl_has_every_contract_field(exported: dict[str, dict[str, Any]]) -> None:
    assert "hostile-1" in exported
    for record in exported.values():
        assert EXPORT_REQUIRED <= record.keys(), record.keys()
        assert isinstance(record["text"], str) and record["text"].strip()
        assert isinstance(record["attributions"], list)
    # The hostile record comes back as the user gave it: text, not rendered markup.
    assert exported["hostile-1"]["outlet"] == HOSTILE_RECORDS[0]["outlet"]


# -- stories -----------------------------------------------------------------------------------


def test_stories_json_shape_and_partition(
    stories: list[dict[str, Any]], exported: dict[str, dict[str, Any]]
) -> None:
    assert isinstance(stories, list) and stories
    seen: dict[str, str] = {}
    for story in stories:
        assert {"id", "title", "articles", "languages", "first_seen", "last_seen"} <= story.keys()
        assert isinstance(story["id"], str) and story["id"]
        assert isinstance(story["articles"], list) and story["articles"]
        assert isinstance(story["languages"], list)
        if story["first_seen"] and story["last_seen"]:
            assert story["first_seen"] <= story["last_seen"]
        for article_id in story["articles"]:
            assert article_id in exported, f"{article_id} listed in a story but not exported"
            assert article_id not in seen, f"{article_id} in {seen.get(article_id)} and {story['id']}"
            seen[article_id] = story["id"]
        languages = {exported[a]["language"] for a in story["articles"]} - {None}
        assert languages <= set(story["languages"])
    # export's `story` field agrees with the story listing
    for article_id, story_id in seen.items():
        assert exported[article_id]["story"] == story_id
    assert any(len(s["articles"]) > 1 and len(s["languages"]) > 1 for s in stories)


def test_stories_lang_and_min_size_filters(db: Path, stories: list[dict[str, Any]]) -> None:
    counts: dict[str, int] = {}
    for story in stories:
        for lang in story["languages"]:
            counts[lang] = counts.get(lang, 0) + 1
    rare = min(counts, key=lambda lang: (counts[lang], lang))  # a filter that removes most
    by_lang = ok_json(wiretrace("stories", "--json", "--lang", rare, db=db))
    assert by_lang, f"no story for --lang {rare}"
    assert {s["id"] for s in by_lang} == {s["id"] for s in stories if rare in s["languages"]}
    assert len(by_lang) < len(stories)

    sizes = sorted({len(s["articles"]) for s in stories})
    threshold = sizes[len(sizes) // 2]
    big = ok_json(wiretrace("stories", "--json", "--min-size", str(threshold), db=db))
    assert big and all(len(s["articles"]) >= threshold for s in big)
    assert {s["id"] for s in big} == {s["id"] for s in stories if len(s["articles"]) >= threshold}

    both = ok_json(wiretrace("stories", "--json", "--lang", rare, "--min-size", "2", db=db))
    assert all(rare in s["languages"] and len(s["articles"]) >= 2 for s in both)


def test_stories_entity_filter_accepts_any_spelling(
    db: Path, stories: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> None:
    person = max((e for e in entities if e["type"] == "person"), key=lambda e: len(e["articles"]))
    spelling = next((v for v in person["variants"] if v != person["name"]), person["name"])
    found = ok_json(wiretrace("stories", "--json", "--entity", spelling, db=db))
    expected = {s["id"] for s in stories if set(s["articles"]) & set(person["articles"])}
    assert found and {s["id"] for s in found} == expected
    missing = wiretrace("stories", "--entity", "Nobody Anywhere-Nowhere", db=db)
    assert_one_line_error(missing, "Nobody Anywhere-Nowhere")


# -- trace -------------------------------------------------------------------------------------


def _same_text(sliced: str, claimed: str) -> bool:
    squash = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    return sliced == claimed or squash(sliced) == squash(claimed)


def test_trace_json_contract(
    trace: dict[str, Any], largest: dict[str, Any], exported: dict[str, dict[str, Any]]
) -> None:
    assert {"story", "origins", "edges", "articles"} <= trace.keys()
    assert trace["story"] == largest["id"]
    assert trace["origins"] and all(isinstance(o, str) and o for o in trace["origins"])
    members = set(largest["articles"])
    assert trace["edges"], "a story of several articles has derivation edges"
    for edge in trace["edges"]:
        assert edge["kind"] in EDGE_KINDS, edge["kind"]
        assert 0.0 <= edge["confidence"] <= 1.0
        assert edge["to"] in members
        assert edge["from"] in members or edge["from"] in trace["origins"]
        assert isinstance(edge["evidence"], list)
        for ev in edge["evidence"]:
            assert isinstance(ev["from_text"], str) and isinstance(ev["to_text"], str)
            assert isinstance(ev["score"], (int, float))
    assert set(trace["articles"]) <= members and set(trace["articles"]) >= {
        e["to"] for e in trace["edges"]
    }
    for article_id, diff in trace["articles"].items():
        text = exported[article_id]["text"]
        for added in diff["added"]:
            assert 0 <= added["start"] < added["end"] <= len(text)
            assert _same_text(text[added["start"]:added["end"]], added["text"]), added
        for omitted in diff["omitted"]:
            assert isinstance(omitted["text"], str) and omitted["text"]
            assert isinstance(omitted["source"], str) and omitted["source"]
        for altered in diff["altered"]:
            assert {"source_text", "text", "what", "detail"} <= altered.keys()
            assert altered["source_text"] != altered["text"]
    changed = sum(len(d["added"]) + len(d["omitted"]) + len(d["altered"])
                  for d in trace["articles"].values())
    assert changed > 0, "the largest sample story has derivatives that changed something"


def test_trace_unknown_story(db: Path) -> None:
    result = wiretrace("trace", "s-does-not-exist", "--json", db=db)
    assert_one_line_error(result, "s-does-not-exist")
    assert result.returncode == 1


def test_trace_tree_view_names_every_member(db: Path, largest: dict[str, Any]) -> None:
    result = wiretrace("trace", largest["id"], db=db)
    assert result.returncode == 0, result.stderr
    for article_id in largest["articles"]:
        assert article_id in result.stdout


# -- show --------------------------------------------------------------------------------------


def test_show_json_has_removals_with_reasons(
    sample_store_path: Path, largest: dict[str, Any]
) -> None:
    removed_total = 0
    for article_id in largest["articles"]:
        # show opens the store read-only, so the shared fixture is safe here
        view = ok_json(wiretrace("show", article_id, "--json", db=sample_store_path))
        assert view["id"] == article_id
        assert view["story"] == largest["id"]
        assert isinstance(view["removed"], list)
        for removal in view["removed"]:
            assert isinstance(removal["text"], str) and removal["text"].strip()
            assert isinstance(removal["reason"], str) and removal["reason"]
            if len(removal["text"].strip()) > 40:  # short credits may recur in the body
                assert removal["text"].strip() not in view["text"]
        removed_total += len(view["removed"])
        assert isinstance(view["evidence"], dict)
        for field, ev in view["evidence"].items():
            assert field in view and "source" in ev
    assert removed_total > 0, "the sample pages carry menus, comments or teasers to remove"


def test_show_unknown_article(sample_store_path: Path) -> None:
    result = wiretrace("show", "no/such-article.txt", "--json", db=sample_store_path)
    assert_one_line_error(result, "no/such-article.txt")
    assert result.returncode == 1


def test_show_hostile_record_prints_markup_as_text(sample_store_path: Path) -> None:
    result = wiretrace("show", "hostile-1", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    assert "<script>window.__pwned = 4</script>" in result.stdout
    assert "<i>Evil</i> Daily" in result.stdout


# -- entities ----------------------------------------------------------------------------------


def test_entities_json_shape(
    entities: list[dict[str, Any]], exported: dict[str, dict[str, Any]]
) -> None:
    assert isinstance(entities, list) and entities
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids))
    for entity in entities:
        assert {"id", "name", "type", "variants", "articles"} <= entity.keys()
        assert isinstance(entity["variants"], list) and entity["variants"]
        assert all(a in exported for a in entity["articles"])
    assert any(e["type"] == "person" and len(e["variants"]) > 1 for e in entities)


def test_entity_by_name_and_by_variant(db: Path, entities: list[dict[str, Any]]) -> None:
    owners: dict[str, set[str]] = {}
    for entity in entities:
        for surface in {entity["name"], *entity["variants"]}:
            owners.setdefault(surface.casefold(), set()).add(entity["id"])
    # a person written in another script or spelling, unambiguous across entities
    chosen = next(
        (e, v) for e in entities if e["type"] == "person"
        for v in e["variants"]
        if v.casefold() != e["name"].casefold() and owners[v.casefold()] == {e["id"]}
        and owners[e["name"].casefold()] == {e["id"]}
    )
    entity, variant = chosen
    by_name = ok_json(wiretrace("entity", entity["name"], "--json", db=db))
    by_variant = ok_json(wiretrace("entity", variant, "--json", db=db))
    assert by_name["id"] == by_variant["id"] == entity["id"]
    surfaces = [v["surface"] if isinstance(v, dict) else v for v in by_variant["variants"]]
    assert variant in surfaces
    missing = wiretrace("entity", "Nobody Invented-Here", db=db)
    assert_clean_failure(missing, "Nobody Invented-Here")


# -- compare -----------------------------------------------------------------------------------


def test_compare_same_story_beats_other_story(
    db: Path, trace: dict[str, Any], stories: list[dict[str, Any]], largest: dict[str, Any]
) -> None:
    # the story's clearest same-event pair: a copy edge if there is one, else the strongest
    edge = max(
        (e for e in trace["edges"] if e["from"] in largest["articles"]),
        key=lambda e: (e["kind"] in ("copy", "partial-copy"), e["confidence"]),
    )
    a, b = edge["from"], edge["to"]
    other = next(s for s in stories if s["id"] != largest["id"] and len(s["articles"]) > 1)
    c = other["articles"][0]
    same = ok_json(wiretrace("compare", a, b, "--json", db=db))
    different = ok_json(wiretrace("compare", a, c, "--json", db=db))
    assert 0.0 <= same["similarity"] <= 1.0 and 0.0 <= different["similarity"] <= 1.0
    assert same["same_event"] is True
    assert different["same_event"] is False
    assert different["similarity"] < same["similarity"]

    missing = wiretrace("compare", a, "no/such-article.txt", "--json", db=db)
    assert_one_line_error(missing, "no/such-article.txt")


FLOOD_EN = ("Flash floods cut off four mountain villages in the Tatra foothills on Sunday. "
            "About 300 residents were evacuated by helicopter, the regional fire service said.")


def test_compare_pairs_file_reports_bad_line(db: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    good = [
        {"id": "flood-paraphrase",
         "a": {"title": "Floods cut off mountain villages", "text": FLOOD_EN, "language": "en"},
         "b": {"text": "Four villages in the foothills of the Tatra mountains were cut off by "
                       "flash floods on Sunday, and some 300 people had to be airlifted out, "
                       "firefighters said."}},
        {"id": "flood-en-pl", "a": {"text": FLOOD_EN, "language": "en"},
         "b": {"text": "Gwałtowne powodzie odcięły w niedzielę cztery górskie wsie u podnóża "
                       "Tatr. Około 300 mieszkańców ewakuowano śmigłowcami, podała regionalna "
                       "straż pożarna.", "language": "pl"}},
        {"id": 7, "a": {"text": "The central bank held its key rate at 6.5 percent on Thursday, "
                                "citing slowing inflation."},
         "b": {"text": "A ferry ran aground off the island of Hvar; none of the 120 passengers "
                       "were hurt, the coast guard said."}},
    ]
    lines = [json.dumps(good[0]), json.dumps(good[1], ensure_ascii=False),
             '{"id": "broken", "a": {"text": ', "", json.dumps(good[2])]
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = wiretrace("compare", "--pairs", str(pairs), db=db)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"\bline 3\b", result.stderr), result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [str(r["id"]) for r in out] == ["flood-paraphrase", "flood-en-pl", "7"]
    scores = {str(r["id"]): r for r in out}
    for r in out:
        assert 0.0 <= r["similarity"] <= 1.0 and isinstance(r["same_event"], bool)
    assert scores["flood-paraphrase"]["same_event"] is True
    assert scores["7"]["same_event"] is False
    assert scores["7"]["similarity"] < scores["flood-en-pl"]["similarity"]
    assert scores["7"]["similarity"] < scores["flood-paraphrase"]["similarity"]

    from_stdin = wiretrace("compare", "--pairs", "-", db=db, stdin=json.dumps(good[2]) + "\n")
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert [str(json.loads(x)["id"]) for x in from_stdin.stdout.splitlines()] == ["7"]


# -- HTML report -------------------------------------------------------------------------------


def test_export_html_is_self_contained(
    db: Path, tmp_path: Path, stories: list[dict[str, Any]]
) -> None:
    report = tmp_path / "out" / "report.html"
    result = wiretrace("export", "--format", "html", "-o", str(report), db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = report.read_text(encoding="utf-8")
    assert re.search(r'<meta[^>]+http-equiv="Content-Security-Policy"', text, re.I)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", text, re.I)
    assert not re.search(r"<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//", text, re.I)
    assert not re.search(r"\b(src|href|action)\s*=\s*[\"']?(https?:)?//", text, re.I)
    assert not re.search(r"(url\(|@import)\s*[\"']?(https?:)?//", text, re.I)
    visible = html.unescape(text)
    for story in stories:
        if len(story["articles"]) > 1 and story["title"]:
            assert story["title"] in visible, story["title"]


def test_export_html_escapes_hostile_story(
    db: Path, exported: dict[str, dict[str, Any]]
) -> None:
    story = exported["hostile-1"]["story"]
    result = wiretrace("export", "--format", "html", "--story", story, db=db)
    assert result.returncode == 0, result.stderr
    assert "Port strike" in result.stdout
    assert "<script>window" not in result.stdout
    assert "onerror=" not in result.stdout.replace("onerror=&#34;", "").replace(
        "onerror=&quot;", "")
    assert "&lt;script&gt;" in result.stdout


def test_export_html_unknown_story(db: Path) -> None:
    assert_one_line_error(wiretrace("export", "-f", "html", "--story", "s-nope", db=db), "s-nope")


# -- stdout discipline, help, store selection, bad usage ----------------------------------------


MARKUP_RECORD = {
    "id": "koper/[1]-strike",
    "title": "[/] Strikers [bold]occupy[/bold] the port of Koper [red]",
    "text": "Strikers [/] occupied the container terminal in Koper on Friday [1], the dockers' "
            "union said. Police [link=https://example.org]watched[/link] from a distance. "
            "The port authority said it would ask a court on Monday to end the blockade.",
    "outlet": "[/] Primorske Novice",
    "published": "2025-04-04T09:00:00Z",
    "language": "en",
}


def test_ingest_json_and_text_views_of_bracketed_text(
    sample_store_path: Path, tmp_path: Path
) -> None:
    """Titles and texts full of [brackets] are shown literally, never read as terminal markup."""
    db = tmp_path / "markup.db"
    shutil.copy(sample_store_path, db)
    records = tmp_path / "markup.jsonl"
    lines = [json.dumps(MARKUP_RECORD), json.dumps(HOSTILE_RECORDS[0])]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = ok_json(wiretrace("ingest", str(records), "--json", db=db))
    assert (summary["new"], summary["unchanged"], summary["failed"]) == (1, 1, 0)

    listed = wiretrace("stories", "--query", "Koper", db=db)
    assert listed.returncode == 0, listed.stderr
    assert "[/] Strikers [bold]occupy[/bold]" in listed.stdout
    shown = wiretrace("show", MARKUP_RECORD["id"], db=db)
    assert shown.returncode == 0, shown.stderr
    assert "Strikers [/] occupied" in shown.stdout and "[/] Primorske Novice" in shown.stdout
    traced = wiretrace("trace", "--articles", MARKUP_RECORD["id"], "hostile-1", db=db)
    assert traced.returncode == 0, traced.stderr
    assert MARKUP_RECORD["id"] in traced.stdout


@pytest.mark.parametrize("command, key_options, example", [
    ([], ["--db", "ingest", "stories", "trace", "export"], True),
    (["ingest"], ["--json", "--workers"], True),
    (["stories"], ["--json", "--lang", "--min-size"], True),
    (["trace"], ["--json", "--articles"], True),
    (["show"], ["--json", "--raw"], True),
    (["compare"], ["--json", "--pairs"], False),
    (["entities"], ["--json", "--type"], True),
    (["entity"], ["--json"], True),
    (["export"], ["--format", "--output", "jsonl", "parquet", "html"], True),
    (["serve"], ["--host", "--port"], True),
    (["demo"], ["--report"], True),
    (["recluster"], ["--json"], True),
])
def test_help_exits_zero_names_key_options_and_shows_an_example(
    command: list[str], key_options: list[str], example: bool
) -> None:
    result = wiretrace(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for option in key_options:
        assert option in result.stdout, f"{command} --help does not mention {option}"
    if example:
        assert re.search(r"(Examples?:|Start with)\s*wiretrace ", result.stdout), result.stdout


def test_db_option_and_env_select_the_store(db: Path, tmp_path: Path) -> None:
    by_option = ok_json(wiretrace("stories", "--json", db=db, cwd=tmp_path))
    by_env = ok_json(wiretrace("stories", "--json", env={"WIRETRACE_DB": str(db)}, cwd=tmp_path))
    assert by_option and [s["id"] for s in by_env] == [s["id"] for s in by_option]
    # --db wins over the environment
    elsewhere = tmp_path / "elsewhere.db"
    both = ok_json(wiretrace("stories", "--json", db=db, env={"WIRETRACE_DB": str(elsewhere)}))
    assert [s["id"] for s in both] == [s["id"] for s in by_option]
    # a missing store is an error for reading commands, not a silently created empty file
    missing = wiretrace("show", "x", env={"WIRETRACE_DB": str(elsewhere)}, cwd=tmp_path)
    assert_one_line_error(missing, str(elsewhere))
    assert not elsewhere.exists()
    default = wiretrace("stories", "--json", cwd=tmp_path)
    assert_one_line_error(default, "wiretrace.db")
    assert not (tmp_path / "wiretrace.db").exists()


@pytest.mark.parametrize("args, needle", [
    (["frobnicate"], "frobnicate"),
    (["show"], "article_id"),
    (["trace"], "story id"),
    (["entity"], "name"),
    (["export", "--format", "xml"], "xml"),
    (["stories", "--min-size", "0"], "--min-size"),
    (["compare", "only-one-id"], "two article ids"),
    (["stories", "--no-such-option"], "--no-such-option"),
])
def test_bad_usage_is_a_one_line_error(db: Path, args: list[str], needle: str) -> None:
    assert_one_line_error(wiretrace(*args, db=db), needle)


def test_export_into_a_closed_pipe_stops_quietly(db: Path) -> None:
    """`wiretrace export | head -1`: the reader leaves early; no traceback, no error noise."""
    env = {**os.environ, "COLUMNS": "200"}
    with subprocess.Popen(
        [sys.executable, "-m", "wiretrace", "--db", str(db), "export"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read().decode("utf-8", "replace")
        proc.wait(timeout=120)
    assert json.loads(first)["id"]
    assert "Traceback" not in stderr and "Exception" not in stderr
    assert stderr.strip() == ""


def test_parquet_to_stdout_is_refused(db: Path) -> None:
    result = wiretrace("export", "--format", "parquet", db=db)
    assert_one_line_error(result, "-o")
    assert result.returncode in (1, 2)

