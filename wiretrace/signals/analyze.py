"""Signals of one text, in isolation: techniques per paragraph, genre, sensational headline."""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import ModelUnavailableError
from ..sentences import split_sentences
from . import features as F
from .model import DATA, genre_model, techniques_model

# Languages the models were trained on (SemEval-2023 Task 3). Elsewhere the model still reads
# the text through shared character n-grams and words, but no held-out figure exists, so the
# confidence is scaled down by this factor (a judgement, not a measurement).
TRAINED_LANGUAGES = frozenset({"en", "fr", "de", "it", "pl", "ru"})
OUTSIDE_FACTOR = 0.6
MIN_PARAGRAPH_CHARS = 25  # shorter lines (datelines, captions) carry no technique worth naming
SPAN_SHARE = 0.6  # a sentence holding this share of a paragraph's evidence is the span
REASON_WORDS = 4  # words named in a technique's reason
REASON_MIN_CHARS = 4  # shorter words (articles, pronouns) carry weight but explain nothing
# Cue phrases (per-language lists under data/lexicon) for the two techniques the model sees
# least (Whataboutism has 114 training paragraphs in 19,901): a cue found reports the
# technique at this score when the model's own score is lower. A judgement, not a fit.
CUE_SCORE = 0.5
CUE_LABELS = {"whataboutism": "Whataboutism", "hypocrisy": "Appeal_to_Hypocrisy"}
# Headline score: each cue adds to a logit. The weights are set by hand, not fitted (no
# labelled headlines are at hand): a wire headline with no cue stays near 0.1, one "!" or
# clickbait phrase with an intensifier passes 0.5.
HEADLINE_WEIGHTS = {
    "exclamation": 1.6, "question": 0.8, "caps": 1.2, "intensifier": 0.9, "clickbait": 1.3,
    "withheld": 0.8, "quote": 0.3, "ellipsis": 0.6, "not_in_body": 0.25,
}
HEADLINE_BIAS = -2.2
_PARA = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_WORD = re.compile(r"\w+", re.UNICODE)
_WITHHELD = {
    "en": ("this", "these", "here's", "what", "why", "how", "who"),
    "ru": ("это", "вот", "что", "почему", "как"),
    "uk": ("це", "ось", "що", "чому", "як"),
    "bg": ("това", "ето", "какво", "защо", "как"),
    "de": ("das", "dies", "darum", "warum", "wie", "was"),
    "fr": ("ce", "voici", "pourquoi", "comment", "quoi"),
    "pl": ("to", "oto", "dlaczego", "jak", "co"),
    "it": ("questo", "ecco", "perché", "come", "cosa"),
}


@lru_cache(maxsize=16)
def lexicon(language: str | None) -> dict[str, tuple[str, ...]]:
    """Word lists of one language (hedges, attributions, intensifiers, escalation, clickbait);
    empty lists for a language without a file."""
    path = DATA / "lexicon" / f"{language or 'xx'}.json"
    if not language or not path.exists():
        return {k: () for k in ("hedges", "attributions", "intensifiers", "escalation", "clickbait",
                                "whataboutism", "hypocrisy")}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in raw.items()}


def find_terms(text: str, terms: tuple[str, ...]) -> list[str]:
    """Terms of a list found in ``text``: whole words or phrases, and stems (a term matched
    at a word start, so ``ядерн`` finds ``ядерными``)."""
    low = text.lower()
    found = []
    for term in terms:
        if re.search(r"(?<!\w)" + re.escape(term), low):
            found.append(term)
    return found


def paragraphs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each non-blank line block, as the training data splits articles."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            out.append((m.start() + lead, m.start() + lead + len(stripped), stripped))
    return out


def _reason(model: Any, text: str, label: int) -> tuple[str, list[str]]:
    words = dict.fromkeys(_WORD.findall(F.normalize(text)))
    scored = sorted(((float(model.weights[F._bucket("w:" + w), label]), w) for w in words),
                    reverse=True)
    top = [w for s, w in scored if s > 0 and len(w) >= REASON_MIN_CHARS][:REASON_WORDS]
    return ("carried by " + ", ".join(f"'{w}'" for w in top)) if top else "paragraph as a whole", top


def _span(model: Any, text: str, start: int, language: str | None, label: int) -> tuple[int, int]:
    """The sentence that carries most of the label's word evidence, else the paragraph."""
    sentences = split_sentences(text, language)
    if len(sentences) < 2:
        return start, start + len(text)
    evidence = []
    for s in sentences:
        row = F._l2(F.word_block(s.text), 1.0)
        evidence.append(sum(max(0.0, c) for c in model.contributions(row, label).values()))
    total = sum(evidence)
    best = int(np.argmax(evidence))
    if total > 0 and evidence[best] / total >= SPAN_SHARE:
        return start + sentences[best].start, start + sentences[best].end
    return start, start + len(text)


def paragraph_techniques(text: str, language: str | None = None,
                         threshold_scale: float = 1.0) -> list[dict[str, Any]]:
    """Techniques of every paragraph of ``text`` above the model's per-label thresholds
    (times ``threshold_scale``): name, score, confidence, span, paragraph index and reason."""
    model = techniques_model()
    paras = [p for p in paragraphs(text) if len(p[2]) >= MIN_PARAGRAPH_CHARS]
    if not paras:
        return []
    context = F.context_block([p[2] for p in paras])
    rows = [F.paragraph_features(p[2], context) for p in paras]
    probs = model.article_probabilities(rows)
    factor = 1.0 if (language or "") in TRAINED_LANGUAGES else OUTSIDE_FACTOR
    lex = lexicon(language)
    out = []
    for i, (start, end, ptext) in enumerate(paras):
        cues = {model.labels.index(label): find_terms(ptext, lex[key])
                for key, label in CUE_LABELS.items() if find_terms(ptext, lex[key])}
        flagged = set(np.flatnonzero(probs[i] >= model.thresholds * threshold_scale).tolist())
        for j in sorted(flagged | set(cues)):
            reason, words = _reason(model, ptext, int(j))
            score = float(probs[i, j])
            s, e = _span(model, ptext, start, language, int(j))
            if j in cues:
                score = max(score, CUE_SCORE)
                phrase = cues[j][0]
                reason = f"cue '{phrase}'; " + reason if j in flagged else f"cue '{phrase}'"
                at = ptext.lower().find(phrase)
                for sent in split_sentences(ptext, language):
                    if sent.start <= at < sent.end:
                        s, e = start + sent.start, start + sent.end
            out.append({
                "name": model.labels[j], "score": round(score, 3),
                "confidence": round(score * factor, 3),
                "start": s, "end": e, "paragraph": i, "paragraph_start": start,
                "paragraph_end": end, "reason": reason, "words": words,
            })
    return out


def genre(title: str | None, text: str) -> tuple[str, dict[str, float]]:
    """Genre (opinion / reporting / satire) and its scores (softmax of the offset logits)."""
    model = genre_model()
    if model.idf is None:
        raise ModelUnavailableError("the genre model has no document frequencies: refit it "
                                    "with `python eval/signals.py --fit`")
    # a multinomial model: its thresholds are per-class logit offsets, tuned in
    # cross-validation for macro-F1 (eval/signals.py genre_offsets)
    z = model.logits([F.tfidf_row(F.genre_counts(title or "", text), model.idf)])[0]
    z = z + model.thresholds
    p = np.exp(z - z.max())
    p = p / float(p.sum())
    scores = {g: round(float(v), 3) for g, v in zip(model.labels, p, strict=True)}
    return max(scores, key=scores.__getitem__), scores


def headline_cues(title: str | None, body: str, language: str | None) -> dict[str, float]:
    """The cues a sensational headline shows, each counted (capped) for the score."""
    title = (title or "").strip()
    if not title:
        return {}
    lex = lexicon(language)
    words = _WORD.findall(title)
    body_words = {w.lower() for w in _WORD.findall(body[:5000])}
    cues = {
        "exclamation": min(2, title.count("!")),
        "question": min(1, title.count("?")),
        "caps": min(2, sum(1 for w in words if len(w) > 3 and w.isupper() and w.isalpha())),
        "intensifier": min(2, len(find_terms(title, lex["intensifiers"]))),
        "clickbait": min(2, len(find_terms(title, lex["clickbait"]))),
        "withheld": 1.0 if words and words[0].lower() in _WITHHELD.get(language or "", ()) else 0.0,
        "quote": 1.0 if re.search(r"[\"«“„]", title) else 0.0,
        "ellipsis": 1.0 if "..." in title or "…" in title else 0.0,
        # words of the headline the body never uses: a headline written apart from its report
        "not_in_body": min(4, sum(1 for w in words if len(w) > 3 and w.lower() not in body_words)),
    }
    return {k: float(v) for k, v in cues.items() if v}


def headline_score(title: str | None, body: str, language: str | None) -> float:
    """0..1: how sensational the headline is, read from its cues against its body."""
    cues = headline_cues(title, body, language)
    if not (title or "").strip():
        return 0.0
    z = HEADLINE_BIAS + sum(HEADLINE_WEIGHTS[k] * v for k, v in cues.items())
    return round(1.0 / (1.0 + math.exp(-z)), 3)


def analyze_text(text: str, title: str | None = None, language: str | None = None) -> dict[str, Any]:
    """Every isolated signal of one text: techniques, genre with scores, headline score."""
    if language is None:
        from ..language import detect_language

        language = detect_language(text[:2000])[0]
    name, scores = genre(title, text)
    return {
        "language": language,
        "trained_language": (language or "") in TRAINED_LANGUAGES,
        "genre": name,
        "genre_scores": scores,
        "headline_score": headline_score(title, text, language),
        "headline_cues": headline_cues(title, text, language),
        "techniques": paragraph_techniques(text, language),
    }


PART_SEPARATOR = "\n\n"  # parts of one article are joined as paragraphs


def analyze_parts(parts: list[str], title: str | None = None,
                  language: str | None = None) -> list[dict[str, Any]]:
    """The signals of texts that are consecutive parts (paragraphs) of one article, read
    together so each paragraph's techniques are judged in its article's context, as the
    model was trained: one result per part, its techniques with offsets into that part,
    and the article's genre and headline score."""
    joined = PART_SEPARATOR.join(parts)
    whole = analyze_text(joined, title, language)
    para_starts = [p[0] for p in paragraphs(joined) if len(p[2]) >= MIN_PARAGRAPH_CHARS]
    out = []
    start = 0
    for part in parts:
        end = start + len(part)
        before = sum(1 for s in para_starts if s < start)  # paragraphs of earlier parts
        mine = []
        for t in whole["techniques"]:
            if start <= t["paragraph_start"] < end:
                moved = dict(t, paragraph=t["paragraph"] - before)
                for key in ("start", "end", "paragraph_start", "paragraph_end"):
                    moved[key] = t[key] - start
                mine.append(moved)
        out.append({**whole, "techniques": mine})
        start = end + len(PART_SEPARATOR)
    return out
