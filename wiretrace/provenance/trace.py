"""Tracing a story: alignment, graph and claim diff put together (pure: no store).

``wiretrace.store.traces`` reads a stored story, runs this and keeps the result.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..lang.dates import has_offset
from ..lang.dates import parse_instant as parse_date
from ..records import Article
from ..representations import ArticleRepr
from .align import TIER_EMBEDDING, TIER_VERBATIM, Doc, PairAlignment, align_story, candidate_pairs
from .diff import claim_diff
from .graph import (
    Node,
    build_graph,
    date_conflicts,
    detail_score,
    has_time,
    member_verdicts,
)

TRACE_VERSION = 3
ANCHORS = 5  # earliest-dated articles every article is also compared with


def make_doc(repr_: ArticleRepr) -> Doc:
    """The alignment view of an article; its sentence vectors are read (and embedded when not
    stored) only if the story's alignment needs them (``align.align_story``)."""
    return Doc(
        id=repr_.id,
        text=repr_.text,
        language=repr_.language,
        sentences=list(repr_.sentences),
        vectors=None,
        doc_vector=None if repr_.doc_vector is None else np.asarray(repr_.doc_vector, np.float32),
        vectorizer=lambda: np.asarray(repr_.sentence_vectors, dtype=np.float32),
    )


def make_node(article: Article | None, repr_: ArticleRepr) -> Node:
    doc = make_doc(repr_)
    published_text = article.published if article else repr_.published
    published = parse_date(published_text)
    credits = []
    outlet = url = None
    if article is not None:
        md = article.metadata
        outlet, url = md.outlet, md.url
        seen = set()
        for attr in md.attributions:
            if attr.name in seen:
                continue
            seen.add(attr.name)
            credits.append(
                {
                    "name": attr.name,
                    "surface": attr.surface,
                    "in_text": attr.start is not None,
                    "kind": attr.kind,
                }
            )
    return Node(
        doc=doc,
        published=published,
        outlet=outlet,
        url=url,
        credits=credits,
        detail=detail_score(doc),
        date_precise=has_time(published_text),
        zone_known=has_offset(published_text),
    )


def story_alignments(
    by_id: dict[str, Node], *, k: int = 8, events: dict[str, int] | None = None
) -> list[PairAlignment]:
    """Aligned article pairs of a story: near neighbours, shared shingles and anchors (the
    earliest-dated and the crediting articles); never two articles of different events."""
    order = list(by_id)
    docs = [by_id[i].doc for i in order]
    dated = sorted((n.published, idx) for idx, n in enumerate(by_id.values()) if n.published)
    anchors = [idx for _, idx in dated[:ANCHORS]]
    anchors += [idx for idx, n in enumerate(by_id.values()) if n.credits and idx not in anchors][
        :ANCHORS
    ]
    pairs = candidate_pairs(docs, k=k, anchors=anchors)
    if events:
        pairs = {(i, j) for i, j in pairs if events.get(order[i]) == events.get(order[j])}
    return align_story(docs, sorted(pairs))[0]


def trace_nodes(
    nodes: Sequence[Node],
    story: str | None = None,
    *,
    k: int = 8,
    events: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The trace of a set of articles (see :func:`trace_story_articles`). ``events`` (article
    id -> event number) keeps derivations within an event: reports of different events are
    never aligned."""
    started = time.perf_counter()
    by_id = {n.id: n for n in nodes}
    alignments = story_alignments(by_id, k=k, events=events)
    chosen, hidden = build_graph(by_id, alignments)
    conflicts = date_conflicts(by_id, chosen)
    articles_out: dict[str, Any] = {}
    for node in by_id.values():
        edge = chosen.get(node.id)
        entry: dict[str, Any] = {
            "source": None,
            "kind": None,
            "added": [],
            "omitted": [],
            "altered": [],
        }
        if edge is not None:
            entry["source"] = edge.source
            entry["kind"] = edge.kind
            if edge.alignment is not None and edge.source in by_id:
                entry.update(claim_diff(by_id[edge.source].doc, node.doc, edge.alignment))
            else:
                entry["note"] = f"{edge.source} is not in the store: no text to compare against"
        articles_out[node.id] = entry
    roots = [n for n in by_id.values() if n.id not in chosen]
    agency_roots = sorted({e.source for e in chosen.values() if e.source not in by_id})
    roots.sort(
        key=lambda n: (n.published is None, n.published or datetime.min.replace(tzinfo=UTC), n.id)
    )
    origins = agency_roots + [n.id for n in roots]
    return {
        "story": story,
        "origins": origins,
        "edges": [e.to_dict() for e in sorted(chosen.values(), key=lambda e: (e.source, e.target))],
        "hidden_edges": [e.to_dict() for e in hidden],
        "verdicts": member_verdicts(by_id, chosen),
        # No article derives from another member: independent coverage (or common sources).
        "independent": not any(e.source in by_id for e in chosen.values()),
        "articles": articles_out,
        "date_conflicts": conflicts,
        "stats": {
            "articles": len(by_id),
            "article_pairs_aligned": len(alignments),
            "sentence_pairs_compared": sum(a.sentence_pairs_compared for a in alignments),
            "sentences": sum(len(n.doc.sentences) for n in by_id.values()),
            # verbatim: every aligned pair settled by verbatim passages, no sentence vectors
            "alignment_tier": (
                TIER_EMBEDDING if any(a.tier == TIER_EMBEDDING for a in alignments) else TIER_VERBATIM
            ),
            "seconds": round(time.perf_counter() - started, 3),
            "version": TRACE_VERSION,
        },
    }


def trace_story_articles(
    articles: Sequence[Article],
    reprs: dict[str, ArticleRepr],
    story: str | None = None,
    *,
    check_events: bool = False,
) -> dict[str, Any]:
    """Trace a story: origins, derivation edges, per-article claim diff, date conflicts.

    Articles without a representation are skipped. Pure: nothing is read from or written to
    a store. ``check_events`` first groups the articles by event (the same-event decision of
    ``compare``): articles of different events are never traced against each other, and the
    result carries a warning naming the groups.
    """
    nodes = [make_node(a, reprs[a.id]) for a in articles if a.id in reprs]
    if not check_events or len(nodes) < 2:
        return trace_nodes(nodes, story)
    events = event_groups([reprs[n.id] for n in nodes])
    result = trace_nodes(nodes, story, events=events)
    if len(set(events.values())) > 1:
        groups: dict[int, list[str]] = {}
        for article_id, group in events.items():
            groups.setdefault(group, []).append(article_id)
        listed = "; ".join(", ".join(ids) for ids in groups.values())
        result["warnings"] = [
            f"these articles report {len(groups)} different events ({listed}): "
            "no derivation is drawn between articles of different events"
        ]
        result["events"] = list(groups.values())
    return result


def event_groups(reprs: Sequence[ArticleRepr]) -> dict[str, int]:
    """Article id -> event number: connected groups of the same-event decision."""
    from ..similarity import score_pair

    parent = list(range(len(reprs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(reprs)):
        for j in range(i + 1, len(reprs)):
            if root(i) != root(j) and score_pair(reprs[i], reprs[j], aligned=False).same_event:
                parent[root(j)] = root(i)
    roots = {r: n for n, r in enumerate(dict.fromkeys(root(i) for i in range(len(reprs))))}
    return {r.id: roots[root(i)] for i, r in enumerate(reprs)}


def members_hash(articles: Sequence[Article]) -> str:
    """Hash of member ids and content hashes: a trace is stale once this changes."""
    digest = hashlib.sha256(f"v{TRACE_VERSION}".encode())
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(f"{article.id}\0{article.content_hash}\n".encode())
    return digest.hexdigest()
