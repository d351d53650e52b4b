"""WARC archives: one HTML document per successful ``response`` (or ``resource``) record.

A small streaming reader rather than a WARC library: it reads one record block at a time
(memory stays bounded by the largest page, not the archive), skips non-HTML records without
keeping them, and notices truncation — a short block or a cut gzip member — so a damaged
crawl yields everything before the break and then one error. The HTTP charset travels with
the payload into decoding; the WARC-Date is kept as ``crawled``, never as ``published``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import (
    CorruptArchiveError,
    EmptySourceError,
    MalformedRecordError,
    MalformedSourceError,
    SourceError,
    TooLargeError,
)
from ..records import RawDocument
from .encoding import http_charset
from .html import read_html

__all__ = ["read_warc"]

_MAX_HEADER_LINE = 65536
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)


def _read_headers(stream: BinaryIO) -> dict[str, str] | None:
    """Header lines up to a blank line; None if the stream ends first."""
    headers: dict[str, str] = {}
    last = ""
    while True:
        line = stream.readline(_MAX_HEADER_LINE)
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            return headers
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and last:  # folded continuation line
            headers[last] += " " + text.strip()
            continue
        name, _, value = text.partition(":")
        last = name.strip().lower()
        headers[last] = value.strip()


def _read_exact(stream: BinaryIO, length: int) -> bytes:
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _skip(stream: BinaryIO, length: int) -> int:
    """Discard ``length`` bytes; returns how many were actually there."""
    skipped = 0
    while skipped < length:
        chunk = stream.read(min(length - skipped, 1 << 20))
        if not chunk:
            break
        skipped += len(chunk)
    return skipped


def _split_http(block: bytes) -> tuple[int | None, dict[str, str], bytes]:
    """Status code, headers (lower-case names) and body of a stored HTTP response."""
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
    if end < 0:
        return None, {}, b""
    head = block[:end].decode("latin-1").splitlines()
    match = re.match(r"HTTP/\S+\s+(\d{3})", head[0]) if head else None
    status = int(match.group(1)) if match else None
    headers: dict[str, str] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, block[end + sep :]


def _dechunk(body: bytes) -> bytes:
    out: list[bytes] = []
    pos = 0
    while pos < len(body):
        line_end = body.find(b"\r\n", pos)
        if line_end < 0:
            break
        size_text = body[pos:line_end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return body  # not really chunked; keep what was stored
        if size == 0:
            break
        out.append(body[line_end + 2 : line_end + 2 + size])
        pos = line_end + 2 + size + 2
    return b"".join(out)


def _decompress(body: bytes, encoding: str) -> bytes:
    encoding = encoding.lower().strip()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    if encoding == "br":
        try:
            import brotli  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ValueError("brotli-compressed payload and no brotli module installed") from exc
        return brotli.decompress(body)
    if encoding in ("", "identity", "none"):
        return body
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


def _payload(
    record_type: str, headers: dict[str, str], block: bytes
) -> tuple[bytes | None, dict[str, Any], str | None]:
    """(HTML bytes or None when the record is not an HTML page, fields, HTTP charset)."""
    warc_type = headers.get("content-type", "")
    fields: dict[str, Any] = {}
    if record_type == "response" and warc_type.lower().startswith("application/http"):
        status, http, body = _split_http(block)
        if status is None or not 200 <= status < 300:
            return None, fields, None
        content_type = http.get("content-type", "")
        if "chunked" in http.get("transfer-encoding", "").lower():
            body = _dechunk(body)
        for coding in reversed(http.get("content-encoding", "").split(",")):
            body = _decompress(body, coding)
        fields["http_status"] = status
    else:
        content_type, body = warc_type, block
    lowered = content_type.lower()
    is_html = any(t in lowered for t in _HTML_TYPES)
    if not is_html and (not lowered or "octet-stream" in lowered or "text/plain" in lowered):
        is_html = bool(_HTML_START.match(body[:4096]))
    if not is_html:
        return None, fields, None
    if content_type:
        fields["content_type"] = content_type
    return body, fields, http_charset(content_type)


def read_warc(
    stream: BinaryIO, *, base_id: str, source_path: str, max_bytes: int
) -> Iterator[RawDocument | SourceError]:
    """Every HTML page in a WARC stream (already decompressed), in archive order; an archive
    with no HTML page at all says so, rather than adding nothing without a word."""
    produced = 0
    for item in _read_records(stream, base_id=base_id, source_path=source_path, max_bytes=max_bytes):
        produced += 1
        yield item
    if not produced:
        yield EmptySourceError("no HTML pages in this archive", path=source_path)


def _read_records(
    stream: BinaryIO, *, base_id: str, source_path: str, max_bytes: int
) -> Iterator[RawDocument | SourceError]:
    index = 0
    while True:
        line = stream.readline(_MAX_HEADER_LINE)
        while line in (b"\r\n", b"\n"):
            line = stream.readline(_MAX_HEADER_LINE)
        if not line:
            return
        index += 1
        where = f"record {index}"
        if not line.startswith(b"WARC/"):
            yield MalformedSourceError(f"{where}: not a WARC record header", path=source_path)
            return
        headers = _read_headers(stream)
        if headers is None:
            yield CorruptArchiveError(
                f"{where}: archive ends inside record headers", path=source_path
            )
            return
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            yield MalformedSourceError(f"{where}: missing Content-Length", path=source_path)
            return
        record_type = headers.get("warc-type", "").lower()
        url = headers.get("warc-target-uri", "").strip("<> ") or None
        if record_type not in ("response", "resource") or length > max_bytes:
            if _skip(stream, length) < length:
                yield CorruptArchiveError(
                    f"{where}: archive ends inside the record", path=source_path
                )
                return
            if record_type in ("response", "resource") and length > max_bytes:
                yield TooLargeError(
                    f"{where} ({url}): {length} bytes, more than {max_bytes}", path=source_path
                )
            continue
        block = _read_exact(stream, length)
        if len(block) < length:
            yield CorruptArchiveError(
                f"{where}: archive ends inside the record ({len(block)} of {length} bytes)",
                path=source_path,
            )
            return
        try:
            body, fields, charset = _payload(record_type, headers, block)
        except (ValueError, zlib.error) as exc:
            yield MalformedRecordError(f"{where} ({url}): {exc}", path=source_path)
            continue
        if body is None:
            continue
        if not body.strip():
            continue
        if url:
            fields["url"] = url
        if headers.get("warc-date"):
            fields["crawled"] = headers["warc-date"]
        if headers.get("warc-record-id"):
            fields["warc_record_id"] = headers["warc-record-id"].strip("<>")
        yield read_html(
            body,
            doc_id=f"{base_id}#{url or index}",
            source_path=source_path,
            http_charset=charset,
            fields=fields,
        )
