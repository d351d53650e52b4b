"""Signals of a derived article relative to its source in a trace: what the rewrite did.

Reads the trace's per-article entry (``added`` spans, ``altered`` sentence pairs) and both
texts; pure, no store. Every finding carries the passages on both sides.
"""

from __future__ import annotations

import re
from typing import Any

from .analyze import find_terms, headline_score, lexicon, paragraph_techniques

HEADLINE_MARGIN = 0.15  # a headline this much more sensational than its source's is reported
OVERLAP_SHARE = 0.5
# A sentence sharing this share of its content-word stems with a source sentence restates it.
# Set by hand: the seeds' spun "staging ground for nuclear missiles" sentence shares about
# half with the wire's; the bundled neutral update shares under 0.2 with any source sentence.
PARAPHRASE_SHARE = 0.4  # share of a paragraph inside added/altered text for its technique to count
_NUMBER = re.compile(r"\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?")


def _numbers(text: str) -> list[float]:
    out = []
    for raw in _NUMBER.findall(text):
        clean = re.sub(r"[\u00a0 ]", "", raw)
        if re.fullmatch(r"\d{1,3}(,\d{3})+", clean):
            clean = clean.replace(",", "")
        try:
            out.append(float(clean.replace(",", ".")))
        except ValueError:
            continue
    return out


def _changed_spans(entry: dict[str, Any], text: str) -> list[tuple[int, int, str, str | None]]:
    """(start, end, kind, source_text) of the added and altered passages in the derived text."""
    spans: list[tuple[int, int, str, str | None]] = []
    for a in entry.get("added", []):
        if a.get("start") is not None and a.get("end") is not None:
            spans.append((int(a["start"]), int(a["end"]), "added", None))
    for alt in entry.get("altered", []):
        at = text.find(alt.get("text") or "\0")
        if at >= 0:
            spans.append((at, at + len(alt["text"]), "altered", alt.get("source_text")))
    return spans


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def added_techniques(entry: dict[str, Any], source_text: str, text: str,
                     lang_s: str | None, lang_d: str | None) -> list[dict[str, Any]]:
    """Techniques of the derived article's added and altered passages that its source does not
    use: for an added passage, nowhere in the source; for an altered one, not in the source's
    version of that passage."""
    spans = _changed_spans(entry, text)
    if not spans:
        return []
    in_source = {t["name"] for t in paragraph_techniques(source_text, lang_s)}
    out = []
    for t in paragraph_techniques(text, lang_d):
        p0, p1 = t["paragraph_start"], t["paragraph_end"]
        for s0, s1, kind, src in spans:
            shared = _overlap(p0, p1, s0, s1)
            if shared < OVERLAP_SHARE * min(p1 - p0, s1 - s0):
                continue
            if kind == "added" and t["name"] in in_source:
                continue
            if kind == "altered" and src and t["name"] in {
                x["name"] for x in paragraph_techniques(src, lang_s)
            }:
                continue
            out.append({
                "name": t["name"], "score": t["score"], "confidence": t["confidence"],
                "kind": kind, "text": text[max(p0, s0):min(p1, s1)] if kind == "altered" else text[p0:p1],
                "start": t["start"], "end": t["end"], "reason": t["reason"],
                "source_text": src,
                "note": "absent from the source" if kind == "added"
                else "absent from the source's version of this passage",
            })
            break
    return out


def _content_words(text: str) -> set[str]:
    """Content-word stems (first six letters), so "Belarusian" meets "Belarus"."""
    return {w[:6] for w in re.findall(r"\w+", text.lower()) if len(w) > 3 and not w.isdigit()}


def paired_sentences(source_text: str, text: str) -> list[dict[str, Any]]:
    """Sentences of the derived text that are not in the source but restate a source sentence
    in other words (same language), each paired with the source sentence sharing most of its
    content words: the rewrites a trace may align without flagging, or not align at all."""
    from ..sentences import split_sentences

    source_sents = [(s.text, _content_words(s.text)) for s in split_sentences(source_text)]
    pairs = []
    for sent in split_sentences(text):
        if sent.text in source_text:
            continue
        words = _content_words(sent.text)
        if len(words) < 4:
            continue
        best, best_score = None, 0.0
        for src, sw in source_sents:
            score = len(words & sw) / max(1, min(len(words), len(sw)))
            if score > best_score:
                best, best_score = src, score
        if best is not None and best_score >= PARAPHRASE_SHARE:
            pairs.append({"source_text": best, "text": sent.text, "what": "rewritten",
                          "start": sent.start, "end": sent.end})
    return pairs


def changed_pairs(entry: dict[str, Any], source_text: str, text: str, same_language: bool
                  ) -> list[dict[str, Any]]:
    """The trace's altered pairs, then (same language) rewritten sentences it did not flag."""
    pairs = list(entry.get("altered", []))
    if same_language and source_text and text:
        seen = [p.get("text") or "" for p in pairs]
        pairs += [p for p in paired_sentences(source_text, text)
                  if not any(p["text"] in t or t in p["text"] for t in seen)]
    return pairs


def escalations(entry: dict[str, Any], lang_s: str | None, lang_d: str | None,
                source_text: str = "", text: str = "") -> list[dict[str, Any]]:
    """Altered passages made stronger: weapon, casualty or war terms and intensity words the
    source passage does not have, and numbers made larger. Sentences that restate a source
    sentence in other words (same language) are read as altered passages too."""
    out = []
    same_language = lang_s == lang_d
    lex_d = lexicon(lang_d)
    lex_s = lexicon(lang_s)
    for alt in changed_pairs(entry, source_text, text, same_language):
        src, dst = alt.get("source_text") or "", alt.get("text") or ""
        found: dict[str, Any] = {}
        if same_language and lex_d["escalation"]:
            terms = [t for t in find_terms(dst, lex_d["escalation"])
                     if t not in find_terms(src, lex_s["escalation"])]
            if terms:
                found["terms"] = terms
            stronger = [t for t in find_terms(dst, lex_d["intensifiers"])
                        if t not in find_terms(src, lex_s["intensifiers"])]
            if stronger:
                found["intensifiers"] = stronger
        ns, nd = _numbers(src), _numbers(dst)
        if ns and nd and max(nd) > max(ns) and set(nd) != set(ns):
            found["numbers"] = {"source": max(ns), "derived": max(nd)}
        if found:
            out.append({"source_text": src, "text": dst, **found,
                        "trace_what": alt.get("what"), "detail": alt.get("detail")})
    return out


def dropped_hedges(entry: dict[str, Any], lang_s: str | None, lang_d: str | None,
                   source_text: str = "", text: str = "") -> list[dict[str, Any]]:
    """Hedges and attributions of the source ("according to", "allegedly", "said") that the
    derived version of the same passage no longer carries."""
    out = []
    for alt in changed_pairs(entry, source_text, text, lang_s == lang_d):
        src, dst = alt.get("source_text") or "", alt.get("text") or ""
        if alt.get("what") == "hedge":
            out.append({"source_text": src, "text": dst, "dropped": [alt.get("detail")],
                        "from": "trace"})
            continue
        if lang_s != lang_d:
            continue
        lex = lexicon(lang_s)
        gone = [t for t in find_terms(src, lex["hedges"] + lex["attributions"])
                if t not in find_terms(dst, lex["hedges"] + lex["attributions"])]
        if gone:
            out.append({"source_text": src, "text": dst, "dropped": sorted(set(gone)),
                        "from": "lexicon"})
    return out


def headline_change(source: dict[str, Any], derived: dict[str, Any]) -> dict[str, Any] | None:
    """Both headlines' scores, and whether the derived one is more sensational."""
    if not derived.get("title") or not source.get("title"):
        return None
    s = headline_score(source["title"], source["text"], source.get("language"))
    d = headline_score(derived["title"], derived["text"], derived.get("language"))
    return {"source_title": source["title"], "title": derived["title"], "source_score": s,
            "score": d, "more_sensational": d - s >= HEADLINE_MARGIN}


def relative_signals(entry: dict[str, Any], source: dict[str, Any],
                     derived: dict[str, Any]) -> dict[str, Any]:
    """All relative signals of one derived article. ``source`` and ``derived`` are
    ``{"id", "title", "text", "language"}``; ``entry`` is the trace's entry for ``derived``."""
    ls, ld = source.get("language"), derived.get("language")
    return {
        "source": source.get("id"),
        "kind": entry.get("kind"),
        "added_techniques": added_techniques(entry, source["text"], derived["text"], ls, ld),
        "escalations": escalations(entry, ls, ld, source["text"], derived["text"]),
        "dropped_hedges": dropped_hedges(entry, ls, ld, source["text"], derived["text"]),
        "headline": headline_change(source, derived),
    }
