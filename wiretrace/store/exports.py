"""Every table an analyst takes elsewhere: articles, stories, members, provenance edges,
diffs, entities and mentions, each as typed columns, plus the provenance graph as GEXF or
GraphML (Gephi, yEd, networkx).

One function per table yields flat records; ``TABLES`` names each table's columns and their
types, so a writer (JSONL, CSV, Parquet) never guesses. Edges and diffs are read from the
stored traces (ingest traces every story it changes; ``wiretrace trace ID`` stores one):
nothing here computes or writes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .base import Store
from .reads import export_records
from .stories import story_index

# Column kinds: str, int, float, bool, time (an ISO-8601 date or time, a timestamp in UTC in
# Parquet), list (of strings).
Column = tuple[str, str]


@dataclass(frozen=True)
class Table:
    """A table's columns and the function yielding its records (dicts keyed by column)."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[Store], Iterator[dict[str, Any]]]
    about: str

    @property
    def fields(self) -> list[str]:
        return [name for name, _ in self.columns]


def _story_titles(store: Store) -> dict[str, str | None]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT id, title FROM stories")}


def article_rows(store: Store) -> Iterator[dict[str, Any]]:
    """The contract's article records with the title of each article's story beside its id."""
    titles = _story_titles(store)
    for rec in export_records(store):
        yield {**rec, "story_title": titles.get(rec["story"]) if rec["story"] else None}


def story_rows(store: Store) -> Iterator[dict[str, Any]]:
    storylines = {r[0]: r[1] for r in store.conn.execute(
        "SELECT story_id, storyline_id FROM storyline_members")}
    outlets: dict[str, list[str]] = {}
    for sid, outlet in store.conn.execute(
        """SELECT DISTINCT m.story_id, a.outlet FROM story_members m
           JOIN articles a ON a.id = m.article_id WHERE a.outlet IS NOT NULL
           ORDER BY m.story_id, a.outlet"""
    ):
        outlets.setdefault(sid, []).append(outlet)
    for r in store.conn.execute(
        """SELECT id, title, size, languages_json, first_seen, last_seen FROM stories
           ORDER BY size DESC, id"""
    ):
        yield {
            "id": r[0], "title": r[1], "size": r[2], "languages": json.loads(r[3] or "[]"),
            "first_seen": r[4], "last_seen": r[5], "outlets": outlets.get(r[0], []),
            "storyline": storylines.get(r[0]),
        }


def member_rows(store: Store) -> Iterator[dict[str, Any]]:
    """One row per article in a story: why it is there and what the trace derived it from."""
    for r in store.conn.execute(
        """SELECT m.story_id, s.title, m.article_id, a.title, a.outlet, a.language, a.published,
                  m.link_score, m.linked_by, m.via, m.link_detail, m.derivation
           FROM story_members m JOIN stories s ON s.id = m.story_id
           JOIN articles a ON a.id = m.article_id ORDER BY m.story_id, a.published, a.id"""
    ):
        yield {
            "story": r[0], "story_title": r[1], "article": r[2], "title": r[3], "outlet": r[4],
            "language": r[5], "published": r[6], "link_score": r[7], "linked_by": r[8],
            "via": r[9], "detail": r[10], "derivation": r[11],
        }


def _traces(store: Store) -> Iterator[tuple[str, dict[str, Any]]]:
    """The stored trace of every current story (a merged-away story's old trace is left out)."""
    for sid, raw in store.conn.execute(
        "SELECT t.story_id, t.trace_json FROM traces t JOIN stories s ON s.id = t.story_id "
        "ORDER BY t.story_id"
    ):
        try:
            yield sid, json.loads(raw)
        except ValueError:
            continue


def edge_rows(store: Store, *, hidden: bool = False) -> Iterator[dict[str, Any]]:
    """Provenance edges as a directed edge list (``source`` → ``target``, ``weight`` the
    confidence), the column names Gephi's spreadsheet import reads as an edge table;
    ``hidden`` adds the edges below the display threshold, marked."""
    for sid, trace in _traces(store):
        edges = [(e, False) for e in trace.get("edges", [])]
        if hidden:
            edges += [(e, True) for e in trace.get("hidden_edges", [])]
        for edge, is_hidden in edges:
            yield {
                "source": edge["from"], "target": edge["to"], "type": "Directed",
                "weight": edge.get("confidence"), "label": edge.get("kind"),
                "kind": edge.get("kind"), "confidence": edge.get("confidence"), "story": sid,
                "identical": bool(edge.get("identical")), "hidden": is_hidden,
                "evidence": len(edge.get("evidence") or []),
            }


def diff_rows(store: Store) -> Iterator[dict[str, Any]]:
    """What each traced article added, omitted and altered against its source."""
    for sid, trace in _traces(store):
        for article, diff in sorted((trace.get("articles") or {}).items()):
            source = diff.get("source")
            for item in diff.get("added") or []:
                yield _diff(sid, article, source, "added", item.get("text"), None, None, None,
                            item.get("start"), item.get("end"))
            for item in diff.get("omitted") or []:
                yield _diff(sid, article, item.get("source") or source, "omitted", None,
                            item.get("text"), None, None, None, None)
            for item in diff.get("altered") or []:
                yield _diff(sid, article, source, "altered", item.get("text"),
                            item.get("source_text"), item.get("what"), item.get("detail"),
                            None, None)


def _diff(story: str, article: str, source: Any, change: str, text: Any, source_text: Any,
          what: Any, detail: Any, start: Any, end: Any) -> dict[str, Any]:
    return {
        "story": story, "article": article,
        "source": source if isinstance(source, str) else None, "change": change,
        "text": text, "source_text": source_text, "what": what, "detail": detail,
        "start": start, "end": end,
    }


def entity_rows(store: Store) -> Iterator[dict[str, Any]]:
    variants: dict[str, list[str]] = {}
    for eid, surface in store.conn.execute(
        "SELECT entity_id, surface FROM entity_variants ORDER BY entity_id, count DESC, surface"
    ):
        variants.setdefault(eid, []).append(surface)
    for r in store.conn.execute(
        """SELECT id, name, type, article_count, mention_count FROM entities
           ORDER BY article_count DESC, name, id"""
    ):
        yield {"id": r[0], "name": r[1], "type": r[2], "variants": variants.get(r[0], []),
               "articles": r[3], "mentions": r[4]}


def mention_rows(store: Store) -> Iterator[dict[str, Any]]:
    for r in store.conn.execute(
        """SELECT m.article_id, m.entity_id, e.name, m.type, m.surface, m.start, m."end"
           FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id
           ORDER BY m.article_id, m.start"""
    ):
        yield {"article": r[0], "entity": r[1], "entity_name": r[2], "type": r[3],
               "surface": r[4], "start": r[5], "end": r[6]}


_ARTICLE_COLUMNS: tuple[Column, ...] = (
    ("id", "str"), ("title", "str"), ("text", "str"), ("published", "time"), ("outlet", "str"),
    ("author", "str"), ("language", "str"), ("url", "str"), ("attributions", "list"),
    ("story", "str"), ("story_title", "str"), ("dateline", "str"), ("source_path", "str"),
    ("content_hash", "str"),
)

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("articles", _ARTICLE_COLUMNS, article_rows,
          "one row per article, with its story's id and title"),
    Table("stories", (
        ("id", "str"), ("title", "str"), ("size", "int"), ("languages", "list"),
        ("first_seen", "time"), ("last_seen", "time"), ("outlets", "list"), ("storyline", "str"),
    ), story_rows, "one row per story"),
    Table("members", (
        ("story", "str"), ("story_title", "str"), ("article", "str"), ("title", "str"),
        ("outlet", "str"), ("language", "str"), ("published", "time"), ("link_score", "float"),
        ("linked_by", "str"), ("via", "str"), ("detail", "str"), ("derivation", "str"),
    ), member_rows, "one row per article in a story, with why it is there"),
    Table("edges", (
        ("source", "str"), ("target", "str"), ("type", "str"), ("weight", "float"),
        ("label", "str"), ("kind", "str"), ("confidence", "float"), ("story", "str"),
        ("identical", "bool"), ("hidden", "bool"), ("evidence", "int"),
    ), edge_rows, "provenance edges source → target (a Gephi edge table)"),
    Table("diffs", (
        ("story", "str"), ("article", "str"), ("source", "str"), ("change", "str"),
        ("text", "str"), ("source_text", "str"), ("what", "str"), ("detail", "str"),
        ("start", "int"), ("end", "int"),
    ), diff_rows, "what each derived article added, omitted or altered"),
    Table("entities", (
        ("id", "str"), ("name", "str"), ("type", "str"), ("variants", "list"),
        ("articles", "int"), ("mentions", "int"),
    ), entity_rows, "one row per entity, with its merged spellings"),
    Table("mentions", (
        ("article", "str"), ("entity", "str"), ("entity_name", "str"), ("type", "str"),
        ("surface", "str"), ("start", "int"), ("end", "int"),
    ), mention_rows, "one row per entity mention in an article's cleaned text"),
)}


def parse_time(value: str | None) -> datetime | None:
    """An exported date or time as a UTC datetime for typed formats: a time without an
    offset is UTC (the rule of ``wiretrace.lang.dates``), a date is its midnight UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# -- the provenance graph ------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all (control characters other than tab and newlines):
# a scraped title holding one would make the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NODE_FIELDS: tuple[Column, ...] = (
    ("kind", "string"), ("title", "string"), ("outlet", "string"), ("language", "string"),
    ("published", "string"), ("story", "string"),
)
_EDGE_FIELDS: tuple[Column, ...] = (
    ("kind", "string"), ("confidence", "double"), ("story", "string"), ("identical", "boolean"),
    ("hidden", "boolean"),
)


def provenance_graph(
    store: Store, *, story: str | None = None, hidden: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes (articles, and the sources outside the collection an edge starts from) and the
    stored provenance edges, of every traced story or of ``story``."""
    edges = [e for e in edge_rows(store, hidden=hidden) if story is None or e["story"] == story]
    ids = sorted({e["source"] for e in edges} | {e["target"] for e in edges})
    articles: dict[str, dict[str, Any]] = {}
    stories = story_index(store)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        for r in store.conn.execute(
            f"""SELECT id, title, outlet, language, published FROM articles
                WHERE id IN ({','.join('?' * len(chunk))})""", chunk,
        ):
            articles[r[0]] = {"id": r[0], "label": r[2] or r[1] or r[0], "kind": "article",
                              "title": r[1], "outlet": r[2], "language": r[3],
                              "published": r[4], "story": stories.get(r[0])}
    nodes = [articles.get(i) or {"id": i, "label": i, "kind": "source"} for i in ids]
    return nodes, edges


def _clean(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", "" if value is None else str(value))


def gexf(nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]]) -> bytes:
    """The graph as GEXF 1.2 (Gephi's own format): directed, weighted by confidence, with
    each node's outlet, language, date and story and each edge's kind as attributes."""
    root = ET.Element("gexf", {"xmlns": "http://www.gexf.net/1.2draft", "version": "1.2"})
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": datetime.now(UTC).date().isoformat()})
    ET.SubElement(meta, "creator").text = "wiretrace"
    ET.SubElement(meta, "description").text = "provenance: who copied, translated or rewrote whom"
    graph = ET.SubElement(root, "graph", {"mode": "static", "defaultedgetype": "directed"})
    for cls, fields in (("node", _NODE_FIELDS), ("edge", _EDGE_FIELDS)):
        attrs = ET.SubElement(graph, "attributes", {"class": cls})
        for index, (name, kind) in enumerate(fields):
            ET.SubElement(attrs, "attribute", {"id": str(index), "title": name, "type": kind})
    xml_nodes = ET.SubElement(graph, "nodes")
    for node in nodes:
        el = ET.SubElement(xml_nodes, "node", {"id": _clean(node["id"]),
                                               "label": _clean(node["label"])})
        _attvalues(el, node, _NODE_FIELDS)
    xml_edges = ET.SubElement(graph, "edges")
    for index, edge in enumerate(edges):
        el = ET.SubElement(xml_edges, "edge", {
            "id": str(index), "source": _clean(edge["source"]), "target": _clean(edge["target"]),
            "weight": _clean(edge["confidence"]), "label": _clean(edge["kind"]),
        })
        _attvalues(el, edge, _EDGE_FIELDS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _attvalues(el: ET.Element, record: dict[str, Any], fields: tuple[Column, ...]) -> None:
    values = ET.SubElement(el, "attvalues")
    for index, (name, _) in enumerate(fields):
        if record.get(name) is not None:
            ET.SubElement(values, "attvalue", {"for": str(index), "value": _clean(record[name])})


def graphml(nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]]) -> bytes:
    """The same graph as GraphML (yEd, Cytoscape, networkx, and Gephi too)."""
    root = ET.Element("graphml", {"xmlns": "http://graphml.graphdrawing.org/xmlns"})
    keys: dict[tuple[str, str], str] = {}
    for cls, fields in (("node", (("label", "string"), *_NODE_FIELDS)),
                        ("edge", (("weight", "double"), *_EDGE_FIELDS))):
        for name, kind in fields:
            key = f"{cls[0]}_{name}"
            keys[(cls, name)] = key
            ET.SubElement(root, "key", {"id": key, "for": cls, "attr.name": name,
                                        "attr.type": kind})
    graph = ET.SubElement(root, "graph", {"id": "provenance", "edgedefault": "directed"})
    for node in nodes:
        el = ET.SubElement(graph, "node", {"id": _clean(node["id"])})
        for (cls, name), key in keys.items():
            if cls == "node" and node.get(name) is not None:
                ET.SubElement(el, "data", {"key": key}).text = _clean(node[name])
    for index, edge in enumerate(edges):
        el = ET.SubElement(graph, "edge", {"id": f"e{index}", "source": _clean(edge["source"]),
                                           "target": _clean(edge["target"])})
        for (cls, name), key in keys.items():
            if cls == "edge" and edge.get(name) is not None:
                ET.SubElement(el, "data", {"key": key}).text = _clean(edge[name])
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
