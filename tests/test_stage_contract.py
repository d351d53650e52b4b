"""The stage contract: stages declare what they read and write, the pipeline checks the chain
at start-up, stages run on plain records without a store, and ``stage_state`` tracks what each
stage has done."""

from __future__ import annotations

from dataclasses import replace

import pytest

from wiretrace import extract, language, metadata, pipeline
from wiretrace.errors import StageChainError
from wiretrace.records import RawDocument
from wiretrace.stage import Stage, validate_chain
from wiretrace.store import stage_state

PAGE = (
    "Harbour news\n\nHome | World | Sport\n\n"
    "Dock workers in the northern port walked out on Tuesday after talks on night-shift pay "
    "broke down, the union said in a statement.\n\n"
    "The port authority said ferries would run to a reduced timetable until Friday and "
    "that cargo ships had been told to wait at anchor outside the breakwater.\n\n"
    "Share this article\n"
)


def _doc(doc_id: str, text: str = PAGE, **fields: str) -> RawDocument:
    return RawDocument(id=doc_id, source_path=f"{doc_id}.txt", kind="text",
                       raw_bytes=text.encode(), text=text, fields=dict(fields))


def _stage(name: str, requires: tuple[str, ...], writes: tuple[str, ...]) -> Stage:
    return Stage(name, 1, requires=requires, writes=writes, process=lambda x: x)


def test_a_requirement_no_earlier_stage_writes_is_named_in_the_error():
    chain = [_stage("a", ("document",), ("cleaned",)), _stage("b", ("cleaned", "language"), ("x",))]
    with pytest.raises(StageChainError) as caught:
        validate_chain(chain, given=("document",))
    message = str(caught.value)
    assert "'b'" in message and "'language'" in message and "'cleaned'" not in message.split("(")[0]


def test_order_matters_and_a_stage_name_may_appear_once():
    first, second = _stage("a", ("document",), ("cleaned",)), _stage("b", ("cleaned",), ("x",))
    validate_chain([first, second], given=("document",))
    with pytest.raises(StageChainError):
        validate_chain([second, first], given=("document",))
    with pytest.raises(StageChainError, match="twice"):
        validate_chain([first, first], given=("document",))


def test_the_shipped_chains_are_valid_and_every_stage_declares_a_contract():
    pipeline.validate_stages()
    names = [s.name for s in pipeline.DOCUMENT_STAGES] + [s.name for s in pipeline.store_stages()]
    assert names == ["extract", "language", "metadata", "representations", "stories", "entities",
                     "traces", "signals"]
    for stage in (*pipeline.DOCUMENT_STAGES, *(s.contract for s in pipeline.store_stages())):
        assert stage.version >= 1 and stage.requires and stage.writes and callable(stage.process)


def test_document_stages_run_on_plain_records_and_compose_to_process_document():
    docs = [_doc("one"), _doc("two", language="en")]
    cleaned = extract.STAGE.map(docs)  # no store anywhere
    assert all("Dock workers" in c.text and "Share this article" not in c.text for c, _ in cleaned)
    detected = language.STAGE.map([c.text for c, _ in cleaned])
    assert detected[0][0] == "en"
    found = metadata.STAGE(docs[0], cleaned[0][0], page_meta=cleaned[0][1], language="en")
    article = pipeline.process_document(docs[0])
    assert article.text == cleaned[0][0].text
    assert article.language == detected[0][0]
    assert article.title == found.title


def test_a_broken_chain_stops_ingest_before_anything_is_read_or_written(store, tmp_path, monkeypatch):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    reordered = (extract.STAGE, metadata.STAGE, language.STAGE)  # metadata needs the language
    monkeypatch.setattr(pipeline, "DOCUMENT_STAGES", reordered)
    with pytest.raises(StageChainError, match="'metadata'.*'language'"):
        pipeline.ingest(store, [str(page)], run_stages=False)
    assert store.article_ids() == []
    assert store.conn.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 0


def test_stage_state_tracks_each_stage_and_version_and_forgets_changed_articles(store):
    with store.transaction():
        for name in ("b", "a", "c"):
            store.put_article(pipeline.process_document(_doc(name)))
    assert sorted(stage_state.pending_articles(store, "stories", 1)) == ["a", "b", "c"]
    stage_state.mark_done(store, "stories", 1, ["a", "b"])
    assert stage_state.pending_articles(store, "stories", 1) == ["c"]
    assert len(stage_state.pending_articles(store, "stories", 2)) == 3  # a new version redoes all
    assert len(stage_state.pending_articles(store, "entities", 1)) == 3  # stages are independent
    with store.transaction():
        stage_state.forget_article(store, "a")
    assert sorted(stage_state.pending_articles(store, "stories", 1)) == ["a", "c"]
    stage_state.reset_stage(store, "stories")
    assert len(stage_state.pending_articles(store, "stories", 1)) == 3


def test_a_failing_article_is_rolled_back_alone(store):
    good = pipeline.process_document(_doc("good"))
    bad = replace(pipeline.process_document(_doc("bad")), metadata=None)  # put_article fails on it
    with store.transaction():
        states = [stage_state.put_in_savepoint(store, a, lambda exc: type(exc).__name__)
                  for a in (good, bad)]
    assert states[0] == "new" and states[1] not in ("new", "same", "changed")
    assert store.article_ids() == ["good"]


ORIGINAL = (
    "Harbour workers strike over night-shift pay\n\n"
    "Dock workers in the northern port of Varna walked out on Tuesday after talks on "
    "night-shift pay broke down, union leader Petar Ivanov said in a statement.\n\n"
    "The port authority said ferries would run to a reduced timetable until Friday and that "
    "cargo ships had been told to wait at anchor outside the breakwater.\n\n"
    "About 1,200 workers are covered by the agreement, which expired in March.\n"
)
UNRELATED = (
    "Library reopens after roof repairs\n\n"
    "The city library reopened on Monday after eight months of repairs to its roof, which "
    "was damaged in a winter storm, the council said.\n\n"
    "Opening hours are unchanged and the reading room has forty new desks.\n"
)


def test_later_stages_run_on_plain_records_without_a_store():
    from wiretrace import entities, provenance, representations, stories

    copy = ORIGINAL.replace("said in a statement", "said on Tuesday")
    articles = [pipeline.process_document(_doc(i, t, language="en", published=d))
                for i, t, d in (("orig", ORIGINAL, "2025-03-04T08:00:00+00:00"),
                                ("copy", copy, "2025-03-04T15:00:00+00:00"),
                                ("other", UNRELATED, "2025-03-05T09:00:00+00:00"))]
    reprs = representations.STAGE(articles)
    assert [r.id for r in reprs] == ["orig", "copy", "other"]
    story_of = stories.STAGE(reprs)
    assert story_of["orig"] == story_of["copy"] != story_of["other"]
    by_id = {r.id: r for r in reprs}
    trace = provenance.STAGE(articles[:2], by_id, story_of["orig"])
    assert [(e["from"], e["to"]) for e in trace["edges"]] == [("orig", "copy")]
    found = entities.STAGE(articles, story_of=story_of)
    assert any("Ivanov" in e.name for e in found)
