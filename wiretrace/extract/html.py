"""Main text and metadata candidates from a raw HTML page.

trafilatura finds the body well on most news pages; around it this module (1) removes blocks
that are never article text — comment threads, related/teaser lists, share bars — before
extraction, so they are reported as removals and cannot leak into the body, (2) takes
trafilatura's recall mode when it returns a clear superset of the default text (long guides
the default mode cuts short), drops repeated paragraphs (gallery captions printed twice), and
falls back to a text-density extractor over lxml when trafilatura returns nothing useful or
only a fragment of the densest block, then drops a leading copy of the headline and the short
paragraphs that a small logistic model (weights in the data file) reads as page furniture —
calls to action, teaser titles, labels outside the densest block — and (3) collects
metadata candidates (meta tags, JSON-LD, ``<time>``, bylines, canonical URL, ``lang``) for the
metadata stage. Selectors and meta keys are data: ``data/html_selectors.json`` and
``data/html_meta.json``.
"""

from __future__ import annotations

import copy
import html as html_lib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import lxml.html
from lxml import etree

from ..records import CleanedText, Removal

_SPACE = re.compile(r"[ \t\u00a0\u200b\r\f\v]+")
_WORDS = re.compile(r"\w+")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0?[1-9]|1[0-2])[/-]?(0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)")
_BLOCK_BREAK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table section article header footer "
    "blockquote pre dd dt figure figcaption time span".split()
)

__all__ = ["extract_html", "page_metadata", "density_extract"]


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


def extract_html(html: str, *, url: str | None = None) -> tuple[CleanedText, dict[str, Any]]:
    """Article text of one page (paragraphs separated by blank lines) and metadata candidates.

    ``CleanedText.method`` is "trafilatura" (default or recall mode, see ``_extends``),
    "fallback" (density extractor) or "jsonld" (the page's schema.org ``articleBody``, for
    pages that render the article with scripts, see ``_declared_body_wins``).
    """
    tree = _parse(html)
    if tree is None:
        return CleanedText(text="", method="fallback"), {}
    meta = page_metadata(tree, url=url)
    found = main_text_candidates(tree, url)
    declared = meta.get("declared_body")
    if declared and _declared_body_wins(found.text, declared):
        found = MainText(declared, found.densest, {}, found.pruned, found.removed, "jsonld")
    paragraphs, removed = drop_headline(found.text, headlines_of(tree, meta))
    if found.method == "jsonld":  # the publisher's own text: no page furniture to filter
        text, dropped = "\n\n".join(paragraphs), []
    else:
        text, dropped = _filter_paragraphs(paragraphs, found)
    cleaned = CleanedText(
        text=text, title=meta.get("title"), removed=found.removed + removed + dropped,
        method=found.method,
    )
    return cleaned, meta


@dataclass
class MainText:
    """The main text chosen from trafilatura and the density extractor, with what the
    paragraph filter needs: the densest block, trafilatura's element type per paragraph key,
    and the pruned tree (for link text)."""

    text: str
    densest: str
    tags: dict[str, str]
    pruned: lxml.html.HtmlElement
    removed: list[Removal]
    method: str


def main_text_candidates(tree: lxml.html.HtmlElement, url: str | None) -> MainText:
    """The page's main text before the paragraph filter (see ``extract_html``)."""
    pruned = copy.deepcopy(tree)
    removed = _prune(pruned)
    tags: dict[str, str] = {}
    text = _trafilatura_text(pruned, url, tags=tags)
    method = "trafilatura"
    if not _WORDS.search(text):
        # The default mode rejects some pages outright (long listicles); recall mode may not.
        text = _trafilatura_text(pruned, url, favor_recall=True, tags=tags)
    fallback = density_extract(pruned)
    if _too_short(text, fallback):
        text, method = fallback, "fallback"
    elif text:
        recall_text = _trafilatura_text(pruned, url, favor_recall=True, tags=tags)
        if _extends(text, recall_text):
            text = recall_text
    return MainText(text, fallback, tags, pruned, removed, method)


_DECLARED_MIN_WORDS = 150  # an articleBody shorter than this is a summary, not the article
_DECLARED_MIN_RATIO = 1.5  # ... and it must be this much longer than the page's visible text


def _declared_body_wins(text: str, declared: str) -> bool:
    """Whether the page's JSON-LD ``articleBody`` should replace the extracted text.

    Pages that render the article with scripts show little more than menus and a standfirst,
    while their JSON-LD carries the whole text. The declared body is taken only when it is
    long and clearly longer than what the page shows; otherwise the visible text (with its
    paragraph structure) is kept, since articleBody is often a summary or a truncated copy.
    When the extractor already returned the declared body, flattened into one block, the
    declared body is taken for its paragraphs.
    """
    declared_words = len(_WORDS.findall(declared))
    if declared_words < _DECLARED_MIN_WORDS:
        return False
    if declared_words >= _DECLARED_MIN_RATIO * len(_WORDS.findall(text)):
        return True
    return text.count("\n\n") < declared.count("\n\n") and _key(text) == _key(declared)


def _declared_paragraphs(body: str) -> str:
    """An articleBody as paragraphs separated by blank lines (markup and entities removed)."""
    body = html_lib.unescape(body)
    if "<" in body:
        fragment = _parse(f"<html><body>{body}</body></html>")
        if fragment is not None:
            body = _visible_text(fragment)
    return _paragraphs(body)


def headlines_of(tree: lxml.html.HtmlElement, meta: dict[str, Any]) -> set[str]:
    """Paragraph keys of the page's headlines (every h1 and the chosen title)."""
    keys = {_key(h.text_content()) for h in tree.iter("h1")} | {_key(meta.get("title"))}
    keys.discard("")
    return keys


def drop_headline(text: str, headlines: set[str]) -> tuple[list[str], list[Removal]]:
    """The text's paragraphs without a leading copy of the headline (metadata, not body)."""
    paragraphs = [p for p in text.split("\n\n") if _key(p)]
    if len(paragraphs) > 1 and _key(paragraphs[0]) in headlines:
        return paragraphs[1:], [Removal(text=paragraphs[0][:2000], reason="headline")]
    return paragraphs, []


def _too_short(text: str, fallback: str) -> bool:
    """Whether trafilatura missed part of the body.

    True when it returned nothing, or when the densest block holds clearly more text and
    contains nearly all of trafilatura's words (trafilatura stopped at an inner block); when
    trafilatura returned a short fragment of a five times longer block, most words suffice.
    """
    words, fallback_words = _WORDS.findall(text.lower()), _WORDS.findall(fallback.lower())
    if not words:
        return bool(fallback_words)
    if len(fallback_words) <= 1.5 * len(words):
        return False
    covered = sum((Counter(words) & Counter(fallback_words)).values())
    if len(words) < 200 and len(fallback_words) > 5 * len(words):  # a stray fragment
        return covered >= 0.8 * len(words)
    return covered >= 0.9 * len(words)


_RECALL_MIN_RATIO = 1.2  # recall output must be this much longer than the default one ...
_RECALL_MIN_COVER = 0.9  # ... contain this share of the default output's words ...
_RECALL_MIN_EXTRA = 100  # ... and add at least this many words


def _extends(text: str, recall_text: str) -> bool:
    """Whether trafilatura's recall mode found clearly more of the same article.

    The default mode often stops after the first section of long guides and listicles; the
    recall mode then returns a superset. It is taken only when it keeps nearly all of the
    default text and adds a substantial amount, so that a few extra teaser lines never
    replace a good extraction.
    """
    words, recall_words = _WORDS.findall(text.lower()), _WORDS.findall(recall_text.lower())
    if len(recall_words) <= _RECALL_MIN_RATIO * len(words):
        return False
    if len(recall_words) - len(words) < _RECALL_MIN_EXTRA:
        return False
    covered = Counter(words) & Counter(recall_words)
    return sum(covered.values()) >= _RECALL_MIN_COVER * len(words)


def _trafilatura_text(tree: lxml.html.HtmlElement, url: str | None, *,
                      favor_recall: bool = False, tags: dict[str, str] | None = None) -> str:
    """trafilatura's text, one paragraph per block; ``tags`` collects each block's element type.

    The element type (head, item, cell, quote, p) is kept by paragraph key for the paragraph
    filter; keys already seen keep their first type.
    """
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            copy.deepcopy(tree), url=url, include_comments=False, include_tables=True,
            with_metadata=False, favor_recall=favor_recall,
        )
    except Exception:  # noqa: BLE001 - a broken page must not stop a batch
        return ""
    if doc is None:
        return ""
    text = doc.text if hasattr(doc, "text") else doc.get("text")  # type: ignore[union-attr]
    body = getattr(doc, "body", None)
    if tags is not None and body is not None:
        for el in body.iter("head", "item", "cell", "quote", "p"):
            tags.setdefault(_key("".join(el.itertext())), el.tag)
    return _drop_repeats(_paragraphs(text or ""))


def _key(text: str | None) -> str:
    """Lower-cased words of a text, the unit for matching paragraphs across extractors."""
    return " ".join(_WORDS.findall((text or "").lower()))


_SENTENCE_END = re.compile(r"[.!?\u2026:;\"\u201d\u00bb)\]]$")
_URL_OR_SYMBOL = re.compile(r"[|\u00a9@]|https?:|www\.")


def paragraph_features(paragraphs: list[str], found: MainText,
                       spec: dict[str, Any]) -> list[list[float] | None]:
    """Cues that a short paragraph is article text, in ``spec["features"]`` order; None for
    paragraphs longer than ``spec["max_words"]``, which are always kept.

    Short paragraphs outside the densest text block, in runs of other short lines, made of
    link text, or without sentence punctuation are calls to action, teaser titles, labels and
    widget text that survive extraction.
    """
    keys = [_key(p) for p in paragraphs]
    sizes = [k.count(" ") + 1 for k in keys]
    densest_keys = f" {_key(found.densest)} "
    in_densest = [f" {k} " in densest_keys for k in keys]
    inside = [i for i, flag in enumerate(in_densest) if flag]
    first, last = (inside[0], inside[-1]) if inside else (len(paragraphs), -1)
    densest_share = sum(n for n, flag in zip(sizes, in_densest, strict=True)
                        if flag) / max(1, sum(sizes))
    anchors = {_key(a.text_content()) for a in found.pruned.iter("a")}
    anchors.discard("")
    long_anchors = [a for a in anchors if len(a) > 3]
    short_run = _short_runs(sizes, spec["short_words"])
    rows: list[list[float] | None] = []
    for i, (paragraph, key, size) in enumerate(zip(paragraphs, keys, sizes, strict=True)):
        if size > spec["max_words"]:
            rows.append(None)
            continue
        is_link = key in anchors
        link_share = 1.0 if is_link else min(1.0, sum(
            a.count(" ") + 1 for a in long_anchors if f" {a} " in f" {key} ") / size)
        words = paragraph.split()
        tag = found.tags.get(key, "p")
        rows.append([
            1.0, math.log1p(size), float(bool(_SENTENCE_END.search(paragraph.strip()))),
            float(in_densest[i]), float(i > last), float(i < first),
            i / max(1, len(paragraphs) - 1),
            math.log1p(sizes[i - 1] if i > 0 else 0),
            math.log1p(sizes[i + 1] if i + 1 < len(sizes) else 0),
            math.log1p(short_run[i]),
            sum(1 for w in words if w[:1].isupper()) / max(1, len(words)),
            sum(ch.isdigit() for ch in paragraph) / max(1, len(paragraph)),
            densest_share, float(bool(_URL_OR_SYMBOL.search(paragraph))),
            float(paragraph.rstrip().endswith(":")), float(is_link), link_share,
            float(tag == "head"), float(tag == "item"), float(tag == "cell"),
            float(tag == "quote"),
        ])
    return rows


def keep_probabilities(rows: list[list[float] | None], weights: list[float]) -> list[float]:
    """The model's probability that each paragraph is article text (1.0 for long ones)."""
    out = []
    for row in rows:
        if row is None:
            out.append(1.0)
            continue
        score = sum(w * x for w, x in zip(weights, row, strict=True))
        out.append(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, score)))))
    return out


def _filter_paragraphs(paragraphs: list[str], found: MainText) -> tuple[str, list[Removal]]:
    """The paragraphs the model reads as article text, and the others as removals (weights in
    ``html_selectors.json``, fitted by ``eval/train_paragraph_filter.py``)."""
    spec = _data("selectors").get("paragraph_filter")
    if not spec or len(paragraphs) < 2:
        return "\n\n".join(paragraphs), []
    rows = paragraph_features(paragraphs, found, spec)
    if all(row is None for row in rows):
        return "\n\n".join(paragraphs), []
    kept, dropped = [], []
    for paragraph, p in zip(paragraphs, keep_probabilities(rows, spec["weights"]), strict=True):
        if p >= spec["threshold"]:
            kept.append(paragraph)
        else:
            dropped.append(Removal(text=paragraph[:2000], reason="boilerplate-paragraph",
                                   score=round(1.0 - p, 3)))
    if not kept:  # nothing looked like prose: keep everything rather than return nothing
        return "\n\n".join(paragraphs), []
    return "\n\n".join(kept), dropped


def _short_runs(sizes: list[int], short_words: int) -> list[int]:
    """For each paragraph, the length of the run of short paragraphs it belongs to (0 if long)."""
    runs = [0] * len(sizes)
    start = 0
    while start < len(sizes):
        end = start
        is_short = sizes[start] <= short_words
        while end < len(sizes) and (sizes[end] <= short_words) == is_short:
            end += 1
        for i in range(start, end):
            runs[i] = end - start if is_short else 0
        start = end
    return runs


_REPEAT_MIN_WORDS = 8


def _drop_repeats(text: str) -> str:
    """Paragraphs without later exact repeats of a sentence-long paragraph.

    Galleries, pull quotes and responsive layouts print the same caption or paragraph twice;
    an article states it once. Short repeats ("Photo: AP", list labels) are left alone.
    """
    seen: set[str] = set()
    kept = []
    for paragraph in text.split("\n\n"):
        key = " ".join(_WORDS.findall(paragraph.lower()))
        if key in seen and key.count(" ") + 1 >= _REPEAT_MIN_WORDS:
            continue
        seen.add(key)
        kept.append(paragraph)
    return "\n\n".join(kept)


def _paragraphs(text: str) -> str:
    """One paragraph per line -> paragraphs separated by a blank line."""
    lines = [_norm(line) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


# --- pruning ---------------------------------------------------------------------------


def _text_len(el: etree._Element) -> int:
    return len(_norm(el.text_content())) if hasattr(el, "text_content") else 0


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
                if own > 0.5 * paragraph_total and paragraph_total > 400:
                    continue
                text = _removed_text(el)
                _drop(el)
                if text:
                    removed.append(Removal(text=text[:2000], reason=reason))
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
        removed.append(Removal(text=text[:2000], reason="link-list"))
    return removed


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


# --- density fallback ------------------------------------------------------------------


def density_extract(tree: lxml.html.HtmlElement) -> str:
    """Main text by text density: the container whose text blocks carry the most non-link text.

    Used when trafilatura returns nothing: each container scores the text of its block
    children minus link text, and the best container's blocks become paragraphs.
    """
    spec = _data("selectors")["density"]
    work = copy.deepcopy(tree)
    for el in list(work.iter(*spec["drop_tags"])):
        _drop(el)
    block_tags = set(spec["block_tags"])
    scores: dict[etree._Element, float] = {}
    for block in work.iter(*block_tags):
        text = _norm(block.text_content())
        if len(text) < 25:
            continue
        link_text = sum(len(_norm(a.text_content())) for a in block.iter("a"))
        value = max(0.0, len(text) - 2.0 * link_text) + (text.count(",") + text.count(".")) * 5
        parent = block.getparent()
        depth_weight = 1.0
        while parent is not None and depth_weight > 0.1:
            if parent.tag in spec["container_tags"]:
                scores[parent] = scores.get(parent, 0.0) + value * depth_weight
                depth_weight *= 0.5
            parent = parent.getparent()
    if not scores:
        return _paragraphs(_visible_text(work))
    best = max(scores, key=lambda el: scores[el])
    paragraphs = []
    for block in best.iter(*block_tags):
        if any(a.tag in block_tags for a in block.iterancestors()):
            continue
        text = _norm(block.text_content())
        link_text = sum(len(_norm(a.text_content())) for a in block.iter("a"))
        if text and link_text < 0.6 * len(text):
            paragraphs.append(text)
    return "\n\n".join(paragraphs) if paragraphs else _paragraphs(_visible_text(best))


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


# --- metadata candidates ----------------------------------------------------------------


def page_metadata(tree: lxml.html.HtmlElement, *, url: str | None = None) -> dict[str, Any]:
    """Metadata candidates of a page, each list in priority order, for ``extract_metadata``.

    Keys: ``title`` (best guess), ``titles`` [(source, text)], ``dates`` [(source, text)],
    ``modified``, ``authors`` [(source, text)], ``site_names``, ``publisher``, ``url``,
    ``canonical_url``, ``lang``, ``description``, ``h1``, ``declared_body`` (JSON-LD
    articleBody as paragraphs, or None), ``page_text`` (visible text, one
    block per line, for datelines and date lines near the title).
    """
    spec = _data("meta")
    metas = _meta_tags(tree)
    jsonld = _jsonld_articles(tree, set(spec["jsonld_article_types"]))
    out: dict[str, Any] = {"lang": None, "url": url}
    html_el = tree if tree.tag == "html" else tree.find(".//html")
    if html_el is not None:
        out["lang"] = (html_el.get("lang") or html_el.get("xml:lang") or "").strip() or None
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    out["canonical_url"] = canonical[0].strip() if canonical else None

    h1s = [_norm(h.text_content()) for h in tree.xpath(_data("selectors")["headline"])]
    h1s = [h for h in h1s if h]
    out["h1"] = h1s[0] if h1s else None
    title_tag = tree.xpath("//title")
    html_title = _norm(title_tag[0].text_content()) if title_tag else None

    titles: list[tuple[str, str]] = []
    for item in jsonld:
        if item.get("headline"):
            titles.append(("jsonld:headline", _norm(html_lib.unescape(str(item["headline"])))))
    for key in spec["title"]:
        if metas.get(key):
            titles.append((f"meta:{key}", metas[key]))
    if html_title:
        titles.append(("html:title", html_title))
    if out["h1"]:
        titles.append(("html:h1", out["h1"]))
    out["titles"] = titles

    dates: list[tuple[str, str]] = []
    for key in spec["published"][:2]:  # article:published_time is the most reliable
        if metas.get(key):
            dates.append((f"meta:{key}", metas[key]))
    for item in jsonld:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            if item.get(key):
                dates.append((f"jsonld:{key}", str(item[key])))
    for key in spec["published"][2:]:
        if metas.get(key):
            dates.append((f"meta:{key}", metas[key]))
    for el in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateCreated']"):
        value = el.get("content") or el.get("datetime") or _norm(el.text_content())
        if value:
            dates.append(("itemprop:datePublished", value))
    out["dates"] = dates
    out["time_elements"] = _time_elements(tree)
    url_date = _URL_DATE.search(url or "") or _URL_DATE.search(out["canonical_url"] or "")
    out["url_date"] = (
        f"{url_date.group(1)}-{int(url_date.group(2)):02d}-{int(url_date.group(3)):02d}"
        if url_date else None
    )
    modified = [str(item["dateModified"]) for item in jsonld if item.get("dateModified")]
    modified += [metas[k] for k in spec["modified"] if metas.get(k)]
    out["modified"] = modified[0] if modified else None

    authors: list[tuple[str, str]] = []
    for item in jsonld:
        for name in _names(item.get("author")):
            authors.append(("jsonld:author", name))
    for key in spec["author"]:
        if metas.get(key) and not metas[key].startswith("http"):
            authors.append((f"meta:{key}", metas[key]))
    authors.extend(("html:byline", b) for b in _bylines(tree))
    out["authors"] = authors

    site_names: list[str] = []
    for item in jsonld:
        site_names.extend(_names(item.get("publisher")))
    for key in spec["site_name"]:
        value = metas.get(key)
        if value and not value.startswith("http"):
            site_names.append(value.lstrip("@"))
    out["site_names"] = list(dict.fromkeys(site_names))
    out["title"] = _choose_title(out["h1"], titles, out["site_names"], url)
    out["publisher"] = next(iter(n for item in jsonld for n in _names(item.get("publisher"))), None)
    out["description"] = next((metas[k] for k in spec["description"] if metas.get(k)), None)
    if not out["url"]:
        out["url"] = out["canonical_url"] or next((metas[k] for k in spec["url"] if metas.get(k)),
                                                  None)
    bodies = [item["articleBody"] for item in jsonld if isinstance(item.get("articleBody"), str)]
    out["declared_body"] = _declared_paragraphs(max(bodies, key=len)) if bodies else None
    out["page_text"] = _visible_text(tree)
    out["htmldate"] = None if dates else _htmldate(tree, url)
    return out


def _htmldate(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """htmldate's guess of the original date, for pages without machine-readable dates."""
    try:
        import htmldate
    except ImportError:
        return None
    try:
        return htmldate.find_date(copy.deepcopy(tree), original_date=True, url=url)
    except Exception:  # noqa: BLE001 - a heuristic must not stop a batch
        return None


def _choose_title(h1: str | None, titles: list[tuple[str, str]], site_names: list[str],
                  url: str | None) -> str | None:
    """The headline: the visible h1 unless it looks like a logo or section label.

    ``<title>`` and og:title usually carry the site name and are often an SEO variant of the
    headline, so the h1 wins when it agrees with them or is a real sentence (3+ words); a
    short h1 that disagrees (a site logo, "Opinion") or one that is the site's name (a blog's
    masthead) gives way to the meta title.
    """
    from ..metadata.titles import is_site_name, site_name_from_title, strip_site_name

    # the name a <title> adds to a declared headline ("Blog Name: Headline" with og:title
    # "Headline") is a site name too, even where no meta tag says so
    page_title = next((text for source, text in titles if source == "html:title"), None)
    sites = list(site_names) + [
        name for source, text in titles if source not in ("html:title", "html:h1")
        if (name := site_name_from_title(page_title, text))]
    if h1 and (_furniture_headline(h1) or is_site_name(h1, site_names=sites, url=url)):
        h1 = None
    headline = strip_site_name(h1, site_names=list(site_names), url=url) if h1 else None
    other = None
    for source, text in titles:
        if source != "html:h1":
            other = strip_site_name(text, site_names=list(site_names), url=url)
            if other:
                break
    if headline and other:
        h_key = " ".join(_WORDS.findall(headline.lower()))
        o_key = " ".join(_WORDS.findall(other.lower()))
        if h_key in o_key or o_key in h_key or len(_WORDS.findall(headline)) >= 3:
            return headline
        return other
    return headline or other


def _furniture_headline(h1: str) -> bool:
    """Whether an h1 is page furniture rather than the headline: an unrendered template
    ("{{ item.title }}"), a breadcrumb ("Science > AI") or menu words ("Open Menu Close Menu")."""
    if "{{" in h1 or "}}" in h1 or re.search(r"[^\W\d]\s[>›»]\s[^\W\d]", h1):
        return True
    words = [w.lower() for w in _WORDS.findall(h1)]
    return bool(words) and set(words) <= set(_data("meta")["furniture_headline_words"])


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    metas: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content and content.strip():
            metas.setdefault(key.strip().lower(), _norm(html_lib.unescape(content)))
    return metas


def _jsonld_articles(tree: lxml.html.HtmlElement, types: set[str]) -> list[dict[str, Any]]:
    """JSON-LD objects of article-like types, most specific (news article) first."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            payload = json.loads(raw)
        except json.JSONDecodeError:
            try:
                payload = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except json.JSONDecodeError:
                continue
        stack = [payload]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k in types for k in kinds):
                    found.append(item)
                for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    order = {t: i for i, t in enumerate(
        ["NewsArticle", "ReportageNewsArticle", "Article", "BlogPosting", "LiveBlogPosting"])}

    def rank(item: dict[str, Any]) -> int:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        return min((order.get(k, 10) for k in kinds if isinstance(k, str)), default=10)

    return sorted(found, key=rank)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [_norm(value)] if value.strip() and not value.startswith("http") else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _bylines(tree: lxml.html.HtmlElement) -> list[str]:
    names: list[str] = []
    for selector in _data("selectors")["byline"]:
        try:
            hits = _xpath(selector)(tree)
        except etree.XPathError:
            continue
        for el in hits:
            text = _norm(el.text_content() if hasattr(el, "text_content") else str(el))
            if 2 < len(text) <= 80:
                names.append(text)
        if names:
            break
    return names


def _time_elements(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """``<time>`` elements in document order with whether they come after the headline."""
    headline = tree.xpath("(//h1)[1]")
    order = {el: i for i, el in enumerate(tree.iter())}
    h1_index = order.get(headline[0]) if headline else None
    items = []
    for el in tree.xpath(_data("selectors")["time"]):
        value = el.get("datetime") or _norm(el.text_content())
        if not value:
            continue
        index = order.get(el, 0)
        hints = " ".join(
            filter(None, [el.get("class"), el.get("itemprop"), el.get("pubdate") and "pubdate",
                          el.getparent().get("class") if el.getparent() is not None else None])
        ).lower()
        items.append({"text": value, "label": _norm(el.text_content())[:80], "hints": hints,
                      "distance": None if h1_index is None else index - h1_index})
    return items
