"""Do two articles report the same event? A graded similarity, a decision and its evidence.

One global cosine threshold cannot separate events across languages: two English articles
on different events can be closer than a Bulgarian and an English report of the same one.
The scorer therefore combines several signals, each cheap once the articles are embedded:

- document and title (or lead) cosine of the multilingual embeddings;
- sentence alignment: the share of sentences that are mutual best matches with a ratio
  margin above 1 (Artetxe & Schwenk's margin as used for LASER mining: cos(x, y) divided by
  the mean cosine of x's and y's k nearest neighbours, k=4), and the mean cosine of the best
  aligned pairs — translations and rewrites share many such pairs, same-topic articles few;
- overlap of transliterated names, normalised numbers and calendar dates;
- the same cosines after per-language centering: every language shifts e5 vectors along its own
  direction, so raw cosines mix "same language" with "same event". Subtracting each language's
  mean vector (fitted with the model) before the cosine removes most of that shift and is the
  strongest single signal, across languages above all.

A small logistic model (``data/scorer_model.json``) combines them into ``similarity``; a
one-dimensional logistic calibration of ``similarity`` gives the same-event probability, whose
0.5 point is the decision threshold. When both articles are dated, a time-distance prior
lowers the similarity of reports far apart in time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ..lang.align import AlignedPair, margin_align, margin_scores
from ..lang.dates import days_apart as _days_apart
from ..lang.names import match_name_keys as match_names
from ..representations import ArticleRepr
from . import data as _data
from .features import FEATURES_SCHEMA, text_features
from .minhash import near_copy

TOP_ALIGNED = 3
# Mutual best matches below this cosine are chance pairings between short articles, not
# translations; the value suits e5 embeddings and ships with the model (``align_min_cosine``).
ALIGN_MIN_COSINE = 0.85


@dataclass
class PairScore:
    """The verdict on one pair of articles."""

    similarity: float  # 0..1, graded: higher means closer to "the same story"
    same_event: bool
    confidence: float  # probability of the decision that was taken (0.5..1)
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "similarity": self.similarity,
            "same_event": self.same_event,
            "confidence": self.confidence,
            "evidence": self.evidence,
        }


# -- cue overlap -------------------------------------------------------------------------


def _features_of(r: ArticleRepr) -> dict[str, Any]:
    if r.features.get("schema") == FEATURES_SCHEMA:
        return r.features
    return text_features(r.text, r.title, [s.text for s in r.sentences])


VERBATIM_SHARE = 0.6  # share of the shorter article's sentences repeated word for word


def normal_sentence(text: str) -> str:
    """A sentence reduced to its lower-cased words, so re-posts match despite punctuation."""
    return " ".join(re.findall(r"\w+", text.lower()))


def verbatim_overlap(a: ArticleRepr, b: ArticleRepr) -> tuple[int, float]:
    """(sentences shared word for word, their share of the shorter article's sentences)."""
    sa = {normal_sentence(x.text) for x in a.sentences}
    sb = {normal_sentence(x.text) for x in b.sentences}
    shared = len(sa & sb)
    return shared, shared / max(1, min(len(sa), len(sb)))


def _verbatim_share(a: ArticleRepr, b: ArticleRepr) -> float:
    """Share of the shorter article's sentences found identical (after normalising) in the other."""
    if len(a.sentences) < 3 or len(b.sentences) < 3:
        return 0.0
    return verbatim_overlap(a, b)[1]


def _overlap(shared: int, a: int, b: int) -> float:
    """Shared items relative to the smaller set, shrunk towards 0 when the sets are tiny."""
    if not a or not b:
        return 0.0
    return shared / (min(a, b) + 1.0)


# -- per-language centering -------------------------------------------------------------


@dataclass(frozen=True)
class Centering:
    """Mean document and sentence vectors per language, subtracted before cosines.

    Languages not in the tables fall back to the mean over all languages.
    """

    doc: dict[str, np.ndarray]
    sentence: dict[str, np.ndarray]
    doc_global: np.ndarray
    sentence_global: np.ndarray

    def center(self, vectors: np.ndarray, language: str | None, kind: str) -> np.ndarray:
        """``vectors`` (n, d) or (d,) minus the language mean, re-normalised to unit length."""
        table, fallback = (
            (self.doc, self.doc_global) if kind == "doc" else (self.sentence, self.sentence_global)
        )
        mean = table.get(language or "", fallback)
        shifted = np.asarray(vectors, np.float32) - mean.astype(np.float32)
        norms = np.linalg.norm(shifted, axis=-1, keepdims=True)
        return shifted / np.maximum(norms, 1e-9)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Centering:
        def table(t: dict[str, list[float]]) -> dict[str, np.ndarray]:
            return {lang: np.asarray(v, np.float32) for lang, v in t.items()}

        return cls(
            doc=table(d["doc"]),
            sentence=table(d["sentence"]),
            doc_global=np.asarray(d["doc_global"], np.float32),
            sentence_global=np.asarray(d["sentence_global"], np.float32),
        )


def _coverage(sims: np.ndarray) -> float:
    """How much of each article the other covers (BERTScore-like, sentence level)."""
    return float((sims.max(axis=1).mean() + sims.max(axis=0).mean()) / 2.0)


# -- features and model ------------------------------------------------------------------


# Features read from sentence vectors: the costly part of a pair (every sentence embedded).
SENTENCE_FEATURES = frozenset(
    {"align_share", "top_aligned", "coverage", "centroid_cos", "coverage_centered"}
)


# The order features are reported in (``compare --json`` evidence).
FEATURE_ORDER = (
    "doc_cos", "title_cos", "align_share", "top_aligned", "coverage", "centroid_cos",
    "same_language", "name_overlap", "number_overlap", "date_overlap", "days_apart",
    "verbatim_share", "doc_cos_centered", "coverage_centered",
)


def pair_features(
    a: ArticleRepr,
    b: ArticleRepr,
    *,
    min_cosine: float = ALIGN_MIN_COSINE,
    centering: Centering | None = None,
    sentence_level: bool = True,
) -> tuple[dict[str, float], dict[str, Any]]:
    """(numeric features, evidence) for one pair; the model reads the first.

    ``min_cosine`` is the floor for a margin-aligned sentence pair to count as aligned;
    ``centering`` gives the ``*_centered`` features (without it they equal the raw ones).
    With ``sentence_level=False`` the features that need sentence vectors (and the aligned
    sentences of the evidence) are left out, so no sentence is embedded for the pair.
    """
    doc_cos = float(np.dot(a.doc_vector, b.doc_vector))
    lead_a = a.title_vector if a.title_vector is not None else _first_row(a)
    lead_b = b.title_vector if b.title_vector is not None else _first_row(b)
    title_cos = float(np.dot(lead_a, lead_b)) if lead_a is not None and lead_b is not None else doc_cos
    doc_cos_centered = doc_cos
    if centering is not None:
        doc_cos_centered = float(
            centering.center(a.doc_vector, a.language, "doc")
            @ centering.center(b.doc_vector, b.language, "doc")
        )

    fa, fb = _features_of(a), _features_of(b)
    names = match_names(fa.get("names", []), fb.get("names", []))
    numbers = sorted(set(fa.get("numbers", [])) & set(fb.get("numbers", [])))
    dates = sorted(set(fa.get("dates", [])) & set(fb.get("dates", [])))
    days = _days_apart(a.published, b.published)

    features = {
        "doc_cos": doc_cos,
        "title_cos": title_cos,
        "same_language": float(bool(a.language) and a.language == b.language),
        "name_overlap": _overlap(len(names), len(fa.get("names", [])), len(fb.get("names", []))),
        "number_overlap": _overlap(
            len(numbers), len(fa.get("numbers", [])), len(fb.get("numbers", []))
        ),
        "date_overlap": _overlap(len(dates), len(fa.get("dates", [])), len(fb.get("dates", []))),
        "days_apart": -1.0 if days is None else days,
        "verbatim_share": _verbatim_share(a, b),
        "doc_cos_centered": doc_cos_centered,
    }
    aligned: list[AlignedPair] = []
    if sentence_level:
        sentence_features, aligned = _sentence_features(a, b, doc_cos, min_cosine, centering)
        features.update(sentence_features)
        features = {name: features[name] for name in FEATURE_ORDER}
    forms_a, forms_b = fa.get("name_forms", {}), fb.get("name_forms", {})
    evidence: dict[str, Any] = {
        "aligned": [
            {
                "a": a.sentences[p.a].text,
                "b": b.sentences[p.b].text,
                "score": round(p.cosine, 4),
                "margin": round(p.margin, 4),
            }
            for p in aligned
        ],
        "shared_names": [_name_label(forms_a.get(x, x), forms_b.get(y, y)) for x, y in names],
        "shared_numbers": numbers,
        "shared_dates": dates,
        "features": {k: round(v, 4) for k, v in features.items()},
    }
    if not sentence_level:
        del evidence["aligned"]
    return features, evidence


def _sentence_features(
    a: ArticleRepr,
    b: ArticleRepr,
    doc_cos: float,
    min_cosine: float,
    centering: Centering | None,
) -> tuple[dict[str, float], list[AlignedPair]]:
    """The features read from sentence vectors, and the margin-aligned sentence pairs."""
    margin_pairs = margin_align(a.sentence_vectors, b.sentence_vectors)
    aligned = [p for p in margin_pairs if p.cosine >= min_cosine]
    n_a, n_b = len(a.sentences), len(b.sentences)
    align_share = len(aligned) / min(n_a, n_b) if n_a and n_b else 0.0
    if n_a and n_b:
        sims = a.sentence_vectors @ b.sentence_vectors.T
        coverage = _coverage(sims)
        centroid_a = a.sentence_vectors.mean(axis=0)
        centroid_b = b.sentence_vectors.mean(axis=0)
        centroid_cos = float(
            centroid_a @ centroid_b
            / max(1e-9, float(np.linalg.norm(centroid_a) * np.linalg.norm(centroid_b)))
        )
    else:
        sims = np.zeros((0, 0))
        coverage = centroid_cos = doc_cos
    if margin_pairs:
        top = [p.cosine for p in margin_pairs[:TOP_ALIGNED]]
    elif sims.size:
        top = sorted(sims.max(axis=1).tolist(), reverse=True)[:TOP_ALIGNED]
    else:
        top = [doc_cos]
    coverage_centered = coverage
    if centering is not None and n_a and n_b:
        coverage_centered = _coverage(
            centering.center(a.sentence_vectors, a.language, "sentence")
            @ centering.center(b.sentence_vectors, b.language, "sentence").T
        )
    features = {
        "align_share": align_share,
        "top_aligned": float(np.mean(top)),
        "coverage": coverage,
        "centroid_cos": centroid_cos,
        "coverage_centered": coverage_centered,
    }
    return features, aligned


def _first_row(r: ArticleRepr) -> np.ndarray | None:
    """The first sentence's vector: what stands for a missing title."""
    lead = getattr(r, "lead_vector", None)
    if lead is not None:
        return lead
    vectors = r.sentence_vectors
    return vectors[0] if len(vectors) else None


def _name_label(a: str, b: str) -> str:
    return a if a == b else f"{a} / {b}"


@dataclass(frozen=True)
class ScoringModel:
    """Standardised logistic combination of pair features plus a same-event calibration."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calib_slope: float  # P(same event) = sigmoid(calib_slope * similarity + calib_intercept)
    calib_intercept: float
    time_window_days: float
    time_scale_days: float
    align_min_cosine: float
    meta: dict[str, Any]
    centering: Centering | None = None
    # The same-event decision may rest on its own combination (``decision`` in the JSON):
    # story clustering was tuned on it, and a better-correlated graded score need not
    # separate events at the same point.
    decision: ScoringModel | None = None
    # The score of a pair whose texts say nothing about their event (a bot check page in
    # place of an article): the mean similarity of the pairs the model was fitted on.
    prior_similarity: float | None = None

    @property
    def reads_sentences(self) -> bool:
        """Whether the similarity or the decision reads features of sentence vectors."""
        names = set(self.features) | (set(self.decision.features) if self.decision else set())
        return bool(names & SENTENCE_FEATURES)

    @property
    def threshold(self) -> float:
        """The similarity at which the same-event probability crosses 0.5."""
        return -self.calib_intercept / self.calib_slope

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScoringModel:
        return cls(
            features=tuple(d["features"]),
            mean=np.asarray(d["mean"], np.float64),
            scale=np.asarray(d["scale"], np.float64),
            coef=np.asarray(d["coef"], np.float64),
            intercept=float(d["intercept"]),
            calib_slope=float(d["same_event"]["slope"]),
            calib_intercept=float(d["same_event"]["intercept"]),
            time_window_days=float(d["time_prior"]["window_days"]),
            time_scale_days=float(d["time_prior"]["scale_days"]),
            align_min_cosine=float(d.get("align_min_cosine", ALIGN_MIN_COSINE)),
            meta=dict(d.get("meta", {})),
            centering=Centering.from_dict(d["centering"]) if d.get("centering") else None,
            decision=(
                cls.from_dict({"time_prior": d["time_prior"], **d["decision"]})
                if d.get("decision")
                else None
            ),
            prior_similarity=(
                float(d["prior_similarity"]) if d.get("prior_similarity") is not None else None
            ),
        )

    def similarity(self, features: dict[str, float], *, copy: bool = False) -> float:
        """The graded score; ``copy`` marks a pair found to be a near-verbatim copy."""
        x = np.array([features[name] for name in self.features], np.float64)
        z = float(((x - self.mean) / self.scale) @ self.coef + self.intercept)
        sim = _sigmoid(z)
        days = features.get("days_apart", -1.0)
        # A near-verbatim copy is the same report whatever its page date says (re-posts carry
        # the date they were re-posted), so the time prior does not apply to it.
        verbatim = copy or features.get("verbatim_share", 0.0) >= VERBATIM_SHARE
        if days > self.time_window_days and not verbatim:
            sim *= math.exp(-(days - self.time_window_days) / self.time_scale_days)
        return sim

    def same_event_probability(self, similarity: float) -> float:
        return _sigmoid(self.calib_slope * similarity + self.calib_intercept)

    def decide(self, features: dict[str, float], similarity: float, *, copy: bool = False) -> float:
        """P(same event) for a pair with ``features`` whose graded score is ``similarity``."""
        if self.decision is None:
            return self.same_event_probability(similarity)
        inner = self.decision
        return inner.same_event_probability(inner.similarity(features, copy=copy))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@lru_cache(maxsize=1)
def default_model() -> ScoringModel:
    """The model shipped in ``wiretrace/similarity/data/scorer_model.json``."""
    return ScoringModel.from_dict(_data.load("scorer_model"))


def score_pair(
    a: ArticleRepr, b: ArticleRepr, model: ScoringModel | None = None, *, aligned: bool = True
) -> PairScore:
    """Score whether ``a`` and ``b`` report the same event, with the evidence for it.

    ``evidence["tier"]`` names what decided: ``notice`` (one side is not an article),
    ``minhash`` (a verbatim or near-verbatim copy found by word shingles, no model needed:
    the same report whatever its dates or vectors say; ``evidence["copy"]`` gives the
    estimated overlap), ``verbatim`` (most sentences repeated word for word), ``document``
    (document and title vectors with shared names, numbers and dates) or ``sentence`` (a
    model that reads sentence alignment). ``aligned=False`` leaves the aligned sentences out
    of the evidence when the model does not read them, so no sentence is embedded: the
    clusterer scores many pairs and keeps only the verdicts.
    """
    model = model or default_model()
    notices = {side: why for side, r in (("a", a), ("b", b)) if (why := _features_of(r).get("notice"))}
    if notices:
        # A notice says nothing about the article it replaced: the score falls back to the
        # prior and the decision to "not the same event", with the reason as evidence.
        prior = model.prior_similarity
        similarity = prior if prior is not None else _sigmoid(model.intercept)
        return PairScore(
            similarity=round(similarity, 6),
            same_event=False,
            confidence=round(1.0 - model.same_event_probability(similarity), 6),
            evidence={"not_article": notices, "tier": "notice"},
        )
    sentence_model = model.reads_sentences
    features, evidence = pair_features(
        a, b, min_cosine=model.align_min_cosine, centering=model.centering,
        sentence_level=aligned or sentence_model,
    )
    copy = near_copy(a.text, b.text)
    if copy is not None:
        evidence["tier"] = "minhash"
        evidence["copy"] = copy.evidence()
    elif features.get("verbatim_share", 0.0) >= VERBATIM_SHARE:
        evidence["tier"] = "verbatim"
    else:
        evidence["tier"] = "sentence" if sentence_model else "document"
    similarity = model.similarity(features, copy=copy is not None)
    probability = model.decide(features, similarity, copy=copy is not None)
    if copy is not None and probability < 0.5:
        # The vectors disagree with the text (a copy cut at another place, a lead rewritten
        # over a copied body): the shared text decides, as sure as the share it covers.
        probability = copy.containment
    same = probability >= 0.5
    return PairScore(
        similarity=round(similarity, 6),
        same_event=same,
        confidence=round(probability if same else 1.0 - probability, 6),
        evidence=evidence,
    )


def decide_pair(a: ArticleRepr, b: ArticleRepr, model: ScoringModel | None = None) -> PairScore:
    """``score_pair`` for callers that keep only the verdict: the same similarity and
    decision, without embedding sentences the model does not read."""
    return score_pair(a, b, model, aligned=False)


def score_many(
    pairs: Iterable[tuple[ArticleRepr, ArticleRepr]], model: ScoringModel | None = None
) -> list[PairScore]:
    """``score_pair`` over many pairs with one model."""
    model = model or default_model()
    return [score_pair(a, b, model) for a, b in pairs]


__all__ = [
    "AlignedPair",
    "Centering",
    "PairScore",
    "ScoringModel",
    "decide_pair",
    "default_model",
    "margin_align",
    "margin_scores",
    "match_names",
    "pair_features",
    "score_many",
    "score_pair",
]
