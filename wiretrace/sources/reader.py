"""Opening files: transparent gzip, a peek at the first bytes, and format sniffing.

Scrapers name files badly (HTML saved as ``.txt``, JSONL as ``.json``, feeds as ``.html``),
so the extension is only a first guess that the content can overrule.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from pathlib import Path
from typing import BinaryIO, Literal

__all__ = ["Format", "HeadReader", "open_stream", "read_limited", "sniff_format", "strip_gz"]

Format = Literal["text", "html", "jsonl", "json", "feed", "warc", "xml"]

GZIP_MAGIC = b"\x1f\x8b"
HEAD_SIZE = 65536

EXTENSIONS: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".php": "html",
    ".asp": "html",
    ".aspx": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".xml": "xml",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".warc": "warc",
}

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(rb"<(p|div|br|span|article|h[1-6]|meta|title|a|script|table)\b[^>]*>", re.I)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)\b", re.I)
_JSON_START = re.compile(rb'^[\[\s]*\{\s*"')  # an object with a key: not prose in braces
_XML_START = re.compile(rb"^\s*<\?xml\b", re.I)


def strip_gz(name: str) -> str:
    """The file name without a trailing ``.gz``/``.gzip``."""
    lower = name.lower()
    for suffix in (".gz", ".gzip", ".tgz"):
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def extension_format(name: str) -> Format | None:
    """The format a file name suggests, ignoring any ``.gz``."""
    suffix = Path(strip_gz(name)).suffix.lower()
    return EXTENSIONS.get(suffix)


class HeadReader(io.RawIOBase):
    """A raw stream that replays already-peeked bytes before reading on."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._rest.close()
        super().close()


class GzipSource(io.RawIOBase):
    """Decompressed gzip data that ends cleanly at a break and remembers why.

    ``GzipFile.read`` discards what it decompressed when it then hits a truncated member;
    reading one chunk at a time (``read1``) keeps every byte before the break, so readers
    of multi-record files can hand out everything that survived.
    """

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.error is not None:
            return 0
        try:
            data = self._gzip.read1(len(buffer))
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            self.error = exc
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gzip.close()
        self._raw.close()
        super().close()


def open_stream(path: Path) -> tuple[BinaryIO, GzipSource | None]:
    """Open ``path`` for reading, decompressing gzip whatever the file is called.

    Returns a buffered stream and, for gzip, the source whose ``error`` says whether the
    data broke off early.
    """
    raw = open(path, "rb")  # noqa: SIM115 - the caller owns and closes the stream
    try:
        magic = raw.read(2)
        raw.seek(0)
    except BaseException:
        raw.close()
        raise
    if magic == GZIP_MAGIC:
        source = GzipSource(raw)
        return io.BufferedReader(source, buffer_size=1 << 20), source  # type: ignore[return-value]
    return raw, None


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes, so callers can tell "exactly limit" from "more"."""
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_head(stream: BinaryIO, size: int = HEAD_SIZE) -> bytes:
    """The first ``size`` bytes (fewer at end of file), reading across short reads."""
    return read_limited(stream, size - 1)


def _looks_like_jsonl(head: bytes) -> bool:
    lines = [line for line in head.split(b"\n") if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return False
    except RecursionError:
        pass  # a whole value, only nested too deep: the reader reports that line alone
    return lines[1].lstrip().startswith(b"{")


def sniff_format(name: str, head: bytes) -> Format:
    """Decide a file's format from its name and its first bytes; content wins on conflict."""
    by_name = extension_format(name)
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body.startswith(b"WARC/"):
        return "warc"
    if body.startswith((b"{", b"[")) and (
        by_name not in ("text", "html") or _JSON_START.match(body)
    ):
        if _looks_like_jsonl(body):  # whole values line after line, whatever the first is
            return "jsonl"
        if by_name == "jsonl":
            return "jsonl"  # named JSON Lines: read line by line whatever the first line holds
        return "json"
    if _XML_START.match(body) or body.startswith(b"<rss") or body.startswith(b"<feed"):
        if _FEED_ROOT.search(body[:16384]):
            return "feed"
        if _HTML_START.search(_XML_START.sub(b"", body, count=1)):
            return "html"
        return "xml"
    if _HTML_START.match(body):
        return "html"
    if by_name in ("html", "feed", "xml", "warc", "jsonl", "json"):
        # a page saved as .html without <html>: still markup if it has tags
        if by_name == "html" and not _HTML_TAGS.search(body[:16384]):
            return "text"
        return by_name
    if len(_HTML_TAGS.findall(body[:16384])) >= 5:
        return "html"
    return "text"
