"""The bundled sample corpus and its ground truth.

`make demo` runs on this corpus and the tests score every stage against ``truth.json``, so
the helpers here are the one place that knows where the files live and how an article id
(file path, JSONL ``id`` or ``<feed path>#<guid>``) maps back to its raw text.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

__all__ = ["sample_dir", "sample_articles_dir", "load_truth", "article_raw_text"]

_SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "sample"


def sample_dir() -> Path:
    """Folder holding ``articles/``, ``truth.json`` and the corpus README."""
    return _SAMPLE_DIR


def sample_articles_dir() -> Path:
    """Folder to hand to ``wiretrace ingest``; ids are paths relative to it."""
    return _SAMPLE_DIR / "articles"


def load_truth() -> dict:
    """Ground truth for the sample corpus (schema described in the corpus README)."""
    return json.loads((_SAMPLE_DIR / "truth.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _jsonl_records(path: Path) -> dict[str, dict]:
    records: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records[record["id"]] = record
    return records


@lru_cache(maxsize=8)
def _rss_items(path: Path) -> dict[str, str]:
    items: dict[str, str] = {}
    for item in ElementTree.parse(path).getroot().iter("item"):
        guid = item.findtext("guid") or item.findtext("link") or ""
        items[guid.strip()] = item.findtext("description") or ""
    return items


def article_raw_text(article_id: str, truth: dict | None = None) -> str:
    """Raw text of one sample article as a scraper would hand it over, decoded.

    A file article is its whole file decoded with the encoding truth declares; a JSONL record
    is its ``text`` field; an RSS item is its ``description``. Ground-truth substrings
    (must_keep, must_remove, diffs, entity variants) are stated against this text.
    """
    truth = truth or load_truth()
    info = truth["articles"][article_id]
    root = sample_articles_dir()
    if info["format"] == "rss":
        rel, _, guid = article_id.partition("#")
        return _rss_items(root / rel)[guid]
    if info["format"] == "jsonl":
        for path in sorted(root.rglob("*.jsonl")):
            records = _jsonl_records(path)
            if article_id in records:
                return records[article_id].get("text") or records[article_id].get("html") or ""
        raise KeyError(article_id)
    return (root / article_id).read_bytes().decode(info["encoding"])
