"""Name skeletons and the name matcher: one spelling-independent key per name, whatever the
script or transliteration system.

Transliteration systems disagree (Tsikhanouskaya / Tikhanovskaya / Tichanowskaja), Slavic
languages decline names (Орбаном, Тихановской) and Belarusian forms differ from Russian ones
(Lukashenka / Lukashenko). One fold (:func:`fold_token`) folds those differences away; every
key below is derived from it, so the stages that compare names (same-event features, the
provenance claim diff, entity merging) agree on which spellings are one name:

- :func:`skeleton_token` / :func:`name_key`: the fold with one case ending stripped;
- :func:`consonant_skeleton`: its consonants, for names whose vowels a declension changes;
- :func:`weighted_distance`: edit distance on skeletons with sound-alike letters cheap;
- :func:`names_match`: whether two multi-word names could be the same entity;
- :func:`match_name_keys`: which keys of two articles' name sets are one name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")

# Ordered digraph folds applied to lower-case ASCII. Longer patterns first.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("shch", "s"),
    ("tsch", "c"),
    ("sch", "s"),
    ("tch", "c"),
    ("ch", "c"),
    ("cz", "c"),
    ("kh", "h"),
    ("ck", "k"),
    ("sh", "s"),
    ("sz", "s"),
    ("zh", "z"),
    ("ts", "c"),
    ("tz", "c"),
    ("dz", "d"),
    ("g", "h"),
    ("ph", "f"),
    ("th", "t"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
)
_OU_BEFORE_CONSONANT = re.compile(r"([aeo])u(?=[bcdfgklmnprstvz])")
_DOUBLE = re.compile(r"(.)\1+")
# Case and gender endings (after folding: г -> h, so -ого is "oho") stripped from the end of each folded token (longest first). They
# only ever shorten tokens longer than four letters, so short names keep their shape.
_ENDINGS: tuple[str, ...] = (
    "oho", "omu", "aia", "oiu", "uiu", "ami", "oi", "ei", "ii", "oe", "ia", "om", "em", "im",
    "iu", "a", "o", "u", "e", "i",
)
_FEMININE_PAIRS: tuple[tuple[str, str], ...] = (
    ("ova", "ov"), ("eva", "ev"), ("ina", "in"), ("skaia", "skii"), ("skaia", "ski"),
    ("cka", "cki"), ("ska", "ski"), ("skaia", "sk"), ("naia", "ni"), ("kaia", "ki"), ("aia", "oi"),
)
# Alternative readings of ambiguous Latin spellings, tried when comparing: German/Polish "ch"
# is Cyrillic х (Tichanowskaja), French "ou" is u (Poutine), "yo"/"io" is ё written as е.
_ALTERNATIVES: tuple[tuple[str, str], ...] = (("ch", "kh"), ("ou", "u"), ("yo", "e"), ("io", "e"))


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def tokens(name: str) -> list[str]:
    """Word tokens of a name, keeping inner apostrophes and hyphens."""
    return _TOKEN.findall(name)


@lru_cache(maxsize=200_000)
def to_ascii(text: str) -> str:
    """Transliterate any script to ASCII (Ю -> Yu, ў -> u, ő -> o)."""
    text = unicodedata.normalize("NFC", text)
    return anyascii(text)


@lru_cache(maxsize=200_000)
def fold_token(token: str) -> str:
    """Lower-case ASCII with digraphs and letter groups folded, no case ending stripped."""
    s = to_ascii(token).lower()
    s = re.sub(r"[^a-z]", "", s)
    s = _OU_BEFORE_CONSONANT.sub(r"\1v", s)
    for a, b in _FOLDS:
        if a in s:
            s = s.replace(a, b)
    return _DOUBLE.sub(r"\1", s)


@lru_cache(maxsize=200_000)
def skeleton_token(token: str) -> str:
    """Folded token with one Slavic case/gender ending (or final vowel) stripped."""
    return _strip_ending(fold_token(token))


@lru_cache(maxsize=200_000)
def skeleton_variants(token: str) -> frozenset[str]:
    """The skeleton plus those of alternative readings of ambiguous Latin letter groups."""
    found = {skeleton_token(token)}
    low = to_ascii(token).lower()
    for pattern, replacement in _ALTERNATIVES:
        if pattern in low:
            found.add(_strip_ending(fold_token(low.replace(pattern, replacement))))
    return frozenset(found)


def _strip_ending(s: str) -> str:
    if len(s) > 4:
        for ending in _ENDINGS:
            if s.endswith(ending) and len(s) - len(ending) >= 3:
                s = s[: -len(ending)]
                break
    return s


def skeleton(name: str) -> str:
    """Whole-name skeleton: folded tokens, endings stripped, joined by spaces."""
    return " ".join(t for t in (skeleton_token(tok) for tok in tokens(name)) if t)


def gender_clash(surname_a: str, surname_b: str) -> bool:
    """True when two surnames are the masculine and feminine forms of one family name.

    Ivanov / Ivanova or Kowalski / Kowalska are two people (often relatives), not variants.
    """
    a, b = fold_token(surname_a), fold_token(surname_b)
    for fem, masc in _FEMININE_PAIRS:
        fem, masc = fold_token(fem), fold_token(masc)
        if a.endswith(fem) and b.endswith(masc) and a[: -len(fem)] == b[: -len(masc)]:
            return True
        if b.endswith(fem) and a.endswith(masc) and b[: -len(fem)] == a[: -len(masc)]:
            return True
    return False


_SOUND_CLASS = {
    **dict.fromkeys("bpfv", "B"),
    **dict.fromkeys("cstzdg", "S"),
    **dict.fromkeys("kh", "K"),
    **dict.fromkeys("l", "L"),
    **dict.fromkeys("r", "R"),
    **dict.fromkeys("mn", "N"),
}


def phonetic_key(folded: str, length: int = 3) -> str:
    """Consonant-class key (vowels dropped), for blocking candidates that differ in letters."""
    out: list[str] = []
    for ch in folded:
        cls = _SOUND_CLASS.get(ch)
        if cls and (not out or out[-1] != cls):
            out.append(cls)
        if len(out) >= length:
            break
    return "".join(out)


# -- weighted Damerau-Levenshtein on skeletons ---------------------------------------------

_VOWELS = frozenset("aeiou")
_CHEAP_GROUPS = (
    frozenset("ao"),
    frozenset("ae"),
    frozenset("ei"),
    frozenset("ou"),
    frozenset("iu"),
    frozenset("cstz"),
    frozenset("bpfv"),
    frozenset("dt"),
    frozenset("gkh"),
    frozenset("ch"),
    frozenset("ck"),
    frozenset("vu"),
    frozenset("mn"),
)


def _sub_cost(a: str, b: str, first: bool = False) -> float:
    if a == b:
        return 0.0
    if first and a in _VOWELS and b in _VOWELS and {a, b} != {"e", "i"}:
        return 1.0  # Orban / Urban: a different opening vowel is a different name
    for group in _CHEAP_GROUPS:
        if a in group and b in group:
            return 0.5
    return 1.0


def _indel_cost(ch: str) -> float:
    return 0.5 if ch in _VOWELS or ch in "hi" else 1.0


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SUB = {(x, y): _sub_cost(x, y) for x in _LETTERS for y in _LETTERS}
_SUB_FIRST = {(x, y): _sub_cost(x, y, True) for x in _LETTERS for y in _LETTERS}
_INDEL = {x: _indel_cost(x) for x in _LETTERS}


@lru_cache(maxsize=500_000)
def weighted_distance(a: str, b: str, cutoff: float = 99.0) -> float:
    """Edit distance where sound-alike substitutions, vowel/h edits and swaps cost 0.5.

    Stops early (returning a value above ``cutoff``) once every path costs more than it.
    """
    if a == b:
        return 0.0
    la, lb = len(a), len(b)
    if abs(la - lb) * 0.5 > cutoff or abs(la - lb) > 4:
        return float(abs(la - lb))
    sub, indel = _SUB, _INDEL
    ins_b = [indel.get(ch, 1.0) for ch in b]
    prev2: list[float] = []
    prev = [0.0] * (lb + 1)
    for j in range(1, lb + 1):
        prev[j] = prev[j - 1] + ins_b[j - 1]
    for i in range(1, la + 1):
        ca = a[i - 1]
        del_a = indel.get(ca, 1.0)
        cur = [prev[0] + del_a] + [0.0] * lb
        row_min = cur[0]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            if ca == cb:
                s_cost = 0.0
            elif i == 1 and j == 1:
                s_cost = _SUB_FIRST.get((ca, cb), 1.0)
            else:
                s_cost = sub.get((ca, cb), 1.0)
            cost = prev[j - 1] + s_cost
            x = prev[j] + del_a
            if x < cost:
                cost = x
            x = cur[j - 1] + ins_b[j - 1]
            if x < cost:
                cost = x
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                x = prev2[j - 2] + 0.5
                if x < cost:
                    cost = x
            cur[j] = cost
            if cost < row_min:
                row_min = cost
        if row_min > cutoff:
            return row_min
        prev2, prev = prev, cur
    return prev[lb]


def variant_distance(token_a: str, token_b: str, cutoff: float = 99.0) -> float:
    """Smallest weighted distance between any readings of two tokens."""
    return min(weighted_distance(x, y, cutoff)
               for x in skeleton_variants(token_a) for y in skeleton_variants(token_b))


def allowed_distance(length: int, *, given: bool = False) -> float:
    """How much weighted edit a skeleton of this length tolerates and stays the same name."""
    if length <= 3:
        return 0.0
    if length <= 5:
        return 0.5
    if length <= 8:
        return 1.0 if given else 0.5
    return 1.5 if given else 1.0


def similarity(a: str, b: str) -> float:
    """1 - weighted distance / longer length, in [0, 1]."""
    if not a or not b:
        return 0.0
    return max(0.0, 1.0 - weighted_distance(a, b) / max(len(a), len(b)))


# -- keys and matcher used across stages -------------------------------------------------


def name_key(surface: str) -> str:
    """Key of a one-word name: its skeleton ("Лукашенкой", "Lukashenka" -> "lukasenk"), digits
    kept so that F-16 and F-35 stay apart."""
    digits = re.sub(r"[^0-9]", "", to_ascii(surface))
    return skeleton_token(surface) + digits


def romanise(text: str) -> str:
    """Lower-case ASCII letters of ``text`` in any script ("Києва" -> "kieva")."""
    return re.sub(r"[^a-z]", "", to_ascii(text).lower())


@lru_cache(maxsize=200_000)
def consonant_skeleton(word: str) -> str:
    """First letter and consonants of the word's skeleton: "Києва" and "Kyiv" both give "kv"."""
    folded = skeleton_token(word)
    if not folded:
        return ""
    return _DOUBLE.sub(r"\1", folded[0] + re.sub(r"[aeiou]", "", folded[1:]))


# Two romanised words this alike (rapidfuzz ratio, 0-100) are one name spelled two ways; lower
# lets unrelated short names meet (a changed name then reads as the same one).
NAME_RATIO = 75


def names_match(a: str, b: str) -> bool:
    """Whether two names could be the same entity: any word pair with the same beginning,
    similar letters or one consonant skeleton extending the other, allowing case endings
    ("Житомирській" / "Zhytomyr")."""
    for wa in a.split():
        ra = romanise(wa)
        if len(ra) < 3:
            continue
        sa = consonant_skeleton(wa)
        for wb in b.split():
            rb = romanise(wb)
            if len(rb) < 3:
                continue
            if ra[:4] == rb[:4] and min(len(ra), len(rb)) >= 4:
                return True
            if fuzz.ratio(ra, rb) >= NAME_RATIO:
                return True
            short, long_ = sorted((sa, consonant_skeleton(wb)), key=len)
            if len(short) >= 2 and long_.startswith(short) and ra[0] == rb[0]:
                return True
    return False


def name_in(name: str, names: list[str]) -> bool:
    """Whether ``name`` matches any of ``names``."""
    return any(names_match(name, other) for other in names)


# Normalised Indel similarity at which two name keys of five letters or more are one name
# spelled two ways (the same-event name cue; its scorer model was fitted with this value).
KEY_MATCH_RATIO = 0.85


def match_name_keys(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of :func:`name_key` keys that match exactly or nearly (transliteration variants
    the fold leaves apart); each key of ``b`` is used once."""
    set_b = set(b)
    matched: list[tuple[str, str]] = []
    used: set[str] = set()
    for key in a:
        if key in set_b and key not in used:
            matched.append((key, key))
            used.add(key)
            continue
        if len(key) < 5:
            continue
        best, best_score = None, KEY_MATCH_RATIO
        for other in b:
            if other in used or len(other) < 5 or abs(len(other) - len(key)) > 3:
                continue
            score = Indel.normalized_similarity(key, other)
            if score >= best_score:
                best, best_score = other, score
        if best is not None:
            matched.append((key, best))
            used.add(best)
    return matched
