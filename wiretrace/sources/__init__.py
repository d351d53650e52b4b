"""Sources: read every input format users bring and yield :class:`RawDocument` records.

``iter_documents(paths)`` expands files, folders and globs (:func:`discover`), opens each
file (gzip or not, whatever its name says), decides its format from the name and the first
bytes, and hands it to the reader for that format: ``text``, ``html``, ``jsonl`` (also plain
JSON), ``feeds`` (RSS/Atom) or ``warc``. Problems never stop a run: each is yielded as a
:class:`~wiretrace.errors.SourceError` with ``.path`` set and a one-line reason, and the
next document follows.
"""

from __future__ import annotations

import hashlib
import io
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from ..errors import (
    BinarySourceError,
    CorruptArchiveError,
    DuplicateIdError,
    EmptySourceError,
    MalformedSourceError,
    NotRegularFileError,
    PermissionDeniedError,
    SourceError,
    TooLargeError,
)
from ..records import RawDocument
from .discover import discover, walk
from .encoding import binary_reason, decode_bytes
from .feeds import read_feed
from .html import read_html
from .jsonl import read_json, read_jsonl
from .reader import (
    HEAD_SIZE,
    GzipSource,
    HeadReader,
    open_stream,
    read_head,
    read_limited,
    sniff_format,
    strip_gz,
)
from .text import read_text
from .warc import read_warc

__all__ = ["decode_bytes", "discover", "iter_documents", "read_file", "read_stream"]

DEFAULT_MAX_BYTES = 100_000_000


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _blank(head: bytes) -> bool:
    """Whitespace only, in UTF-8 or (with its byte-order mark) UTF-16."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return not head[2:].decode(codec, errors="replace").strip()
    return not head.removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n\x0b\x0c")


def _content_key(doc: RawDocument) -> bytes:
    """What makes two documents with one id "the same": their kind and body.

    Metadata is left out on purpose: the same article re-exported with a fresher crawl time
    or a reordered field list is still the same article.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(doc.kind.encode())
    digest.update(b"\x00")
    digest.update((doc.html if doc.html is not None else doc.text or "").encode("utf-8", "replace"))
    return digest.digest()


def _os_error(exc: OSError, action: str, source_path: str) -> SourceError:
    """The one-line error for a failed system call on ``source_path``."""
    if isinstance(exc, PermissionError):
        return PermissionDeniedError("permission denied", path=source_path)
    return SourceError(f"{action}: {exc.strerror or exc}", path=source_path)


def read_file(
    path: Path, base_id: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | SourceError]:
    """Every document in one file, with problems yielded, not raised."""
    source_path = str(path)
    try:
        info = path.stat()
    except OSError as exc:
        yield _os_error(exc, "cannot read", source_path)
        return
    if not stat.S_ISREG(info.st_mode):
        yield NotRegularFileError(f"{_file_kind(info.st_mode)}, not a file", path=source_path)
        return
    if info.st_size == 0:
        yield EmptySourceError("empty file", path=source_path)
        return
    try:
        stream, gz = open_stream(path)
    except OSError as exc:
        yield _os_error(exc, "cannot open", source_path)
        return
    with stream:
        try:
            for item in read_stream(stream, gz, path, base_id, info.st_size, max_bytes):
                if gz is not None and gz.error is not None:
                    # past the break: keep whole records, drop errors that only echo it
                    if isinstance(item, RawDocument):
                        yield item
                    continue
                yield item
        except OSError as exc:
            yield _os_error(exc, "read failed", source_path)
            return
        except (ValueError, TypeError, RecursionError, MemoryError, LookupError) as exc:
            # a reader tripped over input nobody anticipated: report it, keep the run going
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
            yield SourceError(f"could not read ({reason})", path=source_path)
            return
        if gz is not None and gz.error is not None:
            yield CorruptArchiveError(
                f"truncated or damaged gzip data ({gz.error})", path=source_path
            )


def read_stream(
    stream: BinaryIO, gz: GzipSource | None, path: Path, base_id: str, size: int, max_bytes: int
) -> Iterator[RawDocument | SourceError]:
    """Every document in an open ``stream`` (``gz``: its gzip layer, if any), with problems
    yielded: the format is sniffed from ``path``'s name and the first bytes, ``size`` is the
    stored size. Shared by local files (:func:`read_file`) and remote ones (``batch.remote``),
    which open their streams differently."""
    source_path = str(path)
    compressed = gz is not None
    head = read_head(stream)
    if len(head) < HEAD_SIZE and _blank(head):
        yield EmptySourceError("empty or whitespace-only file", path=source_path)
        return
    name = strip_gz(path.name) if compressed else path.name
    fmt = sniff_format(name, head)
    single = fmt in ("text", "html", "feed")
    if single and not compressed and size > max_bytes:
        yield TooLargeError(f"{size} bytes, more than the {max_bytes} allowed", path=source_path)
        return
    reason = binary_reason(head) if fmt != "warc" else None  # WARCs hold images too
    if reason:
        yield BinarySourceError(reason, path=source_path)
        return
    body: BinaryIO = io.BufferedReader(HeadReader(head, stream), buffer_size=1 << 20)
    # Closed here, not left to the garbage collector: an exception raised while a finalizer
    # closes it is dropped silently, and a Ctrl-C landing there would be lost.
    with body:
        yield from _read_body(body, head, gz, fmt, base_id, source_path, max_bytes)


def _read_body(
    body: BinaryIO,
    head: bytes,
    gz: GzipSource | None,
    fmt: str,
    base_id: str,
    source_path: str,
    max_bytes: int,
) -> Iterator[RawDocument | SourceError]:
    """The documents of a stream whose format :func:`read_stream` has sniffed."""
    if fmt == "jsonl":
        yield from read_jsonl(
            body, base_id=base_id, source_path=source_path, max_bytes=max_bytes, head=head
        )
        return
    if fmt == "json":
        yield from read_json(
            body, base_id=base_id, source_path=source_path, max_bytes=max_bytes, head=head
        )
        return
    if fmt == "warc":
        yield from read_warc(body, base_id=base_id, source_path=source_path, max_bytes=max_bytes)
        return
    if fmt == "xml":
        yield MalformedSourceError(
            "XML but not an RSS or Atom feed; nothing to read", path=source_path
        )
        return
    data = read_limited(body, max_bytes)
    if gz is not None and gz.error is not None:
        return  # a cut single document is not a document; the caller reports the break
    if len(data) > max_bytes:
        yield TooLargeError(
            f"more than the {max_bytes} bytes allowed once decompressed", path=source_path
        )
        return
    if _blank(data):
        yield EmptySourceError("empty or whitespace-only file", path=source_path)
        return
    if fmt == "feed":
        yield from read_feed(data, base_id=base_id, source_path=source_path)
    elif fmt == "html":
        yield read_html(data, doc_id=base_id, source_path=source_path)
    else:
        yield read_text(data, doc_id=base_id, source_path=source_path)


def iter_documents(
    paths: Sequence[str], *, max_bytes: int = DEFAULT_MAX_BYTES, exclude: Sequence[str] = ()
) -> Iterator[RawDocument | SourceError]:
    """Documents from files, folders (recursive) and globs, with problems yielded inline.

    Ids follow DESIGN.md: a record's own id, else the path relative to the folder given (the
    file name for a file given directly), with ``#guid``/``#url``/``#n`` for items inside a
    feed, archive or record file. A later document reusing an id with different content is
    reported as :class:`DuplicateIdError`; an identical repeat is dropped silently. Files in
    ``exclude`` (the store's own) are not read.
    """
    seen: dict[str, tuple[bytes, str]] = {}
    for item in walk(paths, exclude=exclude):
        if isinstance(item, SourceError):
            yield item
            continue
        path, base_id = item
        for doc in read_file(path, base_id, max_bytes=max_bytes):
            if isinstance(doc, SourceError):
                yield doc
                continue
            key = _content_key(doc)
            previous = seen.get(doc.id)
            if previous is None:
                seen[doc.id] = (key, doc.source_path)
                yield doc
            elif previous[0] != key:
                yield DuplicateIdError(
                    f"article id {doc.id!r} already used by different content in {previous[1]}",
                    path=doc.source_path,
                )
