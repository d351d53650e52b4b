"""Stories in a dense stream: follow-ups of one topic stay apart, drifted stories split, and the
result does not depend on the order or batches articles arrive in."""

from __future__ import annotations

import hashlib
import itertools
import math
import random

import numpy as np

from wiretrace.adapters.stories import recluster, update_stories
from wiretrace.records import Article, Metadata
from wiretrace.representations import ArticleRepr
from wiretrace.sentences import Sentence
from wiretrace.store.reads import list_stories
from wiretrace.store.representations import save_representations
from wiretrace.stories import SimpleScore, StoryClusterer, story_id_for

DIM = 24


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _repr(aid: str, vec: np.ndarray, published: str, event: str) -> ArticleRepr:
    text = f"Report {aid} about {event}. A second sentence with details."
    return ArticleRepr(
        id=aid, language="en", published=published, title=f"About {event} ({aid})", text=text,
        sentences=[Sentence(text, 0, len(text))], sentence_vectors=vec[None, :], doc_vector=vec,
        features={"event": event, "names": []},
    )


def dense_topics(topics: int = 4, events: int = 5, per_event: int = 3, *, spread: float = 0.6,
                 noise: float = 0.15, seed: int = 0) -> list[ArticleRepr]:
    """One day of news: several topics, each with several events (follow-ups of one another:
    close to the topic, closer still to their own event), reported ``per_event`` times."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(topics):
        topic = _unit(rng.normal(size=DIM))
        for e in range(events):
            centre = _unit(topic + spread * rng.normal(size=DIM) / math.sqrt(DIM))
            for j in range(per_event):
                vec = _unit(centre + noise * rng.normal(size=DIM) / math.sqrt(DIM))
                stamp = f"2024-03-01T{(e * per_event + j) % 24:02d}:{t * 10:02d}:00+00:00"
                out.append(_repr(f"t{t}e{e}-{j}", vec, stamp, f"t{t}e{e}"))
    return out


def soft_scorer(a: ArticleRepr, b: ArticleRepr) -> SimpleScore:
    """A calibrated but unsure scorer: the probability of one event rises with doc cosine, so
    an article of a follow-up still gets a few percent against its topic's other events."""
    cos = float(a.doc_vector @ b.doc_vector)
    p = 1.0 / (1.0 + math.exp(-(cos - 0.9) * 40))
    return SimpleScore(cos, p >= 0.5, p if p >= 0.5 else 1.0 - p)


def groups(assignments: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for aid, sid in assignments.items():
        by.setdefault(sid, set()).add(aid)
    return {frozenset(g) for g in by.values()}


def events_of(corpus: list[ArticleRepr]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for r in corpus:
        by.setdefault(r.features["event"], set()).add(r.id)
    return {frozenset(g) for g in by.values()}


def mixed(assignments: dict[str, str], corpus: list[ArticleRepr]) -> int:
    """Stories holding more than one event."""
    event = {r.id: r.features["event"] for r in corpus}
    by: dict[str, set[str]] = {}
    for aid, sid in assignments.items():
        by.setdefault(sid, set()).add(event[aid])
    return sum(1 for events in by.values() if len(events) > 1)


LOOSE = {"rival_margin": None, "core_check": False}  # one link at a low probability suffices


def test_follow_ups_of_one_topic_stay_separate_stories_in_a_dense_stream():
    corpus = dense_topics()
    result = StoryClusterer(scorer=soft_scorer, link_probability=0.02).fit(corpus)
    assert groups(result) == events_of(corpus)
    loose = StoryClusterer(scorer=soft_scorer, link_probability=0.02, **LOOSE).fit(corpus)
    assert mixed(loose, corpus) > 0  # without the rival check the same stream chains events


def test_reports_of_one_event_in_several_languages_still_join():
    """Vectors of one language lean together (articles in the same language about another
    event are closer than a report of the same event in another language), but a sure scorer
    has the last word over the rival check."""
    rng = np.random.default_rng(3)
    topic = _unit(rng.normal(size=DIM))
    shift = {lang: _unit(rng.normal(size=DIM)) for lang in ("en", "de", "uk")}
    corpus = []
    for e in range(3):
        centre = _unit(topic + 0.6 * rng.normal(size=DIM) / math.sqrt(DIM))
        for j, lang in enumerate(shift):
            vec = _unit(centre + 0.8 * shift[lang] + 0.1 * rng.normal(size=DIM) / math.sqrt(DIM))
            r = _repr(f"e{e}-{lang}", vec, f"2024-03-01T{e:02d}:{j:02d}:00+00:00", f"e{e}")
            r.language = lang
            corpus.append(r)
    member = next(r for r in corpus if r.id == "e1-de")
    rival = next(r for r in corpus if r.id == "e0-de")
    same = next(r for r in corpus if r.id == "e1-en")
    assert float(member.doc_vector @ rival.doc_vector) > float(member.doc_vector @ same.doc_vector)

    def by_event(a: ArticleRepr, b: ArticleRepr) -> SimpleScore:
        same = a.features["event"] == b.features["event"]
        return SimpleScore(float(a.doc_vector @ b.doc_vector), same, 0.97 if same else 0.999)

    result = StoryClusterer(scorer=by_event, link_probability=0.02).fit(corpus)
    assert groups(result) == events_of(corpus)


def test_dense_result_does_not_depend_on_order_or_chronological_batches():
    corpus = dense_topics(seed=5, noise=0.2)
    whole = StoryClusterer(scorer=soft_scorer, link_probability=0.02).fit(corpus)
    for seed in range(2):
        shuffled = corpus[:]
        random.Random(seed).shuffle(shuffled)
        assert StoryClusterer(scorer=soft_scorer, link_probability=0.02).fit(shuffled) == whole
    ordered = sorted(corpus, key=lambda r: (r.published, r.id))
    online = StoryClusterer(scorer=soft_scorer, link_probability=0.02)
    for start in range(0, len(ordered), 17):
        online.assign(ordered[start : start + 17])
    assert online.assignments() == whole


def test_a_drifted_story_splits_and_its_core_keeps_the_id():
    """A story built by a looser decision (one chain of two events) is split when it grows:
    the part with the founder keeps the id, the other part gets its own founder's id."""
    rng = np.random.default_rng(8)
    topic = _unit(rng.normal(size=DIM))
    first = _unit(topic + 0.6 * rng.normal(size=DIM) / math.sqrt(DIM))
    second = _unit(topic + 0.6 * rng.normal(size=DIM) / math.sqrt(DIM))
    a = [_repr(f"a{i}", _unit(first + 0.1 * rng.normal(size=DIM) / math.sqrt(DIM)),
               f"2024-03-01T0{i}:00:00", "a") for i in range(3)]
    b = [_repr(f"b{i}", _unit(second + 0.1 * rng.normal(size=DIM) / math.sqrt(DIM)),
               f"2024-03-01T1{i}:00:00", "b") for i in range(2)]
    reprs = {r.id: r for r in a + b}
    chained = story_id_for("a0")
    clusterer = StoryClusterer(scorer=soft_scorer, link_probability=0.02,
                               resolve=lambda aid: reprs[aid])
    clusterer.restore([(chained, 0, list(reprs))], {k: r.doc_vector for k, r in reprs.items()},
                      {k: r.published for k, r in reprs.items()})
    splits = clusterer.split_drifted([chained])
    assert [(s.from_story, s.to_story, set(s.members)) for s in splits] == [
        (chained, story_id_for("b0"), {"b0", "b1"})]
    assert groups(clusterer.assignments()) == {frozenset({"a0", "a1", "a2"}),
                                               frozenset({"b0", "b1"})}
    assert clusterer.assignments()["a0"] == chained
    assert clusterer.split_drifted([chained, story_id_for("b0")]) == []  # settled: no more


# -- through the store --------------------------------------------------------------------


class CachedOnlyBackend:
    """Names the cached synthetic vectors; the store already holds every representation."""

    name = "synthetic-density"
    dim = DIM

    def embed_passages(self, texts):  # pragma: no cover - everything is cached
        raise AssertionError("representations should come from the cache")

    embed_queries = embed_passages


def _store_articles(store, reprs: list[ArticleRepr]) -> None:
    with store.transaction():
        for r in reprs:
            store.put_article(Article(
                id=r.id, source_path=r.id, source_kind="record",
                content_hash=hashlib.sha256(r.id.encode()).hexdigest(), raw_bytes=b"",
                encoding="utf-8", text=r.text,
                metadata=Metadata(title=r.title, published=r.published, outlet="Wire"),
                language=r.language,
            ))
    save_representations(store, reprs, CachedOnlyBackend.name)


def _stored(store) -> dict[str, set[str]]:
    return {s["id"]: set(s["articles"]) for s in list_stories(store)}


def test_ingest_in_batches_gives_the_stories_and_ids_of_a_recluster(store):
    corpus = dense_topics(topics=3, events=4, seed=2)
    by_id = {r.id: r for r in corpus}
    kw = {"scorer": soft_scorer, "backend": CachedOnlyBackend(), "link_probability": 0.02}
    _store_articles(store, corpus)
    ordered = sorted(corpus, key=lambda r: (r.published, r.id))
    for start in range(0, len(ordered), 10):
        update_stories(store, [r.id for r in ordered[start : start + 10]], **kw)
    incremental = _stored(store)
    assert len(incremental) >= len(events_of(corpus)) - 1
    for sid, members in incremental.items():  # each id derives from its earliest member
        earliest = min(members, key=lambda a: (by_id[a].published, a))
        assert sid == story_id_for(earliest)
    recluster(store, **kw)
    assert _stored(store) == incremental


def test_pairs_a_follow_up_would_chain_are_not_all_scored():
    """The rival check is cheap (doc cosines): it adds no scorer calls to a dense stream."""
    corpus = dense_topics(seed=4)
    calls = {"loose": 0, "strict": 0}

    def counting(name: str):
        def score(a: ArticleRepr, b: ArticleRepr) -> SimpleScore:
            calls[name] += 1
            return soft_scorer(a, b)
        return score

    StoryClusterer(scorer=counting("loose"), link_probability=0.02, **LOOSE).fit(corpus)
    StoryClusterer(scorer=counting("strict"), link_probability=0.02).fit(corpus)
    assert calls["strict"] <= calls["loose"] * 1.1
    assert len(list(itertools.combinations(corpus, 2))) > 2 * calls["strict"]


# -- the story's own spread ---------------------------------------------------------------


def _basis(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


def _spread_corpus(follow_up_lead: float = 0.35) -> list[ArticleRepr]:
    """Three tight reports of one event, a fourth as tight, a follow-up further out, and an
    article of another topic that is the follow-up's only rival."""
    e = [_basis(i) for i in range(6)]
    return [
        _repr("rival", _unit(0.85 * e[0] + 0.53 * e[4]), "2024-03-01T08:00:00+00:00", "other"),
        _repr("a1", _unit(e[0]), "2024-03-01T09:00:00+00:00", "a"),
        _repr("a2", _unit(e[0] + 0.05 * e[1]), "2024-03-01T09:10:00+00:00", "a"),
        _repr("a3", _unit(e[0] + 0.05 * e[2]), "2024-03-01T09:20:00+00:00", "a"),
        _repr("a4", _unit(e[0] + 0.03 * e[5]), "2024-03-01T09:30:00+00:00", "a"),
        _repr("f", _unit(e[0] + follow_up_lead * e[3]), "2024-03-01T10:00:00+00:00", "f"),
    ]


def unsure_scorer(confidence: float):
    """Links whatever is close (cosine >= 0.9) with a fixed probability."""
    def score(a: ArticleRepr, b: ArticleRepr) -> SimpleScore:
        cos = float(a.doc_vector @ b.doc_vector)
        return SimpleScore(cos, cos >= 0.9, confidence)
    return score


def _spread_clusterer(**kw) -> StoryClusterer:
    return StoryClusterer(scorer=unsure_scorer(kw.pop("confidence", 0.6)), center=None, **kw)


def test_a_follow_up_outside_the_story_spread_founds_its_own_story():
    """The follow-up clears the rival margin (its only rival is another topic) and links to
    every member, but lies further from the story than its reports lie from each other."""
    corpus = _spread_corpus()
    clusterer = _spread_clusterer()
    result = clusterer.fit(corpus)
    assert groups(result) == {frozenset({"rival"}), frozenset({"a1", "a2", "a3", "a4"}),
                              frozenset({"f"})}
    assert result["a1"] == story_id_for("a1") and result["f"] == story_id_for("f")
    assert clusterer.links["f"].linked_by == "founder"
    # the same stream without the check: the follow-up joins the event it continues
    loose = _spread_clusterer(member_stretch=None).fit(corpus)
    assert loose["f"] == loose["a1"]
    # a wide lead over the rivals needs no check of the spread
    assert _spread_clusterer(wide_margin=0.1).fit(corpus)["f"] == loose["a1"]


def test_the_spread_check_needs_three_members_and_yields_to_a_sure_scorer():
    early = [r for r in _spread_corpus() if r.id not in ("a3", "a4")]
    result = _spread_clusterer().fit(early)
    assert result["f"] == result["a1"]  # two members say too little about the spread
    sure = _spread_clusterer(confidence=0.95)
    result = sure.fit(_spread_corpus())
    assert result["f"] == result["a1"]
    assert sure.links["f"].linked_by == "sure"
    assert "further from them than they are from each other" in sure.links["f"].detail
