"""Exclusive material: what a derivation shares with its source and no other report does.

Independent reports of one event share what every report has (the statement's figures, the
official's words); a rewrite also carries its source's own material (a detail only that outlet
found). Four short reports of an invented ferry suspension, aligned on verbatim passages alone
(zero sentence vectors, so no embedding pair can form): the harbour authority's statement is
told in the same words by all four, the Gazette adds a detail of its own, the Courier rewrites
the Gazette and keeps that detail, and two outlets report on their own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

import numpy as np

from wiretrace.provenance.align import Doc, align_pair
from wiretrace.provenance.graph import Node, candidate_edges
from wiretrace.sentences import split_sentences

STATEMENT = (
    "The ferry service between Port Aven and Lisk Island will stay suspended until 14 March "
    "after a crack was found in the hull of the Morwen, the harbour authority said on Tuesday. "
)
GAZETTE_OWN = (
    "The Gazette has learned that the Morwen failed a routine safety inspection in November "
    "and was allowed to keep sailing after temporary repairs to its rear ramp. "
)
STORIES = {
    "gazette": STATEMENT + GAZETTE_OWN
    + "Island councillors have called a public meeting for Thursday evening. The operator "
    "declined to say when the Morwen had last been out of the water for repairs. Two cargo "
    "barges will keep fuel and food moving to the island in the meantime.",
    "courier": "Islanders face weeks without a ferry. " + STATEMENT + GAZETTE_OWN
    + "Shop owners on Lisk Island said deliveries had already been cancelled. A bakery on the "
    "harbour front said it would close for the week because its flour comes by the ferry.",
    "herald": STATEMENT
    + "Fishermen in Port Aven offered to carry passengers in small boats, though the "
    "coastguard warned against it in rough weather. The crossing takes forty minutes in calm "
    "water and the Morwen has run it since 1998. Tourist bookings for the Easter weekend are "
    "being refunded, the island's hotel said, and the spring market has been postponed.",
    "observer": "Schoolchildren from Lisk Island will be taught online for the time being. "
    + STATEMENT
    + "The island's only doctor said patients needing hospital care would be flown out. A "
    "helicopter from the mainland air ambulance will be on call at the school playing field. "
    "Parents said the closure had come with almost no warning.",
}
START = datetime(2026, 3, 3, 8, tzinfo=UTC)
ORDER = ["gazette", "herald", "observer", "courier"]


def _node(name: str) -> Node:
    text = STORIES[name]
    sentences = split_sentences(text, "en")
    doc = Doc(name, text, "en", sentences, np.zeros((len(sentences), 384), np.float32))
    published = START + timedelta(hours=3 * ORDER.index(name))
    return Node(doc, published, date_precise=True, zone_known=True)


def _edges() -> dict[tuple[str, str], object]:
    nodes = {name: _node(name) for name in STORIES}
    alignments = [align_pair(nodes[a].doc, nodes[b].doc) for a, b in combinations(ORDER, 2)]
    return {(e.source, e.target): e for e in candidate_edges(nodes, alignments)}


def test_an_independent_report_sharing_only_the_common_facts_has_no_exclusive_material():
    edges = _edges()
    for pair in (("gazette", "herald"), ("gazette", "observer"), ("herald", "observer")):
        edge = edges[pair]
        # They do share the statement, word for word: that alone is what every report has.
        assert edge.features["unquoted_verbatim"] > 0.3
        assert edge.features["compared_members"] >= 1
        assert edge.features["exclusive_sentences"] == 0, pair
        assert not [e for e in edge.evidence if e.get("method") == "exclusive"]


def test_a_rewrite_carrying_its_sources_own_addition_has_exclusive_material():
    edge = _edges()[("gazette", "courier")]
    assert edge.features["compared_members"] >= 1
    assert edge.features["exclusive_sentences"] >= 1
    exclusive = [e for e in edge.evidence if e.get("method") == "exclusive"]
    assert exclusive and exclusive[0]["note"] == "material only these two share"
    assert any("failed a routine safety inspection" in e["from_text"] for e in exclusive)
    assert any("failed a routine safety inspection" in e["to_text"] for e in exclusive)
    # ... and the statement every outlet carries is not among it.
    assert not any("harbour authority said" in e["from_text"] for e in exclusive)
