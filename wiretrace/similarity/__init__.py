"""Same-event scoring across languages: features, sentence alignment and the fitted scorer."""

from .features import article_features, text_features
from .scorer import PairScore, ScoringModel, default_model, margin_align, pair_features, score_pair
from .texts import article_from_fields, score_texts

__all__ = [
    "PairScore",
    "ScoringModel",
    "article_features",
    "article_from_fields",
    "default_model",
    "margin_align",
    "pair_features",
    "score_pair",
    "score_texts",
    "text_features",
]
