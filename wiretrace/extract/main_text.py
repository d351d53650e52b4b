"""Choosing the main text: trafilatura (default or recall mode), the page's declared
``articleBody``, or a text-density extractor over lxml when trafilatura misses the body.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

from ..records import Removal
from . import settings as S
from .dom_repair import _prune
from .html_dom import _WORDS, _data, _drop, _key, _norm, _paragraphs, _visible_text


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
    if declared_words < S.DECLARED_MIN_WORDS:
        return False
    if declared_words >= S.DECLARED_MIN_RATIO * len(_WORDS.findall(text)):
        return True
    return text.count("\n\n") < declared.count("\n\n") and _key(text) == _key(declared)


def headlines_of(tree: lxml.html.HtmlElement, meta: dict[str, Any]) -> set[str]:
    """Paragraph keys of the page's headlines (every h1 and the chosen title)."""
    keys = {_key(h.text_content()) for h in tree.iter("h1")} | {_key(meta.get("title"))}
    keys.discard("")
    return keys


def drop_headline(text: str, headlines: set[str]) -> tuple[list[str], list[Removal]]:
    """The text's paragraphs without a leading copy of the headline (metadata, not body)."""
    paragraphs = [p for p in text.split("\n\n") if _key(p)]
    if len(paragraphs) > 1 and _key(paragraphs[0]) in headlines:
        return paragraphs[1:], [Removal(text=paragraphs[0][:S.REMOVAL_MAX_CHARS], reason="headline")]
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
    if len(fallback_words) <= S.FALLBACK_MIN_RATIO * len(words):
        return False
    covered = sum((Counter(words) & Counter(fallback_words)).values())
    if len(words) < S.FRAGMENT_MAX_WORDS and len(fallback_words) > S.FRAGMENT_RATIO * len(words):
        return covered >= S.FRAGMENT_COVER * len(words)  # a stray fragment
    return covered >= S.FALLBACK_COVER * len(words)


def _extends(text: str, recall_text: str) -> bool:
    """Whether trafilatura's recall mode found clearly more of the same article.

    The default mode often stops after the first section of long guides and listicles; the
    recall mode then returns a superset. It is taken only when it keeps nearly all of the
    default text and adds a substantial amount, so that a few extra teaser lines never
    replace a good extraction.
    """
    words, recall_words = _WORDS.findall(text.lower()), _WORDS.findall(recall_text.lower())
    if len(recall_words) <= S.RECALL_MIN_RATIO * len(words):
        return False
    if len(recall_words) - len(words) < S.RECALL_MIN_EXTRA:
        return False
    covered = Counter(words) & Counter(recall_words)
    return sum(covered.values()) >= S.RECALL_MIN_COVER * len(words)


def _trafilatura_text(tree: lxml.html.HtmlElement, url: str | None, *,
                      favor_recall: bool = False, tags: dict[str, str] | None = None) -> str:
    """trafilatura's text, one paragraph per block; ``tags`` collects each block's element type.

    The element type (head, item, cell, quote, p) is kept by paragraph key for the paragraph
    filter; keys already seen keep their first type.
    """
    import trafilatura  # on first use: ~1 s of imports a run without HTML pages never pays

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


def _drop_repeats(text: str) -> str:
    """Paragraphs without later exact repeats of a sentence-long paragraph.

    Galleries, pull quotes and responsive layouts print the same caption or paragraph twice;
    an article states it once. Short repeats ("Photo: AP", list labels) are left alone.
    """
    seen: set[str] = set()
    kept = []
    for paragraph in text.split("\n\n"):
        key = " ".join(_WORDS.findall(paragraph.lower()))
        if key in seen and key.count(" ") + 1 >= S.REPEAT_MIN_WORDS:
            continue
        seen.add(key)
        kept.append(paragraph)
    return "\n\n".join(kept)


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
        if len(text) < S.DENSITY_MIN_CHARS:
            continue
        link_text = sum(len(_norm(a.text_content())) for a in block.iter("a"))
        value = (max(0.0, len(text) - S.DENSITY_LINK_PENALTY * link_text)
                 + (text.count(",") + text.count(".")) * S.DENSITY_PUNCTUATION_BONUS)
        parent = block.getparent()
        depth_weight = 1.0
        while parent is not None and depth_weight > S.DENSITY_MIN_WEIGHT:
            if parent.tag in spec["container_tags"]:
                scores[parent] = scores.get(parent, 0.0) + value * depth_weight
                depth_weight *= S.DENSITY_DECAY
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
        if text and link_text < S.DENSITY_MAX_LINK_SHARE * len(text):
            paragraphs.append(text)
    return "\n\n".join(paragraphs) if paragraphs else _paragraphs(_visible_text(best))
