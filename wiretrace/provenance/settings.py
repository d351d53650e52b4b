"""Every tuned constant of the provenance graph, in one place (values unchanged).

Where a comment gives no other source, a value was set by hand while the provenance figures
were measured: the sample corpus and the AllSides dev pairs (``eval/provenance.py``), the seeds
(``eval/provenance_seeds.py``) and the floors in ``tests/test_provenance_floor.py``. Change
one and rerun them. The edge model's weights are data (``data/edge_model.json``), fitted by
``eval/provenance.py``.
"""

from __future__ import annotations

# --- is the pair related at all, and how was the text made ----------------------------------

RELATED_COVERAGE = 0.3
RELATED_VERBATIM_TOKENS = 20
COPY_COVERAGE = 0.8
# ... and a copy changes no claim: a target with more than this many claim sentences inside
# its copied block that are not its source's word for word (an inserted paragraph, an edited
# figure or hedge) is a rewrite; page furniture around the block does not count. In the
# sample corpus and the test fixtures the true copies have none, the edited copies of the
# Velmora report one or two.
COPY_CHANGED_CLAIMS = 0
SUMMARY_LENGTH = 0.65  # a summary keeps at most this share of the source's length
SUMMARY_PRECISION = 0.9  # ... and nearly all of it comes from the source
TRANSLATION_COVERAGE = 0.7  # both sides mostly aligned: a translation, not a rewrite
DATE_TIE_HOURS = 0.1  # two timestamps closer than this say nothing about order
CONFLICT_DAYS = 2.0
COPY_CONFLICT_DAYS = 180.0
SAME_LANGUAGE_BONUS = 0.15  # with two equally good sources, the one needing no translation
# Translations are made mostly from English (wire copy, international outlets): between a
# source in English and one in another language that explain a translation equally, the
# English one is the likelier.
PIVOTS = ("en",)
PIVOT_BONUS = 0.1
# Edges below this probability are hidden from the trace and the graph unless asked for: at
# 0.5 a shown edge is likelier right than wrong (the model's calibration is checked by
# eval/provenance.py).
DISPLAY_THRESHOLD = 0.5
# A target this much made of its source's own (unquoted) words is a copy of it, whatever the
# model reads from order and coverage (a partial copy aligns too few sentences to have an
# order); in the sample corpus every such pair is a true copy (6 of 6). Scaled by how sure
# the direction is.
VERBATIM_COPY = 0.8
# A target that follows this many of its source's sentences in the source's order (standout
# pairs, see BAND_MARGIN) is a rewrite of it however much it rephrases: in the sample corpus
# every chosen edge with such a chain is a true derivation (16 of 16), and no AllSides dev pair
# of independent reports has a chain longer than 3. The confidence is that record's Laplace
# estimate (17/18), scaled by how sure the direction is.
FOLLOWED_REWRITE = 4
FOLLOWED_CONFIDENCE = 0.94
QUOTE_SENTENCE = 0.5  # a sentence this much inside quotation marks is a quote, not wording
LONG_RUN = 40  # shared unquoted run (tokens) that counts as fully long; runs are log-scaled
MIN_ORDER_PAIRS = 3  # aligned pairs needed before their order says anything
# A sentence pair stands out of its similarity matrix when its cosine, less its row's and its
# column's mean (sentence embeddings of one topic all sit close together), exceeds this: one
# fact told twice does, topical neighbours do not. Chosen on the sample corpus and AllSides
# dev among 0.04-0.06 (eval/provenance.py): lower lets independent reports chain up, higher
# loses short cross-language summaries.
BAND_MARGIN = 0.045
# The chain is read as a share of the shorter text's claim sentences, but of no fewer than
# this many: a chain of one or two sentences is what independent reports of an event share
# (AllSides dev texts have at most 5 claim sentences). Chosen with BAND_MARGIN.
BAND_MIN = 6

# An earlier link of a chain may explain this much less than a later one and still be chosen.
UPSTREAM_SLACK = 0.12  # how much less an earlier link of a chain may explain and still win

# Two articles are related when both sides share at least this share of sentences (the larger
# side must reach RELATED_COVERAGE).
RELATED_MIN_COVERAGE = 0.1
# A partial copy: the target is at least this much the source's words, the source at least
# this much the target's, and the copied material sits in one block that fills this much of its
# span and spans at most this share of the source.
PARTIAL_COPY_TARGET = 0.6
PARTIAL_COPY_SOURCE = 0.15
CONTIGUOUS_FILL = 0.8
CONTIGUOUS_MAX_SPAN = 0.85
# Across languages, a summary covers less than this share of its source's claims.
SUMMARY_MAX_SOURCE_COVERAGE = 0.9
# Kendall's tau of aligned positions reaches full weight at this many pairs.
ORDER_FULL_PAIRS = 6.0

# --- which came first ------------------------------------------------------------------------

# Publication order: weight 1 plus one per this many hours apart, at most DATE_MAX_WEIGHT.
DATE_WEIGHT_HOURS = 48.0
DATE_MAX_WEIGHT = 2.0
# One article crediting the other outweighs any date difference.
CREDIT_DIRECTION = 3.0
# Crediting a wire the other does not credit: a little evidence of being closer to the wire.
WIRE_CREDIT_DIRECTION = 0.5
# More specific content (numbers, names) reads as earlier: at most this much, tanh of the
# difference in DETAIL_SCALE units.
DETAIL_DIRECTION = 0.6
DETAIL_SCALE = 6.0
# A verbatim copy's or followed rewrite's confidence is scaled by how sure the direction is,
# from this floor (direction unknown) to 1.
DIRECTION_SURE_FLOOR = 0.5

# --- choosing each article's source ------------------------------------------------------------

# Among candidate sources: the target's coverage plus these weights on the target's verbatim
# share, the source's coverage, agreeing figures, and an identical text.
SELECT_VERBATIM = 0.5
SELECT_SOURCE_COVERAGE = 0.5
SELECT_FIGURES = 0.3
SELECT_SAME_TEXT = 1.0

# --- credited sources outside the collection (a wire, a statement) -------------------------------

# An edge from a credited agency: this confidence when the credit is in the text (else the
# second), plus a bonus per other article crediting it up to a cap, never above the maximum.
CREDIT_IN_TEXT_CONFIDENCE = 0.7
CREDIT_CONFIDENCE = 0.55
CREDIT_SIBLING_BONUS = 0.05
CREDIT_SIBLING_BONUS_MAX = 0.2
CREDIT_MAX_CONFIDENCE = 0.95

# --- fitting the edge model (eval/provenance.py) -------------------------------------------------

# Ridge on the edge model's weights: a few hundred labelled edges, seven features (chosen by
# cross-validation when the model was first fitted; eval/provenance.py --l2 tries others).
EDGE_MODEL_L2 = 0.1
