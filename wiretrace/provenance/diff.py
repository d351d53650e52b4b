"""The claim diff: what a derivative added, left out or changed relative to its source.

A difference is reported only when it is concrete: a replaced number, a replaced name, a
different quantifier, a hedge dropped or added, an intensifier or qualifier that appears on one
side only. Paraphrase is not alteration. Across languages only numbers, transliterated names
and hedge/sourcing markers are compared, never words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..lang.names import name_in
from ..lang.numbers import same_number
from .align import Doc, PairAlignment
from .lexicon import (
    Number,
    attribution_verbs,
    extract_names,
    extract_numbers,
    has_lexicon,
    hedges,
    lexicon,
    markers,
    name_slots,
    normalise_word,
    quantifiers,
    sourcing,
    stem,
    tokenize,
    words_match,
)

PARTIAL_LENGTH_RATIO = 1.6
# Two sentences of one language make the same claim when this share of their content words
# (Dice, numbers left out) is shared: "evacuated 1,200 people" / "evacuated 12,000 people".
# Below it a different figure is a different fact ("beyond a Sept. 30 deadline" / "just 18
# days before"), unless the figures sit in the same slot (the same word before or after).
SAME_CLAIM_WORDS = 0.5


def _fmt(value: float) -> str:
    return f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def number_changes(
    source: str,
    derived: str,
    lang_s: str | None,
    lang_d: str | None,
    source_numbers: Sequence[float] | None = None,
    derived_numbers: Sequence[float] | None = None,
) -> list[str]:
    """Numbers replaced between two aligned sentences ("35,000 -> 30,000").

    With the articles' numbers given, the new figure must be one the source never states and
    the old one a figure the derivative never states: a moved number is not a changed one.
    """
    nums_s, nums_d = extract_numbers(source, lang_s), extract_numbers(derived, lang_d)
    only_s = [n for n in nums_s if not any(same_number(n.value, m.value) for m in nums_d)]
    only_d = [n for n in nums_d if not any(same_number(n.value, m.value) for m in nums_s)]
    if derived_numbers is not None:
        only_s = [n for n in only_s if not any(same_number(n.value, v) for v in derived_numbers)]
    if source_numbers is not None:
        only_d = [n for n in only_d if not any(same_number(n.value, v) for v in source_numbers)]
    changes = []
    used: set[int] = set()
    same_language = (lang_s or "") == (lang_d or "")
    wordy = same_language and _content_overlap(source, derived, lang_s) >= SAME_CLAIM_WORDS
    for old in only_s:
        match = _closest(old, only_d, used)
        if match is None:
            continue
        new = only_d[match]
        if same_language and not wordy and not _same_slot(source, old, derived, new):
            continue  # a different fact that happens to carry another number
        used.add(match)
        changes.append(f"{_fmt(old.value)} -> {_fmt(new.value)}")
    return changes


def _content_overlap(a: str, b: str, language: str | None) -> float:
    """Dice overlap of two sentences' content-word stems, numbers left out."""
    stop = set(lexicon(language).get("stopwords", []))

    def words(text: str) -> set[str]:
        return {
            stem(t.norm)
            for t in tokenize(text)
            if len(t.norm) > 2 and t.norm not in stop and not t.norm[0].isdigit()
        }

    wa, wb = words(a), words(b)
    return 2 * len(wa & wb) / max(len(wa) + len(wb), 1)


def _neighbours(text: str, number: Number) -> set[str]:
    """Stems of the words right before and after a number: its slot ("30 deadline")."""
    at = text.find(number.surface)
    if at < 0:
        return set()
    before = [t.norm for t in tokenize(text[:at]) if not t.norm[0].isdigit()]
    after = [t.norm for t in tokenize(text[at + len(number.surface) :]) if not t.norm[0].isdigit()]
    return {stem(w) for w in before[-1:] + after[:1] if len(w) > 1}


def _same_slot(source: str, old: Number, derived: str, new: Number) -> bool:
    return bool(_neighbours(source, old) & _neighbours(derived, new))


def _closest(old: Number, candidates: Sequence[Number], used: set[int]) -> int | None:
    best, best_gap = None, None
    for idx, new in enumerate(candidates):
        if idx in used or new.kind != old.kind:
            continue
        gap = abs(new.value - old.value) / max(abs(old.value), abs(new.value), 1.0)
        if best_gap is None or gap < best_gap:
            best, best_gap = idx, gap
    return best


def name_changes(
    source: str,
    derived: str,
    source_names: Sequence[str],
    derived_names: Sequence[str],
    lang_s: str | None = None,
    lang_d: str | None = None,
    lower_s: frozenset[str] = frozenset(),
    lower_d: frozenset[str] = frozenset(),
) -> list[str]:
    """A name replaced by another in the same slot (same neighbouring word, or a cognate across
    languages), where neither name appears anywhere in the other article."""
    same_language = lang_s == lang_d
    gone = [n for n in name_slots(source, lang_s, lower_s) if not name_in(n.name, derived_names)]
    new = [n for n in name_slots(derived, lang_d, lower_d) if not name_in(n.name, source_names)]
    for old in gone:
        for repl in new:
            if words_match(old.after, repl.after, same_language) or (
                old.before and words_match(old.before, repl.before, same_language)
            ):
                return [f"{old.name} -> {repl.name}"]
    return []


def _hedged(text: str, language: str | None) -> list[str]:
    """Everything that keeps a claim at arm's length: hedges, sourcing, attribution verbs."""
    return hedges(text, language) + sourcing(text, language) + attribution_verbs(text, language)


def hedge_changes(source: str, derived: str, lang_s: str | None, lang_d: str | None) -> list[str]:
    """A claim stripped of its hedge or attribution (or given one it did not have).

    Within a language, individual hedge words are compared; across languages only whether the
    claim is hedged or attributed at all. Languages without word lists are not compared.
    """
    if not (has_lexicon(lang_s) and has_lexicon(lang_d)):
        return []
    hs, hd = hedges(source, lang_s), hedges(derived, lang_d)
    guard_s, guard_d = _hedged(source, lang_s), _hedged(derived, lang_d)
    out = []
    if lang_s == lang_d:
        stems_d = {stem(normalise_word(h)) for h in hd}
        stems_s = {stem(normalise_word(h)) for h in hs}
        out += [f"dropped '{h}'" for h in hs if stem(normalise_word(h)) not in stems_d]
        out += [f"added '{h}'" for h in hd if stem(normalise_word(h)) not in stems_s]
        if out:
            return out
    else:
        # Across languages attribution verbs move between clauses in translation; only hedge
        # words and sourcing phrases are compared.
        guard_s = hs + sourcing(source, lang_s)
        if hs and not hd and not guard_d:
            return [f"dropped '{hs[0]}'"]
        if hd and not hs and not guard_s:
            return [f"added '{hd[0]}'"]
    # Attribution verbs ("said") only keep a claim hedged; losing one is not reported (summaries
    # and rewrites drop them routinely), losing "according to" is.
    sourced_s = sourcing(source, lang_s)
    if sourced_s and not guard_d:
        out.append(f"dropped '{sourced_s[0]}'")
    elif hd and not guard_s:
        out.append(f"added '{hd[0]}'")
    return out


def quantifier_changes(
    source: str, derived: str, lang_s: str | None, lang_d: str | None = None
) -> list[str]:
    """A different quantifier ("some" -> "all"); across languages only by strength."""
    lang_d = lang_d or lang_s
    if not (has_lexicon(lang_s) and has_lexicon(lang_d)):
        return []
    qs, qd = quantifiers(source, lang_s), quantifiers(derived, lang_d)
    if lang_s != lang_d:
        if qs and qd and abs(max(v for _, v in qs) - max(v for _, v in qd)) >= 2:
            return [f"{qs[0][0]} -> {qd[0][0]}"]
        return []
    words_s = {normalise_word(w) for w, _ in qs}
    words_d = {normalise_word(w) for w, _ in qd}
    only_s = [(w, v) for w, v in qs if normalise_word(w) not in words_d]
    only_d = [(w, v) for w, v in qd if normalise_word(w) not in words_s]
    if only_s and only_d and only_s[0][1] != only_d[0][1]:
        return [f"{only_s[0][0]} -> {only_d[0][0]}"]
    return []


def marker_changes(
    source: str, derived: str, lang_s: str | None, lang_d: str | None = None
) -> tuple[list[str], list[str]]:
    """(strengthened, weakened): intensifiers/qualifiers and absolute quantifiers on one side.

    Across languages a marker counts only when the other sentence has none at all.
    """
    lang_d = lang_d or lang_s
    if not (has_lexicon(lang_s) and has_lexicon(lang_d)):
        return [], []
    found_s = markers(source, lang_s, "intensifiers") + markers(source, lang_s, "qualifiers")
    found_d = markers(derived, lang_d, "intensifiers") + markers(derived, lang_d, "qualifiers")
    if lang_s != lang_d:
        strengthened = [f"added '{w}'" for w, _ in found_d[:1]] if found_d and not found_s else []
        weakened = [f"dropped '{w}'" for w, _ in found_s[:1]] if found_s and not found_d else []
        return strengthened, weakened
    stems_s = {stem(t.norm) for t in tokenize(source)}
    stems_d = {stem(t.norm) for t in tokenize(derived)}
    strengthened, weakened = [], []
    for word, head in found_d:
        if stem(normalise_word(word)) not in stems_s:
            where = f" before '{head}'" if head and stem(normalise_word(head)) in stems_s else ""
            strengthened.append(f"added '{word}'{where}")
    for word, head in found_s:
        if stem(normalise_word(word)) not in stems_d:
            where = f" before '{head}'" if head and stem(normalise_word(head)) in stems_d else ""
            weakened.append(f"dropped '{word}'{where}")
    if not quantifiers(source, lang_s):
        for word, strength in quantifiers(derived, lang_d):
            if strength >= 5:
                strengthened.append(f"added '{word}'")
    return strengthened, weakened


def compare_sentences(
    source: str,
    derived: str,
    lang_s: str | None,
    lang_d: str | None,
    source_names: Sequence[str] = (),
    derived_names: Sequence[str] = (),
    lower_s: frozenset[str] = frozenset(),
    lower_d: frozenset[str] = frozenset(),
    source_numbers: Sequence[float] | None = None,
    derived_numbers: Sequence[float] | None = None,
) -> list[dict[str, str]]:
    """Concrete claim differences between two aligned sentences: [{"what", "detail"}]."""
    found: list[dict[str, str]] = []
    for detail in number_changes(source, derived, lang_s, lang_d, source_numbers, derived_numbers):
        found.append({"what": "number", "detail": detail})
    if source_names or derived_names:
        for detail in name_changes(
            source, derived, source_names, derived_names, lang_s, lang_d, lower_s, lower_d
        ):
            found.append({"what": "name", "detail": detail})
    # When the source sentence is much longer, the derivative took only part of it: what it
    # lacks may sit in the part it did not take, so nothing is reported as dropped.
    partial = len(source) > PARTIAL_LENGTH_RATIO * max(len(derived), 1)
    for detail in hedge_changes(source, derived, lang_s, lang_d):
        if not (partial and detail.startswith("dropped")):
            found.append({"what": "hedge", "detail": detail})
    for detail in quantifier_changes(source, derived, lang_s, lang_d):
        found.append({"what": "quantity", "detail": detail})
    strengthened, weakened = marker_changes(source, derived, lang_s, lang_d)
    for detail in strengthened:
        found.append({"what": "strengthened", "detail": detail})
    for detail in weakened if not partial else []:
        found.append({"what": "weakened", "detail": detail})
    return found


def _article_names(doc: Doc) -> list[str]:
    names: list[str] = []
    for s in doc.sentences:
        names.extend(extract_names(s.text, skip_first=False, language=doc.language))
    return names


def _article_numbers(doc: Doc) -> list[float]:
    return doc.all_numbers()


def _lowercase_words(doc: Doc) -> frozenset[str]:
    """Words that cannot be names when capitalised at a sentence start: those the article writes
    in lower case, or never capitalises anywhere but at a sentence start."""
    lower = {t.norm for t in doc.tokens if doc.text[t.start].islower()}
    starts = {s.start for s in doc.sentences}
    inner_capital = {
        t.norm for t in doc.tokens if doc.text[t.start].isupper() and t.start not in starts
    }
    initial_only = {t.norm for t in doc.tokens if t.start in starts and t.norm not in inner_capital}
    return frozenset(lower | initial_only)


def is_claim(text: str) -> bool:
    """Whether a sentence can carry a claim: page furniture ("Reading time: 1 minute",
    "Source: dpa") is too short to be worth listing as added or omitted."""
    words = [w for w in tokenize(text) if not w.norm.isdigit()]
    return len(words) >= 5


def claim_diff(source: Doc, derived: Doc, alignment: PairAlignment) -> dict[str, Any]:
    """Added, omitted and altered sentences of ``derived`` against ``source``.

    ``alignment`` may have been computed either way round; it is read from the source side.
    """
    flipped = alignment.a != source.id
    covered_s = alignment.covered_b if flipped else alignment.covered_a
    covered_d = alignment.covered_a if flipped else alignment.covered_b
    added = [
        {"text": s.text, "start": s.start, "end": s.end}
        for i, s in enumerate(derived.sentences)
        if i not in covered_d and is_claim(s.text)
    ]
    omitted = [
        {"text": s.text, "source": source.id}
        for i, s in enumerate(source.sentences)
        if i not in covered_s and is_claim(s.text)
    ]
    source_names, derived_names = _article_names(source), _article_names(derived)
    lower_s, lower_d = _lowercase_words(source), _lowercase_words(derived)
    numbers_s, numbers_d = _article_numbers(source), _article_numbers(derived)
    altered = []
    for pair in sorted(alignment.pairs, key=lambda p: p.a):
        s_ids = [pair.b, *pair.b_extra] if flipped else [pair.a, *pair.a_extra]
        d_ids = [pair.a, *pair.a_extra] if flipped else [pair.b, *pair.b_extra]
        s_text = " ".join(source.sentences[i].text for i in sorted(s_ids))
        d_text = " ".join(derived.sentences[j].text for j in sorted(d_ids))
        if normalise_word(s_text) == normalise_word(d_text):
            continue
        changes = compare_sentences(
            s_text,
            d_text,
            source.language,
            derived.language,
            source_names,
            derived_names,
            lower_s,
            lower_d,
            numbers_s,
            numbers_d,
        )
        if not changes:
            continue
        first = derived.sentences[min(d_ids)]
        last = derived.sentences[max(d_ids)]
        altered.append(
            {
                "source_text": s_text,
                "text": d_text,
                "what": ", ".join(dict.fromkeys(c["what"] for c in changes)),
                "detail": "; ".join(c["detail"] for c in changes),
                "changes": changes,
                "start": first.start,
                "end": last.end,
                "score": pair.score,
            }
        )
    return {"added": added, "omitted": omitted, "altered": altered}
