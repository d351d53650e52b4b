"""Attributions: the news sources an article credits, with canonical names.

A mention of an agency is not an attribution ("Reuters cut 200 jobs"): a mention counts only
with a cue around it — a reporting verb ("writes UNN", "пишет РБК"), an attribution phrase
("according to", "цитирани от", "з посиланням на"), a "Source:" label, or the wire credit in
parentheses after a dateline ("(AP) —", "/БТА/"). Names, aliases and cues are data
(the agencies of ``wiretrace/lang/data/multilingual.json``, ``data/attribution_cues.json``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..lang.tables import agencies
from ..records import Attribution
from . import data

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_QUOTES = "\"'«»„“”‚‘’`"


@dataclass(frozen=True)
class _Source:
    name: str
    kind: str


@lru_cache(maxsize=1)
def _mention_regex() -> tuple[re.Pattern[str], dict[str, _Source]]:
    """One regex over every alias; the group name says which source matched."""
    table = agencies()
    parts: list[str] = []
    groups: dict[str, _Source] = {}
    for index, (name, spec) in enumerate(
        (k, v) for k, v in table.items() if not k.startswith("_")
    ):
        group = f"s{index}"
        groups[group] = _Source(name, spec.get("kind", "agency"))
        forms: list[str] = []
        for alias in sorted(spec.get("aliases", []), key=len, reverse=True):
            escaped = re.escape(alias).replace(r"\ ", r"\s+")
            suffix = r"[а-яіїєґ]{0,2}" if _CYRILLIC.search(alias) and len(alias) >= 4 else ""
            forms.append(f"(?i:{escaped}){suffix}")
        for exact in sorted(spec.get("exact", []), key=len, reverse=True):
            forms.append(re.escape(exact))
        if forms:
            parts.append(f"(?P<{group}>(?:{'|'.join(forms)})(?![\\w-]))")
    # one word-start check in front of the alternation, so positions inside words fail at
    # once instead of once per source (three times faster on long pages)
    return re.compile(f"(?<![\\w-])(?:{'|'.join(parts)})"), groups


def _alternation(phrases: list[str]) -> str:
    """A regex alternation of ``phrases``, longest first, any run of spaces between words."""
    return "|".join(
        re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True)
    )


def _phrase_regex(phrases: list[str], *, anchored_end: bool) -> re.Pattern[str]:
    alternation = _alternation(phrases)
    if anchored_end:
        return re.compile(f"(?:^|(?<=[^\\w]))(?:{alternation})$", re.IGNORECASE)
    return re.compile(f"^(?:{alternation})(?!\\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _cues() -> dict[str, object]:
    cues = data.load("attribution_cues")
    labels = "|".join(re.escape(p) for p in sorted(cues["label"], key=len, reverse=True))
    return {
        "before": _phrase_regex(cues["before"], anchored_end=True),
        "after": _phrase_regex(cues["after"], anchored_end=False),
        "label": re.compile(f"(?:^|(?<=\\W))(?:{labels})\\s*[:—–-]$", re.IGNORECASE),
        "negative_before": _phrase_regex(cues["negative_before"], anchored_end=True),
        "negative_after": _phrase_regex(cues["negative_after"], anchored_end=False),
        "filler": frozenset(w.lower() for w in cues["filler"]),
        "adverbs": re.compile(
            "^(?:" + "|".join(re.escape(w) for w in cues["adverbs"]) + ")(?!\\w)\\s*", re.IGNORECASE
        ),
        "exclusions": [
            re.compile(re.escape(e).replace(r"\ ", r"\s+"), re.IGNORECASE)
            for e in cues["exclusions"]
        ],
    }


def _sentence_before(text: str, start: int, limit: int = 120) -> str:
    window = text[max(0, start - limit): start]
    cut = max(window.rfind("\n"), window.rfind(". "), window.rfind("! "), window.rfind("? "))
    return window[cut + 1:] if cut >= 0 else window


def _strip_filler(before: str, filler: frozenset[str], max_words: int = 4) -> str:
    """Drop quotes and up to ``max_words`` filler words ("the news agency") before a name."""
    text = before.rstrip().rstrip(_QUOTES).rstrip()
    for _ in range(max_words):
        match = re.search(r"([\w'’-]+)$", text)
        if not match or match.group(1).lower() not in filler:
            break
        text = text[: match.start()].rstrip().rstrip(_QUOTES).rstrip()
    return text


def _cue_for(text: str, start: int, end: int) -> str | None:
    """Which kind of cue makes the mention at ``start:end`` an attribution, if any."""
    cues = _cues()
    before_raw = text[max(0, start - 2): start]
    after_raw = text[end: end + 2]
    if before_raw.rstrip()[-1:] in ("(", "/") and after_raw.lstrip()[:1] in (")", "/"):
        return "credit"
    sentence = _sentence_before(text, start)
    if cues["negative_before"].search(sentence.rstrip(" :—–-(" + _QUOTES)):  # type: ignore[union-attr]
        return None
    before = _strip_filler(sentence, cues["filler"])  # type: ignore[arg-type]
    if cues["label"].search(before.rstrip()):  # type: ignore[union-attr]
        return "label"
    after = text[end: end + 80].lstrip(_QUOTES + " )")
    appositive = re.match(r",[^,.;\n]{1,50},\s*", after)
    after_verb = (after[appositive.end():] if appositive else after).lstrip()
    after_verb = cues["adverbs"].sub("", after_verb, count=1)  # type: ignore[union-attr]
    if cues["negative_after"].match(after.lstrip()):  # type: ignore[union-attr]
        return None
    if cues["before"].search(before):  # type: ignore[union-attr]
        return "phrase"
    if cues["after"].match(after_verb.lstrip()):  # type: ignore[union-attr]
        return "verb"
    return None


def find_attributions(text: str) -> list[Attribution]:
    """Sources credited in ``text``, one per canonical name, in order of first credit."""
    regex, groups = _mention_regex()
    excluded: list[tuple[int, int]] = []
    for pattern in _cues()["exclusions"]:  # type: ignore[union-attr]
        excluded.extend(m.span() for m in pattern.finditer(text))
    found: dict[str, Attribution] = {}
    for match in regex.finditer(text):
        group = match.lastgroup
        if group is None:
            continue
        source = groups[group]
        if source.name in found:
            continue
        start, end = match.span()
        if any(a <= start < b or a < end <= b for a, b in excluded):
            continue
        if _cue_for(text, start, end) is None:
            continue
        found[source.name] = Attribution(
            name=source.name, surface=match.group(0), start=start, end=end, kind=source.kind
        )
    return sorted(found.values(), key=lambda a: a.start or 0)


def _source_named(name: str) -> _Source | None:
    """The known source ``name`` is written as in full, if any."""
    regex, groups = _mention_regex()
    match = regex.fullmatch(name.strip())
    if match is None or match.lastgroup is None:
        return None
    return groups[match.lastgroup]


def canonical_source(name: str) -> str | None:
    """The canonical name for one source name as written ("Ройтерс" -> "Reuters")."""
    source = _source_named(name)
    return source.name if source else None


def source_at(text: str, position: int) -> Attribution | None:
    """The source named right at ``position`` (after spaces), as in "МОСКВА, 17 окт — РИА
    Новости." where the credit follows the dateline's dash instead of sitting in brackets."""
    regex, groups = _mention_regex()
    while position < len(text) and text[position] in " \t":
        position += 1
    match = regex.match(text, position)
    if match is None or match.lastgroup is None:
        return None
    source = groups[match.lastgroup]
    return Attribution(name=source.name, surface=match.group(0), start=match.start(),
                       end=match.end(), kind=source.kind)


_CREDIT_MAX_CHARS = 100
_CREDIT_MAX_WORDS = 5
_CREDIT_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|\bund\b|\bи\b|\bі\b|\bet\b|\by\b|\bi\b)\s*")


@lru_cache(maxsize=1)
def _credit_line_regex() -> re.Pattern[str]:
    cues = data.load("attribution_cues")
    return re.compile(
        rf"^(?:(?P<staff>{_alternation(cues['staff_credit_labels'])})"
        rf"|{_alternation(cues['credit_line_labels'])})\s*[:—–-]?\s+(?P<names>.+?)\.?$",
        re.IGNORECASE,
    )


def _credited_name(part: str, max_words: int = _CREDIT_MAX_WORDS) -> tuple[str, str] | None:
    """(name, kind) for one name on a credit line: a known source by its canonical name, else
    an outlet as written, if it reads as a name (capitalised, at most ``max_words`` words, no
    digits or URL)."""
    part = re.sub(r"\s*\([^)]*\)$", "", part).strip(_QUOTES + " .")
    if not part:
        return None
    known = _source_named(part)
    if known:
        return known.name, known.kind
    words = part.split()
    if (
        len(words) > max_words
        or not part[0].isupper()
        or re.search(r"\d|https?:|www\.|@|[.!?]\s", part)
    ):
        return None
    return part, "outlet"


def credit_line_attributions(lines: Iterable[str]) -> list[Attribution]:
    """Sources credited on lines that hold nothing but a credit: "Quelle: Kyiv Monitor",
    "По материалам БТА", "With reporting by Ukrpres.", a lone "(AFP)".

    Cleaning removes such lines from the body (they are page furniture), so they are read
    from the removed lines as well as the text. Photo credits ("Fot. PAP/EPA") open with no
    credit label and are not read; an outlet that is not in the agencies table is kept as written.
    """
    found: dict[str, Attribution] = {}
    regex = _credit_line_regex()
    for raw in lines:
        line = " ".join(raw.split())
        if not line or len(line) > _CREDIT_MAX_CHARS:
            continue
        lone = re.fullmatch(r"\(\s*([^()]{2,40}?)\s*\)\.?", line)
        max_words = _CREDIT_MAX_WORDS
        if lone:
            parts = [lone.group(1)] if _source_named(lone.group(1)) else []
        else:
            match = regex.match(line)
            parts = _CREDIT_SPLIT.split(match.group("names")) if match else []
            if match and match.group("staff"):
                max_words = 1  # journalists have two names; an outlet credited here, one
        for part in parts:
            credited = _credited_name(part, max_words)
            if credited and credited[0] not in found:
                found[credited[0]] = Attribution(name=credited[0], surface=line, kind=credited[1])
    return list(found.values())
