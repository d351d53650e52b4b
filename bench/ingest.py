"""Ingest throughput: articles per second per core for plain-text and HTML pages.

Runs wiretrace's per-document stage (decode → clean → metadata → language) and a full
``wiretrace ingest`` into a fresh SQLite store, beside trafilatura alone on the same pages —
the tool a user would otherwise pick. Pages come from the WCXB dev set in ../shared/data
(HTML as published, and the same pages flattened to text with inscriptis, as scrapers save
them). Single process, so rates are per core. Peak memory is the process's max RSS.

    python bench/ingest.py [--pages 200]
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev-articles" / "html"


def load_pages(limit: int) -> list[str]:
    files = sorted(SHARED.glob("*.html.gz"))[:limit]
    return [gzip.decompress(f.read_bytes()).decode("utf-8", errors="replace") for f in files]


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f} pages/s"


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args()
    if not SHARED.exists():
        print(f"skipped: {SHARED} not found")
        return 0
    import trafilatura
    from inscriptis import get_text

    from wiretrace.pipeline import ingest, process_document
    from wiretrace.records import RawDocument
    from wiretrace.store import open_store

    html_pages = load_pages(args.pages)
    text_pages = [get_text(h) for h in html_pages]
    n = len(html_pages)
    print(f"{n} WCXB pages, 1 process (per-core figures)")

    # warm-up: load language and metadata tables once
    process_document(RawDocument(id="w", source_path="w", kind="text", raw_bytes=b"x", text=text_pages[0]))

    t = time.perf_counter()
    for h in html_pages:
        trafilatura.extract(h, include_comments=False)
    t_traf_html = time.perf_counter() - t

    t = time.perf_counter()
    for i, h in enumerate(html_pages):
        process_document(RawDocument(id=str(i), source_path=f"{i}.html", kind="html", raw_bytes=h.encode(), html=h))
    t_wt_html = time.perf_counter() - t

    t = time.perf_counter()
    for tx in text_pages:
        trafilatura.extract(tx)
    t_traf_text = time.perf_counter() - t

    t = time.perf_counter()
    for i, tx in enumerate(text_pages):
        process_document(RawDocument(id=str(i), source_path=f"{i}.txt", kind="text", raw_bytes=tx.encode(), text=tx))
    t_wt_text = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for i, (h, tx) in enumerate(zip(html_pages, text_pages, strict=True)):
            (folder / f"{i:04d}.html").write_text(h, encoding="utf-8")
            (folder / f"{i:04d}.txt").write_text(tx, encoding="utf-8")
        store = open_store(Path(tmp) / "bench.db")
        t = time.perf_counter()
        report = ingest(store, [str(folder)], run_stages=False)
        t_ingest = time.perf_counter() - t
        store.close()

    print(f"HTML   trafilatura.extract alone        {rate(n, t_traf_html)}")
    print(f"HTML   wiretrace clean+metadata+lang     {rate(n, t_wt_html)}   ({t_wt_html / t_traf_html:.2f}x trafilatura's time)")
    print(f"text   trafilatura.extract on text      {rate(n, t_traf_text)}")
    print(f"text   wiretrace clean+metadata+lang     {rate(n, t_wt_text)}   ({t_wt_text / t_traf_text:.2f}x trafilatura's time)")
    print(f"ingest into SQLite (read, decode, clean, store; {2 * n} files, {report.failed} failed) {rate(2 * n, t_ingest)}")
    print(f"peak memory (max RSS)                   {max_rss_mb():8.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
