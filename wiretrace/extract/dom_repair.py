"""Repairing the DOM before extraction.

Blocks that are never article text (comment threads, related and teaser lists, share bars,
menus of short links) are removed and reported as removals, so they cannot leak into the body;
accordion and tab panels are revealed; article containers that trafilatura would discard for a
class name are kept.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree

from ..records import Removal
from . import settings as S
from .html_dom import (
    _attached,
    _contains,
    _data,
    _drop,
    _removed_text,
    _text_len,
    _xpath,
)


def _prune(tree: lxml.html.HtmlElement) -> list[Removal]:
    """Remove comment threads, related lists and share bars; return what was removed and why.

    A block that holds the headline or most of the page's paragraph text is kept: a page
    whose wrapper is called "comments-enabled" must not lose its article.
    """
    removed: list[Removal] = []
    paragraph_total = sum(_text_len(p) for p in tree.iter("p")) or 1
    headlines = tree.xpath("//h1")
    for reason, selectors in _data("selectors")["remove"].items():
        for selector in selectors:
            try:
                hits = _xpath(selector)(tree)
            except etree.XPathError:
                continue
            for el in hits:
                if el.tag in ("html", "body") or not _attached(el, tree):
                    continue
                if any(h is el or _contains(el, h) for h in headlines):
                    continue
                own = sum(_text_len(p) for p in el.iter("p"))
                if own > S.PRUNE_KEEP_SHARE * paragraph_total and paragraph_total > S.PRUNE_KEEP_MIN_CHARS:
                    continue
                text = _removed_text(el)
                _drop(el)
                if text:
                    removed.append(Removal(text=text[:S.REMOVAL_MAX_CHARS], reason=reason))
    removed.extend(_prune_link_lists(tree))
    _reveal_disclosures(tree)
    _protect_main_text(tree)
    return removed


def _paragraph_text_held(tree: lxml.html.HtmlElement) -> tuple[dict[etree._Element, int], int]:
    """Characters of ``<p>`` text under each element (summed up the ancestors once), and the
    page's total."""
    held: dict[etree._Element, int] = {}
    total = 0
    for p in tree.iter("p"):
        n = _text_len(p)
        total += n
        parent = p.getparent()
        while parent is not None:
            held[parent] = held.get(parent, 0) + n
            parent = parent.getparent()
    return held, total


def _main_container(held: dict[etree._Element, int], total: int, tags: list[str],
                    share: float, tree: lxml.html.HtmlElement) -> etree._Element | None:
    """The deepest container holding ``share`` of the page's paragraph text, if any."""
    main: etree._Element | None = None
    for el in tree.iter(*tags):
        if held.get(el, 0) >= share * total and (main is None or _contains(main, el)):
            main = el
    return main


def _protect_main_text(tree: lxml.html.HtmlElement) -> int:
    """Keep trafilatura from discarding article text for its container's class or id.

    trafilatura drops any block whose class or id contains one of its furniture tokens
    ("-icon", "widget", "sidebar", "expand", "meta" ...); builders such as Elementor and
    Kadence put such tokens on the containers of the article itself, and whole sections or
    the entire body vanish. Blocks it would drop that are the main container, one of its
    ancestors, or a part of it holding a good share of the page's paragraph text lose their
    offending class tokens and id (kept as ``data-wt-class`` / ``data-wt-id``). Returns how
    many were kept.
    """
    spec = _data("selectors").get("protect")
    if not spec:
        return 0
    try:
        # trafilatura's own discard rule, not public API: its place in trafilatura 2.3.1, the
        # version pyproject.toml pins; imported on first use like trafilatura itself
        from trafilatura.xpaths import OVERALL_DISCARD_XPATH
    except ImportError:  # another trafilatura layout: extraction still works, unprotected
        return 0
    held, total = _paragraph_text_held(tree)
    main = _main_container(held, total, spec["container_tags"], spec["main_share"], tree)
    if main is None:
        return 0
    least = max(spec["min_chars"], spec["min_share"] * total)
    kept = 0
    for el in OVERALL_DISCARD_XPATH[0](tree):
        if held.get(el, 0) < least:
            continue
        if not (el is main or _contains(el, main) or _contains(main, el)):
            continue
        _drop_discard_tokens(el, OVERALL_DISCARD_XPATH[0])
        kept += 1
    return kept


def _drop_discard_tokens(el: etree._Element, discard: Any) -> None:
    """Remove the class tokens (and the id) that make ``discard`` match ``el``, keeping the
    others: they also tell trafilatura where the article is ("entry-content", "article")."""

    def discarded(attributes: dict[str, str]) -> bool:
        probe = etree.Element("div")
        etree.SubElement(probe, el.tag, attributes)
        return bool(discard(probe))

    element_id = el.get("id")
    if element_id is not None and discarded({"id": element_id}):
        el.set("data-wt-id", el.attrib.pop("id"))
    classes = (el.get("class") or "").split()
    if not classes:
        return
    kept = [token for token in classes if not discarded({"class": token})]
    if kept and discarded({"class": " ".join(kept)}):
        kept = []
    if len(kept) != len(classes):
        el.set("data-wt-class", el.attrib.pop("class"))
        if kept:
            el.set("class", " ".join(kept))


def _reveal_disclosures(tree: lxml.html.HtmlElement) -> None:
    """Remove the hiding marks of accordion and tab panels (see ``disclosures`` in
    ``html_selectors.json``), which extractors otherwise drop as hidden page furniture."""
    spec = _data("selectors").get("disclosures")
    if not spec:
        return
    panel = re.compile(spec["panel_pattern"], re.IGNORECASE)
    hidden_class = re.compile(spec["hidden_class_pattern"], re.IGNORECASE)
    hidden_style = re.compile(spec["hidden_style_pattern"], re.IGNORECASE)
    controlled = {token for value in tree.xpath("//@aria-controls") for token in value.split()}
    roles = set(spec["roles"])
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "template"):
            continue
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not (el.get("id") in controlled or el.get("role") in roles or panel.search(names)):
            continue
        for attribute in ("hidden", "aria-hidden"):
            if el.get(attribute) is not None:
                del el.attrib[attribute]
        style = el.get("style")
        if style and hidden_style.search(style):
            el.set("style", hidden_style.sub("", style))
        classes = (el.get("class") or "").split()
        kept = [c for c in classes if not hidden_class.search(c)]
        if len(kept) != len(classes):
            el.set("class", " ".join(kept))


def _link_share(el: etree._Element) -> tuple[float, int, int]:
    """Share of an element's text inside links, its link count and its text length."""
    length = _text_len(el) or 1
    links = [a for a in el.iter("a") if _text_len(a)]
    return sum(_text_len(a) for a in links) / length, len(links), length


def _prune_link_lists(tree: lxml.html.HtmlElement) -> list[Removal]:
    """Remove menus, tag clouds and teaser grids: blocks of many short links and little prose.

    The block holding most of the page's paragraph text, and anything around it, is never
    removed; inside it only lists that are almost all link text go.
    """
    spec = _data("selectors").get("link_lists")
    if not spec:
        return []
    held, total = _paragraph_text_held(tree)
    main = _main_container(held, total or 1, spec["container_tags"], spec["main_share"], tree)
    removed: list[Removal] = []
    for el in list(tree.iter(*spec["list_tags"])):
        if not _attached(el, tree) or (main is not None and (el is main or _contains(el, main))):
            continue
        inside = main is not None and _contains(main, el)
        share, count, length = _link_share(el)
        limit = spec["inside_min_share"] if inside else spec["min_share"]
        if count < spec["min_links"] or share < limit:
            continue
        if length / count > spec["max_chars_per_link"]:
            continue
        if el.xpath(".//h1"):
            continue
        text = _removed_text(el)
        _drop(el)
        removed.append(Removal(text=text[:S.REMOVAL_MAX_CHARS], reason="link-list"))
    return removed
