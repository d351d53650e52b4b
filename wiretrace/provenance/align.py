"""Aligning two articles: verbatim passages and sentence pairs across languages.

Two complementary views of the same question ("which parts of B come from A?"):

* verbatim passages, found like passim does: a word-shingle index gives seed matches, seeds are
  chained along near-diagonals (small edits allowed), and the chains become aligned spans with
  character offsets in both texts;
* sentence pairs by embeddings for translations and paraphrases: mutual best matches under the
  ratio margin criterion of ``lang.align`` (cos divided by the mean cosine of each side's k
  nearest neighbours),
  plus a minimum cosine, so a sentence is only paired when it is clearly closer to its partner
  than to the rest of the other article.

Which article pairs are aligned at all is decided by :func:`candidate_pairs` (document-vector
k-nearest neighbours, a story-level shingle index and a few anchor articles), so the number of
sentence pairs compared grows with the number of articles times k, not with its square.

:func:`align_story` is the tiered path a trace takes: sentence vectors are the costly part (every
sentence of every member through the model), and a story whose aligned pairs are all settled by
verbatim passages (each pair one text inside the other: re-posts, cut copies, light edits) is
aligned without them. Only a story with a pair the verbatim tier leaves open (a translation, a
paraphrase, material added on both sides) reads sentence vectors, for every pair, as before.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..lang.align import margin_matrix
from ..lang.names import romanise
from ..sentences import Sentence
from .lexicon import (
    Number,
    Token,
    extract_names,
    extract_numbers,
    lexicon,
    stem,
    tokenize,
)

SHINGLE = 5  # words per shingle: long enough to be rare, short enough to survive small edits
MAX_GAP = 6  # tokens an edit may skip on either side while a verbatim chain continues
MIN_SPAN_TOKENS = 8
MIN_MARGIN = 1.03
MIN_COSINE = 0.80
COVER_COSINE = 0.86  # a sentence this close to one on the other side is not new material
VERBATIM_SENTENCE = 0.6  # share of a sentence's words inside verbatim spans to pair it
SPLIT_MARGIN = 0.97  # half of a split sentence scores a little under its whole counterpart
LEXICAL_WEIGHT = 0.25  # weight of shared words / names / numbers next to the cosine
# Dimension of the hashed word vectors that stand in for sentence vectors in a story settled by
# verbatim passages (only its sentence-order chain reads them): wide enough that two sentences'
# content words rarely collide, small enough to cost nothing beside the texts.
LEXICAL_DIM = 1024

TIER_VERBATIM = "verbatim"  # every pair settled by verbatim passages: no sentence vectors read
TIER_EMBEDDING = "embedding"  # sentence vectors for every pair


@dataclass
class Doc:
    """What alignment needs from one article."""

    id: str
    text: str
    language: str | None
    sentences: list[Sentence]
    # (n_sentences, dim), L2-normalised; ``None`` with a ``vectorizer``: computed when first
    # read (see the property below the class), so a story aligned without them never pays
    vectors: np.ndarray | None = field(repr=False, compare=False)
    doc_vector: np.ndarray | None = None
    tokens: list[Token] = field(default_factory=list)
    sentence_of_token: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    shingles: dict[int, list[int]] = field(default_factory=dict)
    words: list[set[str]] = field(default_factory=list)  # content-word stems per sentence
    anchors: list[set[str]] = field(default_factory=list)  # numbers and name skeletons
    numbers: list[list[Number]] = field(default_factory=list)  # numbers per sentence
    vectorizer: Callable[[], np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.tokens:
            self.tokens = tokenize(self.text)
        self.sentence_of_token = _sentence_index(self.tokens, self.sentences)
        if not self.shingles:
            self.shingles = shingle_positions(self.tokens)
        if not self.numbers:
            self.numbers = [extract_numbers(s.text, self.language) for s in self.sentences]
        if not self.words:
            self.words, self.anchors = sentence_keys(self.sentences, self.language, self.numbers)

    def all_numbers(self) -> list[float]:
        return [n.value for sentence in self.numbers for n in sentence]

    def has_vectors(self) -> bool:
        """Whether the sentence vectors are at hand (reading ``vectors`` may embed)."""
        return self.__dict__.get("_vectors") is not None


def _get_vectors(self: Doc) -> np.ndarray:
    vectors = self.__dict__.get("_vectors")
    if vectors is None:
        if self.vectorizer is None:
            raise ValueError(f"document {self.id!r} has no sentence vectors and no way to compute them")
        vectors = np.asarray(self.vectorizer(), dtype=np.float32)
        self.__dict__["_vectors"] = vectors
    return vectors


def _set_vectors(self: Doc, value: np.ndarray | None) -> None:
    self.__dict__["_vectors"] = value


# A property over the dataclass field: ``Doc(..., vectors=...)`` keeps working, and a Doc built
# with ``vectors=None`` and a ``vectorizer`` embeds its sentences only when something reads them.
Doc.vectors = property(_get_vectors, _set_vectors)  # type: ignore[assignment]


def sentence_keys(
    sentences: Sequence[Sentence],
    language: str | None,
    numbers: Sequence[Sequence[Number]] | None = None,
) -> tuple[list[set[str]], list[set[str]]]:
    """Per sentence: content-word stems (same-language matching) and language-free anchors."""
    stop = set(lexicon(language).get("stopwords", []))
    words, anchors = [], []
    for idx, s in enumerate(sentences):
        toks = tokenize(s.text)
        words.append(
            {
                "w:" + stem(t.norm)
                for t in toks
                if len(t.norm) > 2 and t.norm not in stop and not t.norm.isdigit()
            }
        )
        found = numbers[idx] if numbers is not None else extract_numbers(s.text, language)
        keys = {f"n:{n.value:g}" for n in found}
        for name in extract_names(s.text, skip_first=False):
            for part in name.split():
                rom = romanise(part)
                if len(rom) >= 4:
                    keys.add("r:" + rom[:4])
        anchors.append(keys)
    return words, anchors


def lexical_matrix(a: Doc, b: Doc) -> np.ndarray:
    """Dice overlap of sentence keys: words, numbers and names within a language, else only
    numbers and transliterated names."""
    same_language = (a.language or "") == (b.language or "")
    keys_a = [(w | n) if same_language else n for w, n in zip(a.words, a.anchors, strict=True)]
    keys_b = [(w | n) if same_language else n for w, n in zip(b.words, b.anchors, strict=True)]
    vocab: dict[str, int] = {}
    for keys in keys_a + keys_b:
        for key in keys:
            vocab.setdefault(key, len(vocab))
    if not vocab or not keys_a or not keys_b:
        return np.zeros((len(keys_a), len(keys_b)), dtype=np.float32)
    ma = np.zeros((len(keys_a), len(vocab)), dtype=np.float32)
    mb = np.zeros((len(keys_b), len(vocab)), dtype=np.float32)
    for row, keys in enumerate(keys_a):
        ma[row, [vocab[k] for k in keys]] = 1.0
    for row, keys in enumerate(keys_b):
        mb[row, [vocab[k] for k in keys]] = 1.0
    inter = ma @ mb.T
    sizes = ma.sum(axis=1)[:, None] + mb.sum(axis=1)[None, :]
    return 2.0 * inter / np.maximum(sizes, 1.0)


@dataclass(frozen=True)
class Span:
    """One verbatim passage: token ranges [start, end) and character offsets in both texts."""

    a_tok: tuple[int, int]
    b_tok: tuple[int, int]
    a_chars: tuple[int, int]
    b_chars: tuple[int, int]
    matched: int  # shingle-confirmed tokens (gap tokens not counted)


@dataclass
class SentencePair:
    a: int
    b: int
    score: float  # cosine, or 1.0-ish for verbatim
    method: str  # verbatim | embedding
    a_extra: list[int] = field(default_factory=list)  # more sentences of a split from/into b
    b_extra: list[int] = field(default_factory=list)


@dataclass
class PairAlignment:
    a: str
    b: str
    spans: list[Span]
    pairs: list[SentencePair]
    covered_a: set[int]  # sentences of a with a counterpart in b (paired or close)
    covered_b: set[int]
    verbatim_a: float  # share of a's tokens inside verbatim spans
    verbatim_b: float
    sentence_pairs_compared: int
    tier: str = TIER_EMBEDDING  # what aligned the pair: sentence vectors, or verbatim alone

    def coverage(self, side: str, n_sentences: int) -> float:
        covered = self.covered_a if side == "a" else self.covered_b
        return len(covered) / n_sentences if n_sentences else 0.0


def _sentence_index(tokens: Sequence[Token], sentences: Sequence[Sentence]) -> np.ndarray:
    out = np.full(len(tokens), -1, dtype=np.int32)
    s_idx = 0
    for t_idx, tok in enumerate(tokens):
        while s_idx < len(sentences) and sentences[s_idx].end <= tok.start:
            s_idx += 1
        if s_idx < len(sentences) and sentences[s_idx].start <= tok.start:
            out[t_idx] = s_idx
    return out


def _hash(words: Sequence[str]) -> int:
    digest = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def shingle_positions(tokens: Sequence[Token], n: int = SHINGLE) -> dict[int, list[int]]:
    """Hash of every n-word shingle -> token positions where it starts."""
    words = [t.norm for t in tokens]
    index: dict[int, list[int]] = defaultdict(list)
    for i in range(len(words) - n + 1):
        index[_hash(words[i : i + n])].append(i)
    return dict(index)


def verbatim_spans(a: Doc, b: Doc, n: int = SHINGLE) -> list[Span]:
    """Verbatim passages shared by ``a`` and ``b`` (one-to-one, longest first)."""
    seeds: list[tuple[int, int]] = []
    for h, positions_a in a.shingles.items():
        positions_b = b.shingles.get(h)
        if not positions_b or len(positions_a) * len(positions_b) > 64:
            continue  # very repetitive shingles (lists, boilerplate) seed nothing
        seeds.extend((i, j) for i in positions_a for j in positions_b)
    if not seeds:
        return []
    seeds.sort()
    chains: list[list[tuple[int, int]]] = []
    open_chains: list[list[tuple[int, int]]] = []
    for i, j in seeds:
        best = None
        for chain in open_chains:
            i0, j0 = chain[-1]
            if 0 < i - i0 <= MAX_GAP and 0 < j - j0 <= MAX_GAP and abs((i - i0) - (j - j0)) <= 3:
                if best is None or (i - i0) + (j - j0) < best[0]:
                    best = ((i - i0) + (j - j0), chain)
        if best is not None:
            best[1].append((i, j))
        else:
            chain = [(i, j)]
            chains.append(chain)
            open_chains.append(chain)
        open_chains = [c for c in open_chains if i - c[-1][0] <= MAX_GAP]
    spans = []
    for chain in chains:
        a0, b0 = chain[0]
        a1, b1 = chain[-1][0] + n, chain[-1][1] + n
        matched = len({p for i, _ in chain for p in range(i, i + n)})
        if matched < MIN_SPAN_TOKENS:
            continue
        spans.append(
            Span(
                (a0, a1),
                (b0, b1),
                (a.tokens[a0].start, a.tokens[a1 - 1].end),
                (b.tokens[b0].start, b.tokens[b1 - 1].end),
                matched,
            )
        )
    spans.sort(key=lambda s: -s.matched)
    used_a = np.zeros(len(a.tokens), dtype=bool)
    used_b = np.zeros(len(b.tokens), dtype=bool)
    kept = []
    for span in spans:
        if (
            used_a[span.a_tok[0] : span.a_tok[1]].any()
            or used_b[span.b_tok[0] : span.b_tok[1]].any()
        ):
            continue
        used_a[span.a_tok[0] : span.a_tok[1]] = True
        used_b[span.b_tok[0] : span.b_tok[1]] = True
        kept.append(span)
    kept.sort(key=lambda s: s.a_tok)
    return kept


def _verbatim_sentence_pairs(a: Doc, b: Doc, spans: Sequence[Span]) -> dict[tuple[int, int], int]:
    """Token counts shared verbatim by each (sentence of a, sentence of b)."""
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for span in spans:
        for offset in range(span.a_tok[1] - span.a_tok[0]):
            i, j = span.a_tok[0] + offset, span.b_tok[0] + offset
            if j >= span.b_tok[1]:
                break
            sa, sb = int(a.sentence_of_token[i]), int(b.sentence_of_token[j])
            if sa >= 0 and sb >= 0:
                shared[(sa, sb)] += 1
    return shared


def _sentence_lengths(doc: Doc) -> np.ndarray:
    counts = np.bincount(
        doc.sentence_of_token[doc.sentence_of_token >= 0], minlength=len(doc.sentences)
    )
    return np.maximum(counts, 1)


def align_pair(
    a: Doc,
    b: Doc,
    *,
    min_cosine: float = MIN_COSINE,
    min_margin: float = MIN_MARGIN,
    cover_cosine: float = COVER_COSINE,
    spans: list[Span] | None = None,
    use_vectors: bool = True,
) -> PairAlignment:
    """Align two articles: verbatim spans, one-to-one sentence pairs, covered sentences.

    ``use_vectors=False`` is the verbatim tier: spans and the sentence pairs they make, no
    sentence vector read. ``spans`` passes spans already found for this pair."""
    spans = verbatim_spans(a, b) if spans is None else spans
    len_a, len_b = _sentence_lengths(a), _sentence_lengths(b)
    pairs: dict[int, SentencePair] = {}
    used_b: set[int] = set()
    covered_a: set[int] = set()
    covered_b: set[int] = set()
    shared = _verbatim_sentence_pairs(a, b, spans)
    for (sa, sb), count in sorted(shared.items(), key=lambda kv: -kv[1]):
        share = count / min(len_a[sa], len_b[sb])
        if count / len_a[sa] >= VERBATIM_SENTENCE * 0.5:
            covered_a.add(sa)
        if count / len_b[sb] >= VERBATIM_SENTENCE * 0.5:
            covered_b.add(sb)
        if share >= VERBATIM_SENTENCE and sa not in pairs and sb not in used_b:
            score = count / max(len_a[sa], len_b[sb])
            pairs[sa] = SentencePair(sa, sb, round(float(score), 4), "verbatim")
            used_b.add(sb)
    compared = 0
    if use_vectors and len(a.sentences) and len(b.sentences) and a.vectors.size and b.vectors.size:
        sims = a.vectors @ b.vectors.T
        compared = int(sims.size)
        margins = margin_matrix(sims + LEXICAL_WEIGHT * lexical_matrix(a, b))
        best_b = margins.argmax(axis=1)
        best_a = margins.argmax(axis=0)
        for i, j in enumerate(best_b):
            j = int(j)
            cos, margin = float(sims[i, j]), float(margins[i, j])
            if cos >= cover_cosine and margin >= min_margin:
                covered_a.add(i)
            if best_a[j] != i or i in pairs or j in used_b:
                continue
            if cos >= min_cosine and margin >= min_margin:
                pairs[i] = SentencePair(i, j, round(cos, 4), "embedding")
                used_b.add(j)
        for j, i in enumerate(best_a):
            i = int(i)
            if float(sims[i, j]) >= cover_cosine and float(margins[i, j]) >= min_margin:
                covered_b.add(j)
        _attach_split_sentences(
            pairs, a.vectors, b.vectors, sims, margins, min_cosine, covered_a, covered_b
        )
    ordered = sorted(pairs.values(), key=lambda p: p.a)
    covered_a.update(p.a for p in ordered)
    covered_b.update(p.b for p in ordered)
    tokens_a = sum(s.a_tok[1] - s.a_tok[0] for s in spans)
    tokens_b = sum(s.b_tok[1] - s.b_tok[0] for s in spans)
    return PairAlignment(
        a=a.id,
        b=b.id,
        spans=spans,
        pairs=ordered,
        covered_a=covered_a,
        covered_b=covered_b,
        verbatim_a=tokens_a / max(len(a.tokens), 1),
        verbatim_b=tokens_b / max(len(b.tokens), 1),
        sentence_pairs_compared=compared,
        tier=TIER_EMBEDDING if use_vectors else TIER_VERBATIM,
    )


def _worded_sentences(doc: Doc) -> set[int]:
    """Sentences holding at least one word token (the only ones a verbatim span can pair)."""
    found = doc.sentence_of_token[doc.sentence_of_token >= 0]
    return {int(i) for i in np.unique(found)}


def inside(alignment: PairAlignment, a: Doc, b: Doc) -> tuple[bool, bool]:
    """(a inside b, b inside a) by the verbatim tier: every worded sentence of that side paired
    verbatim with the other (a re-post, a cut copy, a copy with small edits inside its
    sentences)."""
    if alignment.tier != TIER_VERBATIM or not alignment.spans:
        return False, False
    return (
        _worded_sentences(a) <= {p.a for p in alignment.pairs},
        _worded_sentences(b) <= {p.b for p in alignment.pairs},
    )


def settled_by_verbatim(
    docs: Sequence[Doc], pairs: Sequence[tuple[int, int]], alignments: Sequence[PairAlignment]
) -> bool:
    """Whether verbatim passages settle every pair of a story, so that sentence vectors could
    add nothing but near-duplicates within one text.

    A pair is settled when one text lies inside the other, or when both lie inside a third
    member (two cuts of one report: what one kept and the other dropped are different
    sentences of that report, not paraphrases of each other). When both sides of a pair hold
    sentences found nowhere else, a paraphrase may pair them, and vectors decide."""
    within: dict[int, set[int]] = {i: set() for i in range(len(docs))}
    open_pairs = []
    for (i, j), alignment in zip(pairs, alignments, strict=True):
        i_in_j, j_in_i = inside(alignment, docs[i], docs[j])
        if i_in_j:
            within[i].add(j)
        if j_in_i:
            within[j].add(i)
        if not (i_in_j or j_in_i):
            open_pairs.append((i, j))
    return all(within[i] & within[j] for i, j in open_pairs)


def lexical_vectors(doc: Doc, dim: int = LEXICAL_DIM) -> np.ndarray:
    """Hashed content-word, number and name vectors of ``doc``'s sentences, L2-normalised: what
    stands in for sentence vectors in a story the verbatim tier settled, where only the order
    in which sentences are followed reads them (shared wording stands out as the model's
    vectors would for copied sentences)."""
    out = np.zeros((len(doc.sentences), dim), dtype=np.float32)
    for row, (words, anchors) in enumerate(zip(doc.words, doc.anchors, strict=True)):
        for key in words | anchors:
            h = zlib.crc32(key.encode("utf-8"))
            out[row, h % dim] += 1.0 if h & 0x80000000 else -1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


def align_story(
    docs: Sequence[Doc], pairs: Sequence[tuple[int, int]]
) -> tuple[list[PairAlignment], str]:
    """Align the candidate ``pairs`` of one story, tier by tier, and say which tier did.

    The verbatim tier runs first on every pair. When it settles them all
    (:func:`settled_by_verbatim`),
    its alignments are the story's and no sentence vector is read: the documents get
    :func:`lexical_vectors` for the sentence-order evidence. Otherwise every pair is aligned
    with sentence vectors, exactly as :func:`align_pair` does, reusing the spans found. The
    choice is the story's, never the pair's, so one trace never mixes vectors of two spaces
    and the result does not depend on which vectors happened to be stored."""
    first = [align_pair(docs[i], docs[j], use_vectors=False) for i, j in pairs]
    if settled_by_verbatim(docs, pairs, first):
        for doc in docs:
            doc.vectors = lexical_vectors(doc)
        return first, TIER_VERBATIM
    out = [
        align_pair(docs[i], docs[j], spans=al.spans)
        for al, (i, j) in zip(first, pairs, strict=True)
    ]
    return out, TIER_EMBEDDING


def _joins(vectors: np.ndarray, members: list[int], extra: int, partner: np.ndarray) -> bool:
    """Whether adding ``extra`` to ``members`` brings them closer to ``partner``: true of the
    two halves of a split sentence, not of a neighbour on the same topic."""
    base = vectors[members].sum(axis=0)
    joined = base + vectors[extra]
    before = float(base @ partner) / max(float(np.linalg.norm(base)), 1e-6)
    after = float(joined @ partner) / max(float(np.linalg.norm(joined)), 1e-6)
    return after > before + 0.005


def _attach_split_sentences(
    pairs: dict[int, SentencePair],
    va: np.ndarray,
    vb: np.ndarray,
    sims: np.ndarray,
    margins: np.ndarray,
    min_cosine: float,
    covered_a: set[int],
    covered_b: set[int],
) -> None:
    """One sentence on one side may be two on the other ("... 7 a.m. Three workers ..."): an
    unpaired sentence next to a paired one, whose best match is that pair's partner, joins it."""
    paired_b = {p.b: p for p in pairs.values()}
    _attach_side("a", pairs, paired_b, va, vb, sims, margins, min_cosine, covered_a)
    _attach_side("b", paired_b, pairs, vb, va, sims.T, margins.T, min_cosine, covered_b)


def _attach_side(
    side: str,
    own: dict[int, SentencePair],
    partner: dict[int, SentencePair],
    own_vectors: np.ndarray,
    partner_vectors: np.ndarray,
    sims: np.ndarray,
    margins: np.ndarray,
    min_cosine: float,
    covered: set[int],
) -> None:
    """Attach the unpaired sentences of ``side`` (the rows of ``sims``) to the pair of their best
    match; ``own`` / ``partner`` index the pairs by this side's and the other side's sentence."""
    for i in range(sims.shape[0]):
        if i in own:
            continue
        j = int(margins[i].argmax())
        pair = partner.get(j)
        if pair is None:
            continue
        members = [getattr(pair, side), *getattr(pair, f"{side}_extra")]
        if min(abs(i - k) for k in members) != 1:
            continue
        if (
            sims[i, j] >= min_cosine
            and margins[i, j] >= SPLIT_MARGIN
            and _joins(own_vectors, members, i, partner_vectors[j])
        ):
            getattr(pair, f"{side}_extra").append(i)
            covered.add(i)


def candidate_pairs(
    docs: Sequence[Doc],
    *,
    k: int = 8,
    anchors: Sequence[int] = (),
    max_df: int = 50,
    min_shared_shingles: int = 3,
) -> set[tuple[int, int]]:
    """Article pairs worth aligning, as index pairs (i < j).

    Each article meets its ``k`` nearest neighbours by document vector, the ``k`` articles it
    shares most verbatim shingles with (shingles found in more than ``max_df`` articles are
    skipped, as boilerplate), and every anchor (e.g. the earliest articles of the story).
    """
    n = len(docs)
    out: set[tuple[int, int]] = set()
    if n < 2:
        return out
    vectors = [d.doc_vector for d in docs]
    if all(v is not None and np.asarray(v).size for v in vectors):
        matrix = np.vstack([np.asarray(v, dtype=np.float32) for v in vectors])
        kk = min(k, n - 1)
        for start in range(0, n, 512):
            block = matrix[start : start + 512] @ matrix.T
            for row, sims in enumerate(block):
                i = start + row
                sims[i] = -np.inf
                for j in np.argpartition(-sims, kk - 1)[:kk]:
                    out.add((min(i, int(j)), max(i, int(j))))
    postings: dict[int, list[int]] = defaultdict(list)
    for idx, doc in enumerate(docs):
        for h in doc.shingles:
            postings[h].append(idx)
    shared: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for members in postings.values():
        if len(members) < 2 or len(members) > max_df:
            continue
        for x in members:
            for y in members:
                if x < y:
                    shared[x][y] += 1
                    shared[y][x] += 1
    for i, row in shared.items():
        best = sorted(row.items(), key=lambda kv: -kv[1])[:k]
        for j, count in best:
            if count >= min_shared_shingles:
                out.add((min(i, j), max(i, j)))
    for anchor in anchors:
        for i in range(n):
            if i != anchor:
                out.add((min(i, anchor), max(i, anchor)))
    return out
