"""Plain-text page cleaning on the WCXB dev article pages.

Each HTML page is flattened to plain text with inscriptis, as a scraper that saves pages as text
would, and the body is scored with WCXB's bag-of-words word-F1 (lower-cased ``\\w+`` tokens, F1
per page, averaged over pages) for: no cleaning, trafilatura run on the flattened text, and
``clean_text``. Title accuracy is exact match after lower-casing and tokenising. The flattened
texts are cached under ``.cache/text-clean/``.

    .venv/bin/python eval/extraction_text.py [--limit N] [--cv]
"""

from __future__ import annotations

import argparse
import gzip
import html as html_lib
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
WCXB = SHARED / "data" / "extraction" / "wcxb-dev-articles"
CACHE = ROOT / ".cache" / "text-clean"
TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """WCXB tokenisation: lower-cased ``\\w+`` runs."""
    return TOKEN.findall((text or "").lower())


def word_f1(predicted: str, truth: str) -> float:
    """Bag-of-words F1 between two texts (1.0 when both are empty)."""
    pred, gold = Counter(tokens(predicted)), Counter(tokens(truth))
    if not pred and not gold:
        return 1.0
    if not pred or not gold:
        return 0.0
    overlap = sum((pred & gold).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(pred.values())
    recall = overlap / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def title_match(predicted: str | None, truth: str | None) -> bool:
    """Exact title match after lower-casing and tokenising."""
    return tokens(predicted or "") == tokens(truth or "")


def flatten_html(page_html: str) -> str:
    """Flatten a page to text the way a text-saving scraper does."""
    from inscriptis import get_text

    return get_text(page_html)


def load_pages(limit: int | None = None) -> list[dict]:
    """The dev pages as dicts: id, text (flattened), body, title. Flattened texts are cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cache_file = CACHE / "wcxb-dev-flat.jsonl.gz"
    pages: list[dict] = []
    if cache_file.exists():
        with gzip.open(cache_file, "rt", encoding="utf-8") as fh:
            pages = [json.loads(line) for line in fh]
    else:
        for gt_path in sorted((WCXB / "ground-truth").glob("*.json")):
            page_id = gt_path.stem
            truth = json.loads(gt_path.read_text(encoding="utf-8"))["ground_truth"]
            raw = gzip.open(WCXB / "html" / f"{page_id}.html.gz").read()
            page_html = raw.decode("utf-8", errors="replace")
            pages.append(
                {
                    "id": page_id,
                    "text": flatten_html(page_html),
                    "body": truth.get("main_content") or "",
                    "title": truth.get("title") or "",
                }
            )
        with gzip.open(cache_file, "wt", encoding="utf-8") as fh:
            for page in pages:
                fh.write(json.dumps(page, ensure_ascii=False) + "\n")
    return pages[:limit] if limit else pages


def trafilatura_on_text(text: str) -> str:
    """trafilatura given the flattened text as a page of one paragraph per line.

    Raw text alone makes trafilatura return nothing, so each line becomes a ``<p>``; when it
    still finds nothing the text is kept uncleaned.
    """
    import trafilatura

    paragraphs = "".join(
        f"<p>{html_lib.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()
    )
    result = trafilatura.extract(f"<html><body>{paragraphs}</body></html>")
    return result if result else text


def score(pages: list[dict], cleaner, label: str) -> float:
    """Mean body word-F1 of ``cleaner`` over pages (and print it)."""
    start = time.perf_counter()
    scores = [word_f1(cleaner(page["text"]), page["body"]) for page in pages]
    mean = sum(scores) / len(scores)
    print(f"{label:<34} body word-F1 {mean:.3f}  ({time.perf_counter() - start:.1f} s)")
    return mean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cv", action="store_true", help="also report the cross-validated figure")
    parser.add_argument("--skip-trafilatura", action="store_true")
    args = parser.parse_args()
    if not WCXB.exists():
        sys.exit(f"benchmark not found at {WCXB}")
    pages = load_pages(args.limit)
    print(f"WCXB dev article pages flattened with inscriptis: {len(pages)}")

    from wiretrace.extract.text import clean_text

    score(pages, lambda text: text, "(a) no cleaning")
    if not args.skip_trafilatura:
        score(pages, trafilatura_on_text, "(b) trafilatura on flattened text")
    start = time.perf_counter()
    results = [clean_text(page["text"]) for page in pages]
    elapsed = time.perf_counter() - start
    f1s = [word_f1(r.text, p["body"]) for r, p in zip(results, pages, strict=True)]
    titles = [title_match(r.title, p["title"]) for r, p in zip(results, pages, strict=True)]
    n_lines = sum(p["text"].count("\n") + 1 for p in pages)
    print(f"{'(c) clean_text':<34} body word-F1 {sum(f1s) / len(f1s):.3f}")
    print(f"{'    clean_text title accuracy':<34} {sum(titles) / len(titles):.3f}")
    print(
        f"    clean_text speed: {n_lines / elapsed:,.0f} lines/s ({len(pages) / elapsed:.1f} pages/s)"
    )
    shipped = json.loads(
        (ROOT / "wiretrace" / "extract" / "data" / "text_model.json").read_text(encoding="utf-8")
    ).get("cross_validation")
    if shipped:
        print(
            f"{'(c) clean_text, 2-fold page CV':<34} body word-F1 {shipped['word_f1']:.3f}  "
            f"title {shipped['title']:.3f}  (recorded by eval/train_text_cleaner.py)"
        )
    if args.cv:
        sys.path.insert(0, str(ROOT / "eval"))
        from train_text_cleaner import cross_validate

        cv_f1, cv_title = cross_validate(pages)
        print(
            f"{'(c) clean_text, 2-fold CV (rerun)':<34} body word-F1 {cv_f1:.3f}  title {cv_title:.3f}"
        )


if __name__ == "__main__":
    main()
