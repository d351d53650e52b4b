"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: one document per item that carries a body.

The body is the fullest of content:encoded, content, description and summary, kept as HTML.
Dates are normalised to ISO-8601 when the feed uses RFC 822 (``pubDate``). HTML entities
that feeds use without declaring them (``&nbsp;``) are accepted; anything else that is not
well-formed XML is reported, because guessing at a broken feed's structure loses items
silently.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ..errors import MalformedRecordError, MalformedSourceError, SourceError
from ..lang.dates import from_rfc822
from ..records import RawDocument
from .encoding import declared_charset, decode_bytes

__all__ = ["read_feed"]

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")

BODY_ELEMENTS = ("encoded", "content", "description", "summary")


def _local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _html_entities_to_numeric(text: str) -> str:
    """Rewrite HTML-only named entities as character references XML understands."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        char = html_lib.entities.html5.get(name + ";")
        return "".join(f"&#{ord(c)};" for c in char) if char else match.group(0)

    return _ENTITY.sub(replace, text)


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _text(element: Any) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def _first_text(element: Any, *names: str) -> str | None:
    for name in names:
        for child in _children(element, name):
            value = _text(child)
            if value:
                return value
    return None


def _link(item: Any) -> str | None:
    for child in _children(item, "origLink"):  # feedburner keeps the publisher's URL here
        if _text(child):
            return _text(child)
    links = _children(item, "link")
    for link in links:
        href = link.get("href")
        if href and link.get("rel", "alternate") == "alternate":
            return href.strip()
    for link in links:
        if link.get("href"):
            return link.get("href").strip()
        if _text(link):
            return _text(link)
    return None


def _author(item: Any) -> str | None:
    names = []
    for child in item:
        local = _local(child)
        if local == "author":
            name = _first_text(child, "name") or _text(child)
            if name:
                # RSS uses "editor@example.com (Jane Doe)"
                match = re.search(r"\(([^)]+)\)", name)
                names.append(match.group(1) if "@" in name and match else name)
        elif local == "creator":
            if _text(child):
                names.append(_text(child))
    return ", ".join(dict.fromkeys(names)) or None


def _body(item: Any) -> tuple[str | None, str | None, str | None]:
    """(body, element it came from, the shorter description when a full body exists)."""
    found: dict[str, str] = {}
    for child in item:
        local = _local(child)
        if local not in BODY_ELEMENTS or local in found:
            continue
        if local == "content" and child.get("type") == "xhtml":
            value = "".join(
                etree.tostring(grand, encoding="unicode", with_tail=True) for grand in child
            ).strip()
        elif local == "content" and child.get("src") and not _text(child):
            continue
        else:
            value = (child.text or "") + "".join(
                etree.tostring(grand, encoding="unicode", with_tail=True) for grand in child
            )
            value = value.strip()
        if value:
            found[local] = value
    for name in BODY_ELEMENTS:
        if name in found:
            summary = found.get("description") or found.get("summary")
            return found[name], name, summary if summary != found[name] else None
    return None, None, None


def _item_fields(item: Any, feed_fields: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    title = _first_text(item, "title")
    if title:
        fields["title"] = html_lib.unescape(title) if "&" in title else title
    url = _link(item)
    if url:
        fields["url"] = url
    published = _first_text(item, "pubDate", "published", "date", "issued")
    updated = _first_text(item, "updated", "modified")
    if published:
        fields["published"] = from_rfc822(published)
        if updated:
            fields["updated"] = from_rfc822(updated)
    elif updated:
        fields["published"] = from_rfc822(updated)
    author = _author(item)
    if author:
        fields["author"] = author
    guid = _first_text(item, "guid", "id")
    if guid:
        fields["guid"] = guid
    categories = [
        c.get("term") or _text(c) for c in _children(item, "category") if c.get("term") or _text(c)
    ]
    if categories:
        fields["categories"] = categories
    for key, value in feed_fields.items():
        fields.setdefault(key, value)
    return fields


def _parse(data: bytes) -> tuple[Any, str, list[str]]:
    decoded = decode_bytes(data, declared=declared_charset(data))
    text = _html_entities_to_numeric(_XML_DECLARATION.sub("", decoded.text, count=1))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True
    )
    root = etree.fromstring(text.encode("utf-8"), parser=parser)
    return root, decoded.encoding, decoded.notes


def read_feed(
    data: bytes, *, base_id: str, source_path: str
) -> Iterator[RawDocument | SourceError]:
    """Every item of an RSS/Atom feed held in ``data``; a malformed feed yields one error."""
    try:
        root, encoding, notes = _parse(data)
    except etree.XMLSyntaxError as exc:
        line = f" at line {exc.lineno}" if exc.lineno else ""
        reason = str(exc.msg if hasattr(exc, "msg") else exc).split(", line ")[0]
        yield MalformedSourceError(f"feed is not well-formed XML{line}: {reason}", path=source_path)
        return
    if _local(root) not in ("rss", "feed", "RDF"):
        yield MalformedSourceError(
            f"XML but not an RSS or Atom feed (root element <{_local(root)}>)", path=source_path
        )
        return
    channel = next((c for c in root if _local(c) == "channel"), root)
    feed_fields: dict[str, Any] = {}
    feed_title = _first_text(channel, "title")
    if feed_title:
        feed_fields["feed_title"] = feed_title
    language = _first_text(channel, "language") or root.get(
        "{http://www.w3.org/XML/1998/namespace}lang"
    )
    if language:
        feed_fields["language"] = language
    items = [el for el in root.iter() if _local(el) in ("item", "entry")]
    if not items:
        yield MalformedSourceError("feed has no items", path=source_path)
        return
    for index, item in enumerate(items, start=1):
        fields = _item_fields(item, feed_fields)
        key = fields.get("guid") or fields.get("url") or str(index)
        body, element, summary = _body(item)
        if body is None:
            yield MalformedRecordError(
                f"item {index} ({key}): no content, description or summary", path=source_path
            )
            continue
        if summary:
            fields["summary"] = summary
        fields["feed_element"] = element
        is_html = bool(_TAG.search(body))
        yield RawDocument(
            id=f"{base_id}#{key}",
            source_path=source_path,
            kind="record",
            raw_bytes=etree.tostring(item, encoding="utf-8"),
            text=None if is_html else html_lib.unescape(body),
            html=body if is_html else None,
            encoding=encoding,
            fields=fields,
            notes=list(notes),
        )
