"""Property tests for every reader: whatever the bytes, each file gives articles or coded errors,
never an exception, and each document is extracted within its budget.

Hypothesis generates the inputs (structured enough to reach deep into each format, hostile
enough to break it); a small generated hostile corpus also runs through the real CLI.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from wiretrace.errors import OverBudgetError, WiretraceError
from wiretrace.extract.budget import run_in_process
from wiretrace.pipeline import _over_budget, _process_safe, warm_up
from wiretrace.records import Article, RawDocument
from wiretrace.sources import read_file

from .hostile import make_corpus

# Small enough that the whole file runs in well under a minute on two cores.
EXAMPLES = 15
# Generated documents are small; a few seconds each is already far beyond a real page's cost.
DOC_SECONDS = 10.0

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: it can take minutes
)

_warmed: list[bool] = []


def check_file(name: str, data: bytes) -> list[Article | WiretraceError]:
    """Read ``data`` saved as ``name`` and extract every document, asserting the contract."""
    if not _warmed:
        warm_up()
        _warmed.append(True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        outcomes: list[Article | WiretraceError] = []
        for item in read_file(path, name):
            if isinstance(item, WiretraceError):
                assert item.code.startswith("E") and item.path and str(path) in item.path
                outcomes.append(item)
                continue
            assert isinstance(item, RawDocument)
            started = time.monotonic()
            result = run_in_process(_process_safe, item, DOC_SECONDS, _over_budget)
            assert time.monotonic() - started < DOC_SECONDS + 2
            assert isinstance(result, Article | WiretraceError), result
            if isinstance(result, WiretraceError):
                assert result.code != "E299", result.message  # an internal error is a bug
                assert (
                    not isinstance(result, OverBudgetError) or "time budget" not in result.message
                )
            else:
                assert result.text.strip()
                json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")  # storable
            outcomes.append(result)
        assert outcomes, "a file gives at least one article or one error"
        return outcomes


# -- strategies ------------------------------------------------------------------------------

WORDS = st.sampled_from(
    "the port strike entered its third day on Monday , union said ships waited . "
    "Москва заявила Лукашенко Reuters AP ( ) — « » ' \" & < > [/] [bold] \\ \t".split(" ")
)
PROSE = st.lists(WORDS, min_size=0, max_size=80).map(" ".join)
ANY_TEXT = st.text(max_size=300)
JUNK = st.binary(max_size=400)

TAGS = st.sampled_from(
    ["p", "div", "h1", "span", "article", "script", "style", "a", "li", "br", "title"]
)
ATTR = st.tuples(st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True), ANY_TEXT).map(
    lambda kv: f' {kv[0]}="{kv[1]}"'
)


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(TAGS)
        attrs = "".join(draw(st.lists(ATTR, max_size=4)))
        inner = draw(st.one_of(PROSE, ANY_TEXT))
        closing = draw(st.sampled_from([f"</{tag}>", "", "</div></div>", "<!--"]))
        parts.append(f"<{tag}{attrs}>{inner}{closing}")
    head = draw(
        st.sampled_from(
            ["<!doctype html><html><body>", "<html>", "", "<?xml version='1.0'?><html>"]
        )
    )
    return head + "".join(parts)


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), ANY_TEXT, PROSE
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def jsonl_lines(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            record = {"id": draw(ANY_TEXT), "text": draw(PROSE), "title": draw(ANY_TEXT)}
            record.update(
                draw(
                    st.dictionaries(
                        st.sampled_from(["url", "published", "author", "html", "x"]),
                        JSON_VALUES,
                        max_size=3,
                    )
                )
            )
            lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
        elif kind == 1:
            lines.append(json.dumps(draw(JSON_VALUES)))
        elif kind == 2:  # escaped lone surrogates where a scraper's bad slicing leaves them
            escape = draw(st.sampled_from(["\\ud800", "\\udfff", "\\uDBFF", "\\ud83d\\ude00"]))
            lines.append(
                '{"id": "x' + escape + '", "text": "' + draw(PROSE).replace('"', "") + escape + '"}'
            )
        elif kind == 3:
            depth = draw(st.integers(50, 3000))
            lines.append("[" * depth + "]" * draw(st.integers(0, depth)))
        elif kind == 4:
            lines.append(draw(ANY_TEXT).replace("\n", " "))
        else:
            lines.append(draw(st.sampled_from(["[1]", "[]", "{}", "null", '{"text": ""}', ""])))
    return "\n".join(lines)


@st.composite
def feeds(draw: st.DrawFn) -> str:
    items = []
    for i in range(draw(st.integers(0, 4))):
        title = draw(st.one_of(PROSE, ANY_TEXT)).replace("<", "&lt;").replace("&", "&amp;")
        body = draw(st.one_of(PROSE, ANY_TEXT, html_pages()))
        wrapped = draw(
            st.sampled_from(
                [f"<![CDATA[{body}]]>", body.replace("&", "&amp;").replace("<", "&lt;")]
            )
        )
        items.append(
            f"<item><guid>{i}</guid><title>{title}</title><description>{wrapped}</description></item>"
        )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        + "".join(items)
        + "</channel></rss>"
    )
    cut = draw(st.integers(0, len(feed)))
    return feed if draw(st.booleans()) else feed[:cut]


@st.composite
def warcs(draw: st.DrawFn) -> bytes:
    out = b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
    for i in range(draw(st.integers(0, 3))):
        body = draw(html_pages()).encode("utf-8", "replace")
        ctype = draw(
            st.sampled_from(
                ["text/html; charset=utf-8", "text/html; charset=koi8-r", "image/png", "text/html"]
            )
        )
        payload = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n\r\n".encode() + body
        length = len(payload) + draw(st.sampled_from([0, 0, 0, -5, 7, 10**9]))
        out += (
            (
                f"WARC/1.0\r\nWARC-Type: {draw(st.sampled_from(['response', 'resource', 'request']))}\r\n"
                f"WARC-Target-URI: https://x.example/{i}\r\nContent-Length: {length}\r\n\r\n"
            ).encode()
            + payload
            + b"\r\n\r\n"
        )
    return out[: draw(st.integers(0, len(out)))] if draw(st.booleans()) else out


CODECS = st.sampled_from(
    [
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "cp1251",
        "koi8-r",
        "latin-1",
        "cp1252",
        "shift_jis",
    ]
)


# -- one property per reader -------------------------------------------------------------------


@FUZZ
@given(
    st.one_of(PROSE, ANY_TEXT).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([".txt", ".md", ""]),
)
def test_text_files(data: bytes, suffix: str) -> None:
    check_file("page" + suffix, data)


@FUZZ
@given(html_pages(), st.sampled_from([".html", ".htm", ".txt"]))
def test_html_files(page: str, suffix: str) -> None:
    check_file("page" + suffix, page.encode("utf-8", "replace"))


@FUZZ
@given(jsonl_lines(), st.sampled_from([".jsonl", ".ndjson", ".json"]))
def test_jsonl_files(text: str, suffix: str) -> None:
    check_file("records" + suffix, text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(feeds(), st.sampled_from([".rss", ".xml", ".atom"]))
def test_feed_files(feed: str, suffix: str) -> None:
    check_file("feed" + suffix, feed.encode("utf-8", "replace"))


@FUZZ
@given(warcs())
def test_warc_files(data: bytes) -> None:
    check_file("crawl.warc", data)


@FUZZ
@given(
    st.one_of(jsonl_lines(), html_pages(), PROSE),
    st.sampled_from([".jsonl.gz", ".html.gz", ".txt.gz", ".gz"]),
    st.data(),
)
def test_gzip_files_whole_or_cut(text: str, suffix: str, data: st.DataObject) -> None:
    packed = gzip.compress(text.encode("utf-8", "surrogatepass"))
    cut = data.draw(st.sampled_from([len(packed), len(packed) // 2, 12, len(packed) - 4]))
    check_file("file" + suffix, packed[: max(1, cut)])


@FUZZ
@given(st.one_of(PROSE, ANY_TEXT), CODECS, st.sampled_from([".txt", ".html", ".jsonl"]))
def test_encodings(text: str, codec: str, suffix: str) -> None:
    body = json.dumps({"id": "e", "text": text}, ensure_ascii=False) if suffix == ".jsonl" else text
    check_file("enc" + suffix, body.encode(codec, errors="replace"))


@FUZZ
@given(JUNK, st.sampled_from([".txt", ".html", ".jsonl", ".json", ".rss", ".warc", ".gz", ".bin"]))
def test_junk_bytes(data: bytes, suffix: str) -> None:
    if data:
        check_file("junk" + suffix, data)


# -- the hostile corpus through the real CLI -------------------------------------------------------


def test_hostile_corpus_through_the_cli(tmp_path: Path) -> None:
    corpus = tmp_path / "hostile"
    made = make_corpus(corpus, 60, seed=7)
    db = tmp_path / "fuzz.db"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wiretrace",
            "--db",
            str(db),
            "ingest",
            "--no-stories",
            "--json",
            "--doc-timeout",
            "20",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 1, proc.stderr[-3000:]  # some inputs failed, nothing crashed
    assert "Traceback" not in proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["new"] > 0 and summary["failed"] > 0
    codes = {e["code"] for e in summary["errors"]}
    assert "E299" not in codes, [e for e in summary["errors"] if e["code"] == "E299"]
    assert all(e["path"] for e in summary["errors"])
    # every special file and every failing kind is one line, never the end of the run
    assert summary["new"] + summary["failed"] >= sum(made.values()) * 0.9
