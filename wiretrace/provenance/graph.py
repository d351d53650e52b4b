"""The derivation graph of a story: who copied, translated or rewrote whom.

Each aligned article pair gets a direction from three kinds of evidence: publication times,
attributions (an article that credits another's outlet, or the agency the other *is*, comes
after it) and detail (numbers and names are lost, not invented, along copy chains). Each
derivative then keeps one main source, the earlier-or-credited article that explains most of
it, so the result is a forest and chains A -> B -> C appear when C carries B's additions.

When several articles credit a wire service that is not itself in the story, they are not
derived from one another: the service becomes the origin (a common source) and the edges run
from it.

Independent reports of one event share quotes, names and numbers; none of that shows copying.
An edge's confidence is therefore a probability read from evidence an independent report would
not have (:func:`evidence_features`): wording shared outside quotation marks, long shared runs,
aligned sentences in the same order, the source's sentence sequence followed however reworded
(a paraphrase keeps it; independent reports meet at a few facts in their own order), a credit
line. Sentences followed in order count for a rewrite only with *exclusive material*: material
of the source that the target carries and no other member does, leaving out the pair's own
copies and siblings (an independent report shares what every report has; a derivation also
carries what only its source said); it is shown as evidence ("material only these two
share"). A small logistic model fitted on labelled
pairs (``data/edge_model.json``, refitted by ``eval/provenance.py``) turns it into a calibrated
confidence; edges below :data:`DISPLAY_THRESHOLD` are kept aside as hidden edges, and each
member gets a verdict: derived, common source, or independent reporting.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ..lang.names import romanise
from .align import Doc, PairAlignment
from .diff import is_claim
from .lexicon import agencies, extract_names
from .settings import (
    BAND_MARGIN,
    BAND_MIN,
    CONFLICT_DAYS,
    CONTIGUOUS_FILL,
    CONTIGUOUS_MAX_SPAN,
    COPY_CHANGED_CLAIMS,
    COPY_CONFLICT_DAYS,
    COPY_COVERAGE,
    CREDIT_CONFIDENCE,
    CREDIT_DIRECTION,
    CREDIT_IN_TEXT_CONFIDENCE,
    CREDIT_MAX_CONFIDENCE,
    CREDIT_SIBLING_BONUS,
    CREDIT_SIBLING_BONUS_MAX,
    DATE_MAX_WEIGHT,
    DATE_TIE_HOURS,
    DATE_WEIGHT_HOURS,
    DETAIL_DIRECTION,
    DETAIL_SCALE,
    DIRECTION_SURE_FLOOR,
    DISPLAY_THRESHOLD,
    EXCLUSIVE_FULL,
    EXCLUSIVE_GATE,
    EXCLUSIVE_LINKED_VERBATIM,
    FOLLOWED_CONFIDENCE,
    FOLLOWED_REWRITE,
    LONG_RUN,
    MIN_ORDER_PAIRS,
    ORDER_FULL_PAIRS,
    PARTIAL_COPY_SOURCE,
    PARTIAL_COPY_TARGET,
    PIVOT_BONUS,
    PIVOTS,
    QUOTE_SENTENCE,
    RELATED_COVERAGE,
    RELATED_MIN_COVERAGE,
    RELATED_VERBATIM_TOKENS,
    SAME_LANGUAGE_BONUS,
    SELECT_FIGURES,
    SELECT_SAME_TEXT,
    SELECT_SOURCE_COVERAGE,
    SELECT_VERBATIM,
    SUMMARY_LENGTH,
    SUMMARY_MAX_SOURCE_COVERAGE,
    SUMMARY_PRECISION,
    TRANSLATION_COVERAGE,
    UPSTREAM_SLACK,
    VERBATIM_COPY,
    WIRE_CREDIT_DIRECTION,
)

_QUOTES = re.compile(
    r'"[^"\n]{2,}?"|“[^”\n]{2,}?[”"]|«[^»\n]{2,}?»|„[^“”\n]{2,}?[“”]|‘[^’\n]{12,}?’'
)


@dataclass
class Node:
    """An article as the graph sees it."""

    doc: Doc
    published: datetime | None
    outlet: str | None = None
    url: str | None = None
    credits: list[dict[str, Any]] = field(default_factory=list)  # {"name","surface","in_text"}
    detail: int = 0  # distinct numbers and names: a rough measure of specific content
    date_precise: bool = False  # the date carries a time of day
    zone_known: bool = False  # ... with a UTC offset (without one it is some local time)
    original_of: set[str] = field(default_factory=set)  # agencies this article is taken to be

    @property
    def id(self) -> str:
        return self.doc.id


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    confidence: float
    evidence: list[dict[str, Any]]
    alignment: PairAlignment | None = None
    selection: float = 0.0
    features: dict[str, Any] = field(default_factory=dict)
    identical: bool = False
    common_source: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = {
            "from": self.source,
            "to": self.target,
            "kind": self.kind,
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence,
        }
        if self.identical:
            out["identical"] = True
        if self.common_source:
            out["common_source"] = True
        if self.features:
            out["features"] = self.features
        return out


def has_time(value: str | None) -> bool:
    return bool(value) and bool(re.search(r"\d[T ]\d{1,2}:\d{2}", value or ""))


def detail_score(doc: Doc) -> int:
    """Distinct numbers and capitalised names in an article."""
    numbers = {round(v, 2) for v in doc.all_numbers()}
    names = set()
    for s in doc.sentences:
        names.update(n.lower() for n in extract_names(s.text))
    return len(numbers) + len(names)


def _norm_outlet(value: str | None) -> str:
    if not value:
        return ""
    value = value.lower()
    value = re.sub(r"^https?://", "", value)
    value = re.sub(r"^www\.", "", value)
    return value.split("/")[0].strip()


def agency_key(name: str | None) -> str | None:
    """The canonical wire-service name for ``name`` ("Associated Press" -> "AP"), if it is one."""
    if not name:
        return None
    low = name.strip().lower()
    for key, info in agencies().items():
        if low == key.lower() or low in {a.lower() for a in info.get("aliases", [])}:
            return key
    return None


def _aliases(name: str) -> set[str]:
    key = agency_key(name)
    info = agencies().get(key, {}) if key else {}
    return (
        {a.lower() for a in info.get("aliases", [])}
        | {name.lower()}
        | ({key.lower()} if key else set())
    )


def is_agency_original(node: Node, agency: str) -> bool:
    """Whether this article *is* the agency's (or credited outlet's) own publication."""
    if agency in node.original_of:
        return True
    aliases = _aliases(agency)
    outlet, host = _norm_outlet(node.outlet), _norm_outlet(node.url)
    if outlet and outlet in aliases:
        return True
    if outlet and romanise(outlet) in {romanise(a) for a in aliases}:
        return True  # the outlet's own spelling in another script ("Укрпрес" / "Ukrpres")
    return any(host == a or host.endswith("." + a) for a in aliases if "." in a)


def credits_to(node: Node, other: Node) -> bool:
    """Whether ``node`` credits ``other``: its outlet, or an agency ``other`` is the original of."""
    for credit in node.credits:
        if is_agency_original(other, credit["name"]):
            return True
    return False


def _credited_agencies(node: Node) -> list[str]:
    return [c["name"] for c in node.credits if not is_agency_original(node, c["name"])]


def direction(a: Node, b: Node) -> tuple[float, list[str]]:
    """Signed evidence that ``a`` came before ``b`` (positive) or after it (negative)."""
    score, reasons = 0.0, []
    if a.published and b.published:
        hours = (b.published - a.published).total_seconds() / 3600.0
        if not (a.date_precise and b.date_precise) or a.zone_known != b.zone_known:
            # A date without a time says only which day, and a local time of unknown zone
            # cannot be set against a UTC instant: compare calendar days.
            hours = 24.0 * (b.published.date() - a.published.date()).days
        if abs(hours) >= DATE_TIE_HOURS:
            weight = min(DATE_MAX_WEIGHT, 1.0 + abs(hours) / DATE_WEIGHT_HOURS)
            score += math.copysign(weight, hours)
            reasons.append("published earlier" if hours > 0 else "published later")
    if credits_to(b, a):
        score += CREDIT_DIRECTION
        reasons.append("credited by the other")
    if credits_to(a, b):
        score -= CREDIT_DIRECTION
        reasons.append("credits the other")
    credited_a, credited_b = _credited_agencies(a), _credited_agencies(b)
    if credited_a and not credited_b:
        score += WIRE_CREDIT_DIRECTION
        reasons.append("credits the wire")
    elif credited_b and not credited_a:
        score -= WIRE_CREDIT_DIRECTION
    if a.detail != b.detail:
        score += DETAIL_DIRECTION * math.tanh((a.detail - b.detail) / DETAIL_SCALE)
    return score, reasons


def _contiguous(alignment: PairAlignment, side: str, n_tokens: int) -> bool:
    """Whether the verbatim material on one side sits in one block, not spread over the text."""
    ranges = [s.a_tok if side == "a" else s.b_tok for s in alignment.spans]
    if not ranges or n_tokens == 0:
        return False
    lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
    covered = sum(r[1] - r[0] for r in ranges)
    return covered / max(hi - lo, 1) >= CONTIGUOUS_FILL and (hi - lo) / n_tokens <= CONTIGUOUS_MAX_SPAN


def classify(
    source: Node,
    target: Node,
    alignment: PairAlignment,
    roles: dict[str, SentenceRoles] | None = None,
) -> tuple[str, dict[str, float]]:
    """copy | partial-copy | translation | rewrite | summary, with the figures behind it.
    ``roles`` (by node id, see :func:`sentence_roles`) saves reading the claims again."""
    src_side = "a" if alignment.a == source.id else "b"
    v_src = alignment.verbatim_a if src_side == "a" else alignment.verbatim_b
    v_tgt = alignment.verbatim_b if src_side == "a" else alignment.verbatim_a
    # Coverage and length over claim sentences: page furniture a copy picked up ("Reading
    # time: 1 minute") says nothing about how the text was made.
    if roles is not None:
        claims_src, claims_tgt = roles[source.id].claims, roles[target.id].claims
    else:
        claims_src, claims_tgt = _claim_sentences(source.doc), _claim_sentences(target.doc)
    covered_src = alignment.covered_a if src_side == "a" else alignment.covered_b
    covered_tgt = alignment.covered_b if src_side == "a" else alignment.covered_a
    c_src = len(covered_src & claims_src) / max(len(claims_src), 1)
    c_tgt = len(covered_tgt & claims_tgt) / max(len(claims_tgt), 1)
    length_src = sum(len(source.doc.sentences[i].text) for i in claims_src)
    length_tgt = sum(len(target.doc.sentences[i].text) for i in claims_tgt)
    length_ratio = length_tgt / max(length_src, 1)
    figures = {
        "verbatim_source": round(v_src, 3),
        "verbatim_target": round(v_tgt, 3),
        "coverage_source": round(c_src, 3),
        "coverage_target": round(c_tgt, 3),
        "length_ratio": round(length_ratio, 3),
    }
    same_language = (source.doc.language or "") == (target.doc.language or "")
    if same_language:
        if v_src >= COPY_COVERAGE:
            # A copy changes no claim: every claim sentence of the target is the source's own.
            # One that adds a paragraph or edits a figure in copied text is a rewrite of it.
            changed = _claims_changed_within(target.doc, claims_tgt, source.doc, alignment, src_side)
            figures["claims_changed"] = changed
            return ("rewrite" if changed > COPY_CHANGED_CLAIMS else "copy"), figures
        if (
            v_tgt >= PARTIAL_COPY_TARGET
            and v_src >= PARTIAL_COPY_SOURCE
            and _contiguous(alignment, src_side, len(source.doc.tokens))
        ):
            return "partial-copy", figures
        if length_ratio <= SUMMARY_LENGTH and c_tgt >= SUMMARY_PRECISION:
            return "summary", figures
        return "rewrite", figures
    if length_ratio <= SUMMARY_LENGTH and c_tgt >= SUMMARY_PRECISION and c_src < SUMMARY_MAX_SOURCE_COVERAGE:
        return "summary", figures
    if c_src >= TRANSLATION_COVERAGE and c_tgt >= TRANSLATION_COVERAGE:
        return "translation", figures
    return "rewrite", figures


def _claims_changed_within(
    target: Doc, claims: Set[int], source: Doc, alignment: PairAlignment, src_side: str
) -> int:
    """How many of ``target``'s claim sentences inside its copied block (between its first and
    last verbatim span) do not occur word for word in ``source``: an inserted paragraph or an
    edited sentence. Page furniture around the block ("Read also: ...") is not counted."""
    ranges = [s.b_chars if src_side == "a" else s.a_chars for s in alignment.spans]
    if not ranges:
        return 0
    lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
    text = f" {normal_text(source.text)} "
    return sum(
        1
        for i in claims
        if lo <= target.sentences[i].start
        and target.sentences[i].end <= hi
        and f" {normal_text(target.sentences[i].text)} " not in text
    )


def _claim_sentences(doc: Doc) -> set[int]:
    claims = {i for i, s in enumerate(doc.sentences) if is_claim(s.text)}
    return claims or set(range(len(doc.sentences)))


@dataclass(frozen=True)
class SentenceRoles:
    """What one article's tokens and sentences are, as every pair it is in reads them: they
    depend on the article alone, so :func:`candidate_edges` works them out once per member
    rather than once per pair and measure."""

    quoted: np.ndarray  # per token: inside quotation marks
    quotes: frozenset[int]  # sentences mostly inside quotation marks
    claims: frozenset[int]  # claim sentences (all of them where none is a claim)
    unquoted_claims: frozenset[int]  # claims that are not quotes


def sentence_roles(doc: Doc, quoted: np.ndarray | None = None) -> SentenceRoles:
    """The :class:`SentenceRoles` of ``doc`` (``quoted``: its quoted-token mask, if at hand)."""
    mask = quoted_tokens(doc) if quoted is None else quoted
    quotes = frozenset(quote_sentences(doc, mask))
    claims = frozenset(_claim_sentences(doc))
    return SentenceRoles(mask, quotes, claims, claims - quotes)


def _pair_roles(
    source: Node,
    target: Node,
    quoted: dict[str, np.ndarray],
    roles: dict[str, SentenceRoles] | None,
) -> tuple[SentenceRoles, SentenceRoles]:
    """The roles of a pair's two sides: from ``roles`` when given, else read from the docs."""
    if roles is not None:
        return roles[source.id], roles[target.id]
    return (
        sentence_roles(source.doc, quoted[source.id]),
        sentence_roles(target.doc, quoted[target.id]),
    )


def related(alignment: PairAlignment, n_a: int, n_b: int) -> bool:
    """Whether two articles share enough material for one to derive from the other."""
    verbatim_tokens = sum(s.matched for s in alignment.spans)
    if verbatim_tokens >= RELATED_VERBATIM_TOKENS:
        return True
    if len(alignment.pairs) < 2:
        return False
    share_a = alignment.coverage("a", n_a)
    share_b = alignment.coverage("b", n_b)
    return max(share_a, share_b) >= RELATED_COVERAGE and min(share_a, share_b) >= RELATED_MIN_COVERAGE


def _evidence(
    source: Node,
    target: Node,
    alignment: PairAlignment,
    quoted: dict[str, np.ndarray] | None = None,
    limit: int = 3,
    roles: dict[str, SentenceRoles] | None = None,
) -> list[dict]:
    """The shared passages behind an edge, unquoted wording first; a passage inside quotation
    marks is flagged ``quote`` (the same speaker quoted, not the same writer)."""
    flipped = alignment.a != source.id
    q_tgt = quoted.get(target.id) if quoted else None
    out = []
    if alignment.spans:
        def quoted_share(span: Any) -> float:
            if q_tgt is None:
                return 0.0
            lo, hi = span.a_tok if flipped else span.b_tok
            return float(q_tgt[lo:hi].mean()) if hi > lo else 0.0

        ranked = sorted(alignment.spans, key=lambda s: (quoted_share(s) >= QUOTE_SENTENCE, -s.matched))
        for span in ranked[:limit]:
            a_chars, b_chars = (
                (span.b_chars, span.a_chars) if flipped else (span.a_chars, span.b_chars)
            )
            item = {
                "from_text": source.doc.text[a_chars[0] : a_chars[1]][:300],
                "to_text": target.doc.text[b_chars[0] : b_chars[1]][:300],
                "score": 1.0,
                "method": "verbatim",
            }
            if quoted_share(span) >= QUOTE_SENTENCE:
                item["quote"] = True
            out.append(item)
        return out
    if roles is not None:
        quotes_s, quotes_t = roles[source.id].quotes, roles[target.id].quotes
    else:
        quotes_s = quote_sentences(source.doc, quoted[source.id]) if quoted else set()
        quotes_t = quote_sentences(target.doc, q_tgt) if q_tgt is not None else set()
    for pair in sorted(alignment.pairs, key=lambda p: -p.score)[:limit]:
        i, j = (pair.b, pair.a) if flipped else (pair.a, pair.b)
        item = {
            "from_text": source.doc.sentences[i].text,
            "to_text": target.doc.sentences[j].text,
            "score": pair.score,
            "method": pair.method,
        }
        if i in quotes_s or j in quotes_t:
            item["quote"] = True
        out.append(item)
    return out


def _figure_agreement(source: Node, target: Node) -> float:
    """Share of the derivative's numbers that the source states too: a derivative inherits its
    source's figures, including the ones an intermediate copy got wrong."""
    target_numbers = {round(v, 2) for v in target.doc.all_numbers()}
    if not target_numbers:
        return 0.0
    source_numbers = {round(v, 2) for v in source.doc.all_numbers()}
    return len(target_numbers & source_numbers) / len(target_numbers)


# -- evidence an independent report would not have ---------------------------------------


def quoted_tokens(doc: Doc) -> np.ndarray:
    """Per token of ``doc``: whether it sits inside quotation marks (someone's words, which
    every report of the event may carry)."""
    mask = np.zeros(len(doc.tokens), dtype=bool)
    if not doc.tokens:
        return mask
    starts = np.array([t.start for t in doc.tokens])
    for m in _QUOTES.finditer(doc.text):
        lo, hi = np.searchsorted(starts, m.start()), np.searchsorted(starts, m.end())
        mask[lo:hi] = True
    return mask


def quote_sentences(doc: Doc, mask: np.ndarray) -> set[int]:
    """Sentences mostly inside quotation marks."""
    if not len(mask):
        return set()
    idx = doc.sentence_of_token
    placed = idx >= 0
    n = len(doc.sentences)
    counts = np.bincount(idx[placed], minlength=n)
    inside = np.bincount(idx[placed], weights=mask[placed].astype(np.float64), minlength=n)
    return {s for s in range(n) if counts[s] and inside[s] / counts[s] >= QUOTE_SENTENCE}


def normal_text(text: str) -> str:
    """Text with case, punctuation and spacing levelled: what "identical" compares."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def identical(a: Doc, b: Doc) -> bool:
    return bool(a.text.strip()) and normal_text(a.text) == normal_text(b.text)


def _order_agreement(pairs: list[tuple[int, int]]) -> float:
    """Kendall's tau of aligned sentence positions, shrunk towards 0 when pairs are few:
    a rewrite keeps its source's order, independent reports order the facts their own way."""
    n = len(pairs)
    if n < MIN_ORDER_PAIRS:
        return 0.0
    concordant = discordant = 0
    for x in range(n):
        for y in range(x + 1, n):
            d = (pairs[x][0] - pairs[y][0]) * (pairs[x][1] - pairs[y][1])
            concordant += d > 0
            discordant += d < 0
    tau = (concordant - discordant) / max(concordant + discordant, 1)
    return tau * min(1.0, n / ORDER_FULL_PAIRS)


def _band(vectors_s: np.ndarray, vectors_t: np.ndarray, rows: list[int], cols: list[int]) -> int:
    """Sentences followed in order: the longest chain of standout sentence pairs (see
    :data:`BAND_MARGIN`) running forward through both texts. A rewrite walks its source's
    sentence sequence; independent reports meet only at a few facts, in their own order."""
    if len(rows) < 2 or len(cols) < 2 or not vectors_s.size or not vectors_t.size:
        return 0
    sims = vectors_s[rows] @ vectors_t[cols].T
    centred = sims - sims.mean(axis=1, keepdims=True) - sims.mean(axis=0, keepdims=True)
    centred += sims.mean()
    hits = (centred >= BAND_MARGIN).astype(np.int32)
    # Longest common subsequence over the standout cells, one row at a time: a cell extends
    # the chain of the cell above-left, and each row keeps the running best.
    row = np.zeros(hits.shape[1] + 1, dtype=np.int32)
    for hit in hits:
        step = np.maximum(row[1:], row[:-1] + hit)
        row[1:] = np.maximum.accumulate(step)
    return int(row[-1])


def evidence_features(
    source: Node,
    target: Node,
    alignment: PairAlignment,
    quoted: dict[str, np.ndarray],
    roles: dict[str, SentenceRoles] | None = None,
) -> dict[str, float]:
    """What the pair shares that an independent report of the same event would not.

    Shared quotes of the same speaker are left out of every measure: verbatim spans are
    counted only outside quotation marks, and aligned sentences that are quotes on either side
    neither cover nor order anything.
    """
    flipped = alignment.a != source.id
    role_src, role_tgt = _pair_roles(source, target, quoted, roles)
    q_tgt = role_tgt.quoted
    unquoted = longest = 0
    for span in alignment.spans:
        lo, hi = span.a_tok if flipped else span.b_tok
        run = best = 0
        for inside in q_tgt[lo:hi]:
            run = 0 if inside else run + 1
            best = max(best, run)
        unquoted += int((~q_tgt[lo:hi]).sum())
        longest = max(longest, best)
    n_tgt = max(len(target.doc.tokens), 1)
    quotes_src, quotes_tgt = role_src.quotes, role_tgt.quotes
    claims_tgt, claims_src = role_tgt.unquoted_claims, role_src.unquoted_claims
    positions = []
    for pair in alignment.pairs:
        i, j = (pair.b, pair.a) if flipped else (pair.a, pair.b)
        if i in quotes_src or j in quotes_tgt:
            continue
        positions.append((i, j))
    covered_t = {j for _, j in positions} & claims_tgt
    covered_s = {i for i, _ in positions} & claims_src
    same_language = (source.doc.language or "") == (target.doc.language or "")
    explained = len(covered_t) / max(len(claims_tgt), 1)
    # Within a language: how much both sides share. Across languages there is no shared
    # wording to read, so how much of the target its source explains (a translation or a
    # summary is explained whole).
    cover = (
        min(explained, len(covered_s) / max(len(claims_src), 1)) if same_language else explained
    )
    shorter = max(min(len(claims_src), len(claims_tgt)), 1)
    band = _band(source.doc.vectors, target.doc.vectors, sorted(claims_src), sorted(claims_tgt))
    return {
        "band": round(band / max(shorter, BAND_MIN), 4),
        "followed": band,
        "unquoted_verbatim": round(unquoted / n_tgt, 4),
        "longest_run": round(math.log1p(min(longest, LONG_RUN)) / math.log1p(LONG_RUN), 4),
        "cover_same": round(cover if same_language else 0.0, 4),
        "cover_cross": round(0.0 if same_language else cover, 4),
        "order": round(_order_agreement(sorted(positions)), 4),
        "credit": 1.0 if credits_to(target, source) else 0.0,
    }


@cache
def edge_model() -> dict[str, Any]:
    """The fitted edge model: feature names, weights, intercept (see eval/provenance.py)."""
    path = resources.files("wiretrace.provenance") / "data" / "edge_model.json"
    return json.loads(path.read_text(encoding="utf-8"))


def edge_probability(features: dict[str, float], model: dict[str, Any] | None = None) -> float:
    """P(the edge is a real derivation) from its evidence features."""
    model = model or edge_model()
    z = model["intercept"] + sum(
        w * float(features.get(name, 0.0))
        for name, w in zip(model["features"], model["weights"], strict=True)
    )
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def sentence_carriers(alignments: Sequence[PairAlignment]) -> dict[str, dict[int, set[str]]]:
    """Per member and sentence: the other members that carry a counterpart of it (paired, or
    close enough to count as covered), read from the story's alignments."""
    carriers: dict[str, dict[int, set[str]]] = {}
    for alignment in alignments:
        side_a = carriers.setdefault(alignment.a, {})
        side_b = carriers.setdefault(alignment.b, {})
        for i in alignment.covered_a | {p.a for p in alignment.pairs}:
            side_a.setdefault(i, set()).add(alignment.b)
        for j in alignment.covered_b | {p.b for p in alignment.pairs}:
            side_b.setdefault(j, set()).add(alignment.a)
    return carriers


def exclusive_material(
    source: Node,
    target: Node,
    alignment: PairAlignment,
    carriers: dict[str, dict[int, set[str]]],
    others: set[str],
    quoted: dict[str, np.ndarray],
    roles: dict[str, SentenceRoles] | None = None,
) -> list[tuple[int, int]]:
    """(source sentence, target sentence) pairs of material only these two share: an unquoted
    claim of the source the target carries and none of ``others`` (the members not linked to
    either side) does. An independent report shares what every report of the event has; a
    derivation also carries its source's own additions, wording and errors. Without any
    member to compare against nothing is exclusive: the measure says nothing there."""
    if not others:
        return []
    flipped = alignment.a != source.id
    role_src, role_tgt = _pair_roles(source, target, quoted, roles)
    claims_src, quotes_tgt = role_src.unquoted_claims, role_tgt.quotes
    held = carriers.get(source.id, {})
    out = []
    for pair in alignment.pairs:
        i, j = (pair.b, pair.a) if flipped else (pair.a, pair.b)
        if i in claims_src and j not in quotes_tgt and not (held.get(i, set()) & others):
            out.append((i, j))
    return sorted(out)


def _linked(figures: dict[str, Any], same_text: bool) -> bool:
    """Whether a pair is plainly one text made from the other (or both from one text)."""
    return (
        same_text
        or figures["followed"] >= FOLLOWED_REWRITE
        or figures["unquoted_verbatim"] >= EXCLUSIVE_LINKED_VERBATIM
    )


def candidate_edges(
    nodes: dict[str, Node], alignments: Sequence[PairAlignment], model: dict[str, Any] | None = None
) -> list[Edge]:
    """One directed edge for every related pair, its confidence read from the evidence."""
    roles = {node_id: sentence_roles(node.doc) for node_id, node in nodes.items()}
    quoted = {node_id: role.quoted for node_id, role in roles.items()}
    carriers = sentence_carriers(alignments)
    aligned_with: dict[str, set[str]] = {}
    for alignment in alignments:
        aligned_with.setdefault(alignment.a, set()).add(alignment.b)
        aligned_with.setdefault(alignment.b, set()).add(alignment.a)
    drafts = []
    linked: dict[str, set[str]] = {}
    for alignment in alignments:
        a, b = nodes[alignment.a], nodes[alignment.b]
        same_text = identical(a.doc, b.doc)
        if not same_text and not related(alignment, len(a.doc.sentences), len(b.doc.sentences)):
            continue
        score, reasons = direction(a, b)
        if score == 0.0:
            score = 1e-3 if a.id < b.id else -1e-3
        source, target = (a, b) if score > 0 else (b, a)
        kind, figures = classify(source, target, alignment, roles)
        evidence = evidence_features(source, target, alignment, quoted, roles)
        evidence["certainty"] = round(1.0 - math.exp(-abs(score)), 4)
        figures.update(evidence)
        if _linked(figures, same_text):
            linked.setdefault(a.id, set()).add(b.id)
            linked.setdefault(b.id, set()).add(a.id)
        drafts.append((alignment, a, source, target, kind, figures, same_text, score, reasons))
    edges = []
    for alignment, a, source, target, kind, figures, same_text, score, reasons in drafts:
        # Members that could show the material is common: aligned with the source (else
        # nothing says whether they carry it) and linked to neither side.
        others = (
            aligned_with.get(source.id, set())
            - {source.id, target.id}
            - linked.get(source.id, set())
            - linked.get(target.id, set())
        )
        exclusive = exclusive_material(source, target, alignment, carriers, others, quoted, roles)
        figures["exclusive"] = round(min(len(exclusive), EXCLUSIVE_FULL) / EXCLUSIVE_FULL, 4)
        figures["exclusive_sentences"] = len(exclusive)
        figures["compared_members"] = len(others)
        same_language = (source.doc.language or "") == (target.doc.language or "")
        t_side = "b" if alignment.a == source.id else "a"
        s_side = "a" if t_side == "b" else "b"
        cover_t = alignment.coverage(t_side, len(target.doc.sentences))
        cover_s = alignment.coverage(s_side, len(source.doc.sentences))
        v_t = figures["verbatim_target"]
        if same_text:
            kind, confidence = "copy", 1.0
        else:
            confidence = edge_probability(figures, model)
            sure = DIRECTION_SURE_FLOOR + (1 - DIRECTION_SURE_FLOOR) * figures["certainty"]
            if figures["unquoted_verbatim"] >= VERBATIM_COPY:
                # ... though which way it was copied is only as sure as the direction.
                confidence = max(confidence, figures["unquoted_verbatim"] * sure)
            if figures["followed"] >= FOLLOWED_REWRITE and (
                not EXCLUSIVE_GATE or exclusive or not others
            ):
                confidence = max(confidence, FOLLOWED_CONFIDENCE * sure)
        figures["direction"] = round(score if source is a else -score, 3)
        if reasons:
            figures["direction_reasons"] = reasons
        edges.append(
            Edge(
                source.id,
                target.id,
                kind,
                confidence,
                _evidence(source, target, alignment, quoted, roles=roles)
                + _exclusive_evidence(source, target, exclusive),
                alignment,
                selection=(
                    cover_t
                    + SELECT_VERBATIM * v_t
                    + SELECT_SOURCE_COVERAGE * cover_s
                    + SELECT_FIGURES * _figure_agreement(source, target)
                    + (SAME_LANGUAGE_BONUS if same_language else 0.0)
                    + (PIVOT_BONUS if not same_language and source.doc.language in PIVOTS else 0.0)
                    + (SELECT_SAME_TEXT if same_text else 0.0)
                ),
                features=figures,
                identical=same_text,
            )
        )
    return edges


def _exclusive_evidence(
    source: Node, target: Node, exclusive: list[tuple[int, int]], limit: int = 2
) -> list[dict[str, Any]]:
    """The first passages only these two members share, as evidence items."""
    return [
        {
            "from_text": source.doc.sentences[i].text,
            "to_text": target.doc.sentences[j].text,
            "score": 1.0,
            "method": "exclusive",
            "note": "material only these two share",
        }
        for i, j in exclusive[:limit]
    ]


def _reaches(parent: dict[str, str], start: str, goal: str) -> bool:
    seen = set()
    node: str | None = start
    while node is not None and node not in seen:
        if node == goal:
            return True
        seen.add(node)
        node = parent.get(node)
    return False




def choose_sources(nodes: dict[str, Node], edges: Sequence[Edge]) -> dict[str, Edge]:
    """Each derivative's main source: best-explaining edge first, never closing a cycle.

    Then chains are shortened: when the chosen source itself derives from an article that
    explains the derivative almost as well, that article is the source (a copy of a copy
    adds nothing that could show which one was used; a real chain shows as shared additions).
    """

    def key(edge: Edge) -> tuple:
        published = nodes[edge.source].published
        stamp = published.timestamp() if published else float("inf")
        return (-round(edge.selection, 2), -round(edge.confidence, 2), stamp, edge.source)

    chosen: dict[str, Edge] = {}
    parent: dict[str, str] = {}
    for edge in sorted(edges, key=key):
        if edge.target in chosen:
            continue
        if _reaches(parent, edge.source, edge.target):
            continue
        chosen[edge.target] = edge
        parent[edge.target] = edge.source
    return shorten_chains(chosen, edges)


def shorten_chains(chosen: dict[str, Edge], edges: Sequence[Edge]) -> dict[str, Edge]:
    """Re-attach a derivative to its source's own source when that explains it almost as well:
    a copy adds nothing that could show which of the two was used, and sibling translations
    into related languages look closer to each other than to the original they share."""
    by_pair = {(e.source, e.target): e for e in edges}
    for target in list(chosen):
        edge = chosen[target]
        seen = {target}
        while edge.source in chosen and edge.source not in seen:
            seen.add(edge.source)
            upstream = by_pair.get((chosen[edge.source].source, target))
            if upstream is None or upstream.selection < edge.selection - UPSTREAM_SLACK:
                break
            edge = upstream
        chosen[target] = edge
    return chosen


def prefer_credited(nodes: dict[str, Node], edges: Sequence[Edge], chosen: dict[str, Edge]) -> None:
    """An article that credits another article in the story derives from it when they align."""
    by_pair = {(e.source, e.target): e for e in edges}
    for node in nodes.values():
        current = chosen.get(node.id)
        for credit in node.credits:
            for other in nodes.values():
                if other.id == node.id or not is_agency_original(other, credit["name"]):
                    continue
                edge = by_pair.get((other.id, node.id))
                if edge is not None and (current is None or current.source != other.id):
                    if current is None or not _reaches_chosen(chosen, other.id, node.id):
                        chosen[node.id] = edge
                        current = edge


def _reaches_chosen(chosen: dict[str, Edge], start: str, goal: str) -> bool:
    return _reaches({k: e.source for k, e in chosen.items()}, start, goal)


def mark_proxy_originals(nodes: dict[str, Node], chosen: dict[str, Edge]) -> None:
    """Take an article of unknown outlet as a wire's own report when it carries the wire's
    dateline, has no source in the story, and other articles crediting the wire derive from it.
    """
    for node in nodes.values():
        if node.id in chosen or node.outlet or node.url:
            continue
        for credit in node.credits:
            if not _dateline_credit(node, credit):
                continue
            followers = [
                e
                for e in chosen.values()
                if e.source == node.id and credit["name"] in _credited_agencies(nodes[e.target])
            ]
            if followers:
                node.original_of.add(credit["name"])


def agency_edges(
    nodes: dict[str, Node], chosen: dict[str, Edge], edges: Sequence[Edge] = ()
) -> dict[str, Edge]:
    """Attach articles that credit an absent wire service to that service.

    An article keeps an in-story source that is the agency's own publication, or one it copies
    verbatim; otherwise, when it credits an agency that is not in the story and its in-story
    source credits the same agency (siblings), or it has no source, the agency is its source.
    """
    mark_proxy_originals(nodes, chosen)
    chosen = dict(chosen)
    prefer_credited(nodes, edges, chosen)
    chosen = shorten_chains(chosen, edges)
    present = {
        c["name"]
        for node in nodes.values()
        for c in node.credits
        if is_agency_original(node, c["name"])
    }
    result = dict(chosen)
    for node in nodes.values():
        wires = [
            c
            for c in node.credits
            if c["name"] not in present and not is_agency_original(node, c["name"])
        ]
        wires = [c for c in wires if c.get("kind", "agency") == "agency"]
        if not wires:
            continue
        credit = wires[0]
        current = chosen.get(node.id)
        if current is not None:
            if current.kind in ("copy", "partial-copy"):
                continue
            source_node = nodes[current.source]
            if credit["name"] not in _credited_agencies(source_node):
                continue
        home = agencies().get(agency_key(credit["name"]) or "", {}).get("language")
        translated = bool(home and node.doc.language and home != node.doc.language)
        kind = (
            "translation"
            if translated
            else ("copy" if _dateline_credit(node, credit) else "rewrite")
        )
        siblings = sum(
            1
            for other in nodes.values()
            if other.id != node.id and credit["name"] in _credited_agencies(other)
        )
        confidence = (CREDIT_IN_TEXT_CONFIDENCE if credit.get("in_text") else CREDIT_CONFIDENCE) + min(
            CREDIT_SIBLING_BONUS_MAX, CREDIT_SIBLING_BONUS * siblings
        )
        result[node.id] = Edge(
            credit["name"],
            node.id,
            kind,
            round(min(confidence, CREDIT_MAX_CONFIDENCE), 3),
            [
                {
                    "from_text": credit["name"],
                    "to_text": credit["surface"],
                    "score": 1.0,
                    "method": "attribution",
                }
            ],
            None,
            features={"attribution": credit["surface"], "siblings_crediting": siblings},
            common_source=True,
        )
    return result


def mark_dateline_originals(nodes: dict[str, Node]) -> None:
    """Take an article as a wire's own report when it opens with the wire's dateline credit
    ("KYIV, March 3 (Reuters) -"), names no outlet or address of its own, is written in the
    wire's language, is the only such article, and other articles credit the same wire: a
    copy run by an outlet names the outlet."""
    found: dict[str, list[Node]] = {}
    for node in nodes.values():
        if node.outlet or node.url:
            continue
        for credit in node.credits:
            if credit.get("kind", "agency") != "agency" or not _dateline_credit(node, credit):
                continue
            home = agencies().get(agency_key(credit["name"]) or "", {}).get("language")
            if home and node.doc.language and home != node.doc.language:
                continue
            found.setdefault(credit["name"], []).append(node)
    for agency, candidates in found.items():
        crediting = sum(1 for n in nodes.values() if any(c["name"] == agency for c in n.credits))
        if len(candidates) == 1 and crediting > 1:  # others credit it: the wire's own text
            candidates[0].original_of.add(agency)


def build_graph(
    nodes: dict[str, Node],
    alignments: Sequence[PairAlignment],
    *,
    threshold: float = DISPLAY_THRESHOLD,
    model: dict[str, Any] | None = None,
) -> tuple[dict[str, Edge], list[Edge]]:
    """(chosen edges, hidden edges). Each article's source is chosen among all candidates (the
    edge model is calibrated on exactly these choices); a choice below ``threshold`` is hidden,
    and the article stays a root: independent reporting, or its credited wire."""
    mark_dateline_originals(nodes)
    edges = candidate_edges(nodes, alignments, model)
    first = choose_sources(nodes, edges)
    hidden = [e for e in first.values() if e.confidence < threshold]
    kept = {t: e for t, e in first.items() if e.confidence >= threshold}
    strong = [e for e in edges if e.confidence >= threshold]
    chosen = agency_edges(nodes, kept, strong)
    hidden = [e for e in hidden if e.target not in chosen]
    return chosen, sorted(hidden, key=lambda e: (e.source, e.target))


def member_verdicts(nodes: dict[str, Node], chosen: dict[str, Edge]) -> dict[str, dict[str, Any]]:
    """Per article: ``derived`` (from another member), ``common-source`` (a wire, release or
    statement outside the collection, named where credited) or ``independent`` reporting."""
    out: dict[str, dict[str, Any]] = {}
    derivatives: dict[str, list[str]] = {}
    for edge in chosen.values():
        derivatives.setdefault(edge.source, []).append(edge.target)
    for node in nodes.values():
        edge = chosen.get(node.id)
        if edge is not None and edge.source in nodes:
            verdict: dict[str, Any] = {
                "verdict": "derived",
                "source": edge.source,
                "kind": edge.kind,
                "confidence": round(edge.confidence, 3),
            }
            if edge.identical:
                verdict["identical"] = True
        elif edge is not None:
            verdict = {
                "verdict": "common-source",
                "source": edge.source,
                "kind": edge.kind,
                "confidence": round(edge.confidence, 3),
                "credited": (edge.features or {}).get("attribution"),
            }
        else:
            outside = [
                c
                for c in node.credits
                if not is_agency_original(node, c["name"])
                and not any(is_agency_original(o, c["name"]) for o in nodes.values())
            ]
            if outside:
                verdict = {
                    "verdict": "common-source",
                    "source": outside[0]["name"],
                    "kind": None,
                    "credited": outside[0]["surface"],
                }
            else:
                verdict = {"verdict": "independent", "source": None, "kind": None}
        if derivatives.get(node.id):
            verdict["derivatives"] = sorted(derivatives[node.id])
        out[node.id] = verdict
    return out


def _dateline_credit(node: Node, credit: dict[str, Any]) -> bool:
    """A wire dateline credit ("KYIV, April 17 (Reuters) -") at the top: a wire copy."""
    names = _aliases(credit["name"]) | {(credit.get("surface") or "").strip("() ").lower()}
    names = {n for n in names if n and "." not in n}
    pattern = r"\((?:" + "|".join(re.escape(n) for n in names) + r")\)\s*[-–—]"
    return bool(re.search(pattern, node.doc.text[:250], re.IGNORECASE))


def date_conflicts(nodes: dict[str, Node], chosen: dict[str, Edge]) -> list[dict[str, Any]]:
    """Articles whose claimed date contradicts the graph by a wide margin."""
    dated = sorted(n.published for n in nodes.values() if n.published)
    median = dated[len(dated) // 2] if dated else None
    flagged: dict[str, dict[str, Any]] = {}
    for edge in chosen.values():
        if edge.source not in nodes:
            continue
        src, tgt = nodes[edge.source], nodes[edge.target]
        if not (src.published and tgt.published):
            continue
        days = (tgt.published - src.published).total_seconds() / 86400.0
        if days < -CONFLICT_DAYS:
            if median is not None:
                dev_s = abs((src.published - median).total_seconds())
                dev_t = abs((tgt.published - median).total_seconds())
                culprit, other = (src, tgt) if dev_s >= dev_t else (tgt, src)
            else:
                culprit, other = src, tgt
            relation = "is the source of" if culprit is src else "derives from"
            flagged.setdefault(
                culprit.id,
                {
                    "article": culprit.id,
                    "claimed": culprit.published.isoformat(),
                    "evidence": (
                        f"{relation} {other.id} ({edge.kind}, dated "
                        f"{other.published.date().isoformat()}), {abs(days):.0f} days the other way"
                    ),
                },
            )
        elif days > COPY_CONFLICT_DAYS and edge.kind in ("copy", "partial-copy", "translation"):
            flagged.setdefault(
                tgt.id,
                {
                    "article": tgt.id,
                    "claimed": tgt.published.isoformat(),
                    "evidence": (
                        f"{edge.kind} of {src.id} dated {src.published.date().isoformat()}, "
                        f"{days:.0f} days earlier: the page date is not the story's date"
                    ),
                },
            )
    return list(flagged.values())
