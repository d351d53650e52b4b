"""The bundled sample corpus agrees with its own ground truth.

Every stage is scored against ``truth.json``; a substring that is not in the article it names,
a derivation pointing nowhere or a mis-declared encoding would silently corrupt those scores.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from xml.etree import ElementTree

import pytest

from wiretrace.sample import article_raw_text, load_truth, sample_articles_dir

FORMATS = {"txt", "html", "jsonl", "rss"}
ENCODINGS = {"utf-8", "cp1251", "koi8-r"}
KINDS = {"copy", "partial-copy", "translation", "rewrite", "summary"}
ALTERATIONS = {"number", "name", "quantity", "hedge", "strengthened"}
ENTITY_TYPES = {"person", "organization", "location"}
# How the corpus spells agency credits in other scripts.
CREDIT_SPELLINGS = {
    "Reuters": ["Reuters", "Ройтерс", "Рейтер"],
    "BTA": ["BTA", "БТА"],
    "AP": ["AP", "Associated Press"],
}


@pytest.fixture(scope="module")
def truth() -> dict:
    return load_truth()


@pytest.fixture(scope="module")
def raw(truth) -> dict[str, str]:
    return {aid: article_raw_text(aid, truth) for aid in truth["articles"]}


def _ids_on_disk() -> set[str]:
    root = sample_articles_dir()
    ids: set[str] = set()
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    ids.add(json.loads(line)["id"])
        elif path.suffix == ".xml":
            for item in ElementTree.parse(path).getroot().iter("item"):
                ids.add(f"{rel}#{item.findtext('guid').strip()}")
        else:
            ids.add(rel)
    return ids


def test_every_file_and_record_has_truth_and_back(truth):
    assert _ids_on_disk() == set(truth["articles"])


def test_corpus_shape(truth):
    articles = truth["articles"]
    assert 40 <= len(articles) <= 60
    languages = Counter(a["language"] for a in articles.values())
    for lang in ("en", "ru", "bg", "uk"):
        assert languages[lang] >= 5, lang
    assert languages["de"] >= 3
    assert 7 <= len(truth["events"]) <= 14
    storylines = Counter(e["storyline"] for e in truth["events"].values() if e["storyline"])
    assert any(n >= 2 for n in storylines.values())
    formats = Counter(a["format"] for a in articles.values())
    assert formats["html"] >= 3 and formats["jsonl"] >= 3 and formats["rss"] >= 2
    encodings = Counter(a["encoding"] for a in articles.values())
    assert encodings["cp1251"] >= 1 and encodings["koi8-r"] >= 1


def test_article_fields_are_valid(truth):
    for aid, a in truth["articles"].items():
        assert a["format"] in FORMATS, aid
        assert a["encoding"] in ENCODINGS, aid
        assert a["event"] is None or a["event"] in truth["events"], aid
        if a["published"] is not None:
            dt.date.fromisoformat(a["published"])
        assert 3 <= len(a["must_keep"]) <= 5, aid
        assert a["title"] and a["outlet"], aid
    for eid, e in truth["events"].items():
        dt.date.fromisoformat(e["date"])
        assert any(a["event"] == eid for a in truth["articles"].values()), eid


def test_declared_encodings_are_the_real_ones(truth, raw):
    root = sample_articles_dir()
    for aid, a in truth["articles"].items():
        if a["format"] in ("jsonl", "rss"):
            continue
        data = (root / aid).read_bytes()
        if a["encoding"] == "utf-8":
            data.decode("utf-8")
        else:
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert a["title"] in raw[aid], aid  # a wrong 8-bit codec would garble the title


def test_titles_appear_in_pages(truth, raw):
    for aid, a in truth["articles"].items():
        if a["format"] in ("txt", "html"):
            assert a["title"] in raw[aid], aid


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return spans


def test_cleaning_targets_occur_and_do_not_overlap(truth, raw):
    for aid, a in truth["articles"].items():
        kept = [span for keep in a["must_keep"] for span in _spans(raw[aid], keep)]
        for keep in a["must_keep"]:
            assert keep in raw[aid], (aid, keep)
        for rm in a["must_remove"]:
            spans = _spans(raw[aid], rm)
            assert spans, (aid, rm)
            # At least one occurrence must sit outside every sentence cleaning has to keep.
            assert any(all(e <= ks or s >= ke for ks, ke in kept) for s, e in spans), (aid, rm)


def test_language_matches_script(truth):
    markers = {"uk": "іїєґ", "ru": "ыэ", "bg": "ъ"}
    for aid, a in truth["articles"].items():
        body = " ".join(a["must_keep"]).lower()
        cyrillic = sum("а" <= c <= "я" for c in body)
        latin = sum("a" <= c <= "z" for c in body)
        if a["language"] in markers:
            assert cyrillic > latin, aid
        else:
            assert latin > cyrillic, aid
    for lang, letters in markers.items():
        text = " ".join(" ".join(a["must_keep"]).lower()
                        for a in truth["articles"].values() if a["language"] == lang)
        assert any(ch in text for ch in letters), lang


def test_attributions_are_credited_in_the_text(truth, raw):
    for aid, a in truth["articles"].items():
        for credit in a["attributions"]:
            spellings = CREDIT_SPELLINGS.get(credit, [credit])
            assert any(s in raw[aid] for s in spellings), (aid, credit)


def test_page_date_flags(truth):
    flagged = [aid for aid, a in truth["articles"].items() if a["page_date_wrong"]]
    assert flagged
    for aid in flagged:
        a = truth["articles"][aid]
        assert a["published"] > truth["events"][a["event"]]["date"], aid


def _agencies(truth) -> set[str]:
    return {c for a in truth["articles"].values() for c in a["attributions"]}


def test_derivations_point_at_real_things(truth):
    articles, agencies = truth["articles"], _agencies(truth)
    graph: dict[str, list[str]] = {}
    for d in truth["derivations"]:
        assert d["kind"] in KINDS, d
        assert d["to"] in articles, d
        assert d["from"] != d["to"], d
        if d["from"] in articles:
            assert articles[d["from"]]["event"] == articles[d["to"]]["event"] is not None, d
            graph.setdefault(d["to"], []).append(d["from"])
        else:
            assert d["from"] in agencies, d
            assert d["from"] in articles[d["to"]]["attributions"], d
        if d["kind"] == "translation":
            if d["from"] in articles:
                assert articles[d["from"]]["language"] != articles[d["to"]]["language"], d

    def ancestors(node: str, seen: tuple[str, ...] = ()) -> None:
        assert node not in seen, f"cycle through {node}"
        for parent in graph.get(node, []):
            ancestors(parent, seen + (node,))

    for node in graph:
        ancestors(node)
    chains = [n for n, parents in graph.items() if any(p in graph for p in parents)]
    assert chains, "no derivation chain A -> B -> C"


def test_every_article_derivative_has_a_diff(truth):
    first_source: dict[str, str] = {}
    for d in truth["derivations"]:
        if d["from"] in truth["articles"]:
            first_source.setdefault(d["to"], d["from"])
    assert {k: v["source"] for k, v in truth["diffs"].items()} == first_source


def test_diff_substrings_sit_in_the_right_articles(truth, raw):
    kinds = {(d["from"], d["to"]): d["kind"] for d in truth["derivations"]}
    for aid, diff in truth["diffs"].items():
        src = diff["source"]
        kind = kinds[(src, aid)]
        same_language = truth["articles"][src]["language"] == truth["articles"][aid]["language"]
        for text in diff["added"]:
            assert text in raw[aid], (aid, text)
            assert text not in raw[src], (aid, text)
        for text in diff["omitted"]:
            assert text in raw[src], (aid, text)
            if same_language:
                assert text not in raw[aid], (aid, text)
        for alt in diff["altered"]:
            assert alt["what"] in ALTERATIONS, alt
            assert alt["source_text"] in raw[src], (aid, alt)
            assert alt["text"] in raw[aid], (aid, alt)
            assert alt["text"] not in raw[src], (aid, alt)
        if kind in ("copy", "partial-copy"):
            assert not diff["added"] and not diff["altered"], aid
        if kind == "partial-copy":
            assert diff["omitted"], aid
        if kind == "copy":
            assert not diff["omitted"], aid


def test_corpus_covers_each_kind_of_change(truth):
    kinds = Counter(d["kind"] for d in truth["derivations"])
    assert all(kinds[k] for k in KINDS), kinds
    whats = Counter(a["what"] for d in truth["diffs"].values() for a in d["altered"])
    assert all(whats[w] for w in ALTERATIONS), whats
    assert any(d["added"] for d in truth["diffs"].values())
    translations_with_changes = [
        aid for aid, d in truth["diffs"].items()
        if d["altered"] and any(x["to"] == aid and x["kind"] == "translation"
                                for x in truth["derivations"])]
    assert translations_with_changes


def test_entity_variants_occur_where_claimed(truth, raw):
    names = {e["name"] for e in truth["entities"]}
    for e in truth["entities"]:
        assert e["type"] in ENTITY_TYPES, e["name"]
        assert set(e["distinct_from"]) <= names, e["name"]
        assert e["articles"] and set(e["articles"]) <= set(truth["articles"]), e["name"]
        texts = [raw[aid] + "\n" + truth["articles"][aid]["title"] for aid in e["articles"]]
        for variant in e["variants"]:
            assert any(variant in t for t in texts), (e["name"], variant)
        for aid, text in zip(e["articles"], texts, strict=True):
            assert any(v in text for v in e["variants"]), (e["name"], aid)


def test_entities_include_hard_name_cases(truth):
    by_name = {e["name"]: e for e in truth["entities"]}
    multi_script = [
        e for e in truth["entities"]
        if any(v.isascii() for v in e["variants"]) and any(not v.isascii() for v in e["variants"])
    ]
    assert len(multi_script) >= 5
    pairs = [(e["name"], other) for e in truth["entities"] for other in e["distinct_from"]]
    assert pairs
    assert all(other in by_name for _, other in pairs)
    assert any(name.split()[-1] == other.split()[-1] for name, other in pairs)
