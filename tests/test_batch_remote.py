"""Inputs of ``wiretrace batch`` given as URIs (``s3://``, ``gs://``, ... through pyarrow
filesystems): tested with ``file://`` URIs, which take the same code path (``from_uri``, a
``FileSelector`` listing, a pyarrow input file into the local readers), and with URIs that
cannot work here, which must fail fast with a named error and never reach a network."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from wiretrace.batch.dataset import Dataset
from wiretrace.batch.remote import is_uri, read_uri, walk_uri
from wiretrace.batch.run import _plan
from wiretrace.batch.work import extract_unit
from wiretrace.errors import RemoteSourceError, WiretraceError
from wiretrace.records import RawDocument
from wiretrace.sources import DEFAULT_MAX_BYTES, read_file
from wiretrace.sources.discover import walk


def _records(n: int, prefix: str) -> str:
    return "".join(json.dumps({
        "id": f"{prefix}-{i}", "title": f"Ferry service {i} resumes",
        "text": f"The ferry line number {i} resumed service on Monday after repairs, the "
                "operator said.", "published": f"2025-04-0{1 + i % 5}T08:00:00Z",
    }) + "\n" for i in range(n))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder of inputs: JSONL, gzipped JSONL with a bad line, a page as text, litter."""
    root = tmp_path / "in"
    (root / "feeds" / "2025").mkdir(parents=True)
    (root / "feeds" / "a.jsonl").write_text(_records(3, "a"), encoding="utf-8")
    bad = _records(2, "b") + '{"id": "b-broken", "text": \n'
    (root / "feeds" / "2025" / "b.jsonl.gz").write_bytes(gzip.compress(bad.encode()))
    (root / "page.txt").write_text("Ferries resume\n\nThe ferry line resumed service on "
                                   "Monday after two weeks of repairs, the operator said.\n",
                                   encoding="utf-8")
    (root / ".hidden.jsonl").write_text(_records(1, "h"), encoding="utf-8")
    (root / "empty.jsonl").write_bytes(b"")
    return root


def _uri(path: Path) -> str:
    return path.resolve().as_uri()


def _docs(items: Iterable[RawDocument | WiretraceError]) -> list[tuple[object, ...]]:
    """What a reader gave, without the path it names (a local path or a URI)."""
    out: list[tuple[object, ...]] = []
    for item in items:
        if isinstance(item, RawDocument):
            out.append(("doc", item.id, item.kind, item.text, item.html, item.raw_bytes,
                        item.fields))
        else:
            assert isinstance(item, WiretraceError)
            out.append(("error", item.code, item.message))
    return out


def test_a_folder_uri_lists_the_files_a_local_folder_does(tree: Path) -> None:
    local = [(p.relative_to(tree).as_posix(), base) for p, base in
             (i for i in walk([str(tree)]) if not isinstance(i, WiretraceError))]
    remote = [i for i in walk_uri(_uri(tree))]
    assert all(not isinstance(i, WiretraceError) for i in remote)
    assert [(u[len(_uri(tree)) + 1 :], base) for u, base in remote] == local  # type: ignore[index]
    assert ".hidden.jsonl" not in {base for _, base in local}


def test_globs_and_single_files_by_uri(tree: Path) -> None:
    found = list(walk_uri(_uri(tree) + "/**/*.jsonl*"))
    assert [base for _, base in found] == ["empty.jsonl", "feeds/2025/b.jsonl.gz",  # type: ignore[misc]
                                          "feeds/a.jsonl"]
    found = list(walk_uri(_uri(tree) + "/feeds/*.jsonl"))
    assert [base for _, base in found] == ["a.jsonl"]  # type: ignore[misc]
    one = list(walk_uri(_uri(tree / "page.txt")))
    assert one == [(_uri(tree / "page.txt"), "page.txt")]
    missing = list(walk_uri(_uri(tree) + "/nothing-*.jsonl"))
    assert len(missing) == 1 and isinstance(missing[0], RemoteSourceError)
    assert missing[0].code == "E111" and "matched no files" in missing[0].message


@pytest.mark.parametrize("name", ["feeds/a.jsonl", "feeds/2025/b.jsonl.gz", "page.txt",
                                  "empty.jsonl"])
def test_a_file_read_by_uri_gives_what_the_local_reader_gives(tree: Path, name: str) -> None:
    path = tree / name
    local = _docs(read_file(path, name, max_bytes=DEFAULT_MAX_BYTES))
    remote = _docs(read_uri(_uri(path), name, max_bytes=DEFAULT_MAX_BYTES))
    assert remote == local and local
    docs = [d for d in read_uri(_uri(path), name, max_bytes=DEFAULT_MAX_BYTES)
            if isinstance(d, RawDocument)]
    assert all(d.source_path.startswith(_uri(path)) for d in docs)  # named by their URI


def test_a_unit_of_uris_extracts_as_the_same_local_files(tree: Path, tmp_path: Path) -> None:
    """The extraction task itself (no Ray needed): local paths and their URIs, same rows."""
    rows = {}
    for kind, given in (("local", str(tree)), ("uri", _uri(tree))):
        ds = Dataset(tmp_path / kind)
        plan = _plan(ds, [given], files_per_unit=100)
        unit = plan["units"][0]
        extract_unit(str(ds.root), unit["name"], unit["files"], max_bytes=DEFAULT_MAX_BYTES)
        articles = list(ds.read_rows_file(ds.work_dir("extract") / f"{unit['name']}.parquet",
                                          "articles", columns=["id", "title", "text",
                                                               "content_hash"]))
        errors = list(ds.read_rows_file(
            ds.work_dir("extract-errors") / f"{unit['name']}.parquet", "errors",
            columns=["code", "message", "file_seq", "doc_seq"]))
        rows[kind] = (articles, errors)
    assert rows["uri"] == rows["local"]
    articles, errors = rows["local"]
    assert {a["id"] for a in articles} >= {"a-0", "a-1", "a-2", "b-0", "b-1"}
    assert {e["code"] for e in errors} == {"E101", "E106"}  # the empty file, the broken line


def test_uris_that_cannot_work_here_are_named_errors_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # no credential lookup on the network (instance metadata), no endpoint but a closed port
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with socket_closed_port() as port:
        unreachable = f"s3://bucket/feeds/?endpoint_override=127.0.0.1:{port}&scheme=http"
        # in a batch plan: an error row among the other inputs, which go on
        ds = Dataset(tmp_path / "ds")
        (tmp_path / "ok.jsonl").write_text(_records(1, "ok"), encoding="utf-8")
        plan = _plan(ds, [unreachable, "nosuch://host/feeds/", str(tmp_path / "ok.jsonl")],
                     files_per_unit=8)
    assert [(e["path"], e["code"]) for e in plan["errors"]] == [
        (unreachable, "E111"), ("nosuch://host/feeds/", "E111")]
    assert "cannot list" in plan["errors"][0]["message"]
    assert "Could not connect" in plan["errors"][0]["message"]  # pyarrow's reason, kept
    assert "not a URI pyarrow can open" in plan["errors"][1]["message"]
    assert [f[1] for u in plan["units"] for f in u["files"]] == ["ok.jsonl"]
    assert plan["inputs"][0] == unreachable and is_uri(unreachable)

    # a worker handed a file it cannot open reports it as the file's error row
    read = list(read_uri("nosuch://host/feeds/a.jsonl", "a.jsonl", max_bytes=1000))
    assert len(read) == 1 and isinstance(read[0], RemoteSourceError) and read[0].code == "E111"


class socket_closed_port:  # noqa: N801 - used as a context manager
    """A local port nothing listens on (bound, then released)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None
