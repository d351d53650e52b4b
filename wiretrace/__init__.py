"""wiretrace: trace news stories across outlets and languages.

The public Python API is small; the stages underneath are importable but may change.
"""

from __future__ import annotations

from .errors import WiretraceError
from .records import Article, Attribution, CleanedText, Evidence, Metadata, RawDocument, Removal
from .store import open_store

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Attribution",
    "CleanedText",
    "Evidence",
    "Metadata",
    "RawDocument",
    "Removal",
    "WiretraceError",
    "__version__",
    "open_store",
]
