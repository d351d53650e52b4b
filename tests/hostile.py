"""A generated corpus of hostile inputs, for the CLI test (small) and ``bench/fuzz.py`` (big).

Every file is made here from a seed: nothing is copied from real pages. Each kind is a shape
that has broken, hung or bloated a reader somewhere: bombs, lies about lengths, markup in
names, lone surrogates, deep nesting, huge attributes and lines, junk bytes, wrong encodings.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

WORDS = (
    "the harbour board council said on monday that ferry pier repairs would close the quay "
    "for six weeks while engineers replace rotten timber piles and workers move cargo"
).split()


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def article(rng: random.Random, paragraphs: int = 3) -> str:
    town = f"Port{rng.randrange(10**6)}"
    return "\n\n".join(
        f"{town} " + " ".join(sentence(rng) for _ in range(3)) for _ in range(paragraphs)
    )


def _html(body: str, title: str = "Pier closes") -> str:
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>"


def _rss(items: list[str]) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
        + "".join(items)
        + "</channel></rss>"
    )


def _item(rng: random.Random, i: int) -> str:
    return f"<item><guid>g{i}-{rng.randrange(10**9)}</guid><title>T{i}</title><description>{article(rng, 1)}</description></item>"


def _warc(records: list[tuple[str, bytes]], lie: int = 0) -> bytes:
    out = b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
    for url, html in records:
        payload = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
        out += (
            (
                f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
                f"WARC-Date: 2025-01-01T00:00:00Z\r\nContent-Length: {len(payload) + lie}\r\n\r\n"
            ).encode()
            + payload
            + b"\r\n\r\n"
        )
    return out


# -- the kinds: each returns (file name suffix, bytes) ------------------------------------------


def good_txt(rng: random.Random) -> tuple[str, bytes]:
    return ".txt", (
        f"Home > News\nPier closes for repairs\n\n{article(rng)}\nRelated\n- Other story\n"
    ).encode()


def good_html(rng: random.Random) -> tuple[str, bytes]:
    return ".html", _html(article(rng)).encode()


def good_jsonl(rng: random.Random) -> tuple[str, bytes]:
    lines = [
        json.dumps({"id": f"r{rng.randrange(10**12)}", "text": article(rng), "title": "T"})
        for _ in range(3)
    ]
    return ".jsonl", ("\n".join(lines) + "\n").encode()


def mixed_jsonl(rng: random.Random) -> tuple[str, bytes]:
    good = lambda: json.dumps({"id": f"m{rng.randrange(10**12)}", "text": article(rng, 1)})  # noqa: E731
    lines = [
        rng.choice(["[1]", "[]", "null", "42", '"s"', "{}"]),
        good(),
        "{broken",
        '{"id": "s' + str(rng.randrange(10**9)) + '", "text": "' + article(rng, 1) + ' \\udfff"}',
        '{"id": "\\ud800' + str(rng.randrange(10**9)) + '", "text": "' + article(rng, 1) + '"}',
        "[" * rng.randrange(990, 5000) + "]" * 10,
        '{"a":' * rng.randrange(100, 1500) + "1" + "}" * 20,
        good(),
    ]
    rng.shuffle(lines)
    return ".jsonl", "\n".join(lines).encode()


def huge_title_jsonl(rng: random.Random) -> tuple[str, bytes]:
    record = {
        "id": f"t{rng.randrange(10**12)}",
        "text": article(rng),
        "title": "Pier " * rng.randrange(10**5, 4 * 10**5),
    }
    return ".jsonl", json.dumps(record).encode() + b"\n"


def markup_jsonl(rng: random.Random) -> tuple[str, bytes]:
    ids = ["[/]", "[bold]x[/bold]", "[red]", "[/]]", "[link=file:///etc/passwd]x[/link]"]
    lines = [
        json.dumps(
            {
                "id": f"{rng.choice(ids)}{rng.randrange(10**9)}",
                "text": rng.choice(["", article(rng, 1)]),
            }
        )
    ]
    return ".jsonl", ("\n".join(lines) + "\n").encode()


def gzip_bomb(rng: random.Random) -> tuple[str, bytes]:
    return rng.choice([".txt.gz", ".jsonl.gz", ".html.gz"]), _bomb()


_BOMB: list[bytes] = []


def _bomb() -> bytes:
    if not _BOMB:
        _BOMB.append(gzip.compress(b"\0" * 300_000_000, compresslevel=9))
    return _BOMB[0]


def truncated_gzip(rng: random.Random) -> tuple[str, bytes]:
    suffix, data = rng.choice([good_txt, good_jsonl, good_html])(rng)
    packed = gzip.compress(data)
    return suffix + ".gz", packed[: rng.randrange(10, max(11, len(packed) - 1))]


def xml_bomb(rng: random.Random) -> tuple[str, bytes]:
    entities = '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    doc = f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel><item><title>&j;</title><description>&j;</description></item></channel></rss>'
    return ".rss", doc.encode()


def xxe_feed(rng: random.Random) -> tuple[str, bytes]:
    doc = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<rss version="2.0"><channel><item><title>&x;</title><description>&x; {article(rng, 1)}</description></item></channel></rss>'
    )
    return ".xml", doc.encode()


def good_feed(rng: random.Random) -> tuple[str, bytes]:
    return ".rss", _rss([_item(rng, i) for i in range(3)]).encode()


def broken_feed(rng: random.Random) -> tuple[str, bytes]:
    data = _rss([_item(rng, i) for i in range(4)]).encode()
    return ".rss", data[: rng.randrange(60, len(data))]


def truncated_warc(rng: random.Random) -> tuple[str, bytes]:
    data = _warc([(f"https://x.example/{i}", _html(article(rng)).encode()) for i in range(3)])
    return ".warc", data[: rng.randrange(100, len(data))]


def lying_warc(rng: random.Random) -> tuple[str, bytes]:
    records = [(f"https://y.example/{i}", _html(article(rng)).encode()) for i in range(2)]
    return ".warc", _warc(records, lie=rng.choice([-50, 10**6, 10**12, -(10**3)]))


def huge_attributes(rng: random.Random) -> tuple[str, bytes]:
    count = rng.choice([5_000, 30_000, 200_000])
    attrs = " ".join(f"a{i}=x" for i in range(count))
    return (
        ".html",
        f"<html><body><div {attrs}>x</div><p>{article(rng, 1)}</p></body></html>".encode(),
    )


def deep_html(rng: random.Random) -> tuple[str, bytes]:
    depth = rng.choice([5_000, 100_000])
    return ".html", (
        "<html><body>" + "<div>" * depth + article(rng, 1) + "</div>" * depth + "</body></html>"
    ).encode()


def huge_line(rng: random.Random) -> tuple[str, bytes]:
    size = rng.choice([1_100_000, 3_000_000])
    words = (sentence(rng, 40) + " ") * (size // 200 + 1)
    return ".txt", words[:size].encode()


def binary_junk(rng: random.Random) -> tuple[str, bytes]:
    return rng.choice([".txt", ".html", ".jsonl", ".warc", ".rss", ".gz"]), rng.randbytes(
        rng.randrange(1, 20_000)
    )


def empty_or_blank(rng: random.Random) -> tuple[str, bytes]:
    return rng.choice([".txt", ".html", ".jsonl"]), rng.choice(
        [b"", b"   \n\n\t", b"\xef\xbb\xbf", b"\xff\xfe"]
    )


def encoded_text(rng: random.Random) -> tuple[str, bytes]:
    text = "Пирс закрыт на ремонт, сообщил совет в понедельник. Работы продлятся шесть недель."
    codec = rng.choice(["cp1251", "koi8-r", "utf-16", "utf-8-sig", "latin-1"])
    body = (text if codec != "latin-1" else article(rng)) + "\n"
    return ".txt", body.encode(codec, errors="replace")


def mutated(rng: random.Random) -> tuple[str, bytes]:
    suffix, data = rng.choice([good_txt, good_html, good_jsonl, good_feed])(rng)
    raw = bytearray(data)
    for _ in range(rng.randrange(1, 30)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return suffix, bytes(raw)


def one_paragraph(rng: random.Random) -> tuple[str, bytes]:
    return ".txt", (" ".join(sentence(rng) for _ in range(4)) + " after").encode()


KINDS: dict[str, tuple[float, Callable[[random.Random], tuple[str, bytes]]]] = {
    # name: (weight, maker); heavy kinds are rare so the corpus stays a few hundred MB at most
    "good_txt": (12, good_txt),
    "good_html": (10, good_html),
    "good_jsonl": (6, good_jsonl),
    "good_feed": (4, good_feed),
    "mixed_jsonl": (8, mixed_jsonl),
    "markup_jsonl": (4, markup_jsonl),
    "huge_title_jsonl": (0.5, huge_title_jsonl),
    "gzip_bomb": (0.5, gzip_bomb),
    "truncated_gzip": (4, truncated_gzip),
    "xml_bomb": (2, xml_bomb),
    "xxe_feed": (2, xxe_feed),
    "broken_feed": (4, broken_feed),
    "truncated_warc": (3, truncated_warc),
    "lying_warc": (3, lying_warc),
    "huge_attributes": (0.5, huge_attributes),
    "deep_html": (0.5, deep_html),
    "huge_line": (0.5, huge_line),
    "binary_junk": (8, binary_junk),
    "empty_or_blank": (4, empty_or_blank),
    "encoded_text": (6, encoded_text),
    "mutated": (12, mutated),
    "one_paragraph": (3, one_paragraph),
}

_NAME_PARTS = ["plain", "a[/]b", "[bold]x", "sp ace", "ünï", "[red]", "x]]["]


def make_corpus(folder: Path, count: int, seed: int = 0, specials: bool = True) -> dict[str, int]:
    """Write ``count`` hostile files under ``folder``; returns how many of each kind."""
    rng = random.Random(seed)
    names = list(KINDS)
    weights = [KINDS[n][0] for n in names]
    made: dict[str, int] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        kind = rng.choices(names, weights)[0]
        suffix, data = KINDS[kind][1](rng)
        sub = folder / f"d{i // 500}"
        if rng.random() < 0.05:
            sub = sub / rng.choice(["a[", "[b]"])
        sub.mkdir(parents=True, exist_ok=True)
        name = f"{i:06d}-{rng.choice(_NAME_PARTS)}{suffix}".replace("/", "_")
        (sub / name).write_bytes(data)
        made[kind] = made.get(kind, 0) + 1
    if specials:
        (folder / "loop").symlink_to(folder / "loop")
        (folder / "dangling").symlink_to(folder / "nowhere")
        if hasattr(os, "mkfifo"):
            os.mkfifo(folder / "pipe.txt")
        made["specials"] = 3
    return made
