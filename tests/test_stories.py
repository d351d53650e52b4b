"""Stories: online same-event clustering, stable ids, merges, persistence and the CLI."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass

import numpy as np
import pytest

from wiretrace.adapters.stories import recluster, update_stories
from wiretrace.records import Article, Metadata
from wiretrace.representations import ArticleRepr
from wiretrace.sentences import Sentence
from wiretrace.store.reads import list_stories
from wiretrace.store.representations import save_representations
from wiretrace.store.stories import choose_title_article, get_story, story_article_ids
from wiretrace.stories import SimpleScore, StoryClusterer, story_id_for
from wiretrace.stories.storylines import StoryProfile, link_storylines

DIM = 24


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def make_corpus(
    n_events: int, per_event: int, *, days_apart: int = 2, noise: float = 0.3, seed: int = 0
) -> list[ArticleRepr]:
    """Synthetic articles: vectors scattered around one centroid per event, dated per event."""
    rng = np.random.default_rng(seed)
    centroids = rng.normal(size=(n_events, DIM))
    out = []
    for e in range(n_events):
        for j in range(per_event):
            day = e * days_apart
            published = f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T{8 + j:02d}:00:00+00:00"
            out.append(_repr(f"ev{e:03d}-{j}", centroids[e] + noise * rng.normal(size=DIM),
                             published, event=e))
    return out


def _repr(aid: str, vec: np.ndarray, published: str | None, *, event: int,
          language: str = "en", title: str | None = None) -> ArticleRepr:
    text = f"Report {aid} about event {event}. It has a second sentence with details."
    return ArticleRepr(
        id=aid, language=language, published=published, title=title or f"Event {event} ({aid})",
        text=text, sentences=[Sentence(text, 0, len(text))],
        sentence_vectors=_unit(vec)[None, :], doc_vector=_unit(vec), title_vector=None,
        features={"event": event, "names": [f"name{event}a", f"name{event}b"]},
    )


@dataclass
class EventScorer:
    """Judges by the hidden event label, and records every pair it was asked about."""

    calls: list[tuple[str, str]]
    deny: frozenset[frozenset[str]] = frozenset()

    def __call__(self, a: ArticleRepr, b: ArticleRepr) -> SimpleScore:
        self.calls.append((a.id, b.id))
        same = a.features["event"] == b.features["event"] and frozenset((a.id, b.id)) not in self.deny
        return SimpleScore(float(a.doc_vector @ b.doc_vector), same, 1.0)


def groups(assignments: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for aid, sid in assignments.items():
        by.setdefault(sid, set()).add(aid)
    return {frozenset(g) for g in by.values()}


# -- the clusterer ------------------------------------------------------------------------


def test_fit_recovers_events_with_ids_from_the_founding_article():
    corpus = make_corpus(12, 4)
    clusterer = StoryClusterer(scorer=EventScorer([]), k=8)
    result = clusterer.fit(corpus)
    expected = {frozenset(r.id for r in corpus if r.features["event"] == e) for e in range(12)}
    assert groups(result) == expected
    for r in corpus:  # the founder is the earliest member: ev###-0
        assert result[r.id] == story_id_for(r.id.split("-")[0] + "-0")


def test_result_does_not_depend_on_input_order():
    corpus = make_corpus(10, 4, days_apart=0, noise=0.45, seed=3)  # all on one day: hard case
    baseline = StoryClusterer(scorer=EventScorer([]), k=10).fit(corpus)
    for seed in range(3):
        shuffled = corpus[:]
        random.Random(seed).shuffle(shuffled)
        assert StoryClusterer(scorer=EventScorer([]), k=10).fit(shuffled) == baseline


def test_assign_grows_existing_stories_and_keeps_their_ids():
    corpus = make_corpus(6, 4)
    first = [r for r in corpus if r.id.endswith(("-0", "-1"))]
    later = [r for r in corpus if r not in first]
    clusterer = StoryClusterer(scorer=EventScorer([]), k=8)
    before = clusterer.fit(first)
    added = clusterer.assign(later)
    for r in later:
        founder = r.id.split("-")[0] + "-0"
        assert added[r.id] == before[founder]
    assert clusterer.assignments() == {**before, **added}
    assert not clusterer.merges


def test_candidates_come_from_the_time_window_never_all_pairs():
    corpus = make_corpus(60, 3, days_apart=3, noise=0.2)
    undated = _repr("undated-1", corpus[0].doc_vector + 0.01, None, event=0)
    scorer = EventScorer([])
    clusterer = StoryClusterer(scorer=scorer, window_days=2, k=6)
    result = clusterer.fit(corpus + [undated])
    n = len(corpus) + 1
    assert len(scorer.calls) <= n * 6 + 2 * n  # k per article plus confirmations
    assert len(scorer.calls) < n * (n - 1) / 2 / 10
    by_id = {r.id: r for r in corpus}
    for a, b in scorer.calls:
        if "undated-1" in (a, b):
            continue
        ea, eb = by_id[a].features["event"], by_id[b].features["event"]
        assert abs(ea - eb) * 3 <= 2  # only same-day neighbours: other days are out of window
    assert result["undated-1"] == result[corpus[0].id]  # undated compares with everything


def test_dense_windows_use_the_graph_index_and_agree_with_exact_search():
    corpus = make_corpus(40, 3, days_apart=0, noise=0.25, seed=4)  # 120 articles, one day
    exact = StoryClusterer(scorer=EventScorer([]), k=6).fit(corpus)
    scorer = EventScorer([])
    graph = StoryClusterer(scorer=scorer, k=6, exact_limit=16)
    assert graph.fit(corpus) == exact
    assert graph._index is not None and graph._index.index is not None  # the HNSW path ran
    assert len(scorer.calls) < len(corpus) * 12


def test_one_bridge_article_does_not_chain_two_events():
    rng = np.random.default_rng(5)
    base = rng.normal(size=DIM)
    a = [_repr(f"a{i}", base + 0.3 * rng.normal(size=DIM), "2024-03-01", event=1) for i in range(3)]
    b = [_repr(f"b{i}", base + 0.3 * rng.normal(size=DIM), "2024-03-01", event=2) for i in range(3)]
    bridge = _repr("x", base, "2024-03-02", event=3)

    class BridgeScorer(EventScorer):
        def __call__(self, p: ArticleRepr, q: ArticleRepr) -> SimpleScore:
            if "x" in (p.id, q.id):  # the bridge matches exactly one member of each event
                other = q.id if p.id == "x" else p.id
                return SimpleScore(0.9, other in ("a2", "b2"), 0.6)
            return super().__call__(p, q)

    clusterer = StoryClusterer(scorer=BridgeScorer([]), k=10)
    result = clusterer.fit(a + b + [bridge])
    assert groups(result) == {frozenset({"a0", "a1", "a2"}), frozenset({"b0", "b1", "b2"}),
                              frozenset({"x"})}
    assert not clusterer.merges


def test_stories_split_by_time_merge_when_an_article_links_them_and_keep_the_older_id():
    rng = np.random.default_rng(9)
    c = rng.normal(size=DIM)
    early = [_repr(f"e{i}", c + 0.2 * rng.normal(size=DIM), "2024-05-01T10:00:00", event=7)
             for i in range(2)]
    late = [_repr(f"l{i}", c + 0.2 * rng.normal(size=DIM), "2024-05-05T10:00:00", event=7)
            for i in range(2)]
    middle = _repr("m", c, "2024-05-03T10:00:00", event=7)
    clusterer = StoryClusterer(scorer=EventScorer([]), window_days=2.5, k=8)
    first = clusterer.fit(early + late)
    assert first["e0"] != first["l0"]  # four days apart: never candidates
    clusterer.assign([middle])
    assert len(set(clusterer.assignments().values())) == 1
    assert clusterer.assignments()["l1"] == first["e0"] == story_id_for("e0")
    assert [(m.from_story, m.into_story) for m in clusterer.merges] == [(first["l0"], first["e0"])]


def test_title_prefers_requested_language_then_centrality():
    from wiretrace.store.stories import _MemberInfo

    members = [
        _MemberInfo("en-1", "en", "Flooding closes port", None, 0.95, None),
        _MemberInfo("bg-1", "bg", "Наводнение затвори пристанището", None, 0.90, None),
        _MemberInfo("en-2", "en", "Port shut", None, 0.97, None),
    ]
    assert choose_title_article(members) == "en-2"
    assert choose_title_article(members, "bg") == "bg-1"
    assert choose_title_article(members, "de") == "en-2"


def test_storylines_link_related_stories_without_merging_them():
    rng = np.random.default_rng(2)
    c = _unit(rng.normal(size=DIM))
    far = _unit(rng.normal(size=DIM))
    profiles = [
        StoryProfile("s-vote", 0, _unit(c + 0.05 * rng.normal(size=DIM)), {"orban", "budapest", "eu"}),
        StoryProfile("s-aftermath", 1, _unit(c + 0.05 * rng.normal(size=DIM)), {"orban", "budapest", "eu"}),
        StoryProfile("s-samevector-othernames", 2, _unit(c + 0.05 * rng.normal(size=DIM)), {"lima"}),
        StoryProfile("s-unrelated", 3, far, {"orban", "budapest"}),
    ]
    lines = link_storylines(profiles, min_cosine=0.8)
    assert len(lines) == 1
    (members,) = lines.values()
    assert [sid for sid, _ in members] == ["s-vote", "s-aftermath"]


# -- the store ----------------------------------------------------------------------------


class CachedOnlyBackend:
    """Names the cached synthetic vectors; the store already holds every representation."""

    name = "synthetic-test"
    dim = DIM

    def embed_passages(self, texts):  # pragma: no cover - everything is cached
        raise AssertionError("representations should come from the cache")

    embed_queries = embed_passages


def _store_articles(store, reprs: list[ArticleRepr], outlet: str = "Test Wire") -> None:
    with store.transaction():
        for r in reprs:
            store.put_article(Article(
                id=r.id, source_path=r.id, source_kind="record",
                content_hash=hashlib.sha256(r.id.encode()).hexdigest(), raw_bytes=b"",
                encoding="utf-8", text=r.text,
                metadata=Metadata(title=r.title, published=r.published, outlet=outlet),
                language=r.language,
            ))
    save_representations(store, reprs, CachedOnlyBackend.name)


def test_update_stories_persists_grows_and_records_merges(store):
    rng = np.random.default_rng(11)
    c1, c2 = rng.normal(size=DIM), rng.normal(size=DIM)
    day1 = [_repr(f"d1-{i}", c1 + 0.2 * rng.normal(size=DIM), "2024-06-01T09:00:00", event=1)
            for i in range(3)]
    day5 = [_repr(f"d5-{i}", c1 + 0.2 * rng.normal(size=DIM), "2024-06-05T09:00:00", event=1)
            for i in range(2)]
    other = [_repr(f"o-{i}", c2 + 0.2 * rng.normal(size=DIM), "2024-06-01T12:00:00", event=2,
                   language="bg", title=f"Друго събитие {i}") for i in range(2)]
    bridge = _repr("d3", c1, "2024-06-03T09:00:00", event=1)
    backend = CachedOnlyBackend()
    scorer = EventScorer([])
    kw = {"scorer": scorer, "backend": backend, "window_days": 2.5}

    _store_articles(store, day1 + day5 + other + [bridge])
    summary = update_stories(store, [r.id for r in day1 + day5 + other], **kw)
    assert summary["stories"] == 3
    ids_before = {s["id"]: set(s["articles"]) for s in list_stories(store)}
    s1, s5 = story_id_for("d1-0"), story_id_for("d5-0")
    assert ids_before[s1] == {"d1-0", "d1-1", "d1-2"} and ids_before[s5] == {"d5-0", "d5-1"}

    summary = update_stories(store, ["d3"], **kw)
    assert summary["merges"] == 1
    story = get_story(store, s1)
    assert set(story["articles"]) == {r.id for r in day1 + day5} | {"d3"}
    assert story["first_seen"].startswith("2024-06-01") and story["last_seen"].startswith("2024-06-05")
    assert story["merged_from"][0]["story"] == s5
    assert get_story(store, s5)["id"] == s1  # a merged-away id resolves to the survivor
    assert story_article_ids(store, s5) == story_article_ids(store, s1)
    assert story_article_ids(store, s1)[0].startswith("d1-")
    assert story["summary"] and story["title"]

    again = update_stories(store, [r.id for r in day1 + day5 + other] + ["d3"], **kw)
    assert again["new_stories"] == 0 and again["merges"] == 0
    assert {s["id"] for s in list_stories(store)} == {s1, story_id_for("o-0")}
    bg = list_stories(store, language="bg")
    assert [s["id"] for s in bg] == [story_id_for("o-0")] and bg[0]["languages"] == ["bg"]
    assert [s["id"] for s in list_stories(store, min_size=3)] == [s1]

    rebuilt = recluster(store, **kw)  # from scratch: same stories, same ids, no merge needed
    assert rebuilt["stories"] == 2 and rebuilt["merges"] == 0
    assert {s["id"]: set(s["articles"]) for s in list_stories(store)} == {
        s1: {r.id for r in day1 + day5} | {"d3"}, story_id_for("o-0"): {"o-0", "o-1"}}

    with store.transaction() as conn:  # an article removed from the store leaves its story
        conn.execute("DELETE FROM articles WHERE id = 'd1-1'")
    assert "d1-1" not in story_article_ids(store, s1)


def test_cli_stories_json_and_table(db_path, monkeypatch):
    from typer.testing import CliRunner

    from wiretrace.cli.app import app
    from wiretrace.store import open_store

    corpus = make_corpus(3, 2)
    with open_store(db_path) as s:
        _store_articles(s, corpus)
        update_stories(s, [r.id for r in corpus], scorer=EventScorer([]),
                       backend=CachedOnlyBackend())
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db_path), "stories", "--json", "--min-size", "2"])
    assert result.exit_code == 0, result.output
    stories = json.loads(result.stdout)
    assert len(stories) == 3
    for s in stories:
        assert {"id", "title", "articles", "languages", "first_seen", "last_seen"} <= set(s)
        assert len(s["articles"]) == 2 and s["languages"] == ["en"]
    table = runner.invoke(app, ["--db", str(db_path), "stories"])
    assert table.exit_code == 0 and stories[0]["id"] in table.stdout


# -- real model ---------------------------------------------------------------------------

MULTILINGUAL = [
    ("port-en", "en", "2025-02-11T08:10:00", "Dockworkers walk out at Rotterdam port",
     "Dockworkers at the port of Rotterdam began a 48-hour strike on Tuesday over pay, halting "
     "container traffic at Europe's largest harbour. The FNV union said about 4,000 workers "
     "joined the walkout after talks with employers collapsed on Monday night. Port authority "
     "spokesman Sander Vos said 31 ships were waiting at anchor."),
    ("port-de", "de", "2025-02-11T10:40:00", "Hafenarbeiter in Rotterdam streiken",
     "Im Hafen von Rotterdam haben am Dienstag rund 4000 Hafenarbeiter einen 48-stündigen "
     "Streik begonnen. Die Gewerkschaft FNV erklärte, die Lohnverhandlungen mit den Arbeitgebern "
     "seien in der Nacht zum Dienstag gescheitert. Laut Hafensprecher Sander Vos liegen 31 "
     "Schiffe vor Anker."),
    ("port-es", "es", "2025-02-11T13:05:00", "Huelga de estibadores en el puerto de Róterdam",
     "Unos 4.000 estibadores del puerto de Róterdam iniciaron el martes una huelga de 48 horas "
     "por los salarios, según el sindicato FNV. El portavoz de la autoridad portuaria, Sander "
     "Vos, dijo que 31 buques esperaban fondeados frente al puerto."),
    ("quake-en", "en", "2025-02-12T06:30:00", "Magnitude 6.1 earthquake shakes Izmir",
     "A magnitude 6.1 earthquake struck off the coast of Izmir early on Wednesday, Turkey's "
     "disaster agency AFAD said. At least 12 people were injured and several old buildings in "
     "the Bayrakli district collapsed. Interior Minister Ali Yerlikaya said rescue teams were "
     "searching the rubble."),
    ("quake-ru", "ru", "2025-02-12T09:00:00", "Землетрясение магнитудой 6,1 произошло у Измира",
     "Землетрясение магнитудой 6,1 произошло в среду утром у побережья Измира, сообщило "
     "турецкое агентство AFAD. По меньшей мере 12 человек получили ранения, в районе Байраклы "
     "обрушились несколько старых зданий. Министр внутренних дел Али Ерликая заявил, что "
     "спасатели разбирают завалы."),
    ("budget-en", "en", "2025-02-11T15:00:00", "Dutch cabinet unveils spending cuts",
     "The Dutch cabinet presented 2 billion euros of spending cuts on Tuesday, with Finance "
     "Minister Eelco Heinen saying healthcare and education budgets would be trimmed. "
     "Opposition parties called the plan reckless and promised to vote against it."),
]


@pytest.mark.slow
def test_real_scorer_groups_multilingual_reports_of_the_same_event():
    pytest.importorskip("wiretrace.similarity.scorer")
    from wiretrace.representations import represent

    articles = [
        Article(id=aid, source_path=aid, source_kind="record", content_hash=aid, raw_bytes=b"",
                encoding="utf-8", text=text, metadata=Metadata(title=title, published=published),
                language=lang)
        for aid, lang, published, title, text in MULTILINGUAL
    ]
    reprs = represent(articles)
    result = StoryClusterer().fit(reprs)
    assert groups(result) == {
        frozenset({"port-en", "port-de", "port-es"}),
        frozenset({"quake-en", "quake-ru"}),
        frozenset({"budget-en"}),
    }


def _article(aid: str, vec: np.ndarray, published: str, sentences: list[str], event: int) -> ArticleRepr:
    text = " ".join(sentences)
    spans, cursor = [], 0
    for s in sentences:
        spans.append(Sentence(s, cursor, cursor + len(s)))
        cursor += len(s) + 1
    return ArticleRepr(
        id=aid, language="en", published=published, title=sentences[0], text=text,
        sentences=spans, sentence_vectors=np.tile(_unit(vec), (len(spans), 1)),
        doc_vector=_unit(vec), title_vector=None, features={"event": event, "names": []},
    )


def test_a_verbatim_repost_with_a_late_page_date_joins_the_story_it_copies():
    rng = np.random.default_rng(11)
    base = rng.normal(size=DIM)
    report = [
        "An earthen dam gave way early on Monday, flooding six villages.",
        "About 1,200 people were evacuated from the town, officials said.",
        "Two people were taken to hospital with hypothermia.",
        "Prosecutors opened a criminal case into alleged negligence.",
    ]
    original = _article("wire", base, "2025-03-03", report, event=1)
    follow = _article("follow", base + 0.05 * rng.normal(size=DIM), "2025-03-03", report[:3], event=1)
    # Eight months later a spam site re-posts the report under its own page date; one line is
    # reworded. The scorer (like the real one, whose time prior decays) does not link it.
    repost_text = [*report[:3], "Prosecutors have opened a case into possible negligence."]
    repost = _article("repost", base + 0.01 * rng.normal(size=DIM), "2025-11-02", repost_text, event=2)
    unrelated = _article("other-dam", base + 0.02 * rng.normal(size=DIM), "2025-11-02",
                         ["A different dam was inspected on Tuesday.", "Engineers found no cracks.",
                          "The reservoir is at half capacity.", "Inspections continue next week."],
                         event=3)
    result = StoryClusterer(scorer=EventScorer([]), k=6).fit([original, follow, repost, unrelated])
    assert result["repost"] == result["wire"] == result["follow"]
    assert result["other-dam"] != result["wire"]  # similar vectors but no shared sentences
