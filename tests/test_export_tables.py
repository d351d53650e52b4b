"""`wiretrace export --what TABLE` in every format, and the provenance graph as GEXF and
GraphML, read back the way an analyst's tools read them (csv, pyarrow, an XML parser)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import Result
from typer.testing import CliRunner

from wiretrace.cli import app
from wiretrace.store.exports import TABLES, gexf, graphml

pytestmark = pytest.mark.slow

GEXF = "{http://www.gexf.net/1.2draft}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def run(db: Path, *args: str) -> Result:
    """The command line's own code in this process (one import for the dozens of exports;
    the subprocess path is covered by the CLI contract tests)."""
    return CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def exported(sample_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every table in every format, plus both graph files, written once."""
    out = tmp_path_factory.mktemp("exports")
    tables: dict[str, Any] = {}
    for name in TABLES:
        jsonl = [json.loads(line) for line in
                 ok(run(sample_store_path, "export", "--what", name)).splitlines()]
        rows = list(csv.DictReader(io.StringIO(
            ok(run(sample_store_path, "export", "--what", name, "-f", "csv")))))
        parquet = out / f"{name}.parquet"
        ok(run(sample_store_path, "export", "--what", name, "-f", "parquet", "-o", str(parquet)))
        tables[name] = {"jsonl": jsonl, "csv": rows, "parquet": pq.read_table(parquet)}
    for fmt in ("gexf", "graphml"):
        path = out / f"provenance.{fmt}"
        ok(run(sample_store_path, "export", "-f", fmt, "-o", str(path)))
        tables[fmt] = ET.parse(path).getroot()
    tables["stories_json"] = json.loads(ok(run(sample_store_path, "stories", "--json")))
    return tables


def test_every_table_has_the_same_rows_in_every_format(exported: dict[str, Any]) -> None:
    for name, table in TABLES.items():
        jsonl, rows, parquet = (exported[name][k] for k in ("jsonl", "csv", "parquet"))
        assert len(jsonl) == len(rows) == parquet.num_rows, name
        assert parquet.column_names == table.fields
        assert all(set(rec) == set(table.fields) for rec in jsonl), name
    for name in ("articles", "stories", "members", "entities", "mentions"):
        assert exported[name]["jsonl"], f"{name} is empty on the sample corpus"


def test_articles_carry_their_story_and_its_title(exported: dict[str, Any]) -> None:
    titles = {s["id"]: s["title"] for s in exported["stories_json"]}
    rows = exported["articles"]["csv"]
    assert {"id", "title", "text", "published", "outlet", "author", "language", "url",
            "attributions", "story", "story_title"} <= set(rows[0])
    for row in rows:
        if row["story"]:
            assert row["story_title"] == (titles[row["story"]] or "")


def test_parquet_columns_are_typed(exported: dict[str, Any]) -> None:
    articles = exported["articles"]["parquet"]
    published = articles.schema.field("published").type
    assert pa.types.is_timestamp(published) and published.tz == "UTC"
    assert pa.types.is_list(articles.schema.field("attributions").type)
    stories = exported["stories"]["parquet"]
    assert pa.types.is_integer(stories.schema.field("size").type)
    assert pa.types.is_list(stories.schema.field("languages").type)
    assert pa.types.is_timestamp(stories.schema.field("first_seen").type)
    assert pa.types.is_floating(exported["edges"]["parquet"].schema.field("weight").type)
    assert pa.types.is_integer(exported["mentions"]["parquet"].schema.field("start").type)
    # every published time with an offset is the same instant in the typed column
    written = {r["id"]: r["published"] for r in exported["articles"]["jsonl"]}
    typed = dict(zip(articles.column("id").to_pylist(), articles.column("published").to_pylist(),
                     strict=True))
    checked = 0
    for article_id, value in written.items():
        if value and ("+" in value[10:] or value.endswith("Z")):
            assert typed[article_id] == datetime.fromisoformat(value.replace("Z", "+00:00"))
            checked += 1
        elif not value:
            assert typed[article_id] is None
    assert checked


def test_edges_match_the_traces_of_their_stories(
    exported: dict[str, Any], sample_store_path: Path
) -> None:
    edges = exported["edges"]["csv"]
    assert edges, "the sample corpus has traced stories with edges"
    assert set(edges[0]) >= {"source", "target", "type", "weight", "kind", "story"}
    assert {e["type"] for e in edges} == {"Directed"}
    story = max({e["story"] for e in edges}, key=lambda s: sum(e["story"] == s for e in edges))
    trace = json.loads(ok(run(sample_store_path, "trace", story, "--json")))
    assert {(e["from"], e["to"], e["kind"]) for e in trace["edges"]} == {
        (e["source"], e["target"], e["kind"]) for e in edges if e["story"] == story}
    for e in edges:
        assert 0.5 <= float(e["weight"]) <= 1.0 and e["weight"] == e["confidence"]
    diffs = [d for d in exported["diffs"]["jsonl"] if d["story"] == story]
    added = [d for d in diffs if d["change"] == "added"]
    assert len(added) == sum(len(a.get("added", [])) for a in trace["articles"].values())


def _gexf_graph(root: ET.Element) -> tuple[dict[str, ET.Element], list[ET.Element]]:
    graph = root.find(f"{GEXF}graph")
    assert graph is not None and graph.get("defaultedgetype") == "directed"
    nodes = {n.get("id"): n for n in graph.iter(f"{GEXF}node")}
    return nodes, list(graph.iter(f"{GEXF}edge"))


def test_gexf_holds_the_edge_table_as_a_graph(exported: dict[str, Any]) -> None:
    nodes, edges = _gexf_graph(exported["gexf"])
    table = exported["edges"]["csv"]
    assert len(edges) == len(table)
    assert {(e.get("source"), e.get("target")) for e in edges} == {
        (r["source"], r["target"]) for r in table}
    for edge in edges:
        assert edge.get("source") in nodes and edge.get("target") in nodes
        assert 0.5 <= float(edge.get("weight")) <= 1
    article_ids = {a["id"] for a in exported["articles"]["jsonl"]}
    titles = {"node": {}, "edge": {}}
    for attrs in exported["gexf"].iter(f"{GEXF}attributes"):
        titles[attrs.get("class")] = {a.get("id"): a.get("title") for a in attrs}
    for node_id, node in nodes.items():
        values = {titles["node"][v.get("for")]: v.get("value") for v in node.iter(f"{GEXF}attvalue")}
        assert values["kind"] == ("article" if node_id in article_ids else "source")


def test_graphml_holds_the_same_graph(exported: dict[str, Any]) -> None:
    root = exported["graphml"]
    graph = root.find(f"{GRAPHML}graph")
    assert graph is not None and graph.get("edgedefault") == "directed"
    gexf_nodes, gexf_edges = _gexf_graph(exported["gexf"])
    nodes = {n.get("id") for n in graph.iter(f"{GRAPHML}node")}
    edges = [(e.get("source"), e.get("target")) for e in graph.iter(f"{GRAPHML}edge")]
    assert nodes == set(gexf_nodes)
    assert sorted(edges) == sorted((e.get("source"), e.get("target")) for e in gexf_edges)


def test_graph_files_stay_well_formed_with_hostile_titles() -> None:
    nodes = [
        {"id": "a&b", "label": "Evil <i>Daily</i>", "kind": "article",
         "title": 'Port "strike"\x0b\x01 <script>alert(1)</script>', "outlet": "Evil & Co"},
        {"id": "c", "label": "c", "kind": "source"},
    ]
    edges = [{"source": "c", "target": "a&b", "kind": "copy", "confidence": 0.9, "story": "s-1",
              "identical": True, "hidden": False}]
    for data, ns in ((gexf(nodes, edges), GEXF), (graphml(nodes, edges), GRAPHML)):
        root = ET.fromstring(data)
        assert {n.get("id") for n in root.iter(f"{ns}node")} == {"a&b", "c"}
        text = data.decode("utf-8")
        assert "<script>" not in text and "\x0b" not in text


def test_export_options_that_do_not_combine_are_usage_errors(sample_store_path: Path) -> None:
    for args in (["--what", "edges", "-f", "gexf"], ["--what", "nodes"],
                 ["--story", "s-1", "-f", "csv"]):
        result = run(sample_store_path, "export", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stdout == ""
