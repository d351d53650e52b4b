"""The paragraph filter: short paragraphs that a small logistic model (weights in
``data/html_selectors.json``, fitted by ``eval/train_paragraph_filter.py``) reads as page
furniture are removed: calls to action, teaser titles, labels outside the densest block.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..records import Removal
from . import settings as S
from .html_dom import _data, _key
from .main_text import MainText

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
            dropped.append(Removal(text=paragraph[:S.REMOVAL_MAX_CHARS], reason="boilerplate-paragraph",
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
