"""One owner for persistence and one read model.

Every SQL statement sits in ``wiretrace/store/`` (checked on the source), every table comes
from a migration, and the CLI's ``stories --json`` and ``/api/stories`` answer the same query
with the same records.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from wiretrace.adapters.signals import article_signals
from wiretrace.cli.app import app
from wiretrace.sample import load_truth
from wiretrace.store import open_store
from wiretrace.store.reads import StoryFilters, list_stories, stories_page
from wiretrace.store.signals import articles_with_signal

from .webserver import running_server

PACKAGE = Path(__file__).resolve().parent.parent / "wiretrace"
STORE = PACKAGE / "store"
SQL_CALLS = {"execute", "executemany", "executescript"}


def sql_calls_outside_store(root: Path = PACKAGE) -> list[str]:
    """``file:line`` of every ``.execute``/``.executemany``/``.executescript`` call in the
    package outside its ``store`` folder."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if (root / "store") in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_CALLS):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_no_sql_outside_the_store():
    assert sql_calls_outside_store() == []


def test_the_sql_scan_finds_a_call_outside_the_store_and_ignores_one_inside(tmp_path: Path):
    pkg = tmp_path / "wiretrace"
    (pkg / "store").mkdir(parents=True)
    (pkg / "stories").mkdir()
    (pkg / "store" / "stories.py").write_text("def f(c):\n    c.execute('SELECT 1')\n")
    (pkg / "stories" / "cluster.py").write_text(
        "def g(store):\n    x = 1\n    return store.conn.executemany('DELETE FROM t', [])\n"
    )
    assert sql_calls_outside_store(pkg) == ["wiretrace/stories/cluster.py:3"]


def test_every_table_is_created_by_a_migration():
    """No module creates a table of its own: the schema is the migrations (the store's own
    bookkeeping table aside)."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8").upper()
        if "CREATE TABLE" in text and path != STORE / "sqlite.py":
            offenders.append(str(path.relative_to(PACKAGE.parent)))
    assert offenders == []
    sqlite_source = (STORE / "sqlite.py").read_text(encoding="utf-8").upper()
    assert sqlite_source.count("CREATE TABLE") == 1  # schema_migrations, which records them


# -- the same records everywhere -----------------------------------------------------------


@pytest.fixture(scope="module")
def store_copy(sample_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy, so the CLI's writable open cannot touch the shared sample store."""
    path = tmp_path_factory.mktemp("read-model") / "sample.db"
    shutil.copy(sample_store_path, path)
    with open_store(path) as store:  # stored signals, for the signal filter to find
        for article_id in load_truth()["signals"]:
            article_signals(store, article_id)
    return path


def _queries(path: Path) -> list[dict[str, Any]]:
    """Queries built from what the store holds, so that each filter has something to keep
    and something to drop."""
    with open_store(path, readonly=True) as store:
        everything = list_stories(store)
        facts = store.conn.execute(
            "SELECT outlet, language, substr(published, 1, 10) FROM articles "
            "WHERE outlet IS NOT NULL AND language IS NOT NULL AND published IS NOT NULL "
            "GROUP BY outlet ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        variant = store.conn.execute(
            "SELECT v.surface, e.name FROM entity_variants v JOIN entities e ON e.id = v.entity_id "
            "WHERE e.type = 'person' AND v.surface != e.name ORDER BY e.article_count DESC LIMIT 1"
        ).fetchone()
        signal = store.conn.execute(
            "SELECT name FROM article_signal_names WHERE name LIKE 'added:%' "
            "ORDER BY name LIMIT 1"
        ).fetchone()
    assert everything and facts and variant and signal, "the sample store lacks what the test needs"
    outlet, language, day = facts
    word = next(w for s in everything for w in (s["title"] or "").split() if len(w) > 5)
    return [
        {},
        {"lang": language},
        {"outlet": outlet},
        {"entity": variant[0]},
        {"q": word},
        {"since": day},
        {"until": day},
        {"since": day, "until": day, "min_size": 2},
        {"lang": language, "outlet": outlet, "min_size": 2},
        {"signal": signal[0]},
        {"signal": signal[0], "lang": language},
    ]


CLI_OPTION = {"lang": "--lang", "outlet": "--outlet", "entity": "--entity", "q": "--query",
              "since": "--since", "until": "--until", "min_size": "--min-size",
              "signal": "--signal"}


def test_cli_json_and_the_api_return_the_same_story_records(store_copy: Path):
    queries = _queries(store_copy)
    runner = CliRunner()
    with running_server(str(store_copy)) as base, httpx.Client(base_url=base, timeout=120) as api:
        everything = api.get("/api/stories", params={"limit": 500}).json()
        assert everything["total"] == len(everything["items"]) > 1
        for query in queries:
            args = ["--db", str(store_copy), "stories", "--json"]
            for key, value in query.items():
                args += [CLI_OPTION[key], str(value)]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (query, result.output)
            cli = json.loads(result.stdout)
            page = api.get("/api/stories", params={**query, "limit": 500})
            assert page.status_code == 200, (query, page.text)
            assert page.json()["items"] == cli, query
            assert page.json()["total"] == len(cli)
            if query:  # each filter keeps some stories and drops others
                assert 0 < len(cli) < everything["total"], query


def test_story_filters_mean_what_they_say(store_copy: Path):
    with open_store(store_copy, readonly=True) as store:
        everything = list_stories(store)
        for query in _queries(store_copy)[1:]:
            kept = stories_page(store, StoryFilters(**query), limit=None)["items"]
            for story in kept:
                if "lang" in query:
                    assert query["lang"] in story["languages"]
                if "outlet" in query:
                    assert query["outlet"] in story["outlets"]
                if "since" in query:  # undated stories are not in a date range
                    assert story["last_seen"] and story["last_seen"][:10] >= query["since"]
                if "until" in query:
                    assert story["first_seen"] and story["first_seen"][:10] <= query["until"]
                assert len(story["articles"]) >= query.get("min_size", 1)
                if "signal" in query:
                    assert set(story["articles"]) & set(
                        articles_with_signal(store, query["signal"]))
            if "outlet" in query and len(query) == 1:  # nothing with that outlet is dropped
                expected = {s["id"] for s in everything if query["outlet"] in s["outlets"]}
                assert {s["id"] for s in kept} == expected
        # the entity filter takes any spelling: the variant and the canonical name agree
        variant, name = store.conn.execute(
            "SELECT v.surface, e.name FROM entity_variants v JOIN entities e ON e.id = v.entity_id "
            "WHERE e.type = 'person' AND v.surface != e.name ORDER BY e.article_count DESC LIMIT 1"
        ).fetchone()
        by_variant = [s["id"] for s in list_stories(store, entity=variant)]
        assert by_variant and by_variant == [s["id"] for s in list_stories(store, entity=name)]
        # pages tile the full list in order
        first = stories_page(store, limit=3, offset=0)["items"]
        second = stories_page(store, limit=3, offset=3)["items"]
        assert [s["id"] for s in first + second] == [s["id"] for s in everything[:6]]
