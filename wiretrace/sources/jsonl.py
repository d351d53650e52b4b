"""JSON Lines and JSON files: one article per record, streamed so size does not matter.

A record gives its body as ``text`` or ``html`` (common aliases from scrapers and news APIs
are accepted, see ``data/record_fields.json``). Standard fields are copied under their
standard names; every other key is kept as it was. A broken line is reported on its own and
the rest of the file still comes out.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, BinaryIO

from ..errors import MalformedRecordError, MalformedSourceError, SourceError, TooLargeError
from ..records import RawDocument
from .encoding import decode_bytes, repair_mojibake

__all__ = ["read_json", "read_jsonl", "record_to_document"]

STANDARD_FIELDS = ("title", "url", "published", "outlet", "author", "language")
_HTML_IN_TEXT = re.compile(
    r"<(p|div|br|span|article|h[1-6]|a|strong|em|ul|li|figure)\b[^>]*>", re.I
)
_CHUNK = 1 << 20
# News records are a handful of levels deep; 100 leaves room for odd exports while staying far
# below Python's recursion limit (about 1000), which json, the store and the exports all hit.
MAX_DEPTH = 100
# A headline, byline or outlet name is a few hundred characters at most; a URL rarely passes 2k.
# Longer values are cut here (with a note) so one hostile field cannot bloat every later stage.
MAX_FIELD_CHARS = {"title": 1000, "author": 1000, "outlet": 1000, "url": 4096, "published": 200,
                   "language": 50}
# An extra (non-standard) string field longer than this is cut with a note.
MAX_EXTRA_CHARS = 65536
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_record(record: Any, source: str) -> str | None:
    """Why a parsed JSON value cannot be stored (too deep, lone surrogates), or None.

    ``source`` is the JSON text it came from: lone surrogates can only arrive as ``\\uD8xx``
    escapes, so strings are searched only when the text holds one.
    """
    surrogates = bool(_ESCAPED_SURROGATE.search(source) or _SURROGATE.search(source))
    stack: list[tuple[Any, int, str]] = [(record, 1, "")]
    while stack:
        value, depth, name = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
            for key, item in value.items():
                if surrogates and _SURROGATE.search(key):
                    return f"a key holds a lone surrogate ({_surrogate_shown(key)}), not valid Unicode"
                stack.append((item, depth + 1, name or key))
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
            stack.extend((item, depth + 1, name) for item in value)
        elif surrogates and isinstance(value, str) and _SURROGATE.search(value):
            where = f"field {name!r}" if name else "the record"
            return f"{where} holds a lone surrogate ({_surrogate_shown(value)}), not valid Unicode"
    return None


def _surrogate_shown(text: str) -> str:
    found = _SURROGATE.search(text)
    return f"\\u{ord(found.group()):04x}" if found else "?"


def _capped(name: str, value: str, limit: int, notes: list[str]) -> str:
    """``value`` cut to ``limit`` characters, with a note saying so when it was longer."""
    if len(value) <= limit:
        return value
    notes.append(f"field {name!r} truncated from {len(value)} to {limit} characters")
    return value[:limit]


@cache
def _aliases() -> dict[str, list[str]]:
    raw = (resources.files(__package__) / "data" / "record_fields.json").read_text("utf-8")
    table = json.loads(raw)
    table.pop("about", None)
    return table


def _first(record: dict[str, Any], names: list[str]) -> tuple[str | None, Any]:
    for name in names:
        value = record.get(name)
        if value not in (None, "", [], {}):
            return name, value
    return None, None


def _as_text(value: Any) -> str | None:
    """Flatten the shapes APIs use for people and outlets: strings, lists, {"name": ...}."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("name", "title", "id"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
        return None
    if isinstance(value, list):
        parts = [p for p in (_as_text(v) for v in value) if p]
        return ", ".join(parts) or None
    return str(value)


def _as_published(value: Any) -> str | None:
    """Timestamps as ISO-8601; numbers are read as Unix seconds (or milliseconds)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return str(value)
    return _as_text(value)


def _looks_like_html(text: str) -> bool:
    return len(_HTML_IN_TEXT.findall(text[:20000])) >= 2


def record_to_document(
    record: Any,
    *,
    fallback_id: str,
    where: str,
    source_path: str,
    raw_bytes: bytes,
    encoding: str | None = "utf-8",
    notes: list[str] | None = None,
) -> RawDocument | MalformedRecordError:
    """One ``kind="record"`` document from a parsed JSON object, or why it is unusable.

    ``fallback_id`` is used when the record has no id and no url; ``where`` names the
    record's position ("line 7") in error messages.
    """
    if not isinstance(record, dict):
        kind = type(record).__name__
        return MalformedRecordError(
            f"{where}: expected a JSON object, got {kind}", path=source_path
        )
    aliases = _aliases()
    notes = list(notes or [])
    used: set[str] = set()
    html_key, html = _first(record, aliases["html"])
    text_key, text = _first(record, aliases["text"])
    if isinstance(text, list) and all(isinstance(part, str) for part in text):
        text = "\n\n".join(part.strip() for part in text if part.strip())  # paragraphs
    if not isinstance(html, str):
        html_key, html = None, None
    if not isinstance(text, str):
        text_key, text = None, None
    if html is None and text is None:
        keys = ", ".join(sorted(map(str, record))[:8])
        return MalformedRecordError(
            f"{where}: no text or html field (keys: {keys})", path=source_path
        )
    body = html if html is not None else text
    if not body.strip():
        return MalformedRecordError(f"{where}: the article body is empty", path=source_path)
    used.update(k for k in (html_key, text_key) if k)
    if html is None and text is not None and _looks_like_html(text):
        html, text = text, None
        notes.append(f"field {text_key!r} holds HTML")
    if text is not None:
        text, repaired = repair_mojibake(text)
        if repaired:
            notes.append("repaired mojibake")
    fields: dict[str, Any] = {}
    for name in STANDARD_FIELDS:
        key, value = _first(record, aliases[name])
        if key is None:
            continue
        used.add(key)
        value = _as_published(value) if name == "published" else _as_text(value)
        if isinstance(value, str) and name in ("title", "author", "outlet"):
            value, _ = repair_mojibake(value)
        if isinstance(value, str):
            value = _capped(name, value, MAX_FIELD_CHARS[name], notes)
        if value:
            fields[name] = value
    id_key, raw_id = _first(record, aliases["id"])
    if id_key is not None and isinstance(raw_id, str | int) and str(raw_id).strip():
        used.add(id_key)
        doc_id = _capped("id", str(raw_id).strip(), MAX_FIELD_CHARS["url"], notes)
    elif fields.get("url"):
        doc_id = f"{fallback_id.rsplit('#', 1)[0]}#{fields['url']}"
    else:
        doc_id = fallback_id
    for key, value in record.items():
        if key not in used and key not in fields and value is not None:
            if isinstance(value, str):
                value = _capped(key, value, MAX_EXTRA_CHARS, notes)
            fields[key] = value
    return RawDocument(
        id=doc_id,
        source_path=source_path,
        kind="record",
        raw_bytes=raw_bytes,
        text=text if html is None else None,
        html=html,
        encoding=encoding,
        fields=fields,
        notes=notes,
    )


def _decode_line(line: bytes) -> tuple[str, str, list[str]]:
    try:
        return line.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        decoded = decode_bytes(line)
        return decoded.text, decoded.encoding, decoded.notes


def _lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; ``None`` for a line longer than ``max_bytes``."""
    number = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:  # skip the rest of the oversized line without keeping it
                rest = stream.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def _utf16_lines(stream: BinaryIO, codec: str) -> Iterator[tuple[int, bytes | None]]:
    """UTF-16 JSON Lines (Windows exports), re-encoded line by line in their own codec."""
    text = io.TextIOWrapper(stream, encoding=codec, errors="replace", newline=None)
    for number, line in enumerate(text, start=1):
        yield number, line.lstrip("\ufeff").encode(codec)


def read_jsonl(
    stream: BinaryIO, *, base_id: str, source_path: str, max_bytes: int, head: bytes = b""
) -> Iterator[RawDocument | SourceError]:
    """Stream a JSON Lines file; each line is a record or one error naming ``file:line``."""
    codec = None
    if head.startswith(codecs.BOM_UTF16_LE):
        codec = "utf-16-le"
    elif head.startswith(codecs.BOM_UTF16_BE):
        codec = "utf-16-be"
    lines = _utf16_lines(stream, codec) if codec else _lines(stream, max_bytes)
    for number, line in lines:
        where = f"line {number}"
        location = f"{source_path}:{number}"
        if line is None:
            yield TooLargeError(f"{where}: record larger than {max_bytes} bytes", path=location)
            continue
        raw = line.rstrip(b"\r\n") if codec is None else line.decode(codec).rstrip().encode(codec)
        if codec:
            text, encoding, notes = line.decode(codec).strip(), codec, [f"decoded as {codec}"]
        else:
            stripped = line.strip().removeprefix(b"\xef\xbb\xbf")
            text, encoding, notes = _decode_line(stripped)
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield MalformedRecordError(
                f"invalid JSON: {exc.msg} (column {exc.colno})", path=location
            )
            continue
        except RecursionError:
            yield MalformedRecordError(f"nested more than {MAX_DEPTH} levels deep", path=location)
            continue
        problem = check_record(record, text)
        if problem is not None:
            yield MalformedRecordError(problem, path=location)
            continue
        doc = record_to_document(
            record,
            fallback_id=f"{base_id}#{number}",
            where=where,
            source_path=source_path,
            raw_bytes=raw,
            encoding=encoding,
            notes=notes,
        )
        if isinstance(doc, SourceError):
            doc.path = location
            doc.message = doc.message.removeprefix(f"{where}: ")
        else:
            doc.location = location
        yield doc


class _JsonBuffer:
    """Decoded JSON text read on demand, so arrays of any length stream in bounded memory."""

    def __init__(self, stream: BinaryIO, encoding: str, max_bytes: int) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number of text[0]
        self._counted = (0, 1)  # (position, line number there) so where() never rescans
        self.max_bytes = max_bytes

    def fill(self, at_least: int = _CHUNK) -> bool:
        """Read more input; False at end of file."""
        if self.eof:
            return False
        data = self.stream.read(max(at_least, _CHUNK))
        self.line += self.text.count("\n", 0, self.pos)
        self._counted = (0, self.line)
        self.text = self.text[self.pos :] + self.decoder.decode(data, final=not data)
        self.pos = 0
        if not data:
            self.eof = True
        return True

    def skip_space(self) -> str | None:
        """The next non-space character (not consumed), or None at end of file."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n\ufeff":
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.fill():
                return None

    def value(self) -> tuple[Any, str]:
        """Parse the next JSON value; returns it and its source text."""
        decoder = json.JSONDecoder()
        while True:
            try:
                obj, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise
                unfinished = exc.msg.startswith("Unterminated string")
                if not unfinished and exc.pos < len(self.text) - 65536:
                    raise  # broken well inside what was read: more input will not help
                if len(self.text) - self.pos > self.max_bytes:
                    raise TooLargeError(
                        f"a JSON value larger than {self.max_bytes} bytes"
                    ) from None
                self.fill(len(self.text))
                continue
            if end >= len(self.text) and not self.eof:
                self.fill(len(self.text))  # a number at the buffer's end may continue
                continue
            source = self.text[self.pos : end]
            self.pos = end
            return obj, source

    def where(self) -> str:
        start, line = self._counted
        if start > self.pos:
            start, line = 0, self.line
        line += self.text.count("\n", start, self.pos)
        self._counted = (self.pos, line)
        return f"line {line}"


def _containers(record: dict[str, Any]) -> list[Any] | None:
    """The article list inside an API response such as {"status": "ok", "articles": [...]}."""
    aliases = _aliases()
    if _first(record, aliases["text"])[0] or _first(record, aliases["html"])[0]:
        return None
    for key in aliases["containers"]:
        items = record.get(key)
        if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
            return items
    return None


def read_json(
    stream: BinaryIO, *, base_id: str, source_path: str, max_bytes: int, head: bytes = b""
) -> Iterator[RawDocument | SourceError]:
    """A JSON file holding one record, an array of records, or an API response with a list."""
    encoding = "utf-8"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            encoding = name
    buffer = _JsonBuffer(stream, encoding, max_bytes)
    index = 0

    def emit(record: Any, source: str, where: str) -> RawDocument | SourceError:
        nonlocal index
        index += 1
        problem = check_record(record, source)
        if problem is not None:
            return MalformedRecordError(f"{where}: {problem}", path=source_path)
        raw = source.encode("utf-8")
        doc = record_to_document(
            record,
            fallback_id=f"{base_id}#{index}",
            where=where,
            source_path=source_path,
            raw_bytes=raw,
            encoding=encoding,
        )
        if isinstance(doc, RawDocument):
            line = re.search(r"line (\d+)", where)
            doc.location = f"{source_path}:{line.group(1)}" if line else f"{source_path} ({where})"
        return doc

    try:
        while (char := buffer.skip_space()) is not None:
            where = buffer.where()
            if char == "[":
                buffer.pos += 1
                while True:
                    char = buffer.skip_space()
                    if char == "]":
                        buffer.pos += 1
                        break
                    if char == ",":
                        buffer.pos += 1
                        continue
                    if char is None:
                        raise json.JSONDecodeError("unterminated array", buffer.text, buffer.pos)
                    where = buffer.where()
                    record, source = buffer.value()
                    yield emit(record, source, f"record {index + 1} ({where})")
                continue
            record, source = buffer.value()
            items = _containers(record) if isinstance(record, dict) else None
            if items is None:
                yield emit(record, source, f"record {index + 1} ({where})")
            else:
                for item in items:
                    yield emit(item, json.dumps(item, ensure_ascii=False), f"record {index + 1}")
    except json.JSONDecodeError as exc:
        yield MalformedSourceError(f"invalid JSON at {buffer.where()}: {exc.msg}", path=source_path)
    except RecursionError:
        yield MalformedSourceError(
            f"a value nested more than {MAX_DEPTH} levels deep at {buffer.where()}; "
            "the rest of the file is not read",
            path=source_path,
        )
    except TooLargeError as exc:
        exc.path = source_path
        yield exc
