"""Inputs on other filesystems: ``s3://``, ``gs://``, ``hdfs://``, ``file://`` ... URIs listed
and read through ``pyarrow.fs`` (``FileSystem.from_uri``), into the same readers as local
files.

A URI names a file, a folder (every file under it, recursively, in name order) or a glob
(``*`` and ``?`` within one path segment, ``**`` across segments). Ids follow the local rules:
relative to the folder given or to the pattern's fixed prefix, the file name for a file given
directly. Query parameters of the URI (``?endpoint_override=...&region=...``) travel with
every file, so a worker opens it as the driver listed it. Credentials come from the
environment, as pyarrow looks them up (``AWS_*``, ``GOOGLE_APPLICATION_CREDENTIALS``, the
instance's role). A filesystem that is not there, a URI pyarrow does not take, failed
credentials or an unreachable service is a ``RemoteSourceError`` (E111): an error row, like
a missing local file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..errors import (
    CorruptArchiveError,
    EmptySourceError,
    NotRegularFileError,
    RemoteSourceError,
    SourceError,
)
from ..records import RawDocument
from ..sources.discover import is_skipped_name

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_MAGIC = re.compile(r"[*?\[]")


def is_uri(value: str) -> bool:
    """Whether ``value`` is a URI (``scheme://...``) rather than a local path."""
    return bool(_URI.match(value))


def filesystem(uri: str) -> tuple[Any, str]:
    """The pyarrow filesystem of ``uri`` and the path on it; RemoteSourceError if none."""
    import pyarrow as pa
    from pyarrow.fs import FileSystem

    scheme = uri.split("://", 1)[0].lower()
    try:
        return FileSystem.from_uri(uri)  # type: ignore[no-any-return]
    except pa.ArrowNotImplementedError as exc:
        raise RemoteSourceError(
            f"this pyarrow has no {scheme}:// filesystem ({exc})", path=uri) from exc
    except (pa.ArrowInvalid, ValueError) as exc:
        raise RemoteSourceError(f"not a URI pyarrow can open ({exc})", path=uri) from exc
    except OSError as exc:
        raise RemoteSourceError(f"cannot reach {scheme}:// ({_first_line(exc)})",
                                path=uri) from exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__


class _Location:
    """Turns paths on the filesystem back into URIs that carry the given URI's query."""

    def __init__(self, uri: str, fs_path: str) -> None:
        parts = urlsplit(uri)
        self.scheme = parts.scheme
        self.query = f"?{parts.query}" if parts.query else ""
        # s3 and gs paths start with the bucket (the URI's host); hdfs and file paths do not
        self.host = "" if fs_path.lstrip("/").startswith(parts.netloc) else parts.netloc

    def uri(self, fs_path: str) -> str:
        return f"{self.scheme}://{self.host}{fs_path}{self.query}"


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` within a segment, ``**`` across segments, ``[...]`` a character set."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            out.append("[" + pattern[i + 1 : end].replace("!", "^", 1) + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def walk_uri(uri: str) -> Iterator[tuple[str, str] | SourceError]:
    """(file URI, id base) for every file ``uri`` names, or the error that stopped it."""
    from pyarrow.fs import FileSelector, FileType

    try:
        fs, path = filesystem(uri)
        where = _Location(uri, path)
        info = fs.get_file_info(path)
        if info.type == FileType.File:
            yield where.uri(path), posixpath.basename(path)
            return
        magic = _MAGIC.search(path)
        if info.type == FileType.Directory:
            base, pattern = path.rstrip("/"), None
        elif magic is not None:
            base = path[: magic.start()].rsplit("/", 1)[0]
            pattern = _glob_regex(path)
        else:
            yield RemoteSourceError("no such file or folder", path=uri)
            return
        listed = fs.get_file_info(FileSelector(base, recursive=True, allow_not_found=True))
    except RemoteSourceError as exc:
        yield exc
        return
    except OSError as exc:  # credentials, network, permissions
        yield RemoteSourceError(f"cannot list ({_first_line(exc)})", path=uri)
        return
    found = []
    for item in listed:
        if item.type != FileType.File or (pattern is not None and not pattern.match(item.path)):
            continue
        relative = item.path[len(base) :].lstrip("/")
        if any(is_skipped_name(part) for part in relative.split("/")):
            continue
        found.append((relative.split("/"), item.path, relative))
    if not found:
        yield RemoteSourceError("pattern matched no files" if pattern is not None
                                else "no files in this folder", path=uri)
        return
    for _, fs_path, relative in sorted(found):
        yield where.uri(fs_path), relative


class _UriName:
    """What the readers take of a file's path: its name and how errors name it."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.name = posixpath.basename(urlsplit(uri).path)

    def __str__(self) -> str:
        return self.uri


def read_uri(uri: str, base_id: str, *, max_bytes: int) -> Iterator[RawDocument | SourceError]:
    """Every document in the file at ``uri``, with problems yielded, not raised: the local
    reader (``sources.read_file``) over a pyarrow input file."""
    import io

    from pyarrow.fs import FileType

    from ..sources import read_stream
    from ..sources.reader import GZIP_MAGIC, GzipSource

    try:
        fs, path = filesystem(uri)
        info = fs.get_file_info(path)
        if info.type == FileType.NotFound:
            yield RemoteSourceError("no such file", path=uri)
            return
        if info.type != FileType.File:
            yield NotRegularFileError("a folder, not a file", path=uri)
            return
        if not info.size:
            yield EmptySourceError("empty file", path=uri)
            return
        raw = fs.open_input_file(path)
    except RemoteSourceError as exc:
        yield exc
        return
    except OSError as exc:
        yield RemoteSourceError(f"cannot open ({_first_line(exc)})", path=uri)
        return
    gz: GzipSource | None = None
    try:
        magic = raw.read(2)
        raw.seek(0)
        stream: Any = raw
        if magic == GZIP_MAGIC:
            gz = GzipSource(raw)
            stream = io.BufferedReader(gz, buffer_size=1 << 20)
        for item in read_stream(stream, gz, _UriName(uri), base_id, info.size,  # type: ignore[arg-type]
                                 max_bytes):
            if gz is not None and gz.error is not None and not isinstance(item, RawDocument):
                continue  # past the break: keep whole records, drop errors that echo it
            yield item
    except OSError as exc:
        yield RemoteSourceError(f"read failed ({_first_line(exc)})", path=uri)
        return
    finally:
        raw.close()
    if gz is not None and gz.error is not None:
        yield CorruptArchiveError(f"truncated or damaged gzip data ({gz.error})", path=uri)


__all__ = ["filesystem", "is_uri", "read_uri", "walk_uri"]
