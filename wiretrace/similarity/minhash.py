"""Verbatim and near-verbatim copies found without a model: word shingles, MinHash and LSH.

Most of what a scrape holds twice is a re-post: the same report, perhaps cut short or with a
paragraph left out. Such a pair needs no embedding to be recognised; the sets of word
5-grams ("shingles") of the two texts overlap heavily. datasketch's ``MinHash`` estimates the
Jaccard similarity of two shingle sets from 128 hash minima, and its ``MinHashLSH`` finds the
texts whose estimate is above a threshold without comparing every pair.

A partial copy has a low Jaccard (the longer text's extra shingles count against it), so the
decision reads **containment**: the share of the shorter text's shingles found in the other,
``|A ∩ B| / min(|A|, |B|)``, derived from the Jaccard estimate and the two set sizes
(``|A ∩ B| = J (|A| + |B|) / (1 + J)``).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHash

SHINGLE_WORDS = 5  # word 5-grams: long enough that two reports of one event rarely share one
# by chance, short enough that a re-post with a few words changed keeps most of them
NUM_PERM = 128  # datasketch's default; the Jaccard estimate's standard error is at most 0.044
SEED = 1  # every signature must use the same permutations to be comparable
# A text with fewer distinct shingles is a headline or a fragment: sharing them says little.
MIN_SHINGLES = 20
# The share of the shorter text found in the other above which a pair is a copy: the same
# share the scorer's ``verbatim`` tier asks of whole sentences (``scorer.VERBATIM_SHARE``).
NEAR_COPY_CONTAINMENT = 0.6
# The LSH threshold for candidates: a text at least half as long as the other, 60% of it
# contained, has Jaccard 0.6 / (1 + 2 - 0.6) = 0.25; candidates are then checked by their
# estimated containment.
LSH_JACCARD = 0.25
# Signatures of recently seen texts, keyed by a digest of the text; ~1.2 KB each, so 20,000
# are about 25 MB, a bound that keeps memory flat on any corpus size.
SIGNATURE_CACHE_ENTRIES = 20_000

_WORD = re.compile(r"\w+")


@cache
def _template() -> MinHash:
    """The permutations every signature shares (datasketch imports scipy: loaded on first use,
    so commands that compare no texts do not pay for it)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED)


def shingles(text: str) -> set[bytes]:
    """The distinct word ``SHINGLE_WORDS``-grams of ``text``, lower-cased, punctuation dropped
    (a re-post that changes quotes, dashes or spacing keeps its shingles)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8")
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


@dataclass(frozen=True)
class Signature:
    """A text's MinHash and the number of distinct shingles it was built from."""

    minhash: LeanMinHash
    size: int


_CACHE: OrderedDict[bytes, Signature] = OrderedDict()


def signature(text: str) -> Signature:
    """The MinHash signature of ``text`` (recent texts' signatures are reused)."""
    key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    from datasketch import LeanMinHash, MinHash

    grams = shingles(text)
    template = _template()
    mh = MinHash(
        num_perm=NUM_PERM, seed=SEED, permutations=template.permutations, scheme=template.scheme
    )
    if grams:
        mh.update_batch(list(grams))
    sig = Signature(LeanMinHash(mh), len(grams))
    _CACHE[key] = sig
    while len(_CACHE) > SIGNATURE_CACHE_ENTRIES:
        _CACHE.popitem(last=False)
    return sig


@dataclass(frozen=True)
class CopyMatch:
    """Two texts that share most of the shorter one's shingles."""

    jaccard: float  # estimated Jaccard similarity of the shingle sets
    containment: float  # estimated share of the shorter text's shingles in the other
    shingles: tuple[int, int]  # distinct shingles of each text

    def evidence(self) -> dict[str, Any]:
        return {
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "shingles": list(self.shingles),
            "shingle_words": SHINGLE_WORDS,
        }


def compare(a: Signature, b: Signature) -> CopyMatch:
    """Estimated Jaccard and containment of two signatures."""
    if not a.size or not b.size:
        return CopyMatch(0.0, 0.0, (a.size, b.size))
    j = float(a.minhash.jaccard(b.minhash))
    shared = j * (a.size + b.size) / (1.0 + j)
    return CopyMatch(j, min(1.0, shared / min(a.size, b.size)), (a.size, b.size))


def near_copy(a: str, b: str) -> CopyMatch | None:
    """The match when ``a`` and ``b`` are verbatim or near-verbatim copies, else ``None``.

    Both texts need ``MIN_SHINGLES`` distinct shingles: a headline or a fragment shares its few
    word runs with too many unrelated texts to be called a copy on them.
    """
    sa, sb = signature(a), signature(b)
    if min(sa.size, sb.size) < MIN_SHINGLES:
        return None
    match = compare(sa, sb)
    return match if match.containment >= NEAR_COPY_CONTAINMENT else None


class CopyIndex:
    """Texts indexed by MinHash LSH, so the copies of a new text are found without comparing
    it with every text seen (memory grows with the texts indexed, like the ANN index)."""

    def __init__(self) -> None:
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=LSH_JACCARD, num_perm=NUM_PERM)
        self._signatures: dict[str, Signature] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: str) -> bool:
        return key in self._signatures

    def add(self, key: str, text: str) -> None:
        """Index ``text`` under ``key`` (a key already present is replaced)."""
        if key in self._signatures:
            self.remove(key)
        sig = signature(text)
        if sig.size < MIN_SHINGLES:
            return
        self._lsh.insert(key, sig.minhash)
        self._signatures[key] = sig

    def remove(self, key: str) -> None:
        if self._signatures.pop(key, None) is not None:
            self._lsh.remove(key)

    def copies_of(self, text: str, *, exclude: str | None = None) -> list[tuple[str, CopyMatch]]:
        """Indexed texts that ``text`` is a near-copy of (or that are near-copies of it), with
        the match, highest containment first."""
        sig = signature(text)
        if sig.size < MIN_SHINGLES:
            return []
        found = []
        for key in self._lsh.query(sig.minhash):
            if key == exclude:
                continue
            match = compare(sig, self._signatures[key])
            if match.containment >= NEAR_COPY_CONTAINMENT:
                found.append((key, match))
        found.sort(key=lambda km: (-km[1].containment, km[0]))
        return found


__all__ = [
    "CopyIndex",
    "CopyMatch",
    "Signature",
    "compare",
    "near_copy",
    "shingles",
    "signature",
]
