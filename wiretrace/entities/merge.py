"""Variant merging: decide when two names are one entity, and cluster mentions into entities.

Pairs are decided on skeletons (see ``normalize``): surnames must match within a weighted
edit distance, given names must agree when both are present (Alexander vs Viktor Lukashenko
stay apart), initials must be compatible, masculine/feminine surname forms are different
people, and a shipped alias table covers exonyms and abbreviations. ``resolve`` blocks
candidates by skeleton prefix and sound-class key, so it never compares all pairs, and
attaches surname-only mentions to a full name only when that is unambiguous in the article,
the story, or the whole collection. Every merge keeps the rule and score that caused it.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from ..lang.names import (
    allowed_distance,
    fold_token,
    gender_clash,
    is_cyrillic,
    phonetic_key,
    similarity,
    skeleton,
    skeleton_token,
    skeleton_variants,
    to_ascii,
    tokens,
    variant_distance,
    weighted_distance,
)
from . import gazetteer, orgplace
from .recognize import Mention

SURNAME_ONLY_SCORE = 0.8
UNTYPED = "name"  # bucket of lone words whose type the recognisers disagree on
_LATIN_NAME = re.compile(r"^[A-Za-z\u00C0-\u024F'’\-\. ]+$")


@dataclass(frozen=True)
class MergeDecision:
    """Whether two names are one entity, how sure, and which rule decided (for evidence)."""

    same: bool
    score: float
    reason: str
    rule: str = ""


@dataclass(frozen=True)
class ParsedName:
    surface: str
    type: str | None
    given: tuple[str, ...]  # given names / initials, titles stripped
    surname: str  # last token as written
    surname_key: str  # skeleton of the surname
    full_key: str  # skeleton of the whole name
    alias: tuple[str, str] | None  # (canonical, type) from the alias table

    @property
    def is_full(self) -> bool:
        return bool(self.given)


def _is_initial(token: str) -> bool:
    return len(token.rstrip(".")) == 1


@lru_cache(maxsize=200_000)
def parse_name(name: str, type: str | None = None) -> ParsedName:
    """Split a name into given names and surname, dropping leading titles and possessives."""
    clean = re.sub(r"(['’]s)$", "", name.strip())
    toks = tokens(clean)
    if type in (None, "person"):
        titles = gazetteer.title_words(None)
        while len(toks) > 1 and toks[0].lower() in titles:
            toks = toks[1:]
    alias = gazetteer.lookup_alias(" ".join(toks)) if toks else None
    if type not in (None, "person"):
        full = skeleton(" ".join(toks))
        return ParsedName(name, type, (), toks[-1] if toks else "", full, full, alias)
    surname = toks[-1] if toks else clean
    given = tuple(toks[:-1])
    full = skeleton(" ".join(toks))
    return ParsedName(name, type, given, surname, skeleton_token(surname), full, alias)


def _initial_letters(given: str) -> set[str]:
    """First letters a given name may be abbreviated to, across its language variants."""
    letters = {fold_token(given)[:1], to_ascii(given).lower()[:1]}
    group = gazetteer.given_name_groups().get(fold_token(given))
    if group is not None:
        for name in gazetteer.load("given_names")["groups"][group]:
            letters.add(fold_token(name)[:1])
            letters.add(to_ascii(name).lower()[:1])
    return {x for x in letters if x}


def given_compatible(a: str, b: str) -> tuple[bool, str]:
    """Whether two given names (or initials) can belong to one person, and why."""
    a_init, b_init = _is_initial(a), _is_initial(b)
    if a_init or b_init:
        if a_init and b_init:
            ok = fold_token(a)[:1] == fold_token(b)[:1] or to_ascii(a)[:1].lower() == to_ascii(b)[:1].lower()
            return ok, "initials agree" if ok else "initials differ"
        initial, full = (a, b) if a_init else (b, a)
        letter = to_ascii(initial).lower()[:1]
        ok = letter in _initial_letters(full) or fold_token(initial)[:1] in _initial_letters(full)
        return ok, f"initial {initial} {'fits' if ok else 'does not fit'} {full}"
    ga, gb = gazetteer.given_name_group(a), gazetteer.given_name_group(b)
    if ga is not None and ga == gb:
        return True, f"given names {a}/{b} in the given-name table"
    if ga is not None and gb is not None:
        return False, f"given names differ: {a} vs {b}"
    ka, kb = skeleton_token(a), skeleton_token(b)
    dist = weighted_distance(ka, kb)
    ok = dist <= allowed_distance(max(len(ka), len(kb)), given=True)
    return ok, f"given names {a}/{b} distance {dist:g}" if ok else f"given names differ: {a} vs {b}"


def decide(a: ParsedName, b: ParsedName, context: Mapping[str, Any] | None = None) -> MergeDecision:
    """The merge decision on two parsed names (see :func:`same_entity`)."""
    context = context or {}
    if a.surface == b.surface:
        return MergeDecision(True, 1.0, "identical surface", "identical")
    fixed_a, fixed_b = gazetteer.fixed_type(a.surface), gazetteer.fixed_type(b.surface)
    if fixed_a or fixed_b:
        same = bool(fixed_a and fixed_b and fixed_a[0] == fixed_b[0])
        return MergeDecision(same, 1.0 if same else 0.0,
                             f"fixed-type table: {(fixed_a or fixed_b)[0]}"  # type: ignore[index]
                             + ("" if same else f" vs {b.surface if fixed_a else a.surface}"), "fixed-type")
    if (a.type or b.type) in (None, "person") and gender_clash(a.surname, b.surname) \
            and not (context or {}).get("declining") and not _given_agree_declined(a, b):
        return MergeDecision(False, 0.3, f"masculine and feminine surname forms ({a.surname}/{b.surname})",
                             "gender")
    if a.alias and b.alias:
        if a.alias[0] == b.alias[0]:
            how = [f"{p.surface} ({gazetteer.alias_match(p.surface)})" for p in (a, b)
                   if gazetteer.alias_match(p.surface) != "exact"]
            return MergeDecision(True, 1.0 if not how else 0.95, f"alias table: both are {a.alias[0]}"
                                 + (f"; case form: {', '.join(how)}" if how else ""), "alias")
        return MergeDecision(False, 0.0, f"alias table: {a.alias[0]} vs {b.alias[0]}", "alias")
    kind = a.type or b.type
    if kind not in (None, "person"):
        if bool(a.alias) != bool(b.alias):
            via = _via_alias_group(a, b) if a.alias else _via_alias_group(b, a)
            if via is not None:
                return via
        return _decide_whole(a, b, context)
    return _decide_person(a, b, context)


def _given_agree_declined(a: ParsedName, b: ParsedName) -> bool:
    """Сергея Лаврова is Sergei Lavrov in the genitive: given names agree, one side is Cyrillic."""
    if not (a.given and b.given) or not is_cyrillic(a.surface + b.surface):
        return False
    if _is_initial(a.given[0]) or _is_initial(b.given[0]):
        return False
    return given_compatible(a.given[0], b.given[0])[0]


def _decide_whole(a: ParsedName, b: ParsedName, context: Mapping[str, Any]) -> MergeDecision:
    """Organisations, places and other names: meaning words and proper words (see ``orgplace``)."""
    d = orgplace.decide_whole(a.surface, b.surface, same_text=bool(context.get("same_text")))
    return MergeDecision(d.same, d.score, d.reason, d.rule)


def _via_alias_group(listed: ParsedName, other: ParsedName) -> MergeDecision | None:
    """МВФ is in the alias table as the IMF; Международный валютный фонд is not, but it is a
    translation of a name in the same group."""
    assert listed.alias is not None
    for name in gazetteer.alias_names(listed.alias[0]):
        if orgplace.is_acronym(name) or orgplace.is_acronym(other.surface):
            continue
        d = orgplace.decide_whole(name, other.surface)
        if d.same:
            return MergeDecision(True, min(d.score, 0.9),
                                 f"alias table: {listed.surface} is {listed.alias[0]}; {other.surface} "
                                 f"is {name} ({d.reason})", "alias-" + d.rule)
    return None


def _decide_person(a: ParsedName, b: ParsedName, context: Mapping[str, Any]) -> MergeDecision:
    ka, kb = a.surname_key, b.surname_key
    if not ka or not kb:
        return MergeDecision(False, 0.0, "no surname", "surname")
    allowed = allowed_distance(max(len(ka), len(kb)))
    dist = variant_distance(a.surname, b.surname, allowed + 0.5)
    score = similarity(ka, kb)
    shared = int(context.get("shared", 0)) + (2 if context.get("same_story") else 0)
    via_context = False
    if dist > allowed and len(b.given) == 1 and not _is_initial(b.given[0]) and a.given:
        swapped = ParsedName(b.surface, b.type, (b.surname,), b.given[0], skeleton_token(b.given[0]),
                             b.full_key, b.alias)
        if weighted_distance(ka, swapped.surname_key) <= allowed:
            decision = _decide_person(a, swapped, context)
            if decision.same:
                return MergeDecision(True, decision.score, decision.reason + "; surname-first order",
                                     decision.rule)
    if dist > allowed:
        if dist <= allowed + 0.5 and shared >= 2 and min(len(ka), len(kb)) >= 5:
            via_context = True
        else:
            return MergeDecision(False, score, f"surnames differ ('{ka}' vs '{kb}')", "surname")
    surname_why = f"surname skeleton '{ka}'" if dist == 0 else \
        f"surname distance {dist:g} ('{ka}' ~ '{kb}')"
    if via_context:
        surname_why += f" accepted on context (shared={shared})"
    if a.given and b.given:
        ok, why = given_compatible(a.given[0], b.given[0])
        if not ok:
            return MergeDecision(False, score * 0.5, why, "given-name")
        given_score = 1.0 if "table" in why or "initial" in why else similarity(
            skeleton_token(a.given[0]), skeleton_token(b.given[0]))
        rule = "skeleton" if dist == 0 else "surname-distance"
        return MergeDecision(True, min(score, max(given_score, 0.9)), f"{surname_why}; {why}", rule)
    if a.given or b.given:
        return MergeDecision(True, SURNAME_ONLY_SCORE * score, f"{surname_why}; surname-only mention",
                             "surname-only")
    rule = "skeleton" if dist == 0 else "surname-distance"
    return MergeDecision(True, score, surname_why, rule)


def same_entity(
    name_a: str, name_b: str, *, type: str | None = None, context: Mapping[str, Any] | None = None
) -> MergeDecision:
    """Decide whether two written names are the same entity.

    ``type`` (person | organization | location | other) selects person rules (surname +
    given names) or whole-name rules. ``context`` may carry ``shared`` (number of co-occurring
    entities the two mentions have in common), ``same_story`` (bool) and ``declining`` (the
    forms may be inflected, so Ivanova can be a case form of Ivanov).
    """
    return decide(parse_name(name_a, type), parse_name(name_b, type), context)


# -- clustering ------------------------------------------------------------------------------


@dataclass
class Variant:
    surface: str
    count: int
    reason: str
    score: float
    rule: str


@dataclass
class Entity:
    """A cluster of mentions that name one person, organisation or place."""

    name: str
    type: str
    key: str  # skeleton of the canonical name, used to keep ids stable
    variants: list[Variant] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    mentions: list[tuple[str, Mention]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "variants": [v.surface for v in self.variants],
            "articles": list(self.articles),
            "evidence": list(self.evidence),
        }


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x


def _type_bucket(mention_type: str) -> str:
    return mention_type if mention_type in ("person", "organization", "location") else "other"


def _block_keys(p: ParsedName, bucket: str) -> list[tuple[str, str]]:
    if bucket == "person":
        key = p.surname_key
    else:
        key = p.full_key.replace(" ", "")
    keys = [(bucket, "p:" + key[:3]), (bucket, "s:" + phonetic_key(key, 3))]
    if p.alias:
        keys.append(("alias", p.alias[0]))
    if bucket != "person":
        # translations share meaning words, not letters; acronyms share their letters
        parts = orgplace.name_parts(p.surface)
        if parts.concepts:
            # recognisers type one body as an organisation in one language and a place in
            # another: translations are compared across those buckets
            first = min((min(orgplace.place_stems(w) or {""}) for w in parts.proper), default="")
            keys.append(("named", f"c:{parts.signature}|{first[:1]}"))
        region = orgplace.region_key(p.surface)
        if region:
            keys.append(("region", region))
        # exonyms share no letters (Munich, Monachium, Мюнхен): the place-name table joins them
        keys.extend(("place", str(place)) for place in orgplace.name_places(p.surface))
        letters = to_ascii(orgplace.acronym_letters(p.surface)) if orgplace.is_acronym(p.surface) \
            else to_ascii(orgplace.initials(p.surface))
        if letters:
            keys.append((bucket, "a:" + letters))
    return keys


BLOCK_FULL_COMPARE = 40
_CROSS_TYPE_RULES = frozenset({"translation", "region-adjective", "alias-translation"})
WINDOW = 12


def _candidate_pairs(nodes: Sequence[ParsedName], buckets: Sequence[str]) -> Iterable[tuple[int, int]]:
    """Pairs worth deciding: within a block, all pairs if small, a sorted window if large."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (p, bucket) in enumerate(zip(nodes, buckets, strict=True)):
        for key in _block_keys(p, bucket):
            blocks[key].append(i)
    seen: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) <= BLOCK_FULL_COMPARE:
            ordered = members
            window = len(members)
        else:
            sort_key = (lambda i: nodes[i].surname_key + " " + nodes[i].full_key) if key[0] == "person" \
                else (lambda i: nodes[i].full_key)
            ordered = sorted(members, key=sort_key)
            window = WINDOW
        for x, i in enumerate(ordered):
            for j in ordered[x + 1: x + 1 + window]:
                pair = (i, j) if i < j else (j, i)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def _cheap_reject(a: ParsedName, b: ParsedName, bucket: str) -> bool:
    ka, kb = (a.surname_key, b.surname_key) if bucket == "person" else (a.full_key, b.full_key)
    if a.alias or b.alias:
        return False
    if bucket != "person" and (orgplace.is_acronym(a.surface) or orgplace.is_acronym(b.surface)
                               or orgplace.name_parts(a.surface).concepts
                               or orgplace.name_places(a.surface) & orgplace.name_places(b.surface)):
        return False  # decided on meaning words, letters or the place-name table, not on edit distance
    # every weighted edit costs at least 0.5, so more than 2 x allowed plain edits cannot pass;
    # alternative readings (ch/kh, ou/u) may shorten a skeleton by a letter or two
    slack = 2 if bucket == "person" and (len(skeleton_variants(a.surname)) > 1
                                         or len(skeleton_variants(b.surname)) > 1) else 0
    return DamerauLevenshtein.distance(ka, kb) > 2 * (allowed_distance(max(len(ka), len(kb))) + 0.5) + slack


def _latin(name: str) -> bool:
    return bool(_LATIN_NAME.match(name))


def _canonical(names: Counter[str], parsed: Mapping[str, ParsedName], bucket: str) -> str:
    for p in (parsed[n] for n in names):
        fixed = gazetteer.fixed_type(p.surface)
        if fixed:
            return fixed[0]
        if p.alias:
            return p.alias[0]

    # how often each surname spelling is used across all variants (Lukashenko x3 beats
    # Lukaschenko x1 even when each full form occurs once)
    surname_use: Counter[str] = Counter()
    for name, count in names.items():
        toks = tokens(name)
        if toks:
            surname_use[toks[-1]] += count

    def rank(item: tuple[str, int]) -> tuple[int, int, int, int, int]:
        name, count = item
        toks = tokens(name)
        full = len(toks) > 1 if bucket == "person" else True
        return (int(full), int(_latin(name)), count, surname_use[toks[-1]] if toks else 0, -len(name))

    return max(names.items(), key=rank)[0]


def _retype_surnames(
    mentions_by_article: Mapping[str, Sequence[Mention]],
) -> dict[str, list[Mention]]:
    """Single words typed as places/organisations that are surnames of named persons become persons.

    Recognisers often call a lone surname (Szijjarto, Orban) an organisation or place; when a
    person with that surname is named in full in the collection, the lone word is that person
    unless the gazetteer or alias table says otherwise.
    """
    surnames: set[str] = set()
    by_sound: dict[str, set[str]] = defaultdict(set)
    for mentions in mentions_by_article.values():
        for m in mentions:
            if m.type == "person" and len(tokens(m.name)) > 1:
                p = parse_name(m.name, "person")
                surnames.add(p.surname_key)
                by_sound[phonetic_key(p.surname_key)].add(p.surname)
    places = gazetteer.places_and_organisations()
    out: dict[str, list[Mention]] = {}
    for article_id, mentions in mentions_by_article.items():
        fixed = []
        for m in mentions:
            n_tokens = len(tokens(m.name))
            if m.type != "person" and n_tokens == 1 and m.text not in places:
                p = parse_name(m.name, "person")
                if p.surname_key in surnames and not p.alias:
                    m = Mention(m.text, m.start, m.end, "person", m.lemma)
            elif m.type == "other" and 2 <= n_tokens <= 3:
                # "Mihai Ciobanu" typed other by the rules, while "Mihai Chobanu" is a person
                p = parse_name(m.name, "person")
                limit = allowed_distance(len(p.surname_key))
                if p.surname_key in surnames or any(
                        variant_distance(p.surname, known, limit) <= limit
                        for known in by_sound.get(phonetic_key(p.surname_key), ())):
                    m = Mention(m.text, m.start, m.end, "person", m.lemma)
            fixed.append(m)
        out[article_id] = fixed
    return out


def _fix_types(mentions_by_article: Mapping[str, Sequence[Mention]]) -> dict[str, list[Mention]]:
    """Names in the fixed-type table take its type whatever the recogniser said: a vote of
    spaCy's guesses made Covid a person beside COVID-19 an organisation, and AI a place."""
    out: dict[str, list[Mention]] = {}
    for article_id, mentions in mentions_by_article.items():
        fixed = []
        for m in mentions:
            kind = gazetteer.fixed_type(m.name) or gazetteer.fixed_type(m.text)
            if kind and m.type != kind[1]:
                m = Mention(m.text, m.start, m.end, kind[1], m.lemma)
            fixed.append(m)
        out[article_id] = fixed
    return out


def resolve(
    mentions_by_article: Mapping[str, Sequence[Mention]],
    *,
    story_of: Mapping[str, str] | None = None,
) -> list[Entity]:
    """Cluster mentions from many articles into entities with variants and evidence.

    ``story_of`` maps article id -> story id; surname-only mentions that are ambiguous in
    their article are resolved within their story before the whole collection is tried.
    """
    story_of = story_of or {}
    mentions_by_article = _fix_types(_retype_surnames(mentions_by_article))
    # distinct names per type bucket are the nodes
    node_index: dict[tuple[str, str], int] = {}
    nodes: list[ParsedName] = []
    buckets: list[str] = []
    occurrences: list[tuple[str, Mention, int]] = []
    sound_sets: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for ms in mentions_by_article.values():
        for m in ms:
            if m.type == "person" and len(tokens(m.name)) > 1:
                known = parse_name(m.name, "person")
                sound_sets[phonetic_key(known.surname_key)].add((known.surname_key, known.surname))
    surname_sounds = {k: sorted(v) for k, v in sound_sets.items()}
    exact_surnames = {key for v in sound_sets.values() for key, _ in v}
    named_cache: dict[str, bool] = {}

    def named_after(word: str) -> bool:
        """Whether a lone word is (a spelling of) the surname of a person named in full."""
        if word in named_cache:
            return named_cache[word]
        p = parse_name(word, "person")
        found = p.surname_key in exact_surnames
        if not found:
            limit = allowed_distance(len(p.surname_key))
            block = surname_sounds.get(phonetic_key(p.surname_key), [])
            at = bisect.bisect_left(block, (p.surname_key, ""))
            found = any(variant_distance(p.surname, s, limit) <= limit
                        for _, s in block[max(0, at - WINDOW): at + WINDOW])
        named_cache[word] = found
        return found

    places = gazetteer.places_and_organisations()
    for article_id, mentions in mentions_by_article.items():
        for m in mentions:
            bucket = _type_bucket(m.type)
            if bucket != "organization" and m.text not in places and len(tokens(m.name)) == 1 \
                    and not gazetteer.fixed_type(m.name) and not named_after(m.name):
                # a lone word nobody is named after: recognisers disagree on such words
                # (Zarichne: person for one model, place for another), so the type is voted
                bucket = UNTYPED
            key = (bucket, m.name)
            idx = node_index.get(key)
            if idx is None:
                idx = len(nodes)
                node_index[key] = idx
                nodes.append(parse_name(m.name, bucket))
                buckets.append(bucket)
            occurrences.append((article_id, m, idx))

    node_articles: dict[int, set[str]] = defaultdict(set)
    article_keys: dict[str, set[str]] = defaultdict(set)
    for article_id, _m, idx in occurrences:
        node_articles[idx].add(article_id)
        article_keys[article_id].add(nodes[idx].full_key)

    def cooccurring(idx: int) -> set[str]:
        found: set[str] = set()
        for article_id in list(node_articles[idx])[:20]:
            found |= article_keys[article_id]
        found.discard(nodes[idx].full_key)
        return found

    uf = _UnionFind(len(nodes))
    edges: dict[int, list[tuple[int, MergeDecision]]] = defaultdict(list)
    # given names per cluster root: a union that would put Alexander and Viktor together is refused
    cluster_given: dict[int, set[str]] = {i: ({nodes[i].given[0]} if nodes[i].given else set())
                                          for i in range(len(nodes))}

    for i, j in _candidate_pairs(nodes, buckets):
        a, b = nodes[i], nodes[j]
        # across type buckets only the alias table, a translation (the meaning words say what
        # it is, whatever the recognisers said) or a region's adjective standing alone
        cross = buckets[i] != buckets[j] and not (a.alias and b.alias)
        if cross and "person" in (buckets[i], buckets[j]):
            continue
        if buckets[i] == "person" and a.is_full != b.is_full:
            continue  # surname-only mentions are attached below, with ambiguity checks
        if _cheap_reject(a, b, buckets[i]):
            continue
        decision = decide(a, b, {"declining": is_cyrillic(a.surface + b.surface),
                                 "same_text": bool(node_articles[i] & node_articles[j])})
        if not decision.same and decision.rule == "surname" and decision.score >= 0.75:
            # a near miss: let co-occurring names and shared stories decide
            decision = decide(a, b, {"declining": is_cyrillic(a.surface + b.surface),
                                     **_pair_context(i, j, node_articles, story_of, cooccurring)})
        if not decision.same or (cross and decision.rule not in _CROSS_TYPE_RULES):
            continue
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        if not all(given_compatible(x, y)[0] for x in cluster_given[ri] for y in cluster_given[rj]):
            continue
        uf.parent[rj] = ri
        cluster_given[ri] |= cluster_given.pop(rj)
        edges[i].append((j, decision))
        edges[j].append((i, decision))

    # surname-only person nodes: which full-name clusters could they belong to? A lone surname
    # is compared once per distinct surname spelling, not once per full name carrying it.
    by_surname: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(nodes):
        if buckets[i] == "person" and p.is_full:
            by_surname[p.surname].append(i)
    surname_blocks: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for surname, members in by_surname.items():
        key = nodes[members[0]].surname_key
        surname_blocks[key[:3]].append((key, surname))
        surname_blocks["s:" + phonetic_key(key)].append((key, surname))
    for block in surname_blocks.values():
        block.sort()
    candidates_of: dict[int, dict[int, MergeDecision]] = {}
    for i, p in enumerate(nodes):
        if buckets[i] != "person" or p.is_full:
            continue
        found: dict[int, MergeDecision] = {}
        spellings: set[str] = set()
        for block_key in (p.surname_key[:3], "s:" + phonetic_key(p.surname_key)):
            block = surname_blocks.get(block_key, [])
            if len(block) > BLOCK_FULL_COMPARE:  # sorted neighbourhood around the lone surname
                at = bisect.bisect_left(block, (p.surname_key, ""))
                block = block[max(0, at - WINDOW): at + WINDOW]
            spellings.update(surname for _, surname in block)
        for surname in spellings:
            rep = nodes[by_surname[surname][0]]
            if _cheap_reject(p, rep, "person"):
                continue
            d = decide(p, rep, {"declining": is_cyrillic(p.surface + rep.surface)})
            if not d.same:
                continue
            for j in by_surname[surname]:
                root = uf.find(j)
                if root not in found or d.score > found[root].score:
                    found[root] = d
        candidates_of[i] = found

    roots_in_article: dict[str, set[int]] = defaultdict(set)
    roots_in_story: dict[str, set[int]] = defaultdict(set)
    for article_id, _m, idx in occurrences:
        if nodes[idx].is_full or buckets[idx] != "person":
            roots_in_article[article_id].add(uf.find(idx))
            if article_id in story_of:
                roots_in_story[story_of[article_id]].add(uf.find(idx))

    # a surname-only cluster (Lukashenko/Lukashenka/Лукашенко) shares candidates across its nodes
    single_cluster_candidates: dict[int, dict[int, MergeDecision]] = defaultdict(dict)
    for i, found in candidates_of.items():
        merged = single_cluster_candidates[uf.find(i)]
        for root, d in found.items():
            if root not in merged or d.score > merged[root].score:
                merged[root] = d

    assignment: list[tuple[str, Mention, int, MergeDecision | None, int]] = []
    for article_id, m, idx in occurrences:
        root = uf.find(idx)
        decision = None
        if idx in candidates_of:
            options = single_cluster_candidates.get(root, {})
            chosen = None
            for scope, present in (("article", roots_in_article.get(article_id, set())),
                                   ("story", roots_in_story.get(story_of.get(article_id, ""), set())),
                                   ("collection", set(options))):
                matches = [r for r in options if r in present]
                if len(matches) == 1:
                    chosen = (matches[0], scope)
                    break
                if len(matches) > 1:
                    break  # ambiguous at the narrowest scope that has candidates: leave it alone
            if chosen:
                target, scope = chosen
                d = options[target]
                decision = MergeDecision(True, d.score, f"{d.reason}; unambiguous in the {scope}",
                                         "surname-only")
                root = target
        assignment.append((article_id, m, idx, decision, root))

    return _build_entities(nodes, buckets, edges, assignment, uf)


def _pair_context(
    i: int, j: int, node_articles: Mapping[int, set[str]], story_of: Mapping[str, str],
    cooccurring: Any,
) -> dict[str, Any]:
    """Context for a near-miss pair: shared co-occurring names and whether a story holds both."""
    stories_i = {story_of[a] for a in node_articles[i] if a in story_of}
    stories_j = {story_of[a] for a in node_articles[j] if a in story_of}
    return {"shared": len(cooccurring(i) & cooccurring(j)), "same_story": bool(stories_i & stories_j)}


def _build_entities(
    nodes: Sequence[ParsedName],
    buckets: Sequence[str],
    edges: Mapping[int, list[tuple[int, MergeDecision]]],
    assignment: Sequence[tuple[str, Mention, int, MergeDecision | None, int]],
    uf: _UnionFind,
) -> list[Entity]:
    groups: dict[int, list[tuple[str, Mention, int, MergeDecision | None]]] = defaultdict(list)
    for article_id, m, idx, decision, root in assignment:
        groups[root].append((article_id, m, idx, decision))
    entities = []
    for root, items in groups.items():
        names = Counter(nodes[idx].surface for _, _, idx, _ in items)
        parsed = {nodes[idx].surface: nodes[idx] for _, _, idx, _ in items}
        bucket = buckets[root]
        canonical = _canonical(names, parsed, bucket)
        types = Counter(m.type for _, m, _, _ in items)
        if bucket == UNTYPED:
            # one vote per distinct written form and type: verbatim copies of one article
            # repeat its recogniser's guess, they do not confirm it
            votes = Counter(t for _, t in {(m.text, m.type) for _, m, _, _ in items})
            order = {"location": 0, "organization": 1, "person": 2, "other": 3}
            typ = min(votes.items(), key=lambda kv: (-kv[1], order.get(kv[0], 9)))[0]
        else:
            typ = types.most_common(1)[0][0] if bucket != "person" else "person"
        canonical_node = next(idx for _, _, idx, _ in items if nodes[idx].surface == canonical) \
            if canonical in parsed else root
        why = _explain(canonical_node, edges, {idx for _, _, idx, _ in items})
        surfaces: dict[str, Variant] = {}
        for _, m, idx, decision in items:
            v = surfaces.get(m.text)
            if v is None:
                if decision is not None:
                    reason, score, rule = decision.reason, decision.score, decision.rule
                elif idx == canonical_node or nodes[idx].surface == canonical:
                    reason, score, rule = "canonical form", 1.0, "canonical"
                elif idx in why:
                    reason, score, rule = why[idx]
                else:
                    reason, score, rule = "same name", 1.0, "identical"
                if m.lemma and m.lemma != m.text and rule == "canonical":
                    reason = f"case form of {m.lemma}"
                v = surfaces[m.text] = Variant(m.text, 0, reason, score, rule)
            v.count += 1
        articles = sorted({a for a, _, _, _ in items})
        variants = sorted(surfaces.values(), key=lambda v: (-v.count, v.surface))
        entities.append(Entity(
            name=canonical, type=typ, key=f"{typ}:{parse_name(canonical, typ).full_key}",
            variants=variants, articles=articles,
            mentions=[(a, m) for a, m, _, _ in items],
            evidence=[{"surface": v.surface, "rule": v.rule, "score": round(v.score, 3), "reason": v.reason}
                      for v in variants if v.rule not in ("canonical", "identical")],
        ))
    entities.sort(key=lambda e: (-len(e.articles), e.name))
    return entities


def _explain(start: int, edges: Mapping[int, list[tuple[int, MergeDecision]]],
             members: set[int]) -> dict[int, tuple[str, float, str]]:
    """For each node, the decision that linked it to the cluster (breadth-first from canonical)."""
    out: dict[int, tuple[str, float, str]] = {}
    seen = {start}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for other, decision in edges.get(node, []):
                if other in seen:
                    continue
                seen.add(other)
                out[other] = (decision.reason, decision.score, decision.rule)
                nxt.append(other)
        frontier = nxt
    return {k: v for k, v in out.items() if k in members}
