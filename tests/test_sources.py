"""Reading every input format: ids, fields, encodings, and problems reported without stopping."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from wiretrace.errors import (
    BinarySourceError,
    CorruptArchiveError,
    DuplicateIdError,
    EmptySourceError,
    MalformedRecordError,
    MalformedSourceError,
    NotRegularFileError,
    SourceError,
    TooLargeError,
)
from wiretrace.records import RawDocument
from wiretrace.sources import discover, iter_documents
from wiretrace.sources.encoding import decode_bytes, plausibility

SOURCES = Path(__file__).resolve().parent / "fixtures" / "sources"
EXPECTED_DECODINGS = json.loads((SOURCES / "encodings-expected.json").read_text("utf-8"))


def read_all(*paths: str | Path, **kwargs) -> tuple[list[RawDocument], list[SourceError]]:
    docs: list[RawDocument] = []
    errors: list[SourceError] = []
    for item in iter_documents([str(p) for p in paths], **kwargs):
        (errors if isinstance(item, SourceError) else docs).append(item)
    return docs, errors


def body(doc: RawDocument) -> str:
    return doc.html if doc.html is not None else doc.text or ""


# --- formats ---------------------------------------------------------------------------------


def test_text_and_html_pages_keep_kind_and_bytes():
    docs, errors = read_all(SOURCES / "pages")
    assert errors == []
    by_id = {d.id: d for d in docs}
    assert set(by_id) == {
        "broken-markup.htm",
        "copied-page.txt",
        "harbour-strike.html",
        "saved-as-text-but-html.txt",
    }
    assert by_id["copied-page.txt"].kind == "text"
    assert "INNSBRUCK, Austria (Reuters)" in by_id["copied-page.txt"].text
    assert by_id["harbour-strike.html"].kind == "html"
    assert "Europe’s two largest ports" in by_id["harbour-strike.html"].html
    # HTML saved under a .txt name is sniffed as HTML; broken markup is still read whole
    assert by_id["saved-as-text-but-html.txt"].kind == "html"
    broken = by_id["broken-markup.htm"]
    assert broken.kind == "html" and "Pendler müssen mit Ausfällen rechnen" in broken.html
    for doc in docs:
        assert doc.raw_bytes == (SOURCES / "pages" / doc.id).read_bytes()


def test_jsonl_records_fields_and_a_broken_line_in_the_middle():
    path = SOURCES / "records" / "wire.jsonl"
    docs, errors = read_all(path)
    by_id = {d.id: d for d in docs}
    assert list(by_id) == [
        "courier-1001",
        "dnevnik-77",
        "4004",
        "wire.jsonl#https://courier.example/no-id",
    ]
    first = by_id["courier-1001"]
    assert first.kind == "record" and first.text.startswith("ROTTERDAM (Reuters)")
    assert first.fields["outlet"] == "Coastal Courier"
    assert first.fields["published"] == "2025-10-14T08:30:00+02:00"
    assert first.fields["section"] == "World" and first.fields["tags"] == ["labour", "ports"]
    lines = path.read_bytes().splitlines()
    assert first.raw_bytes == lines[0]
    assert by_id["dnevnik-77"].html.startswith("<p>Минск") and by_id["dnevnik-77"].text is None
    aliased = by_id["4004"]  # news-API style names, an outlet object, an author list, epoch time
    assert aliased.fields["title"] == "Streik bei der Bahn"
    assert aliased.fields["outlet"] == "Tagesbote"
    assert aliased.fields["author"] == "Jana Krüger, Olaf Brandt"
    assert aliased.fields["published"].startswith("2025-10-16T08:00:00")
    assert [type(e) for e in errors] == [MalformedRecordError, MalformedRecordError]
    assert str(errors[0]).startswith(f"{path}:3:") and "invalid JSON" in str(errors[0])
    assert errors[1].path == f"{path}:5" and "no text or html" in errors[1].message


def test_json_array_and_api_response():
    docs, errors = read_all(
        SOURCES / "records" / "array.json", SOURCES / "records" / "api-response.json"
    )
    assert errors == []
    ids = [d.id for d in docs]
    assert ids == [
        "arr-1",
        "arr-2",
        "api-response.json#https://kyivmorning.example/grid",
        "api-response.json#https://kyivmorning.example/uk/grid",
    ]
    assert docs[1].text.startswith("Хелзинки.")
    assert json.loads(docs[1].raw_bytes)["id"] == "arr-2"
    assert docs[3].fields["outlet"] == "Kyiv Morning" and "author" not in docs[3].fields


def test_rss_items_with_fields_and_ids():
    path = SOURCES / "feeds" / "world.rss"
    docs, errors = read_all(path)
    assert [d.id for d in docs] == [
        "world.rss#ledger-88213",
        "world.rss#https://ledger.example/world/floods-passes",
    ]
    strike, floods = docs
    assert strike.html.startswith("<p>ROTTERDAM (Reuters)")  # content:encoded beats description
    assert strike.fields["summary"] == "Dock workers in Rotterdam\xa0stay out."
    assert strike.fields["author"] == "Maren Holt"  # dc:creator
    assert strike.fields["published"] == "2025-10-14T08:30:00+02:00"
    assert strike.fields["url"] == "https://ledger.example/world/port-strike-talks"
    assert floods.fields["author"] == "Ines Varga"  # "email (Name)"
    assert floods.html == "<p>Heavy rain closed three Alpine passes overnight, police said.</p>"
    assert len(errors) == 1 and isinstance(errors[0], MalformedRecordError)
    assert "headline-only" in errors[0].message


def test_atom_entries_and_broken_feed():
    docs, errors = read_all(SOURCES / "feeds" / "bg-news.atom", SOURCES / "feeds" / "broken.xml")
    assert [d.id for d in docs] == [
        "bg-news.atom#urn:dneshni:4471",
        "bg-news.atom#https://dneshni.example/bg/belejka",
    ]
    entry, note = docs
    assert entry.fields["published"] == "2025-10-17T17:16:00+03:00"
    assert entry.fields["updated"] == "2025-10-17T18:02:00+03:00"
    assert entry.fields["author"] == "Пламена Иванова" and entry.fields["language"] == "bg"
    assert note.fields["published"] == "2025-10-18T09:00:00+03:00"  # only <updated> given
    assert note.text == "Общинският съвет заседава в понеделник." and note.html is None
    assert len(errors) == 1 and isinstance(errors[0], MalformedSourceError)
    assert errors[0].path.endswith("broken.xml") and "line" in errors[0].message


def test_warc_responses_only_html_with_http_charset_and_crawl_date():
    docs, errors = read_all(SOURCES / "crawl")
    assert errors == []
    assert [d.id for d in docs] == [
        "crawl.warc.gz#https://courier.example/strike",
        "crawl.warc.gz#https://novosti.example/minsk",
        "crawl.warc.gz#https://tagesbote.example/koeln",
    ]
    strike, minsk, koeln = docs
    assert strike.fields["url"] == "https://courier.example/strike"
    assert strike.fields["crawled"] == "2025-10-18T06:00:00Z" and "published" not in strike.fields
    assert "Минск заявил" in minsk.html and minsk.encoding == "cp1251"  # charset only in HTTP
    assert "Straßenbahnfahrer" in koeln.html  # Content-Encoding: gzip payload
    assert koeln.raw_bytes.startswith(b"<html>")


@pytest.mark.parametrize(
    "relative",
    [
        "pages/copied-page.txt",
        "pages/harbour-strike.html",
        "records/wire.jsonl",
        "records/array.json",
        "feeds/world.rss",
        "feeds/bg-news.atom",
        "encodings/ru.koi8-r.txt",
    ],
)
def test_gzip_of_each_format_reads_the_same(tmp_path, relative):
    original = SOURCES / relative
    packed = tmp_path / (original.name + ".gz")
    packed.write_bytes(gzip.compress(original.read_bytes()))
    plain_docs, plain_errors = read_all(original)
    gz_docs, gz_errors = read_all(packed)
    assert [body(d) for d in gz_docs] == [body(d) for d in plain_docs]
    assert [d.id.replace(packed.name, original.name) for d in gz_docs] == [d.id for d in plain_docs]
    assert [e.message for e in gz_errors] == [e.message for e in plain_errors]


def test_gzip_under_a_misleading_name_and_jsonl_named_json(tmp_path):
    misnamed = tmp_path / "export.html"  # gzip-compressed JSONL, named as a page
    misnamed.write_bytes(gzip.compress((SOURCES / "records" / "wire.jsonl").read_bytes()))
    docs, _ = read_all(misnamed)
    assert [d.id for d in docs][:2] == ["courier-1001", "dnevnik-77"]
    lines = tmp_path / "lines.json"
    lines.write_text('{"id": "x1", "text": "one"}\n{"id": "x2", "text": "two"}\n', "utf-8")
    docs, errors = read_all(lines)
    assert [d.id for d in docs] == ["x1", "x2"] and errors == []


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED_DECODINGS))
def test_encodings_decode_to_the_right_letters(name):
    docs, errors = read_all(SOURCES / "encodings" / name)
    assert errors == [] and len(docs) == 1
    assert body(docs[0]) == EXPECTED_DECODINGS[name]


def test_encoding_notes_say_what_was_guessed_or_repaired():
    docs, _ = read_all(
        SOURCES / "encodings" / "ru.cp1251.txt",
        SOURCES / "encodings" / "mojibake-ru.txt",
        SOURCES / "encodings" / "mojibake-de.txt",
        SOURCES / "encodings" / "de-declared-latin1-but-utf8.html",
    )
    notes = {d.id: d.notes for d in docs}
    assert "decoded as cp1251" in notes["ru.cp1251.txt"]
    assert "repaired mojibake" in notes["mojibake-ru.txt"]
    assert "repaired mojibake" in notes["mojibake-de.txt"]
    assert any("bytes are UTF-8" in n for n in notes["de-declared-latin1-but-utf8.html"])


def test_clean_text_is_left_alone():
    for text in ["Привет, мир.", "Größe, Straße, Café", "Plain ASCII only.", "Їжак і ґава"]:
        decoded = decode_bytes(text.encode("utf-8"))
        assert decoded.text == text and decoded.notes == []


def test_plausibility_prefers_the_right_cyrillic_decoding():
    raw = "Министърът подаде оставка".encode("koi8_r")
    right, wrong = raw.decode("koi8_r"), raw.decode("cp1251")
    assert plausibility(right) > plausibility(wrong) + 0.3


def test_invalid_utf8_inside_utf8_text_is_replaced_with_a_note(tmp_path):
    path = tmp_path / "mostly.txt"
    path.write_bytes("Ценová politika — München, Zürich, Kraków. ".encode() * 3 + b"\xff end")
    docs, errors = read_all(path)
    assert errors == []
    assert "\ufffd" in docs[0].text and "München" in docs[0].text
    assert any("invalid UTF-8" in n for n in docs[0].notes)


# --- ids and discovery -----------------------------------------------------------------------


def _tree(root: Path) -> None:
    (root / "ru" / "2025").mkdir(parents=True)
    (root / "en").mkdir()
    (root / ".git").mkdir()
    (root / "ru" / "2025" / "a.html").write_text("<html><p>Текст</p></html>", "utf-8")
    (root / "en" / "b.txt").write_text("Body text of b.", "utf-8")
    (root / "en" / "c.html").write_text("<html><p>c</p></html>", "utf-8")
    (root / "en" / "c.html~").write_text("backup", "utf-8")
    (root / "en" / ".#c.html").write_text("lock", "utf-8")
    (root / "en" / ".c.html.swp").write_text("swap", "utf-8")
    (root / ".git" / "config").write_text("[core]", "utf-8")


def test_ids_for_file_folder_and_glob(tmp_path, monkeypatch):
    _tree(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert [rel for _, rel in discover(["data"])] == ["en/b.txt", "en/c.html", "ru/2025/a.html"]
    assert [rel for _, rel in discover(["data/en/b.txt"])] == ["b.txt"]
    assert [rel for _, rel in discover(["data/**/*.html"])] == ["en/c.html", "ru/2025/a.html"]
    assert [rel for _, rel in discover(["data/ru"])] == ["2025/a.html"]
    docs, errors = read_all("data/**/*.html")
    assert [d.id for d in docs] == ["en/c.html", "ru/2025/a.html"] and errors == []


def test_discover_is_deterministic_dedupes_and_reports_missing(tmp_path):
    _tree(tmp_path / "data")
    root = str(tmp_path / "data")
    first = discover([root, root + "/en/b.txt"])
    assert first == discover([root])  # b.txt is already in the folder
    problems: list[SourceError] = []
    assert discover([str(tmp_path / "nope"), str(tmp_path / "*.none")], errors=problems) == []
    assert [p.message for p in problems] == ["no such file or folder", "pattern matched no files"]


# --- problems --------------------------------------------------------------------------------


def test_empty_whitespace_and_binary_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.html").write_bytes(b"  \n\t\r\n  ")
    (tmp_path / "photo.jpg.txt").write_bytes(
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))
    )
    (tmp_path / "report.html").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    (tmp_path / "dump.jsonl").write_bytes(b"\x00\x01\x02\x03" * 64)
    docs, errors = read_all(tmp_path)
    assert docs == []
    kinds = {Path(e.path).name: type(e) for e in errors}
    assert kinds == {
        "blank.html": EmptySourceError,
        "dump.jsonl": BinarySourceError,
        "empty.txt": EmptySourceError,
        "photo.jpg.txt": BinarySourceError,
        "report.html": BinarySourceError,
    }
    assert "PDF" in next(e.message for e in errors if e.path.endswith("report.html"))


def test_truncated_gzip_single_document(tmp_path):
    data = gzip.compress(("Статья о выборах. " * 400).encode("utf-8"))
    (tmp_path / "cut.txt.gz").write_bytes(data[: len(data) // 2])
    docs, errors = read_all(tmp_path / "cut.txt.gz")
    assert docs == [] and len(errors) == 1 and isinstance(errors[0], CorruptArchiveError)


def test_truncated_gzip_jsonl_keeps_records_before_the_break(tmp_path):
    lines = [
        json.dumps({"id": f"r{i}", "text": f"Record {i}: " + "x" * (i * 37 % 500)})
        for i in range(400)
    ]
    data = gzip.compress("\n".join(lines).encode("utf-8"))
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: int(len(data) * 0.6)])
    docs, errors = read_all(tmp_path / "cut.jsonl.gz")
    assert 100 < len(docs) < 400
    assert [d.id for d in docs] == [f"r{i}" for i in range(len(docs))]
    assert len(errors) == 1 and isinstance(errors[0], CorruptArchiveError)


def test_truncated_warc_keeps_records_before_the_break(tmp_path):
    data = (SOURCES / "crawl" / "crawl.warc.gz").read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data[: int(len(data) * 0.8)])
    docs, errors = read_all(tmp_path / "cut.warc.gz")
    assert [d.id for d in docs] == [
        "cut.warc.gz#https://courier.example/strike",
        "cut.warc.gz#https://novosti.example/minsk",
    ]
    assert len(errors) == 1 and isinstance(errors[0], CorruptArchiveError)
    raw = gzip.decompress(data)
    (tmp_path / "cut.warc").write_bytes(raw[: len(raw) - 40])  # uncompressed, last block short
    docs, errors = read_all(tmp_path / "cut.warc")
    assert len(docs) == 2 and isinstance(errors[0], CorruptArchiveError)


def test_fifo_is_reported_without_blocking(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_text("Still read.", "utf-8")
    docs, errors = read_all(tmp_path)
    assert [d.id for d in docs] == ["ok.txt"]
    assert len(errors) == 1 and isinstance(errors[0], NotRegularFileError)


_LIST_ERRORS = """
import json, sys
from wiretrace.sources import iter_documents
out = []
for item in iter_documents([sys.argv[1]]):
    out.append([type(item).__name__, getattr(item, "id", None) or item.path])
print(json.dumps(out))
"""


def _run_without_file_permission_override(folder: Path) -> list[list[str]]:
    """Read ``folder`` in a process that file permissions apply to, even when we are root.

    Root ignores chmod through the DAC override capabilities; dropping them (setpriv) makes
    the kernel enforce permissions exactly as for an ordinary user.
    """
    command = [sys.executable, "-c", _LIST_ERRORS, str(folder)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        caps = "-dac_override,-dac_read_search"
        command = [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", *command]
    repo = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": repo + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    if result.returncode != 0 and "setpriv" in result.stderr:
        pytest.skip(f"setpriv not permitted here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_unreadable_file_and_folder_are_reported(tmp_path):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("secret", "utf-8")
    (tmp_path / "private.txt").write_text("secret", "utf-8")
    (tmp_path / "open.txt").write_text("public", "utf-8")
    os.chmod(tmp_path / "private.txt", 0)
    os.chmod(tmp_path / "locked", 0)
    try:
        seen = _run_without_file_permission_override(tmp_path)
    finally:
        os.chmod(tmp_path / "locked", stat.S_IRWXU)
        os.chmod(tmp_path / "private.txt", stat.S_IRUSR | stat.S_IWUSR)
    assert ["RawDocument", "open.txt"] in seen
    denied = sorted(Path(path).name for kind, path in seen if kind == "PermissionDeniedError")
    assert denied == ["locked", "private.txt"]
    assert len(seen) == 3


def test_duplicate_ids(tmp_path):
    for folder, text in (("a", "Same story."), ("b", "Same story."), ("c", "A different story.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(text, "utf-8")
    docs, errors = read_all(tmp_path / "a", tmp_path / "b")
    assert [d.id for d in docs] == ["story.txt"] and errors == []  # identical: silently skipped
    docs, errors = read_all(tmp_path / "a", tmp_path / "c")
    assert [d.id for d in docs] == ["story.txt"]
    assert len(errors) == 1 and isinstance(errors[0], DuplicateIdError)
    assert errors[0].path == str(tmp_path / "c" / "story.txt")


# --- size ------------------------------------------------------------------------------------


def test_large_single_page_is_refused_without_reading(tmp_path):
    big = tmp_path / "huge.html"
    with open(big, "wb") as handle:
        handle.write(b"<html><body><p>start</p>")
        handle.truncate(200_000_000)  # sparse: instant to create, 200 MB to read
    started = time.perf_counter()
    docs, errors = read_all(big)
    assert docs == [] and isinstance(errors[0], TooLargeError)
    assert time.perf_counter() - started < 1.0
    small = tmp_path / "small.txt.gz"
    small.write_bytes(gzip.compress(b"word " * 50_000))
    _, errors = read_all(small, max_bytes=100_000)  # limit applies after decompression
    assert isinstance(errors[0], TooLargeError)


def test_200mb_jsonl_is_streamed_in_bounded_memory(tmp_path):
    path = tmp_path / "big.jsonl"
    filler = "Ports reopened after the strike ended. " * 26_000  # ~1 MB of text a record
    records = 200
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(records):
            handle.write(json.dumps({"id": f"big-{i}", "text": f"{i} {filler}"}) + "\n")
    size = path.stat().st_size
    assert size > 200_000_000
    count = 0
    tracemalloc.start()
    try:
        for item in iter_documents([str(path)]):
            assert isinstance(item, RawDocument)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == records
    assert peak < size / 10, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"


def test_oversized_jsonl_line_is_skipped_and_the_rest_read(tmp_path):
    path = tmp_path / "mixed.jsonl"
    long_line = json.dumps({"id": "long", "text": "y" * 5000})
    path.write_text(f'{{"id": "s1", "text": "short"}}\n{long_line}\n{{"id": "s2", "text": "ok"}}\n')
    docs, errors = read_all(path, max_bytes=1000)
    assert [d.id for d in docs] == ["s1", "s2"]
    assert isinstance(errors[0], TooLargeError) and errors[0].path.endswith(":2")


def test_fixture_folder_reads_without_surprises(tmp_path):
    """The whole fixture tree in one run: only the deliberately broken inputs fail."""
    for part in ("pages", "records", "feeds", "crawl", "encodings"):
        shutil.copytree(SOURCES / part, tmp_path / "src" / part)
    docs, errors = read_all(tmp_path / "src")
    assert len(docs) >= 30
    assert len({d.id for d in docs}) == len(docs)
    assert sorted(type(e).__name__ for e in errors) == [
        "MalformedRecordError",  # wire.jsonl line 3
        "MalformedRecordError",  # wire.jsonl line 5
        "MalformedRecordError",  # world.rss headline-only item
        "MalformedSourceError",  # broken.xml
    ]


def test_sniffing_beats_misleading_names(tmp_path):
    (tmp_path / "braces.txt").write_text("{Update} Talks resumed on Friday in Geneva.", "utf-8")
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>', "utf-8"
    )
    (tmp_path / "article-8812").write_text("<html><body><p>No extension.</p></body></html>")
    (tmp_path / "bom.txt").write_bytes("\ufeffЗаголовок\n\nТекст статьи.".encode())
    (tmp_path / "paras.jsonl").write_text(
        json.dumps({"id": "p1", "text": ["First paragraph.", " ", "Second paragraph."]}) + "\n"
    )
    docs, errors = read_all(tmp_path)
    by_id = {d.id: d for d in docs}
    assert by_id["braces.txt"].kind == "text"
    assert by_id["article-8812"].kind == "html"
    assert by_id["bom.txt"].text == "Заголовок\n\nТекст статьи."
    assert by_id["p1"].text == "First paragraph.\n\nSecond paragraph."
    assert len(errors) == 1 and isinstance(errors[0], MalformedSourceError)
    assert errors[0].path.endswith("sitemap.xml")


def test_utf16_jsonl_from_a_windows_export(tmp_path):
    lines = '{"id": "u1", "text": "Привет из Windows"}\r\n{"id": "u2", "text": "Второй"}\r\n'
    (tmp_path / "export.jsonl").write_bytes(lines.encode("utf-16"))
    docs, errors = read_all(tmp_path / "export.jsonl")
    assert errors == [] and [d.text for d in docs] == ["Привет из Windows", "Второй"]
    assert docs[1].raw_bytes.decode(docs[1].encoding) == '{"id": "u2", "text": "Второй"}'
