"""Every tuned threshold of the extraction stage, in one place.

Unless a comment says otherwise, a value was set by hand while the extraction figures were
measured on the WCXB development pages (``eval/extraction_text.py`` for plain text,
``eval/extraction_html.py`` for HTML, body word-F1, title and date); change one and rerun the
matching script. Selectors, keyword lists and the paragraph filter's fitted weights are data
(``data/html_selectors.json``, ``data/text_patterns.json``); the line and headline models are
``data/text_model.json``, trained by ``eval/train_text_cleaner.py``.
"""

from __future__ import annotations

# --- plain text: decoding line probabilities into the body ---------------------------------

# Decision thresholds used when the model file carries no ``decode`` block of its own (the
# shipped model does: ``eval/train_text_cleaner.py`` tunes it by cross-validation).
DEFAULT_DECODE = {"inside": 0.5, "outside": 0.5, "prose_inside": 0.3}
# Line probability without a trained model: base + weight x prose + weight x inside the densest
# block, so prose inside the main block scores 0.95 and a stray menu line 0.15.
FALLBACK_LINE_PROBABILITY = (0.15, 0.5, 0.3)
# A crumb, date or "date-prefix" line longer than this is read as prose, not furniture.
FURNITURE_LINE_MAX_WORDS = 12
# Date/counter furniture ("June 2, 2025 · 2 min read · 1,204 views") is never longer.
META_LINE_MAX_CHARS = 160
# "Read also: <headline>" between paragraphs: a headline is at most this many words.
INLINE_RELATED_MAX_WORDS = 20
# Vote and view counters ("veryGood! (6633)") are at most this many words.
COUNTER_MAX_WORDS = 4
# A glued teaser is cut only from a line with at least this many words of body before it.
TEASER_MIN_BODY_WORDS = 3
# Comment threads and link lists start after this share of the main block's prose words.
BULK_SHARE = 0.6
# A comment thread needs at least this many markers (reply, timestamps) past the bulk.
COMMENT_MIN_MARKERS = 2
# The line above the first marker opens the thread (an author's name) if this short.
COMMENT_OPENER_MAX_WORDS = 6
# Inside a "Related" region, a kept line this long and this sure is body again: the region ends.
RELATED_STOP_MIN_WORDS = 25
RELATED_STOP_PROBABILITY = 0.9
# A caption or share line by pattern is kept when the model is this sure it is body.
PATTERN_OVERRIDE_PROBABILITY = 0.97
# A short closing sentence after kept body ("No one was hurt.") needs this many words.
CLOSING_LINE_MIN_WORDS = 3
# A line continues the previous one (hard wrap) only if the previous is at least this long.
WRAPPED_LINE_MIN_CHARS = 50
# Removals the model made, named by position: up to this many words above the body is
# navigation (more is a header), up to this many below it a related link (more is a footer).
NAVIGATION_MAX_WORDS = 8
RELATED_LINK_MAX_WORDS = 20

# --- plain text: the headline --------------------------------------------------------------

# Headline candidates: from this many lines above the first body line to this many below it.
TITLE_LINES_ABOVE = 60
TITLE_LINES_BELOW = 3
# Copies of the headline are removed up to this many lines past it or the body's start, and
# a line counts as a copy if it holds the headline plus at most this many characters.
TITLE_COPY_REACH_LINES = 5
TITLE_COPY_EXTRA_CHARS = 40

# --- HTML: choosing the main text ----------------------------------------------------------

# A JSON-LD articleBody shorter than this is a summary, not the article ...
DECLARED_MIN_WORDS = 150
# ... and it must be this much longer than the page's visible text to replace it.
DECLARED_MIN_RATIO = 1.5
# trafilatura's recall mode replaces the default output when it is this much longer, keeps
# this share of the default output's words and adds at least this many words.
RECALL_MIN_RATIO = 1.2
RECALL_MIN_COVER = 0.9
RECALL_MIN_EXTRA = 100
# The densest block replaces trafilatura's text when it is more than this much longer and
# holds this share of trafilatura's words; a fragment (under FRAGMENT_MAX_WORDS words of a
# block FRAGMENT_RATIO times longer) needs only FRAGMENT_COVER of them.
FALLBACK_MIN_RATIO = 1.5
FALLBACK_COVER = 0.9
FRAGMENT_MAX_WORDS = 200
FRAGMENT_RATIO = 5
FRAGMENT_COVER = 0.8
# A paragraph repeated later is dropped from this many words up (a caption printed twice);
# shorter repeats ("Photo: AP") stay.
REPEAT_MIN_WORDS = 8

# --- HTML: DOM repair before extraction ----------------------------------------------------

# A block matched by a removal selector is kept when it holds more than this share of the
# page's paragraph text and the page has more than PRUNE_KEEP_MIN_CHARS of it (a wrapper
# called "comments-enabled" must not take the article with it).
PRUNE_KEEP_SHARE = 0.5
PRUNE_KEEP_MIN_CHARS = 400
# Removed text kept in a removal record, at most.
REMOVAL_MAX_CHARS = 2000

# --- HTML: the text-density fallback -------------------------------------------------------

# Blocks shorter than this are not scored; link text counts against a block this many times;
# each comma or full stop adds this much; a container's score reaches its ancestors halved per
# level down to this weight; a paragraph that is this share link text is left out.
DENSITY_MIN_CHARS = 25
DENSITY_LINK_PENALTY = 2.0
DENSITY_PUNCTUATION_BONUS = 5
DENSITY_DECAY = 0.5
DENSITY_MIN_WEIGHT = 0.1
DENSITY_MAX_LINK_SHARE = 0.6

# --- HTML: page metadata -------------------------------------------------------------------

# A byline element's text is a name only between these lengths (characters, exclusive-inclusive).
BYLINE_MIN_CHARS = 2
BYLINE_MAX_CHARS = 80
