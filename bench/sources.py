"""Throughput of reading + decoding sources, per format, as documents per CPU-second.

Generates a corpus in a temporary folder (plain text in UTF-8 and legacy Cyrillic/Western
encodings, HTML pages, a JSONL file, a gzip WARC), reads it with ``iter_documents`` in one
process and prints documents/second per core (CPU time, so a busy machine does not skew
it) and the peak resident memory.

    .venv/bin/python bench/sources.py [--docs 2000]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wiretrace.sources import iter_documents  # noqa: E402

PARAGRAPHS = {
    "en": "ROTTERDAM (Reuters) - Dock workers stayed off the job for a {n}th day on Tuesday, "
    "halting container traffic as talks between unions and port operators stalled again.",
    "de": "Köln — Die Straßenbahnfahrer streiken zum {n}. Mal; der Verkehrsverbund rechnet mit "
    "großen Ausfällen, während die Gewerkschaft über höhere Zuschläge verhandelt.",
    "ru": "Минск, {n} октября. Президент заявил, что страна готова к диалогу с Евросоюзом, "
    "если Брюссель снимет часть санкций, а оппозиция назвала это уловкой.",
    "bg": "София, {n} октомври. Министърът на външните работи обяви, че страната ще подкрепи "
    "новия пакет от мерки, а опозицията поиска изслушване в парламента.",
}
ENCODINGS = {
    "en": ["utf-8"],
    "de": ["utf-8", "cp1252"],
    "ru": ["utf-8", "cp1251", "koi8_r"],
    "bg": ["utf-8", "cp1251"],
}


def article(rng: random.Random, lang: str) -> str:
    count = rng.randint(6, 20)
    return "\n\n".join(PARAGRAPHS[lang].format(n=rng.randint(2, 40)) for _ in range(count))


def html_page(title: str, body: str, charset: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(30))
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><nav><ul>{nav}</ul></nav><article><h1>{title}</h1>{paras}</article></body></html>"
    )


def warc_record(url: str, payload: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + payload
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Date: 2025-10-18T06:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n")


def build(root: Path, docs: int) -> dict[str, Path]:
    rng = random.Random(7)
    langs = list(PARAGRAPHS)
    folders = {kind: root / kind for kind in ("txt", "html", "jsonl", "warc")}
    for folder in folders.values():
        folder.mkdir()
    for i in range(docs):
        lang = langs[i % len(langs)]
        encoding = ENCODINGS[lang][i % len(ENCODINGS[lang])]
        (folders["txt"] / f"{i:05d}.txt").write_bytes(article(rng, lang).encode(encoding))
        page = html_page(f"Story {i}", article(rng, lang), encoding)
        (folders["html"] / f"{i:05d}.html").write_bytes(page.encode(encoding))
    with open(folders["jsonl"] / "records.jsonl", "w", encoding="utf-8") as handle:
        for i in range(docs):
            lang = langs[i % len(langs)]
            record = {
                "id": f"rec-{i}",
                "title": f"Story {i}",
                "text": article(rng, lang),
                "language": lang,
                "published": "2025-10-17T17:16:00+03:00",
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    buffer = io.BytesIO()
    for i in range(docs):
        page = html_page(f"Story {i}", article(rng, langs[i % len(langs)]), "utf-8")
        buffer.write(warc_record(f"https://news.example/{i}", page.encode("utf-8")))
    (folders["warc"] / "crawl.warc.gz").write_bytes(buffer.getvalue())
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents per format")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wiretrace-bench-") as tmp:
        folders = build(Path(tmp), args.docs)
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{'format':<8}{'docs':>7}{'MB':>8}{'docs/s/core':>13}{'MB/s/core':>11}{'errors':>8}")
        for kind, folder in folders.items():
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            cpu = time.process_time()
            count = errors = 0
            for item in iter_documents([str(folder)]):
                if isinstance(item, Exception):
                    errors += 1
                else:
                    count += 1
            seconds = max(time.process_time() - cpu, 1e-9)
            print(
                f"{kind:<8}{count:>7}{size:>8.1f}{count / seconds:>13.0f}"
                f"{size / seconds:>11.1f}{errors:>8}"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS {peak / 1024:.0f} MB (after corpus generation: {base_rss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
