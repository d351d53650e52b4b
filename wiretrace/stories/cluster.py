"""Online clustering of articles into stories (same event), across languages.

The clusterer never compares all pairs. For each new article it takes candidates from the
articles published within ``window_days`` (undated articles are compared with everything)
that are among the ``k`` nearest doc vectors in an HNSW index, asks the pair scorer whether
each candidate reports the same event, and joins a story only when the link is confirmed by a
second member or by the story's most central member. One bridge article therefore cannot chain
two different events together; two stories merge only when their central members are judged
the same event too. In a dense stream that is not enough: a follow-up of an event links to its
story about as well as a same-topic article does, so a new article must also stand out from
the crowd, closer to the story's members (founder included) than to its nearest articles in
other stories (see ``RIVAL_MARGIN``), and, unless it stands out widely, lie within the story's
own spread (see ``WIDE_MARGIN``): the first follow-up of an event has no crowd of its own topic
to lose to, but it is further from the story than the story's reports are from each other. Story ids are derived from the founding article and never
change; a merge keeps the older story's id and is recorded; a story whose members have drifted
from its founder splits, the part with the founder keeping the id (``split_drifted``).

The scorer is any callable ``(a, b) -> obj`` with ``similarity``, ``same_event`` and
``confidence`` attributes; by default :func:`wiretrace.similarity.scorer.score_pair`.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..lang.dates import timestamp as parse_time
from ..representations import ArticleRepr
from ..similarity.scorer import verbatim_overlap

DAY_SECONDS = 86400.0
# The two tuned settings (eval/clustering.py --tune reports them on held-out halves):
WINDOW_DAYS = 2.0  # reports of one event appear within a couple of days of each other
COHESION_MARGIN = 0.3  # joining needs similarity within this of the story's own links
# The pair scorer's same_event is calibrated for a pair on its own ("same story" in the strict
# SemEval sense). Inside the clusterer a link is already confined to a time window and the
# nearest documents, and must be confirmed by most of the story's central members, so a lower
# probability suffices: links need P(same event) >= LINK_PROBABILITY.
LINK_PROBABILITY = 0.02
# A verbatim re-post joins the story of what it copies whatever its page date says: scraped
# copies often carry the date they were re-posted, months later (the case the date-conflict
# check in provenance exists for). Verbatim means most sentences identical, not just similar.
# A link alone does not make a member. In a dense stream many articles of one topic are close
# to each other, and a follow-up (the summit held, after the summit announced) is close to the
# story it continues; a report of the same event stands out from that crowd. A new article
# therefore joins a story only when its mean doc cosine to the members checked (its nearest
# members, the medoid and the founder) exceeds the mean cosine of its RIVALS nearest articles
# in other stories by RIVAL_MARGIN; cosines are taken after per-language centring, so rivals in
# the article's own language do not outweigh members in another. eval/density.py picks the
# margin on event folds of the AllSides set at its own density and squeezed to 10, 50 and 1000
# events a day (precision >= 0.9 at every density first, then mean F1); an earlier grid of the
# same script picked RIVALS and showed that the pair scorer's probability (STORY_PROBABILITY,
# the mean over the members checked) adds nothing once the margin is in place, so it is off.
RIVAL_MARGIN = 0.07
RIVALS = 2
# A narrow lead over the crowd is not enough on its own: the first follow-up of an event has
# no crowd of its own topic yet (its rivals are other topics) and clears a narrow margin. An
# article that leads by less than WIDE_MARGIN must also be close to the story as a whole: its
# centred cosine distance to the members checked (1 - mean cosine) at most MEMBER_STRETCH
# times their mean distance to each other. It needs MEMBER_MIN members checked: one pair says
# too little about how tight a story is (on the AllSides folds the check on two-member stories
# costs recall at every density and buys no precision). eval/density.py picks the margin, the
# wide margin and the stretch on event folds as above: its two folds picked (0.04, 0.45, 1.2)
# and (0.07, 0.45, 1.3); the defaults lie between them and score within 0.003 B-cubed F1 of
# either at every density.
WIDE_MARGIN = 0.35
MEMBER_STRETCH: float | None = 1.3
MEMBER_MIN = 3
# ... unless the pair scorer is this sure of the members checked (a scorer that knows better
# than the doc vectors, such as a translation it aligned sentence by sentence, has the last
# word; on the AllSides pairs 15 of ~4,900 different-event candidates reach 0.7).
SURE_PROBABILITY = 0.7
STORY_PROBABILITY: float | None = None
# A story's core for the drift check: its founder and the first members that link to it.
CORE_SIZE = 3
# Drift shows at a story's latest members (a chain grows at its end); only the latest this
# many are checked, so the check costs at most CORE_SIZE * DRIFT_CHECK_MAX scorer calls for a
# stored story that grows, however large it is.
DRIFT_CHECK_MAX = 32
DUPLICATE_COSINE = 0.95
DUPLICATE_SHARE = 0.6  # of the shorter article's sentences, identical after normalising
DUPLICATE_MIN_SENTENCES = 3
DUPLICATE_K = 5


class PairScoreLike(Protocol):
    similarity: float
    same_event: bool
    confidence: float


Scorer = Callable[[ArticleRepr, ArticleRepr], PairScoreLike]
Resolver = Callable[[str], ArticleRepr]
Centerer = Callable[[np.ndarray, "str | None"], np.ndarray]


@dataclass(frozen=True)
class SimpleScore:
    similarity: float
    same_event: bool
    confidence: float
    evidence: dict[str, Any] = field(default_factory=dict)


def cosine_window_scorer(
    a: ArticleRepr, b: ArticleRepr, threshold: float = 0.9, window_days: float = 3.0
) -> SimpleScore:
    """A cheap stand-in scorer: doc-vector cosine within a time window (monolingual only)."""
    sim = float(np.dot(a.doc_vector, b.doc_vector))
    ta, tb = parse_time(a.published), parse_time(b.published)
    in_window = ta is None or tb is None or abs(ta - tb) <= window_days * DAY_SECONDS
    return SimpleScore(sim, bool(sim >= threshold and in_window), abs(sim - threshold))


def p_same(score: PairScoreLike) -> float:
    """The scorer's probability that the pair reports one event (its decision's confidence
    turned around when it decided no; 1 or 0 for a scorer without a confidence)."""
    confidence = getattr(score, "confidence", None)
    if confidence is None:
        return 1.0 if score.same_event else 0.0
    return float(confidence) if score.same_event else 1.0 - float(confidence)


def default_centerer() -> Centerer | None:
    """Per-language centring of doc vectors from the project's scoring model, if it has one."""
    from ..similarity.scorer import default_model

    centering = default_model().centering
    if centering is None:
        return None
    dim = centering.doc_global.shape[-1]

    def center(vec: np.ndarray, language: str | None) -> np.ndarray:
        # vectors of another embedding space (another dimension) are compared as they are
        return centering.center(vec, language, "doc") if vec.shape[-1] == dim else vec

    return center


def default_scorer() -> Scorer:
    """The project's pair scorer, imported lazily (it loads language data on first use).

    The clusterer keeps only verdicts, so it takes the variant that embeds no sentences the
    model does not read (same similarity and decision as ``score_pair``)."""
    from ..similarity.scorer import decide_pair

    return decide_pair


def story_id_for(founder_id: str) -> str:
    return "s-" + hashlib.sha1(founder_id.encode("utf-8")).hexdigest()[:12]


def order_key(article_id: str, published: str | None) -> tuple[bool, float, str]:
    """Articles are assigned oldest first, undated last, ties by id: independent of file order."""
    t = parse_time(published)
    return (t is None, t if t is not None else 0.0, article_id)


@dataclass
class Story:
    id: str
    seq: int  # creation order: the lower, the older
    members: list[str] = field(default_factory=list)
    vector_sum: np.ndarray | None = None
    first: float | None = None
    last: float | None = None

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Merge:
    from_story: str
    into_story: str
    reason: str


@dataclass(frozen=True)
class Split:
    """Members that left a story whose members had drifted apart, for a story of their own."""

    from_story: str
    to_story: str
    members: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Link:
    """Why an article is where it is: the member it linked to and the scorer's similarity
    (``score``, which the cohesion check reads), and, for the reader, the signal that put it
    there (``linked_by``, see ``SIGNALS``), the number that signal decided on (``link_score``)
    and a sentence saying so (``detail``). ``linked_by`` is None for a link restored from a
    store that did not record it."""

    article_id: str
    story_id: str
    via: str | None
    score: float | None
    linked_by: str | None = None
    link_score: float | None = None
    detail: str | None = None


# What put a member in its story (``Link.linked_by``):
SIGNALS = {
    "founder": "the first article of the story; nothing earlier linked to it",
    "verbatim": "a near-verbatim re-post of a member (link_score: share of identical sentences)",
    "scorer": "the pair scorer's P(same event) with the member it joined through, confirmed by "
              "the members checked and clear of other stories by the rival margin",
    "sure": "the pair scorer's P(same event), so sure it overrode a rival margin the article "
            "did not clear (or the story's own spread it lay outside)",
    "merge": "came with a story merged into this one (link_score and via from its first link)",
    "split": "left a story whose core it had drifted from, for this one",
}


class _VectorIndex:
    """Doc vectors with a time-sorted list for windows and a growing HNSW index.

    A window of at most ``exact_limit`` articles is searched exactly (its cost depends on how
    many articles a window holds, not on the corpus); undated articles and denser windows go
    through the HNSW graph, which is built the first time one needs it.
    """

    def __init__(
        self, dim: int, *, ef: int = 64, m: int = 12, seed: int = 7, exact_limit: int = 4096
    ) -> None:
        self.dim = dim
        self.ef = ef
        self.m = m
        self.seed = seed
        self.exact_limit = exact_limit
        self.capacity = 1024
        self.index: Any = None  # the HNSW graph, built on the first query that needs it
        self.vectors = np.zeros((self.capacity, dim), dtype=np.float32)
        self.times: list[float | None] = []
        self.dated: list[tuple[float, int]] = []  # sorted (time, label)
        self.undated: list[int] = []

    def _graph(self) -> Any:
        """The HNSW index over every vector so far (single-threaded: deterministic)."""
        if self.index is None:
            import hnswlib

            self.index = hnswlib.Index(space="ip", dim=self.dim)
            self.index.init_index(
                max_elements=self.capacity, ef_construction=self.ef, M=self.m, random_seed=self.seed
            )
            self.index.set_num_threads(1)
            n = len(self.times)
            if n:
                self.index.add_items(self.vectors[:n], np.arange(n))
        return self.index

    def __len__(self) -> int:
        return len(self.times)

    def add(self, vector: np.ndarray, t: float | None) -> int:
        label = len(self.times)
        if label >= self.capacity:
            self.capacity *= 2
            if self.index is not None:
                self.index.resize_index(self.capacity)
            grown = np.zeros((self.capacity, self.dim), dtype=np.float32)
            grown[:label] = self.vectors[:label]
            self.vectors = grown
        self.vectors[label] = vector
        if self.index is not None:
            self.index.add_items(vector[None, :], np.array([label]))
        self.times.append(t)
        if t is None:
            self.undated.append(label)
        else:
            bisect.insort(self.dated, (t, label))
        return label

    def window(self, t: float, seconds: float) -> tuple[int, int]:
        lo = bisect.bisect_left(self.dated, (t - seconds, -1))
        hi = bisect.bisect_right(self.dated, (t + seconds, len(self.times)))
        return lo, hi

    def candidates(
        self, vector: np.ndarray, t: float | None, seconds: float, k: int
    ) -> list[tuple[int, float]]:
        """Up to ``k`` (label, cosine) nearest within the time window, best first."""
        n = len(self.times)
        if n == 0:
            return []
        if t is None:
            allowed = n
            in_window = None
        else:
            lo, hi = self.window(t, seconds)
            allowed = (hi - lo) + len(self.undated)
            in_window = (lo, hi)
        if allowed == 0:
            return []
        if in_window is not None and allowed <= self.exact_limit:
            lo, hi = in_window  # a bounded window: exact search over it alone
            labels = np.array([lab for _, lab in self.dated[lo:hi]] + self.undated, dtype=np.int64)
            return self._exact(vector, labels, k)
        # Undated, or a window too dense to scan: graph search, widened by how much of the
        # index the window covers, then filtered to the window.
        widen = 1 if in_window is None else min(32, -(-n // allowed))
        kk = min(n, k * widen, 4096)
        graph = self._graph()
        graph.set_ef(max(self.ef, kk))
        labels, dists = graph.knn_query(vector[None, :], k=kk)
        pairs = []
        for lab, d in zip(labels[0], dists[0], strict=True):
            tt = self.times[int(lab)]
            if in_window is None or tt is None or abs(tt - t) <= seconds:  # type: ignore[operator]
                pairs.append((int(lab), float(1.0 - d)))
        pairs.sort(key=lambda p: (-round(p[1], 6), p[0]))
        return pairs[:k]

    def _exact(self, vector: np.ndarray, labels: np.ndarray, k: int) -> list[tuple[int, float]]:
        sims = self.vectors[labels] @ vector
        order = np.lexsort((labels, -np.round(sims, 6)))[:k]
        return [(int(labels[i]), float(sims[i])) for i in order]


class StoryClusterer:
    """Incremental same-event clustering: ``fit`` a batch, then ``assign`` new articles.

    Parameters
    ----------
    scorer: pair scorer (see module doc); default the project's ``score_pair``.
    window_days: candidates are published within this many days of the article.
    k: nearest neighbours (by doc vector) scored per article.
    min_cosine: candidates below this doc cosine are not worth a scorer call.
    check: how many of a story's members (nearest first, plus its central member) an article
        is compared with before joining it; it must match a majority of them.
    cohesion_margin: an article (or a story, when merging) joins only if its mean similarity
        to the members checked is within this margin of the similarity of the links that
        built the story: a story of near-identical reports does not absorb a same-topic
        article that the scorer only just accepts. ``None`` turns the check off.
    min_similarity: a link also needs the scorer's graded similarity at least this high
        (``None``: the scorer's own ``same_event`` decision alone).
    exact_limit: windows holding at most this many articles are searched exactly; denser
        windows and undated articles use the HNSW index.
    resolve: loads the representation of an article the clusterer holds only as a vector
        (used after :meth:`restore` from a store).
    story_probability: the mean probability of the same event, over the members checked,
        that joining (and merging) needs (``None``: majority of links alone, as before).
    core_check: the story's founder is always among the members checked, so a story cannot
        drift from the event it was founded on one follow-up at a time.
    rival_margin, rivals: see ``RIVAL_MARGIN`` (``None``: no rival check).
    wide_margin, member_stretch: see ``WIDE_MARGIN`` (``member_stretch=None``: no such check).
    center: maps a doc vector and its language to the language-centred vector the rival check
        compares; "auto": the project's scoring model's centring.
    """

    def __init__(
        self,
        scorer: Scorer | None = None,
        window_days: float = WINDOW_DAYS,
        k: int = 12,
        min_cosine: float = 0.6,
        min_similarity: float | None = None,
        check: int = 5,
        cohesion_margin: float | None = COHESION_MARGIN,
        link_probability: float | None | str = "auto",
        exact_limit: int = 4096,
        resolve: Resolver | None = None,
        story_probability: float | None = STORY_PROBABILITY,
        core_check: bool = True,
        center: Centerer | None | str = "auto",
        rival_margin: float | None = RIVAL_MARGIN,
        rivals: int = RIVALS,
        wide_margin: float = WIDE_MARGIN,
        member_stretch: float | None = MEMBER_STRETCH,
    ) -> None:
        self._scorer = scorer
        self.rival_margin = rival_margin
        self.rivals = rivals
        self.wide_margin = wide_margin
        self.member_stretch = member_stretch
        self.story_probability = story_probability
        self.center: Centerer | None = default_centerer() if center == "auto" else center  # type: ignore[assignment]
        self.core_check = core_check
        self.min_similarity = min_similarity
        self.check = check
        self.cohesion_margin = cohesion_margin
        # "auto": the calibrated threshold for the project's scorer; a custom scorer's own
        # same_event decision is taken as it is unless a threshold is given.
        if link_probability == "auto":
            link_probability = LINK_PROBABILITY if scorer is None else None
        self.link_probability: float | None = (
            None if link_probability is None else float(link_probability)
        )
        self.exact_limit = exact_limit
        self.window_days = window_days
        self.k = k
        self.min_cosine = min_cosine
        self.resolve = resolve
        self.scorer_calls = 0
        self._reset()

    # -- state ----------------------------------------------------------------------------

    def _reset(self) -> None:
        self.stories: dict[str, Story] = {}
        self.story_of: dict[str, str] = {}
        self.links: dict[str, Link] = {}
        self.merges: list[Merge] = []
        self.splits: list[Split] = []
        self._labels: dict[str, int] = {}
        self._ids: list[str] = []
        self._reprs: dict[str, ArticleRepr] = {}
        self._index: _VectorIndex | None = None
        self._seq = 0
        self._pair_cache: dict[tuple[str, str], PairScoreLike] = {}
        self._centered: list[np.ndarray] = []  # by index label
        # Notes of the current decision, for explaining it (never read by the decision):
        self._why: dict[str, dict[str, Any]] = {}  # story id -> what its confirmation found
        self._rival_note: dict[str, Any] = {"margin": None, "sure": None}
        self._copy_notes: dict[str, tuple[int, float]] = {}  # copied member -> (shared, share)

    @property
    def scorer(self) -> Scorer:
        if self._scorer is None:
            self._scorer = default_scorer()
        return self._scorer

    def _ensure_index(self, dim: int) -> _VectorIndex:
        if self._index is None:
            self._index = _VectorIndex(dim, exact_limit=self.exact_limit)
        return self._index

    def _add_article(
        self, article_id: str, vector: np.ndarray, published: str | None, language: str | None
    ) -> float | None:
        t = parse_time(published)
        vec = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(vec))
        if norm > 0:
            vec = vec / norm
        label = self._ensure_index(vec.shape[0]).add(vec, t)
        self._labels[article_id] = label
        self._ids.append(article_id)
        self._centered.append(self._center_vector(vec, language))
        return t

    def _center_vector(self, vec: np.ndarray, language: str | None) -> np.ndarray:
        """The doc vector with its language's mean removed (rivals in the article's own
        language must not outweigh a story's members in another), or as it is."""
        if self.center is None:
            return vec
        return np.asarray(self.center(vec, language), dtype=np.float32)

    def _put_in_story(self, story: Story, article_id: str, t: float | None) -> None:
        vec = self._index.vectors[self._labels[article_id]]  # type: ignore[union-attr]
        story.members.append(article_id)
        story.vector_sum = vec.copy() if story.vector_sum is None else story.vector_sum + vec
        if t is not None:
            story.first = t if story.first is None else min(story.first, t)
            story.last = t if story.last is None else max(story.last, t)
        self.story_of[article_id] = story.id

    def _new_story(self, founder: str) -> Story:
        sid = story_id_for(founder)
        n = 1
        while sid in self.stories:  # a founder id reused after its story was kept
            n += 1
            sid = story_id_for(f"{founder}#{n}")
        story = Story(id=sid, seq=self._seq)
        self._seq += 1
        self.stories[sid] = story
        return story

    def restore(
        self,
        stories: Sequence[tuple[str, int, Sequence[str]]],
        vectors: dict[str, np.ndarray],
        published: dict[str, str | None],
        scores: dict[str, float | None] | None = None,
        languages: dict[str, str | None] | None = None,
    ) -> None:
        """Rebuild state from persisted stories: [(story id, seq, [member ids])], with the
        similarity each member joined with (``scores``) for the cohesion check and the
        members' languages (for centred vectors)."""
        scores = scores or {}
        languages = languages or {}
        self._reset()
        for sid, seq, members in sorted(stories, key=lambda s: (s[1], s[0])):
            story = Story(id=sid, seq=seq)
            self._seq = max(self._seq, seq + 1)
            self.stories[sid] = story
            for aid in sorted(members, key=lambda a: order_key(a, published.get(a))):
                if aid not in vectors:
                    continue
                t = self._add_article(aid, vectors[aid], published.get(aid), languages.get(aid))
                self._put_in_story(story, aid, t)
                self.links[aid] = Link(aid, sid, None, scores.get(aid))

    # -- public API -----------------------------------------------------------------------

    def fit(self, reprs: Iterable[ArticleRepr]) -> dict[str, str]:
        """Cluster ``reprs`` from scratch; returns {article id: story id}."""
        self._reset()
        return self.assign(reprs)

    def assign(self, new_reprs: Iterable[ArticleRepr]) -> dict[str, str]:
        """Add articles to the existing stories (or found new ones); returns their story ids.

        Articles already held keep their story. Within one call the articles are processed in
        (published, id) order, so the result does not depend on the order they arrive in.
        """
        batch = sorted(
            {r.id: r for r in new_reprs}.values(), key=lambda r: order_key(r.id, r.published)
        )
        for r in batch:
            if r.id in self._labels:
                continue
            self._reprs[r.id] = r
            self._assign_one(r)
        return {r.id: self.story_of[r.id] for r in batch}

    def assignments(self) -> dict[str, str]:
        return dict(self.story_of)

    def split_drifted(self, story_ids: Iterable[str]) -> list[Split]:
        """Split stories whose members have drifted from the event they were founded on.

        A story's core is its founder and the first members (in joining order) that link to
        it, up to ``CORE_SIZE``; a member (of the latest ``DRIFT_CHECK_MAX``) that links to no
        more than half of the core has
        drifted (a follow-up chained in through other members, or a story built by an older,
        looser decision). The story keeps its id and its core; the drifted members, oldest
        first, join each other where a majority of a group's members link, else found new
        stories whose ids derive from their founders. Deterministic: the same stories split
        the same way whatever order they were loaded in.
        """
        done: list[Split] = []
        for sid in sorted(set(story_ids), key=lambda x: (self.stories[x].seq, x)
                          if x in self.stories else (-1, x)):
            story = self.stories.get(sid)
            if story is None or story.size < CORE_SIZE + 1:
                continue
            founder = self._repr(story.members[0])
            core = [story.members[0]]
            for m in story.members[1:]:
                if len(core) >= CORE_SIZE:
                    break
                if self._links(self._score(founder, m)):
                    core.append(m)
            drifted = []
            for m in story.members[-DRIFT_CHECK_MAX:]:
                if m in core:
                    continue
                r = self._repr(m)
                agree = sum(1 for c in core if self._links(self._score(r, c)))
                if agree * 2 <= len(core):
                    drifted.append(m)
            self._pair_cache.clear()
            if drifted:
                done += self._split_off(story, drifted, core)
        self.splits += done
        return done

    def _split_off(self, story: Story, drifted: list[str], core: list[str]) -> list[Split]:
        gone = set(drifted)
        keep = [m for m in story.members if m not in gone]
        self._rebuild(story, keep)
        groups: list[Story] = []
        reason = f"no longer the event of its core ({', '.join(core)})"
        for m in sorted(drifted, key=lambda a: self._order_of(a)):
            r = self._repr(m)
            target = None
            for group in groups:
                agree = sum(1 for x in group.members if self._links(self._score(r, x)))
                if agree * 2 > group.size:
                    target = group
                    break
            left = f"left {story.id}, {reason}, linking to at most half of it"
            if target is None:
                target = self._new_story(m)
                groups.append(target)
                via, p, why = None, None, f"{left}; founded this story"
            else:  # every member of the group was scored just above (cached)
                pairs = [(p_same(self._score(r, x)), x) for x in target.members]
                p, via = max(pairs, key=lambda x: (x[0], x[1]))
                p = round(p, 4)
                why = (f"{left}; joined {via} (P(same event) {p:.2f}), linking to "
                       f"{agree} of {target.size} members of this story")
            self._put_in_story(target, m, self._index.times[self._labels[m]])  # type: ignore[union-attr]
            old = self.links.get(m)
            self.links[m] = Link(m, target.id, via, old.score if old else None, "split", p, why)
        self._pair_cache.clear()
        return [Split(story.id, g.id, tuple(g.members), reason) for g in groups]

    def _order_of(self, article_id: str) -> tuple[bool, float, str]:
        t = self._index.times[self._labels[article_id]]  # type: ignore[union-attr]
        return (t is None, t if t is not None else 0.0, article_id)

    def _rebuild(self, story: Story, members: list[str]) -> None:
        """Reset ``story`` to ``members`` (in their joining order)."""
        story.members, story.vector_sum, story.first, story.last = [], None, None, None
        for m in members:
            self._put_in_story(story, m, self._index.times[self._labels[m]])  # type: ignore[union-attr]

    def centroid(self, story_id: str) -> np.ndarray:
        story = self.stories[story_id]
        assert story.vector_sum is not None
        c = story.vector_sum / max(np.linalg.norm(story.vector_sum), 1e-9)
        return c.astype(np.float32)

    def centrality(self, article_id: str) -> float:
        """Cosine between an article's doc vector and its story's centroid."""
        vec = self._index.vectors[self._labels[article_id]]  # type: ignore[union-attr]
        return float(vec @ self.centroid(self.story_of[article_id]))

    def medoid(self, story_id: str, exclude: Iterable[str] = ()) -> str | None:
        """The member closest to the story centroid (ties by id)."""
        skip = set(exclude)
        story = self.stories[story_id]
        members = [m for m in story.members if m not in skip]
        if not members:
            return None
        c = self.centroid(story_id)
        vecs = self._index.vectors[[self._labels[m] for m in members]]  # type: ignore[union-attr]
        sims = np.round(vecs @ c, 6)
        best = min(range(len(members)), key=lambda i: (-sims[i], members[i]))
        return members[best]

    def vector(self, article_id: str) -> np.ndarray:
        return self._index.vectors[self._labels[article_id]]  # type: ignore[union-attr]

    # -- the decision -----------------------------------------------------------------------

    def _repr(self, article_id: str) -> ArticleRepr:
        r = self._reprs.get(article_id)
        if r is None:
            if self.resolve is None:
                raise KeyError(f"no representation for {article_id!r} and no resolver")
            r = self.resolve(article_id)
            self._reprs[article_id] = r
        return r

    def _score(self, a: ArticleRepr, b_id: str) -> PairScoreLike:
        key = (a.id, b_id) if a.id < b_id else (b_id, a.id)
        hit = self._pair_cache.get(key)
        if hit is None:
            b = self._repr(b_id)
            hit = self.scorer(a, b) if a.id < b_id else self.scorer(b, a)
            self.scorer_calls += 1
            self._pair_cache[key] = hit
        return hit

    def _assign_one(self, r: ArticleRepr) -> None:
        self._pair_cache.clear()  # pairs repeat only within one decision; keep memory flat
        self._why.clear()
        self._copy_notes.clear()
        index = self._index
        found: list[tuple[int, float]] = []
        t = parse_time(r.published)
        if index is not None and len(index):
            vec = np.asarray(r.doc_vector, dtype=np.float32)
            vec = vec / max(float(np.linalg.norm(vec)), 1e-9)
            found = index.candidates(vec, t, self.window_days * DAY_SECONDS, self.k)
        # links per story: (similarity, member id)
        linked: dict[str, list[tuple[float, str]]] = {}
        copied = self._verbatim_sources(r, found) if t is not None else []
        for cos, cand in copied:
            linked.setdefault(self.story_of[cand], []).append((cos, cand))
        for label, cos in found:
            if cos < self.min_cosine:
                continue
            cand = self._ids[label]
            score = self._score(r, cand)
            if self._links(score):
                linked.setdefault(self.story_of[cand], []).append((float(score.similarity), cand))

        confirmed: list[tuple[float, int, str]] = []  # (best similarity, links, story id)
        copied_stories = {self.story_of[c] for _, c in copied}
        for sid, links in linked.items():
            if sid in copied_stories or self._confirmed(r, sid, links, found):
                best = max(s for s, _ in links)
                confirmed.append((best, len(links), sid))
        self._add_article(r.id, r.doc_vector, r.published, r.language)
        if not confirmed:
            story = self._new_story(r.id)
            self._put_in_story(story, r.id, t)
            why = ("founded the story: the stories it linked to did not confirm it"
                   if linked else "founded the story: no earlier article in reach linked to it")
            self.links[r.id] = Link(r.id, story.id, None, None, "founder", None, why)
            return
        confirmed.sort(key=lambda c: (-round(c[0], 6), -c[1], self.stories[c[2]].seq))
        chosen = confirmed[0][2]
        target = self.stories[chosen]
        # verbatim copies in the chosen story: it was taken without the confirmation checks
        chosen_copies = [(cos, c) for cos, c in copied if self.story_of[c] == chosen]
        for _, _, other_id in confirmed[1:]:
            target = self._maybe_merge(target, self.stories[other_id], r.id)
        best_sim, best_member = max(linked[chosen], key=lambda x: (x[0], x[1]))
        self._put_in_story(target, r.id, t)
        self.links[r.id] = self._explain(r, target.id, chosen, chosen_copies, best_member, best_sim)

    def _explain(
        self,
        r: ArticleRepr,
        story_id: str,
        chosen: str,
        copied: Sequence[tuple[float, str]],  # (doc cosine, member) copied verbatim in chosen
        best_member: str,
        best_sim: float,
    ) -> Link:
        """The link of an article that joined ``chosen``, with the signal that decided it.

        Reads only what the decision computed (the pair cache, the notes of the checks), so
        explaining costs no scorer call and cannot change a decision."""
        if copied:
            cos, source = max(copied, key=lambda x: (x[0], x[1]))
            shared, share = self._copy_notes.get(source, (0, 0.0))
            return Link(
                r.id, story_id, source, best_sim, "verbatim", round(float(share), 4),
                f"re-posts {source} nearly verbatim ({shared} sentences, {share:.0%} of the "
                f"shorter article identical; doc cosine {cos:.2f}), whatever its page date",
            )
        p = round(p_same(self._score(r, best_member)), 4)
        note = self._why.get(chosen, {})
        need = (f"links need P >= {self.link_probability:g}" if self.link_probability is not None
                else "the scorer decided same event")
        parts = [f"P(same event) {p:.2f} with {best_member} ({need})"]
        if note.get("checked"):
            founder = ", founder included" if note.get("founder") else ""
            parts.append(f"confirmed by {note['agree']} of {note['checked']} members "
                         f"checked{founder}")
        gap, sure = note.get("margin"), note.get("sure")
        signal = "scorer"
        if gap is None:
            parts.append("no article of another story in reach")
        elif sure is None:
            parts.append(f"centred doc cosine {gap:.2f} above its nearest articles in other "
                         f"stories (margin {self.rival_margin:g})")
        elif note.get("apart") is not None:
            signal = "sure"
            inside, among = note["apart"]
            parts.append(f"centred doc cosine {inside:.2f} to the members checked, further "
                         f"from them than they are from each other ({among:.2f}; stretch "
                         f"{self.member_stretch:g}), but the scorer's mean P {sure:.2f} >= "
                         f"{SURE_PROBABILITY:g} overrides it")
        else:
            signal = "sure"
            parts.append(f"only {gap:.2f} above its nearest articles in other stories "
                         f"(margin {self.rival_margin:g}), but the scorer's mean P {sure:.2f} "
                         f">= {SURE_PROBABILITY:g} overrides it")
        if story_id != chosen:
            parts.append(f"its story {chosen} was merged into {story_id}")
        return Link(r.id, story_id, best_member, best_sim, signal, p, "; ".join(parts))

    def _confirmed(
        self,
        r: ArticleRepr,
        story_id: str,
        links: list[tuple[float, str]],
        found: Sequence[tuple[int, float]] = (),
    ) -> bool:
        """Average-linkage check: the article must match a majority of the story's members
        nearest to it (and its central member), and at least two when the story has two."""
        story = self.stories[story_id]
        members = story.members
        if story.size == 1:
            if not self._clear_of_rivals(r, members, found):
                return False
            self._why[story_id] = {"checked": 1, "agree": 1, "founder": True, **self._rival_note}
            return self.story_probability is None or max(
                p_same(self._score(r, m)) for _, m in links
            ) >= self.story_probability
        vec = np.asarray(r.doc_vector, dtype=np.float32)
        vec = vec / max(float(np.linalg.norm(vec)), 1e-9)
        sims = self._index.vectors[[self._labels[m] for m in members]] @ vec  # type: ignore[union-attr]
        nearest = sorted(range(len(members)), key=lambda i: (-round(float(sims[i]), 6), members[i]))
        checked = [members[i] for i in nearest[: self.check]]
        center = self.medoid(story_id)
        if center is not None and center not in checked:
            checked.append(center)
        if self.core_check and members[0] not in checked:
            checked.append(members[0])  # the founder: members are kept in joining order
        if not self._clear_of_rivals(r, checked, found):
            return False
        scores = [self._score(r, m) for m in checked]
        agree = sum(1 for sc in scores if self._links(sc))
        if agree < 2 or agree * 2 <= len(checked):
            return False
        self._why[story_id] = {
            "checked": len(checked), "agree": agree, "founder": members[0] in checked,
            **self._rival_note,
        }
        if self.story_probability is not None:
            if float(np.mean([p_same(sc) for sc in scores])) < self.story_probability:
                return False
        if self.cohesion_margin is None:
            return True
        cohesion = self._cohesion(story)
        mean_sim = float(np.mean([float(sc.similarity) for sc in scores]))
        return cohesion is None or mean_sim >= cohesion - self.cohesion_margin

    def _clear_of_rivals(
        self, r: ArticleRepr, checked: Sequence[str], found: Sequence[tuple[int, float]]
    ) -> bool:
        """Whether the article is closer to the story (mean centred doc cosine over the
        members ``checked``) than to its nearest articles in other stories, by
        ``rival_margin``.

        In a dense stream many articles of one topic are close to each other; a report of the
        same event stands out from that crowd, a follow-up does not. A narrow lead (below
        ``wide_margin``) also needs the article within the story's own spread (see
        ``WIDE_MARGIN``): the first follow-up of an event meets no crowd of its own topic.
        Where the scorer is sure (mean probability of the same event over ``checked`` at
        least ``SURE_PROBABILITY``) its verdict stands without either check."""
        self._rival_note = {"margin": None, "sure": None}
        if self.rival_margin is None:
            return True
        story = self.story_of[checked[0]]
        vec = np.asarray(r.doc_vector, dtype=np.float32)
        own = self._center_vector(vec / max(float(np.linalg.norm(vec)), 1e-9), r.language)
        inside = float(np.mean([self._centered[self._labels[m]] @ own for m in checked]))
        # An article the scorer itself takes for the same event is no rival: it is the same
        # event split over two stories (which this article may bring together), not a crowd.
        rival_labels = [
            lab for lab, cos in found
            if self.story_of[self._ids[lab]] != story
            and not (cos >= self.min_cosine and self._score(r, self._ids[lab]).same_event)
        ]
        if not rival_labels:
            return True
        sims = np.sort(np.stack([self._centered[lab] for lab in rival_labels]) @ own)[::-1]
        gap = inside - float(np.mean(sims[: self.rivals]))
        self._rival_note = {"margin": round(gap, 4), "sure": None}
        apart = None
        if (gap < self.wide_margin and self.member_stretch is not None
                and len(checked) >= MEMBER_MIN):
            among = self._member_cohesion(checked)
            if 1.0 - inside > self.member_stretch * (1.0 - among):
                apart = (round(inside, 4), round(among, 4))
        if gap >= self.rival_margin and apart is None:
            return True
        sure = float(np.mean([p_same(self._score(r, m)) for m in checked]))
        self._rival_note = {"margin": round(gap, 4), "sure": round(sure, 4), "apart": apart}
        return sure >= SURE_PROBABILITY

    def _member_cohesion(self, checked: Sequence[str]) -> float:
        """Mean centred doc cosine between the members ``checked`` (two or more)."""
        vecs = np.stack([self._centered[self._labels[m]] for m in checked])
        sims = vecs @ vecs.T
        n = len(checked)
        return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))

    def _verbatim_sources(
        self, r: ArticleRepr, in_window: list[tuple[int, float]]
    ) -> list[tuple[float, str]]:
        """Indexed articles outside the time window that ``r`` copies nearly verbatim."""
        index = self._index
        if index is None or not len(index) or len(r.sentences) < DUPLICATE_MIN_SENTENCES:
            return []
        vec = np.asarray(r.doc_vector, dtype=np.float32)
        vec = vec / max(float(np.linalg.norm(vec)), 1e-9)
        seen = {label for label, _ in in_window}
        out = []
        for label, cos in index.candidates(vec, None, 0.0, DUPLICATE_K):
            if cos < DUPLICATE_COSINE or label in seen:
                continue
            cand = self._ids[label]
            shared, share = verbatim_overlap(r, self._repr(cand))
            if shared >= DUPLICATE_MIN_SENTENCES and share >= DUPLICATE_SHARE:
                out.append((float(cos), cand))
                self._copy_notes[cand] = (int(shared), float(share))
        return out

    def _cohesion(self, story: Story) -> float | None:
        """Mean similarity of the links that built the story (None before its second member)."""
        sims = [self.links[m].score for m in story.members if m in self.links]
        known = [float(s) for s in sims if s is not None]
        return float(np.mean(known)) if known else None

    def _links(self, score: PairScoreLike) -> bool:
        confidence = getattr(score, "confidence", None)
        if self.link_probability is not None and confidence is not None:
            p_same = float(confidence) if score.same_event else 1.0 - float(confidence)
            if p_same < self.link_probability:
                return False
        elif not score.same_event:
            return False
        return self.min_similarity is None or float(score.similarity) >= self.min_similarity

    def _central(self, story_id: str, n: int) -> list[str]:
        """Up to ``n`` members closest to the story centroid, most central first."""
        story = self.stories[story_id]
        c = self.centroid(story_id)
        sims = self._index.vectors[[self._labels[m] for m in story.members]] @ c  # type: ignore[union-attr]
        order = sorted(range(story.size), key=lambda i: (-round(float(sims[i]), 6), story.members[i]))
        return [story.members[i] for i in order[:n]]

    def _maybe_merge(self, a: Story, b: Story, bridge: str) -> Story:
        """Merge two stories the new article links to if their central members agree too:
        a majority of the cross pairs link, as close as each story's own links."""
        side_a = self._central(a.id, min(self.check, 3))
        side_b = self._central(b.id, min(self.check, 3))
        scores = [self._score(self._repr(x), y) for x in side_a for y in side_b]
        agree = sum(1 for sc in scores if self._links(sc))
        if agree * 2 <= len(scores):
            return a
        if self.story_probability is not None:
            if float(np.mean([p_same(sc) for sc in scores])) < self.story_probability:
                return a
        if self.cohesion_margin is not None:
            known = [c for c in (self._cohesion(a), self._cohesion(b)) if c is not None]
            mean_sim = float(np.mean([float(sc.similarity) for sc in scores]))
            if known and mean_sim < min(known) - self.cohesion_margin:
                return a
        ma, mb = side_a[0], side_b[0]
        keep, gone = (a, b) if a.seq < b.seq else (b, a)
        reason = f"{bridge} links both; central members {ma} and {mb} agree"
        for member in gone.members:
            t = self._index.times[self._labels[member]]  # type: ignore[union-attr]
            self._put_in_story(keep, member, t)
            old = self.links[member]
            before = f" (it had joined {gone.id}: {old.detail})" if old.detail else ""
            self.links[member] = Link(
                member, keep.id, old.via, old.score, "merge", old.link_score,
                f"came with story {gone.id}, merged into {keep.id}: {reason}{before}",
            )
        del self.stories[gone.id]
        self.merges.append(Merge(gone.id, keep.id, reason))
        return keep


__all__ = [
    "SIGNALS",
    "Link",
    "Merge",
    "SimpleScore",
    "Split",
    "Story",
    "StoryClusterer",
    "cosine_window_scorer",
    "default_scorer",
    "order_key",
    "parse_time",
    "story_id_for",
]
