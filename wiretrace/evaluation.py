"""Scoring helpers for wiretrace's evaluation scripts and quality gates.

The evaluation scripts under ``eval/`` print figures and the floor tests under ``tests/`` pin
them; both must score the same way or a floor would guard a different number than the one
reported. So text normalisation, precision/recall, B-cubed clustering scores and pairwise
merge scores live here, as small pure functions over plain Python values, together with the
``score_*`` functions that read a store (read-only) and score each stage against ground truth
in the sample-corpus schema (``wiretrace.sample.load_truth()``).

Conventions: an empty prediction has precision 1.0 (it claims nothing wrong) and an empty gold
set has recall 1.0 (there was nothing to find); F1 is 0.0 when both P and R are 0.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, TypeVar

from .records import Metadata
from .store.base import Store
from .store.entities import list_entities, mention_spans
from .store.stories import story_index, storyline_index

__all__ = [
    "PRF",
    "CleaningScore",
    "ClusterDiagnosis",
    "EntityScore",
    "MetadataScore",
    "StorylineScore",
    "Tally",
    "bcubed",
    "bcubed_per_item",
    "cluster_diagnosis",
    "contains_normalized",
    "gold_labels",
    "group",
    "normalize_space",
    "pair_merge_scores",
    "prf",
    "score_cleaning",
    "score_entities",
    "score_metadata",
    "score_stories",
    "score_storylines",
    "set_prf",
    "stored_ids",
    "stored_story_of",
    "title_tokens",
    "titles_match",
]

Item = TypeVar("Item", bound=Hashable)
Label = TypeVar("Label", bound=Hashable)

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


# -- text ----------------------------------------------------------------------------------


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (newlines, NBSP, tabs) to one space and strip.

    Cleaning may re-flow paragraphs, so ground-truth substrings are matched on this form.
    """
    return _SPACE.sub(" ", text).strip()


def contains_normalized(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` once both have normalised whitespace."""
    return normalize_space(needle) in normalize_space(haystack)


def title_tokens(text: str | None) -> list[str]:
    """Lower-cased word tokens: titles compare equal whatever their punctuation and spacing."""
    return _WORD.findall((text or "").lower())


def titles_match(predicted: str | None, gold: str | None) -> bool:
    """Exact title match after lower-casing and word tokenising (empty never matches)."""
    tokens = title_tokens(predicted)
    return bool(tokens) and tokens == title_tokens(gold)


# -- precision / recall --------------------------------------------------------------------


@dataclass(frozen=True)
class PRF:
    """Precision, recall and their harmonic mean, with the counts behind them."""

    precision: float
    recall: float
    tp_predicted: int = 0
    predicted: int = 0
    tp_gold: int = 0
    gold: int = 0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __str__(self) -> str:
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}"


def prf(tp_predicted: int, predicted: int, tp_gold: int | None = None, gold: int = 0) -> PRF:
    """P/R from counts. ``tp_gold`` (gold items found) defaults to ``tp_predicted``.

    The two true-positive counts differ when one prediction can cover several gold items.
    """
    tp_gold = tp_predicted if tp_gold is None else tp_gold
    if tp_predicted > predicted or tp_gold > gold:
        raise ValueError("true positives exceed the counts they are drawn from")
    precision = tp_predicted / predicted if predicted else 1.0
    recall = tp_gold / gold if gold else 1.0
    return PRF(precision, recall, tp_predicted, predicted, tp_gold, gold)


def set_prf(predicted: Iterable[Hashable], gold: Iterable[Hashable]) -> PRF:
    """P/R of a predicted set against a gold set (duplicates ignored)."""
    predicted_set, gold_set = set(predicted), set(gold)
    tp = len(predicted_set & gold_set)
    return prf(tp, len(predicted_set), tp, len(gold_set))


# -- clustering ----------------------------------------------------------------------------


def gold_labels(labels: Mapping[Item, Hashable | None]) -> dict[Item, Hashable]:
    """Gold cluster labels where ``None`` means "belongs to no event": its own singleton."""
    return {item: (("__singleton__", item) if label is None else label)
            for item, label in labels.items()}


def group(labels: Mapping[Item, Label]) -> dict[Label, set[Item]]:
    """Clusters (label -> members) from an item -> label mapping."""
    clusters: dict[Label, set[Item]] = defaultdict(set)
    for item, label in labels.items():
        clusters[label].add(item)
    return dict(clusters)


def _restricted(predicted: Mapping[Item, Hashable], items: Iterable[Item]) -> dict[Item, Hashable]:
    """Predicted labels over exactly ``items``; an item the prediction lacks is a singleton."""
    return {item: predicted[item] if item in predicted else ("__unclustered__", item)
            for item in items}


def bcubed_per_item(predicted: Mapping[Item, Hashable],
                    gold: Mapping[Item, Hashable]) -> dict[Item, tuple[float, float]]:
    """Each gold item's B-cubed (precision, recall); see :func:`bcubed`.

    Averaging over a subset (e.g. the articles in one language) says how well those items
    were placed within the whole clustering.
    """
    pred = _restricted(predicted, gold)
    pred_clusters, gold_clusters = group(pred), group(gold)
    scores: dict[Item, tuple[float, float]] = {}
    for item in gold:
        pred_cluster = pred_clusters[pred[item]]
        gold_cluster = gold_clusters[gold[item]]
        overlap = len(pred_cluster & gold_cluster)
        scores[item] = (overlap / len(pred_cluster), overlap / len(gold_cluster))
    return scores


def bcubed(predicted: Mapping[Item, Hashable], gold: Mapping[Item, Hashable],
           items: Iterable[Item] | None = None) -> PRF:
    """B-cubed precision and recall of a clustering (item -> cluster label) against gold.

    Scored over the gold items: predicted items outside gold are ignored (their clusters are
    cut down to gold items) and gold items missing from the prediction count as singletons.
    Per item, precision is the share of its predicted cluster that shares its gold cluster,
    recall the share of its gold cluster that shares its predicted cluster; both are averaged
    over all gold items, or over ``items`` only (clusters still span every gold item).
    """
    per_item = bcubed_per_item(predicted, gold)
    chosen = list(per_item) if items is None else [i for i in items if i in per_item]
    if not chosen:
        return PRF(1.0, 1.0)
    n = len(chosen)
    return PRF(sum(per_item[i][0] for i in chosen) / n, sum(per_item[i][1] for i in chosen) / n,
               predicted=n, gold=n)


@dataclass(frozen=True)
class ClusterDiagnosis:
    """Where a clustering disagrees with gold.

    ``split``: gold label -> the predicted clusters (as member sets) its items are spread over.
    ``merged``: predicted label -> the gold labels (with their items) it mixes together.
    """

    split: dict[Hashable, list[set[Hashable]]]
    merged: dict[Hashable, dict[Hashable, set[Hashable]]]


def cluster_diagnosis(predicted: Mapping[Item, Hashable],
                      gold: Mapping[Item, Hashable]) -> ClusterDiagnosis:
    """Gold clusters split across predicted ones, and predicted clusters mixing gold ones."""
    pred = _restricted(predicted, gold)
    split: dict[Hashable, list[set[Hashable]]] = {}
    for label, members in group(gold).items():
        parts = group({item: pred[item] for item in members})
        if len(parts) > 1:
            split[label] = sorted(parts.values(), key=lambda s: (-len(s), sorted(map(str, s))))
    merged: dict[Hashable, dict[Hashable, set[Hashable]]] = {}
    for label, members in group(pred).items():
        parts = group({item: gold[item] for item in members})
        if len(parts) > 1:
            merged[label] = parts
    return ClusterDiagnosis(split, merged)


def pair_merge_scores(
    predicted: Mapping[Item, Iterable[Hashable]], gold: Mapping[Item, Hashable]
) -> PRF:
    """Pairwise merge precision/recall over the gold items.

    ``predicted`` maps an item (e.g. a name variant) to the predicted clusters it appears in;
    an item may sit in several, or in none (never merged with anything). Two items count as
    merged when they share a predicted cluster. Gold pairs are the item pairs with the same
    gold label; precision is over the merged pairs among gold items.
    """
    items = sorted(gold, key=repr)
    clusters = {item: set(predicted.get(item, ())) for item in items}
    merged = same = both = 0
    for a, b in combinations(items, 2):
        is_merged = bool(clusters[a] & clusters[b])
        is_same = gold[a] == gold[b]
        merged += is_merged
        same += is_same
        both += is_merged and is_same
    return prf(both, merged, both, same)


# -- a store against the sample-corpus ground truth ------------------------------------------
#
# ``truth`` is the dict ``wiretrace.sample.load_truth()`` returns (schema in the corpus README).
# Each function reads what the pipeline stored and returns plain figures plus the misses, so
# the evaluation script can print them and the floor tests can pin them.


@dataclass
class Tally:
    """Hits out of a total, overall and per language, with what was missed."""

    hits: int = 0
    total: int = 0
    by_language: dict[str, list[int]] = field(default_factory=dict)  # language -> [hits, total]
    misses: list[tuple[str, str]] = field(default_factory=list)  # (article id, what was missed)

    def add(self, language: str, hit: bool, article_id: str = "", miss: str = "") -> None:
        self.hits += hit
        self.total += 1
        counts = self.by_language.setdefault(language, [0, 0])
        counts[0] += hit
        counts[1] += 1
        if not hit:
            self.misses.append((article_id, miss))

    @property
    def share(self) -> float:
        """Hits / total (1.0 when there was nothing to score)."""
        return self.hits / self.total if self.total else 1.0

    def language_share(self, language: str) -> float:
        hits, total = self.by_language.get(language, [0, 0])
        return hits / total if total else 1.0


def stored_ids(store: Store, truth: Mapping[str, Any]) -> list[str]:
    """Truth article ids that made it into the store."""
    have = set(store.article_ids())
    return [aid for aid in truth["articles"] if aid in have]


@dataclass
class CleaningScore:
    """must_keep sentences kept and must_remove pieces removed."""

    keep: Tally
    remove: Tally


def score_cleaning(store: Store, truth: Mapping[str, Any]) -> CleaningScore:
    """Whether each must_keep sentence is in the stored text and each must_remove piece is not.

    Both are matched on whitespace-normalised text; an article missing from the store misses
    all its must_keep sentences (its must_remove pieces are not scored).
    """
    keep, remove = Tally(), Tally()
    have = set(stored_ids(store, truth))
    for aid, info in truth["articles"].items():
        lang = info["language"]
        text = normalize_space(store.get_article(aid).text) if aid in have else None
        for sentence in info.get("must_keep", []):
            keep.add(lang, text is not None and normalize_space(sentence) in text, aid, sentence)
        if text is None:
            continue
        for piece in info.get("must_remove", []):
            remove.add(lang, normalize_space(piece) not in text, aid, piece)
    return CleaningScore(keep, remove)


@dataclass
class MetadataScore:
    """Per-field accuracy and attribution P/R; ``outlet`` is informative (truth is loose)."""

    date: Tally
    title: Tally
    language: Tally
    outlet: Tally
    attributions: PRF
    attribution_misses: list[tuple[str, str]]  # (article id, expected vs stored names)


def _name_key(name: str | None) -> str:
    return normalize_space(name or "").casefold()


def score_metadata(store: Store, truth: Mapping[str, Any]) -> MetadataScore:
    """Date (YYYY-MM-DD), title (tokens), language, outlet and attributions of stored articles.

    Attributions are micro-averaged over (article, canonical name) pairs, case-blind.
    """
    score = MetadataScore(Tally(), Tally(), Tally(), Tally(), PRF(1.0, 1.0), [])
    predicted_pairs: set[tuple[str, str]] = set()
    gold_pairs: set[tuple[str, str]] = set()
    have = set(stored_ids(store, truth))
    for aid, info in truth["articles"].items():
        lang = info["language"]
        article = store.get_article(aid) if aid in have else None
        md = article.metadata if article else Metadata()
        if info.get("published"):
            got = (md.published or "")[:10] or None
            score.date.add(lang, got == info["published"], aid,
                           f"expected {info['published']}, got {got}")
        if info.get("title"):
            score.title.add(lang, titles_match(md.title, info["title"]), aid,
                            f"expected {info['title']!r}, got {md.title!r}")
        got_lang = article.language if article else None
        score.language.add(lang, got_lang == lang, aid, f"expected {lang}, got {got_lang}")
        if info.get("outlet"):
            score.outlet.add(lang, _name_key(md.outlet) == _name_key(info["outlet"]), aid,
                             f"expected {info['outlet']!r}, got {md.outlet!r}")
        gold = {_name_key(n) for n in info.get("attributions", [])}
        got_names = {_name_key(a.name) for a in md.attributions}
        predicted_pairs |= {(aid, n) for n in got_names}
        gold_pairs |= {(aid, n) for n in gold}
        if gold != got_names:
            score.attribution_misses.append(
                (aid, f"expected {sorted(gold)}, got {sorted(got_names)}"))
    score.attributions = set_prf(predicted_pairs, gold_pairs)
    return score


def stored_story_of(store: Store) -> dict[str, str]:
    """article id -> story id, from ``story_members``."""
    return story_index(store)


def score_stories(store: Store, truth: Mapping[str, Any]) -> tuple[PRF, ClusterDiagnosis]:
    """B-cubed of stored stories against truth events (event-less articles are singletons)."""
    gold = gold_labels({aid: info["event"] for aid, info in truth["articles"].items()})
    predicted = stored_story_of(store)
    return bcubed(predicted, gold), cluster_diagnosis(predicted, gold)


@dataclass
class StorylineScore:
    """Whether each truth storyline's events are linked, and what else got linked."""

    linked: dict[str, bool]  # truth storyline -> its events' main stories share a storyline
    unrelated: list[tuple[str, str]]  # (stored storyline, story) that does not belong there
    pairs: PRF  # linked story pairs vs pairs of stories whose events share a truth storyline
    story_event: dict[str, Hashable]  # stored story -> the gold label of most of its articles
    members: dict[str, set[str]]  # stored storyline -> its stories


def score_storylines(store: Store, truth: Mapping[str, Any]) -> StorylineScore:
    """Storyline linking, scored over stories each labelled with its majority gold event.

    A truth storyline is linked when the main story of each of its events (the stored story
    holding most of the event's articles) sits in one stored storyline. A story's thread is
    the truth storyline of its event, else the event itself. Each stored storyline gets one
    thread: a truth storyline if one is there, else the thread most of its stories share (an
    event before an event-less article); a story of another thread is unrelated to it. Pairs
    of stories about one event (a split story) are left out of the pair scores: linking them
    is neither right nor wrong.
    """
    gold = gold_labels({aid: info["event"] for aid, info in truth["articles"].items()})
    story_of = {aid: sid for aid, sid in stored_story_of(store).items() if aid in gold}
    story_event = {sid: Counter(gold[a] for a in aids).most_common(1)[0][0]
                   for sid, aids in group(story_of).items()}
    line_of_event = {e: info.get("storyline") for e, info in truth["events"].items()}

    def thread(story_id: str) -> Hashable:
        label = story_event[story_id]
        return (line_of_event.get(label) if isinstance(label, str) else None) or label

    storyline_of = {s: line for s, line in storyline_index(store).items() if s in story_event}
    main_story = {}
    for event in truth["events"]:
        counts = Counter(sid for aid, sid in story_of.items() if gold[aid] == event)
        if counts:
            main_story[event] = counts.most_common(1)[0][0]
    linked: dict[str, bool] = {}
    for line in sorted({v for v in line_of_event.values() if v}):
        events = [e for e, v in line_of_event.items() if v == line]
        found = {storyline_of.get(main_story[e]) if e in main_story else None for e in events}
        linked[line] = len(found) == 1 and None not in found
    unrelated: list[tuple[str, str]] = []
    truth_lines = {v for v in line_of_event.values() if v}
    for line_id, story_ids in sorted(group(storyline_of).items()):
        threads = Counter(thread(s) for s in story_ids)
        main = max(threads, key=lambda t: (t in truth_lines, threads[t], isinstance(t, str),
                                           repr(t)))
        unrelated += [(line_id, s) for s in sorted(story_ids) if thread(s) != main]
    pairs = [(a, b) for a, b in combinations(sorted(story_event), 2)
             if story_event[a] != story_event[b]]
    predicted = {(a, b) for a, b in pairs
                 if storyline_of.get(a) is not None and storyline_of.get(a) == storyline_of.get(b)}
    gold_pairs = {(a, b) for a, b in pairs if thread(a) == thread(b)}
    return StorylineScore(linked, unrelated, set_prf(predicted, gold_pairs), story_event,
                          group(storyline_of))


@dataclass
class EntityScore:
    """Per truth entity, where its variants landed; and pairwise merge P/R over variants."""

    together: dict[str, bool]  # truth entity -> one stored entity holds all its variants
    entity_of: dict[str, list[str]]  # truth variant -> stored entities it landed in
    not_found: list[tuple[str, str, str]]  # (truth entity, variant, why) landing nowhere
    apart: dict[tuple[str, str], bool]  # distinct_from pair -> no stored entity holds both
    pairs: PRF  # merge precision/recall over pairs of truth variants


def _variant_pattern(variant: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in variant.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _occurrences(text: str, variants: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """Whole-word occurrences of each variant, dropping any inside a longer occurrence.

    "Гриценка" inside "Олександра Гриценка" belongs to the longer name, not to itself.
    """
    found = [(m.start(), m.end(), v) for v in variants for m in _variant_pattern(v).finditer(text)]
    kept: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for start, end, variant in found:
        inside = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in found)
        if not inside:
            kept[variant].append((start, end))
    return kept


def score_entities(store: Store, truth: Mapping[str, Any]) -> EntityScore:
    """Where every truth name variant landed among the stored entities.

    Each variant is found (whole words, whitespace-blind) in the stored cleaned text of the
    articles truth says mention its entity; the stored mentions overlapping an occurrence say
    which entities it landed in, so an inflected or possessive form the recogniser trimmed
    still counts. A variant with no occurrence in any stored text (e.g. only in a title) is
    looked up among the stored variant surfaces instead. Merge precision is over all pairs of
    truth variants sharing a stored entity (a cross-entity pair is a wrong merge); recall over
    pairs of one entity's variants.
    """
    by_surface: dict[str, set[str]] = defaultdict(set)
    for entity in list_entities(store):
        for surface in entity["variants"]:
            by_surface[normalize_space(surface).casefold()].add(entity["id"])
    have = set(stored_ids(store, truth))
    entities_in: dict[str, list[dict]] = defaultdict(list)
    for entity in truth["entities"]:
        for aid in entity["articles"]:
            if aid in have:
                entities_in[aid].append(entity)
    landed: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for aid, listed in entities_in.items():
        text = store.get_article(aid).text
        mentions = mention_spans(store, aid)
        own = {v for e in listed for v in e["variants"]}
        for variant, spans in _occurrences(text, own).items():
            seen.add(variant)
            for start, end in spans:
                landed[variant] |= {m[2] for m in mentions
                                    if m[2] and m[0] < end and start < m[1]}
    entity_of: dict[str, list[str]] = {}
    gold: dict[str, str] = {}
    together: dict[str, bool] = {}
    not_found: list[tuple[str, str, str]] = []
    holders: dict[str, set[str]] = {}
    for entity in truth["entities"]:
        sets = []
        for variant in entity["variants"]:
            if variant in seen:
                where, why = landed[variant], "in the text but in no mention"
            else:
                where = by_surface.get(normalize_space(variant).casefold(), set())
                titles = " ".join(store.get_article(a).title or ""
                                  for a in entity["articles"] if a in have)
                in_title = _variant_pattern(variant).search(titles)
                why = ("only in a title, not in the cleaned text" if in_title
                       else "in no stored text nor stored variant")
            entity_of[variant] = sorted(where)
            gold[variant] = entity["name"]
            sets.append(where)
            if not where:
                not_found.append((entity["name"], variant, why))
        together[entity["name"]] = bool(set.intersection(*sets)) if sets else False
        holders[entity["name"]] = set().union(*sets)
    apart: dict[tuple[str, str], bool] = {}
    for entity in truth["entities"]:
        for other in entity.get("distinct_from", []):
            key = (min(entity["name"], other), max(entity["name"], other))
            if other in holders and key not in apart:
                apart[key] = not (holders[entity["name"]] & holders[other])
    pairs = pair_merge_scores(entity_of, gold)
    return EntityScore(together, entity_of, not_found, apart, pairs)
