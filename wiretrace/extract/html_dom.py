"""Parsing a page and the tree helpers every HTML concern shares.

Text normalisation, the paragraph key used to match paragraphs across extractors, removing an
element without losing the text after it, and the page's visible text one block per line.
Selectors and meta keys are data: ``data/html_selectors.json`` and ``data/html_meta.json``.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import lxml.html
from lxml import etree

_SPACE = re.compile(r"[ \t\u00a0\u200b\r\f\v]+")


_WORDS = re.compile(r"\w+")


_BLOCK_BREAK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table section article header footer "
    "blockquote pre dd dt figure figcaption time span".split()
)


@cache
def _xpath(selector: str) -> etree.XPath:
    """A selector from the data files, compiled once."""
    return etree.XPath(selector)


@cache
def _data(name: str) -> Any:
    path = resources.files(__package__ + ".data") / f"html_{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _norm(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _key(text: str | None) -> str:
    """Lower-cased words of a text, the unit for matching paragraphs across extractors."""
    return " ".join(_WORDS.findall((text or "").lower()))


_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


_CLOSING_ROOT = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """Parse a page; HTML comments are dropped because text after them gets lost otherwise.

    Closing ``</body>`` and ``</html>`` tags are dropped before parsing: templates that print
    them twice would otherwise leave the rest of the page, often the article, in a second
    document root that nothing reads. Browsers put such content in the body, and so does this.
    """
    html = _CLOSING_ROOT.sub("", re.sub(r"^\s*<\?xml[^>]*>", "", html))
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _paragraphs(text: str) -> str:
    """One paragraph per line -> paragraphs separated by a blank line."""
    lines = [_norm(line) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


def _text_len(el: etree._Element) -> int:
    return len(_norm(el.text_content())) if hasattr(el, "text_content") else 0


_READABLE_TEXT = etree.XPath(".//text()[not(ancestor::style or ancestor::script)]")


def _removed_text(el: etree._Element) -> str:
    """A removed block's text as a reader saw it (inline CSS and scripts left out)."""
    return " ".join(" ".join(str(t) for t in _READABLE_TEXT(el)).split())


def _attached(el: etree._Element, root: etree._Element) -> bool:
    """Whether an element is still in the tree (not inside a block removed before it), so a
    removed block is reported once, not once per nested match."""
    return el is not root and _contains(root, el)


def _contains(ancestor: etree._Element, el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _visible_text(tree: etree._Element) -> str:
    """Text of the page with a line break after every block element."""
    work = copy.deepcopy(tree)
    for el in list(work.iter("script", "style", "noscript", "template", "svg")):
        _drop(el)
    for el in work.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_BREAK:
            el.tail = "\n" + (el.tail or "")
    body = work.find(".//body")
    root = body if body is not None else work
    text = etree.tostring(root, method="text", encoding="unicode")
    lines = [_norm(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
