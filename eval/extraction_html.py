"""HTML extraction figures: body word-F1, title and date accuracy, beside plain trafilatura.

Reads the WCXB article pages and the ScrapingHub benchmark from ``../shared/data/extraction``
(never copied into the project). Scoring follows the benchmark's conventions: bag of
lower-cased ``\\w+`` tokens, F1 per page averaged; title exact after lower-casing and
tokenising; date compared as ``YYYY-MM-DD``. Plain trafilatura results are cached under
``.cache/html/`` because they do not change between runs. Pages are decoded as ``wiretrace
ingest`` decodes them (declared charset, mojibake repaired); pages labelled without a body
are left out of the body figure.

    .venv/bin/python eval/extraction_html.py [--limit N] [--dataset wcxb|scrapinghub|all]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "extraction"
CACHE = ROOT / ".cache" / "html"
sys.path.insert(0, str(ROOT))

TOKEN = re.compile(r"\w+")


def tokens(text: str | None) -> list[str]:
    """Lower-cased word tokens, the benchmark's unit of comparison."""
    return TOKEN.findall((text or "").lower())


def word_f1(predicted: str | None, truth: str | None) -> float:
    """Bag-of-words F1 between two texts (1.0 when both are empty)."""
    p, t = Counter(tokens(predicted)), Counter(tokens(truth))
    if not p and not t:
        return 1.0
    if not p or not t:
        return 0.0
    common = sum((p & t).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def same_title(predicted: str | None, truth: str | None) -> bool:
    return tokens(predicted) == tokens(truth)


def same_date(predicted: str | None, truth: str | None) -> bool:
    return (predicted or "")[:10] == (truth or "")[:10]


def load_wcxb() -> list[dict[str, Any]]:
    base = SHARED / "wcxb-dev-articles"
    pages = []
    for gt_path in sorted((base / "ground-truth").glob("*.json")):
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
        html_path = base / "html" / f"{gt_path.stem}.html.gz"
        if not html_path.exists():
            continue
        truth = gt.get("ground_truth", {})
        pages.append({
            "id": gt_path.stem, "path": html_path, "url": gt.get("url"),
            "title": truth.get("title"), "date": truth.get("publish_date"),
            "body": truth.get("main_content"), "author": truth.get("author"),
        })
    return pages


def load_scrapinghub() -> list[dict[str, Any]]:
    base = SHARED / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        html_path = base / "html" / f"{key}.html.gz"
        if html_path.exists():
            pages.append({"id": key, "path": html_path, "url": item.get("url"),
                          "title": None, "date": None, "body": item.get("articleBody")})
    return pages


def decode_page(path: Path) -> str:
    """The page as wiretrace's ingest decodes it (declared charset, mojibake repaired)."""
    from wiretrace.sources.html import read_html as ingest_html

    return ingest_html(gzip.decompress(path.read_bytes()), doc_id=path.stem,
                       source_path=str(path)).html or ""


def read_html(path: Path) -> str:
    """The page decoded as a user of plain trafilatura would: UTF-8, else the best guess."""
    raw = gzip.decompress(path.read_bytes())
    from charset_normalizer import from_bytes

    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", errors="replace")


def trafilatura_result(html: str, url: str | None) -> dict[str, Any]:
    """Plain trafilatura with its defaults, as a user would call it."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {"body": "", "title": None, "date": None}
    return {"body": doc.text or "", "title": doc.title, "date": doc.date}


def ours_result(html: str, url: str | None) -> dict[str, Any]:
    from wiretrace.extract.html import extract_html
    from wiretrace.metadata import extract_metadata
    from wiretrace.metadata.dates import local_day
    from wiretrace.records import RawDocument

    cleaned, page_meta = extract_html(html, url=url)
    doc = RawDocument(id="page", source_path="page.html", kind="html",
                      raw_bytes=html.encode("utf-8", errors="replace"), html=html,
                      fields={"url": url} if url else {})
    meta = extract_metadata(doc, cleaned, page_meta=page_meta)
    # labels are the day the page shows; published is UTC, so compare in the page's own offset
    written = meta.evidence["published"].text if "published" in meta.evidence else None
    return {"body": cleaned.text, "title": meta.title, "date": local_day(meta.published, written),
            "method": cleaned.method}


def run(name: str, pages: list[dict[str, Any]], *, verbose: bool) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    cache_path = CACHE / f"trafilatura_{name}.json"
    cached: dict[str, Any] = (json.loads(cache_path.read_text()) if cache_path.exists() else {})
    scores: dict[str, list[float]] = {k: [] for k in
                                      ("f1", "f1_t", "title", "title_t", "date", "date_t")}
    has_title = has_date = 0
    started = time.perf_counter()
    rows = []
    for page in pages:
        if page["id"] not in cached:
            cached[page["id"]] = trafilatura_result(read_html(page["path"]), page["url"])
        base = cached[page["id"]]
        ours = ours_result(decode_page(page["path"]), page["url"])
        row = {"id": page["id"], "method": ours["method"]}
        if page["body"]:  # a few pages are labelled with title and date only
            f1, f1_t = word_f1(ours["body"], page["body"]), word_f1(base["body"], page["body"])
            scores["f1"].append(f1)
            scores["f1_t"].append(f1_t)
            row.update(f1=f1, f1_t=f1_t)
        if page["title"]:
            has_title += 1
            scores["title"].append(same_title(ours["title"], page["title"]))
            scores["title_t"].append(same_title(base["title"], page["title"]))
            row.update(title=ours["title"], title_gt=page["title"], title_t=base["title"])
        if page["date"]:
            has_date += 1
            scores["date"].append(same_date(ours["date"], page["date"]))
            scores["date_t"].append(same_date(base["date"], page["date"]))
            row.update(date=ours["date"], date_gt=page["date"], date_t=base["date"])
        rows.append(row)
    cache_path.write_text(json.dumps(cached))
    elapsed = time.perf_counter() - started

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    print(f"== {name}: {len(pages)} pages ({elapsed:.0f} s)")
    print(f"  body word-F1   wiretrace {mean(scores['f1']):.4f}   "
          f"trafilatura {mean(scores['f1_t']):.4f}   ({len(scores['f1'])} pages with a body)")
    if has_title:
        print(f"  title accuracy wiretrace {mean(scores['title']):.4f}   "
              f"trafilatura {mean(scores['title_t']):.4f}   ({has_title} pages)")
    if has_date:
        print(f"  date accuracy  wiretrace {mean(scores['date']):.4f}   "
              f"trafilatura {mean(scores['date_t']):.4f}   ({has_date} pages)")
    # Two folds by page (odd and even positions): a change tuned on one fold must also help
    # on the other, or it is fitted to single pages.
    for fold, start in (("odd", 1), ("even", 0)):
        fold_f1 = [r["f1"] for r in rows[start::2] if "f1" in r]
        dated = [r for r in rows[start::2] if "date_gt" in r]
        fold_date = [same_date(r.get("date"), r["date_gt"]) for r in dated]
        print(f"  {fold:4} pages: body word-F1 {mean(fold_f1):.4f}"
              + (f"   date {mean(fold_date):.4f}" if dated else ""))
    print(f"  {len(pages) / elapsed:.2f} pages/s (with cached trafilatura baseline)")
    methods = Counter(r["method"] for r in rows)
    print(f"  methods: {dict(methods)}")
    if verbose:
        out = ROOT / "eval" / "out"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"extraction_html_{name}.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["wcxb", "scrapinghub", "all"], default="all")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--rows", action="store_true", help="write per-page rows to eval/out/")
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"benchmark data not found at {SHARED}")
    datasets = {"wcxb": load_wcxb, "scrapinghub": load_scrapinghub}
    for name, loader in datasets.items():
        if args.dataset not in (name, "all"):
            continue
        pages = loader()
        if args.limit:
            pages = pages[: args.limit]
        run(name, pages, verbose=args.rows)


if __name__ == "__main__":
    main()
