"""Organisations and places across languages: compare what a name means, then its proper words.

No spelling rule connects "State Emergency Service" with "Державна служба з надзвичайних
ситуацій", yet both are built from the same meaning words (state, service, emergency) in the
same way. A name is split into concepts (``data/name_words.json``) and proper words
(Khmelnytskyi, Solonets); two names are one entity when their concepts agree and each proper
word has a counterpart in the other name that is the same word in another script or case form.
Everything else (a district and a region, a city and its region, neighbouring regions) stays
apart. Acronyms are compared exactly: UNN is not UN, APA is not AP.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..lang.names import (
    allowed_distance,
    fold_token,
    is_cyrillic,
    skeleton_token,
    to_ascii,
    tokens,
    weighted_distance,
)
from . import gazetteer

_ELISION = re.compile(r"^(?:l|d|qu)['’]", re.IGNORECASE)
# German compounds shorter than this are not split (Stab, Rat are words of their own)
COMPOUND_MIN = 9
# A concept stem matches a word with at most this many letters of inflection after it
# (Министерство -> Министерства, здравоохранен -> здравоохранения).
MAX_INFLECTION = 4
# Feminine adjective endings of a region name used without its noun (у Хмельницькій [області]).
_REGION_ADJECTIVE = re.compile(
    r"(ская|ской|скую|цкая|цкой|цкую|ська|ської|ській|ську|цька|цької|цькій|цьку|ска|цка)$")
# Latin-script case endings (Polish, German) that two spellings of one place may differ by:
# Ukraina / Ukrainy, Kraków / Krakowie. Not -ia (Niger is not Nigeria), not -s (the Americas
# are not America).
_LATIN_CASE_ENDINGS = ("", "a", "y", "i", "ie", "u", "em", "om")


@dataclass(frozen=True)
class NameParts:
    """A name as concepts (what it is) and proper words (which one), for cross-language matching."""

    concepts: frozenset[str]
    proper: tuple[str, ...]

    @property
    def signature(self) -> str:
        return "+".join(sorted(self.concepts))


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, str], frozenset[str], frozenset[str], tuple[str, ...]]:
    table = gazetteer.load("name_words")
    stems: dict[str, str] = {}
    for concept, words in table["concepts"].items():
        for word in words:
            stems.setdefault(_lower(word), concept)
    filler = frozenset(_lower(w) for w in table["filler"])
    function = frozenset(_lower(w) for w in table["function"])
    links = tuple(table["compound_links"])
    return stems, filler, function, links


@lru_cache(maxsize=1)
def _derivations() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(stem ending, adjective suffixes it takes): конституц -> конституционный."""
    table = gazetteer.load("name_words").get("derivations", {})
    return tuple((_lower(end), tuple(_lower(s) for s in suffixes)) for end, suffixes in table.items())


@lru_cache(maxsize=1)
def _clipped_prefixes() -> tuple[tuple[str, str], ...]:
    """(prefix, concept), longest first: Евро- in Европарламент is "european"."""
    table = gazetteer.load("name_words").get("clipped_prefixes", {})
    return tuple(sorted(((_lower(k), v) for k, v in table.items()), key=lambda kv: -len(kv[0])))


def _inflected(stem: str, rest: str) -> bool:
    """Whether ``rest`` is an inflection of ``stem``, after an adjective suffix if the stem takes one."""
    if len(rest) <= _max_inflection(stem):
        return True
    for end, suffixes in _derivations():
        if stem.endswith(end):
            for suffix in suffixes:
                if rest.startswith(suffix) and len(rest) - len(suffix) <= MAX_INFLECTION:
                    return True
    return False


def _lower(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


def _max_inflection(stem: str) -> int:
    return min(MAX_INFLECTION, len(stem) - 1)


@lru_cache(maxsize=100_000)
def _concept_of(word: str) -> str | None:
    """The concept a whole word names, or "" for a filler word, or None."""
    stems, filler, _, _ = _lexicon()
    for size in range(len(word), 1, -1):
        stem = word[:size]
        if stem in stems and _inflected(stem, word[size:]):
            return stems[stem]
        if stem in filler and len(word) - size <= _max_inflection(stem):
            return ""
    return None


@lru_cache(maxsize=100_000)
def _split_compound(word: str) -> tuple[str, ...] | None:
    """Concepts of a compound made only of known stems (Gesundheitsministerium), or None."""
    stems, _, _, links = _lexicon()

    def walk(at: int) -> tuple[str, ...] | None:
        if at == len(word):
            return ()
        for size in range(len(word) - at, 2, -1):
            stem = word[at: at + size]
            if stem not in stems:
                continue
            rest = at + size
            if len(word) - rest <= 2:  # a final inflection (Notfallsituationen, Streitkräfte)
                tail = walk(rest) if rest < len(word) else ()
                return (stems[stem],) if tail is None else (stems[stem], *tail)
            for link in ("", *links):
                if word.startswith(link, rest):
                    tail = walk(rest + len(link))
                    if tail is not None:
                        return (stems[stem], *tail)
        return None

    found = walk(0)
    return found if found and len(found) >= 2 else None


# Compass-point prefixes of German place compounds (Westukraine, Ostukraine, Süddeutschland);
# the rest of the word must be at least this long to be a place name of its own.
_DIRECTIONS = {"west": "west", "ost": "east", "nord": "north", "süd": "south"}
DIRECTION_REST_MIN = 5


def _directional_compound(word: str) -> tuple[str, str] | None:
    """("west", "ukraine") for Westukraine: a compass point glued to a place name."""
    for prefix, concept in _DIRECTIONS.items():
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= DIRECTION_REST_MIN and _concept_of(rest) is None:
            return concept, rest
    return None


# The rest of a clipped compound must be a meaning word of at least this many letters
# (Европарламент, Euroclear stays a proper name).
CLIPPED_REST_MIN = 4


@lru_cache(maxsize=100_000)
def _clipped_compound(word: str) -> tuple[str, ...] | None:
    """("european", "parliament") for Европарламент or Europaparlament: a clipped meaning word
    glued to another one. Europe alone stays a proper word (Council of Europe is not the
    European Council)."""
    for prefix, concept in _clipped_prefixes():
        rest = word[len(prefix):]
        if not word.startswith(prefix) or len(rest) < CLIPPED_REST_MIN:
            continue
        parts = _split_compound(rest) if len(rest) >= COMPOUND_MIN and not is_cyrillic(rest) else None
        if parts:
            return (concept, *parts)
        found = _concept_of(rest)
        if found:
            return (concept, found)
    return None


@lru_cache(maxsize=100_000)
def name_parts(name: str) -> NameParts:
    """Concepts and proper words of an organisation or place name."""
    _, _, function, _ = _lexicon()
    concepts: set[str] = set()
    proper: list[str] = []
    for raw in tokens(name):
        raw = _ELISION.sub("", raw)
        word = _lower(raw)
        if not word or word in function:
            continue
        parts = _split_compound(word) if len(word) >= COMPOUND_MIN and not is_cyrillic(word) else None
        if parts:
            concepts.update(parts)
            continue
        clipped = _clipped_compound(word)
        if clipped:
            concepts.update(clipped)
            continue
        direction = _directional_compound(word) if not is_cyrillic(word) else None
        if direction:
            concepts.add(direction[0])
            proper.append(direction[1])
            continue
        concept = _concept_of(word)
        if concept is None:
            proper.append(raw)
        elif concept:
            concepts.add(concept)
    return NameParts(frozenset(concepts), tuple(proper))


def is_acronym(name: str) -> bool:
    """"UNN", "U.N.", "ДСНС": two to six capital letters and nothing else."""
    letters = re.sub(r"[\s.&\-]", "", name)
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def acronym_letters(name: str) -> str:
    return re.sub(r"[^\w]", "", name).upper()


def initials(name: str) -> str:
    """Initials of the words of a multi-word name but its function words (United Nations -> UN,
    Международный валютный фонд -> МВФ)."""
    _, _, function, _ = _lexicon()
    words = [t for t in tokens(name) if _lower(t) not in function]
    return "".join(w[0] for w in words).upper() if len(words) >= 2 else ""


_LATIN_ADJECTIVE = re.compile(r"(?<=k)(yi|iy|ij|yj|yy|y|i|a|e|o|oho|ogo|oje|oye|iej|ich|ych|ykh)$")


def _drop_adjective_k(stem: str) -> set[str]:
    """The stem with and without an adjective suffix: Хмельницк -> Хмельниц (-k after a stem
    in ц), Черниговск -> Чернигов (-sk after a noun); Minsk keeps a reading with its -sk."""
    found = {stem}
    if stem.endswith(("ck", "sk")) and len(stem) >= 4:  # not Судак: a noun in -ак is not an adjective
        found.add(stem[:-1])
        if stem.endswith("sk") and len(stem) >= 5:
            found.add(stem[:-2])
    return found


@lru_cache(maxsize=100_000)
def place_stems(word: str) -> frozenset[str]:
    """Readings of a proper word for comparison across scripts.

    Cyrillic words: the folded word and the word with one case ending stripped (Газпром ends
    in a letter pair that is also an instrumental ending; Газпрома is its genitive). Latin
    words are transliterations written in the nominative: only an adjective ending after -k
    is dropped (Khmelnytskyi, Khmelnytska), so Nigeria never loses its -ia.
    """
    if is_cyrillic(word):
        return frozenset(x for r in (fold_token(word), skeleton_token(word)) if r
                         for x in _drop_adjective_k(r))
    # the k goes before folding: Polish doniecki is doniec-k-i, not the German ck of Donieck
    latin = _drop_adjective_k(_LATIN_ADJECTIVE.sub("", to_ascii(word).lower()))
    return frozenset({y for x in latin for y in latin_readings(x)} - {""})


_POLISH_SOFT = re.compile(r"(?<=[bcdfgklmnprstvwz])ie")


@lru_cache(maxsize=100_000)
def latin_readings(word: str) -> frozenset[str]:
    """Folded readings of a Latin-script word under the transliteration systems that disagree:
    German and Polish ch is kh (Charkiw), Polish rz is r and a soft ie is e (Żytomierz)."""
    low = to_ascii(word).lower()
    found = {fold_token(low)}
    if "ch" in low:
        found.add(fold_token(low.replace("ch", "kh")))
    polish = _POLISH_SOFT.sub("e", low.replace("rz", "r"))
    if polish != low:
        found.add(fold_token(polish))
        if "ch" in polish:
            found.add(fold_token(polish.replace("ch", "kh")))
    return frozenset(found)


def _latin(word: str) -> bool:
    return not is_cyrillic(word)


def _latin_case_forms(a: str, b: str) -> bool:
    """Ukraina / Ukrainy: one stem, two case endings of a Latin-script language."""
    x, y = _lower(a), _lower(b)
    for ea in _LATIN_CASE_ENDINGS:
        if ea and not x.endswith(ea):
            continue
        stem = x[: len(x) - len(ea)] if ea else x
        if len(to_ascii(stem)) < 4:
            continue
        for eb in _LATIN_CASE_ENDINGS:
            if y == stem + eb and ea != eb:
                return True
    return False


def _alternation_distance(a: str, b: str) -> float:
    """Distance with Ukrainian і read as Russian о (Харків / Харьков, Чернігів / Чернигов),
    at the price of one cheap edit."""
    if "o" not in a + b:
        return 99.0
    return weighted_distance(a.replace("o", "i"), b.replace("o", "i")) + 0.5


def _closest(readings_a: frozenset[str], readings_b: frozenset[str]) -> tuple[float, str, str]:
    """The smallest distance between any two readings, and those readings."""
    best = (99.0, "", "")
    for ka in readings_a:
        for kb in readings_b:
            dist = min(weighted_distance(ka, kb), _alternation_distance(ka, kb))
            if dist < best[0]:
                best = (dist, ka, kb)
    return best


def proper_word_match(a: str, b: str) -> tuple[bool, str]:
    """Whether two proper words name the same thing, and why (alias, case form, spelling)."""
    alias_a, alias_b = gazetteer.lookup_alias(a), gazetteer.lookup_alias(b)
    if alias_a and alias_b:
        same = alias_a[0] == alias_b[0]
        return same, f"{a}/{b} {'both' if same else 'not both'} {alias_a[0]} in the alias table"
    if _lower(a) == _lower(b):
        return True, f"{a} written alike"
    place_a, place_b = word_place(a), word_place(b)
    if place_a is not None and place_b is not None:
        same = place_a == place_b
        return same, (f"{a}/{b} {'both' if same else 'not both'} "
                      f"{gazetteer.place_name(place_a)} in the place-name table")
    if _latin(a) and _latin(b):
        # one alphabet: spellings differ by letters, not by transliteration or case systems
        x, y = to_ascii(a).lower(), to_ascii(b).lower()
        if x.startswith(y) or y.startswith(x):
            ok = _latin_case_forms(x, y)  # Pokrovsk / Pokrovske are two places
            return ok, f"{a}/{b} {'case forms' if ok else 'differ by an ending'}"
        if _latin_case_forms(x, y):
            return True, f"{a}/{b} case forms"
        if not (_LATIN_ADJECTIVE.search(x) or _LATIN_ADJECTIVE.search(y)):
            dist, ka, kb = _closest(latin_readings(a), latin_readings(b))
            allowed = allowed_distance(max(len(ka), len(kb)))
            return dist <= allowed, f"{a}/{b} spelling distance {dist:g}"
        # an adjective (obwód doniecki) against a noun (Donetsk region): compare stems
    best, ka, kb = _closest(place_stems(a), place_stems(b))
    allowed = allowed_distance(max(len(ka), len(kb)))
    ok = best <= allowed and min(len(ka), len(kb)) >= 3
    return ok, f"{a}/{b} stems '{ka}'/'{kb}' distance {best:g}"


@lru_cache(maxsize=100_000)
def word_place(word: str) -> int | None:
    """The place of the place-name table a proper word names: the place itself in any case
    form (Мюнхене, Rosji), or the place a region adjective is built on (Київській, kijowski)."""
    found = gazetteer.place_of(word)
    return found if found is not None else gazetteer.place_of_adjective(word)


def name_places(name: str) -> frozenset[int]:
    """Places of the place-name table a whole name or its proper words name (for blocking)."""
    whole = gazetteer.place_of(name)
    if whole is not None:
        return frozenset({whole})
    found = (word_place(w) for w in name_parts(name).proper)
    return frozenset(x for x in found if x is not None)


def _match_proper(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[bool, list[str]]:
    if len(a) != len(b):
        return False, [f"{len(a)} vs {len(b)} proper words"]
    left = list(b)
    why = []
    for word in a:
        for k, other in enumerate(left):
            ok, reason = proper_word_match(word, other)
            if ok:
                why.append(reason)
                del left[k]
                break
        else:
            return False, [f"no counterpart for {word}"]
    return True, why


@dataclass(frozen=True)
class WholeDecision:
    same: bool
    score: float
    reason: str
    rule: str


def decide_whole(name_a: str, name_b: str, *, same_text: bool = False) -> WholeDecision:
    """Whether two organisation or place names are one entity.

    ``same_text``: both names occur in one article, which lets an acronym join the name it
    abbreviates (the article spells it out); without it only the alias table joins acronyms.
    """
    acro_a, acro_b = is_acronym(name_a), is_acronym(name_b)
    if acro_a or acro_b:
        return _decide_acronym(name_a, name_b, acro_a, acro_b, same_text)
    if len(tokens(name_a)) + len(tokens(name_b)) > 2:
        # a place written in several words (Stany Zjednoczone, États-Unis, Нью-Йорк)
        place_a, place_b = gazetteer.place_of(name_a), gazetteer.place_of(name_b)
        if place_a is not None and place_b is not None:
            same = place_a == place_b
            return WholeDecision(same, 0.9 if same else 0.1,
                                 f"{name_a}/{name_b} {'both' if same else 'not both'} "
                                 f"{gazetteer.place_name(place_a)} in the place-name table", "place-table")
    pa, pb = name_parts(name_a), name_parts(name_b)
    if pa.concepts != pb.concepts:
        return _decide_elided_region(name_a, name_b, pa, pb)
    if not pa.proper and not pb.proper and len(pa.concepts) >= 2:
        return WholeDecision(True, 0.9, f"same meaning words ({pa.signature}) in two languages",
                             "translation")
    if len(pa.concepts) < 2 and not (pa.proper and pb.proper):
        # one meaning word and nothing else (Суд, Судак) says too little: compare the words
        pa, pb = NameParts(frozenset(), tuple(tokens(name_a))), NameParts(frozenset(), tuple(tokens(name_b)))
    if not pa.concepts and len(pa.proper) == len(pb.proper) == 1 and \
            bool(_REGION_ADJECTIVE.search(_lower(name_a))) != bool(_REGION_ADJECTIVE.search(_lower(name_b))):
        return WholeDecision(False, 0.3, "a region's adjective and a place noun (the region and its "
                                         "city are two places)", "region-adjective")
    ok, why = _match_proper(pa.proper, pb.proper)
    if not ok:
        return WholeDecision(False, 0.3, f"proper words differ: {'; '.join(why)}", "proper-words")
    if pa.concepts:
        return WholeDecision(True, 0.9, f"same meaning words ({pa.signature}); {'; '.join(why)}",
                             "translation")
    return WholeDecision(True, 0.9, "; ".join(why), "spelling")


def _decide_acronym(a: str, b: str, acro_a: bool, acro_b: bool, same_text: bool) -> WholeDecision:
    if acro_a and acro_b:
        la, lb = acronym_letters(a), acronym_letters(b)
        if la == lb or to_ascii(la) == to_ascii(lb):
            return WholeDecision(True, 0.95, f"same acronym {a}/{b}", "acronym")
        return WholeDecision(False, 0.0, f"different acronyms {a}/{b}", "acronym")
    short, long = (a, b) if acro_a else (b, a)
    if initials(long) != acronym_letters(short) and initials(to_ascii(long)) != to_ascii(acronym_letters(short)):
        return WholeDecision(False, 0.0, f"{short} is not an acronym of {long}", "acronym")
    if not same_text:
        return WholeDecision(False, 0.5, f"{short} abbreviates {long} only with both in one text",
                             "acronym")
    return WholeDecision(True, 0.9, f"acronym {short} of {long}, spelled out in the same article",
                         "acronym")


def region_key(name: str) -> str:
    """A blocking key shared by "<name> region" and the region's adjective used alone."""
    parts = name_parts(name)
    if len(parts.proper) != 1 or parts.concepts - {"region"}:
        return ""
    if not parts.concepts and not _REGION_ADJECTIVE.search(_lower(parts.proper[0])):
        return ""
    return min(place_stems(parts.proper[0]) or {""})[:3]


def _decide_elided_region(a: str, b: str, pa: NameParts, pb: NameParts) -> WholeDecision:
    """у Хмельницькій [області]: a region adjective standing for "<name> region"."""
    bare, full, bare_name = (pa, pb, a) if pb.concepts - pa.concepts == {"region"} else (pb, pa, b)
    if full.concepts - bare.concepts == {"region"} and not bare.concepts and len(bare.proper) == 1 \
            and _REGION_ADJECTIVE.search(_lower(bare.proper[0])):
        ok, why = _match_proper(bare.proper, full.proper)
        if ok:
            return WholeDecision(True, 0.85, f"{bare_name} is the region's adjective; {'; '.join(why)}",
                                 "region-adjective")
    missing = sorted(pa.concepts ^ pb.concepts)
    return WholeDecision(False, 0.2, f"meaning words differ ({', '.join(missing)})", "translation")
