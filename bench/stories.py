"""Story clustering throughput, scaling, and a BERTopic comparison.

1. Real corpus (../shared/data/clustering/allsides-events-dev.jsonl): embedding rate measured
   on a sample (the slow part), then representations -> stories with the real pair scorer.
2. Scaling: synthetic unit vectors scattered around synthetic event centroids, a constant
   number of articles per day, 1k -> 10k -> 100k articles, each size in its own process so
   peak memory is its own; time and memory should grow close to linearly.
3. BERTopic (and HDBSCAN alone) on the same corpus with the same embeddings, run in the
   separate venv ``.cache/bertopic-venv`` when it exists; skipped with a message otherwise.

    .venv/bin/python bench/stories.py [--sizes 1000,10000,100000] [--skip-real] [--skip-bertopic]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BERTOPIC_PY = REPO / ".cache" / "bertopic-venv" / "bin" / "python"
CORES = os.cpu_count() or 1


def _eval() -> Any:
    """eval/clustering.py as a module (corpus loading, cached representations, B-cubed)."""
    import importlib.util

    name = "eval_clustering"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "eval" / "clustering.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# -- synthetic scaling ----------------------------------------------------------------------


def synthetic_corpus(n: int, dim: int, per_day: int = 200, seed: int = 0) -> list[Any]:
    """``n`` articles in events of 1-6 articles, ``per_day`` articles a day, unit vectors."""
    from wiretrace.representations import ArticleRepr

    rng = np.random.default_rng(seed)
    out: list[ArticleRepr] = []
    event = 0
    empty = np.zeros((0, dim), dtype=np.float32)
    base = np.datetime64("2024-01-01T00:00")
    while len(out) < n:
        size = int(rng.integers(1, 7))
        centroid = rng.normal(size=dim)
        centroid /= np.linalg.norm(centroid)
        minute = int(len(out) / per_day * 1440)
        for j in range(min(size, n - len(out))):
            v = centroid + 0.35 / np.sqrt(dim) * rng.normal(size=dim)
            v = (v / np.linalg.norm(v)).astype(np.float32)
            published = str(base + np.timedelta64(minute + 37 * j, "m")) + ":00+00:00"
            out.append(ArticleRepr(
                id=f"a{len(out):07d}", language="en", published=published, title=None, text="",
                sentences=[], sentence_vectors=empty, doc_vector=v, features={"event": event},
            ))
        event += 1
    return out


def synthetic_scorer(a: Any, b: Any) -> Any:
    from wiretrace.stories import SimpleScore

    sim = float(a.doc_vector @ b.doc_vector)
    return SimpleScore(sim, a.features["event"] == b.features["event"], 1.0)


def run_one_size(n: int, dim: int) -> dict[str, Any]:
    """Cluster ``n`` synthetic articles; time and peak memory of this process."""
    bcubed = _eval().bcubed
    from wiretrace.stories import StoryClusterer

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    corpus = synthetic_corpus(n, dim)
    gen_s = time.perf_counter() - t0
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clusterer = StoryClusterer(scorer=synthetic_scorer)
    t0, c0 = time.perf_counter(), time.process_time()
    pred = clusterer.fit(corpus)
    cluster_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gold = {r.id: str(r.features["event"]) for r in corpus}
    return {
        "n": n,
        "dim": dim,
        "generate_s": round(gen_s, 2),
        "cluster_s": round(cluster_s, 2),
        "cpu_s": round(cpu_s, 2),
        "articles_per_cpu_s": round(n / cpu_s, 1),
        "scorer_calls_per_article": round(clusterer.scorer_calls / n, 2),
        "peak_rss_mb": round(rss1 / 1024, 1),
        "clustering_mb": round((rss1 - rss_data) / 1024, 1),
        "data_mb": round((rss_data - rss0) / 1024, 1),
        "b3_f1": round(bcubed(pred, gold)[2], 4),
    }


def scaling(sizes: Sequence[int], dim: int) -> None:
    print(f"synthetic scaling (dim={dim}, 200 articles/day, events of 1-6, fake scorer by label; "
          "one process per size):")
    rows = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--dim", str(dim)],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            print(f"  n={n}: failed\n{proc.stderr[-2000:]}")
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"  n={n:>7}: {row['cpu_s']:>8.2f} CPU s ({row['cluster_s']:.1f}s wall)  "
              f"{row['articles_per_cpu_s']:>7.1f} articles per CPU-second  "
              f"scorer calls/article {row['scorer_calls_per_article']:.2f}  "
              f"clustering memory {row['clustering_mb']:.1f} MB (peak RSS {row['peak_rss_mb']:.0f} MB)"
              f"  B3 F1 {row['b3_f1']:.3f}")
    for prev, cur in zip(rows, rows[1:], strict=False):
        ratio_n = cur["n"] / prev["n"]
        print(f"  x{ratio_n:g} articles: CPU time x{cur['cpu_s'] / prev['cpu_s']:.2f}, "
              f"clustering memory x{cur['clustering_mb'] / max(prev['clustering_mb'], 0.1):.2f}")


# -- real corpus ----------------------------------------------------------------------------


def real_corpus(sample: int) -> tuple[list[Any], dict[str, str], list[dict[str, Any]]]:
    ec = _eval()
    from wiretrace.embeddings import get_backend
    from wiretrace.representations import represent

    rows = ec.load_allsides()
    gold = {str(r["id"]): str(r["event"]) for r in rows}
    articles = [ec.article_from_row(r) for r in rows]
    backend = get_backend()
    backend.embed_passages(["warm up"])
    t0, c0 = time.perf_counter(), time.process_time()
    live = represent(articles[:sample], backend)
    embed_s, embed_cpu = time.perf_counter() - t0, time.process_time() - c0
    sentences = sum(len(r.sentences) for r in live)
    print(f"allsides-events-dev ({len(rows)} articles), {CORES} cores:")
    print(f"  representation (segment + embed, {backend.name}) on {sample} articles: "
          f"{sample / embed_s:.2f} articles/s wall = {sentences / embed_s:.1f} sentences/s; "
          f"{sample / embed_cpu:.2f} articles per CPU-second "
          f"({sentences / embed_cpu:.1f} sentences per CPU-second)")
    reprs, _ = ec.cached_representations(articles, "allsides")
    return reprs, gold, rows


def real_clustering(reprs: Sequence[Any], gold: dict[str, str]) -> float:
    bcubed = _eval().bcubed
    from wiretrace.stories import StoryClusterer

    clusterer = StoryClusterer()
    clusterer.scorer(reprs[0], reprs[1])  # load the scorer's data outside the timing
    t0, c0 = time.perf_counter(), time.process_time()
    pred = clusterer.fit(reprs)
    cluster_s, cluster_cpu = time.perf_counter() - t0, time.process_time() - c0
    p, r, f = bcubed(pred, gold)
    print(f"  stories from representations (real scorer): {cluster_s:.2f}s wall = "
          f"{len(reprs) / cluster_s:.1f} articles/s; {len(reprs) / cluster_cpu:.1f} articles per "
          "CPU-second, "
          f"{clusterer.scorer_calls / len(reprs):.1f} scorer calls/article; "
          f"B3 P={p:.3f} R={r:.3f} F1={f:.3f}")
    return cluster_s


BERTOPIC_SCRIPT = r"""
import json, sys, time
import numpy as np
data = json.load(open(sys.argv[1]))
emb = np.load(sys.argv[2])
docs = data["docs"]
out = {}
from bertopic import BERTopic
from hdbscan import HDBSCAN
from umap import UMAP
t0 = time.perf_counter()
umap = UMAP(n_neighbors=5, n_components=5, min_dist=0.0, metric="cosine", random_state=42)
hdb = HDBSCAN(min_cluster_size=2, min_samples=1, metric="euclidean", prediction_data=True)
model = BERTopic(umap_model=umap, hdbscan_model=hdb, min_topic_size=2, calculate_probabilities=False)
topics, _ = model.fit_transform(docs, emb)
out["bertopic"] = {"labels": [int(t) for t in topics], "seconds": time.perf_counter() - t0}
t0 = time.perf_counter()
labels = HDBSCAN(min_cluster_size=2, min_samples=1, metric="euclidean").fit_predict(emb)
out["hdbscan"] = {"labels": [int(t) for t in labels], "seconds": time.perf_counter() - t0}
from sklearn.cluster import AgglomerativeClustering
best = None
for thr in (0.04, 0.06, 0.08, 0.10, 0.12):
    t0 = time.perf_counter()
    lab = AgglomerativeClustering(n_clusters=None, distance_threshold=thr, metric="cosine",
                                  linkage="average").fit_predict(emb)
    out[f"agglomerative-average-{thr:.2f}"] = {"labels": [int(t) for t in lab],
                                                "seconds": time.perf_counter() - t0}
print(json.dumps(out))
"""


def bertopic_comparison(reprs: Sequence[Any], gold: dict[str, str], ours_s: float) -> None:
    bcubed = _eval().bcubed
    if not BERTOPIC_PY.exists():
        print(f"  BERTopic comparison skipped: no {BERTOPIC_PY.relative_to(REPO)} "
              "(python3.11 -m venv .cache/bertopic-venv; pip install torch==2.13.0 bertopic)")
        return
    ids = [r.id for r in reprs]
    with tempfile.TemporaryDirectory() as tmp:
        docs_path, emb_path = Path(tmp) / "docs.json", Path(tmp) / "emb.npy"
        docs = [f"{r.title or ''}\n{r.text}" for r in reprs]
        docs_path.write_text(json.dumps({"docs": docs}), encoding="utf-8")
        np.save(emb_path, np.stack([r.doc_vector for r in reprs]).astype(np.float32))
        proc = subprocess.run(
            [str(BERTOPIC_PY), "-c", BERTOPIC_SCRIPT, str(docs_path), str(emb_path)],
            capture_output=True, text=True, check=False,
        )
    if proc.returncode != 0:
        print(f"  BERTopic comparison failed:\n{proc.stderr[-1500:]}")
        return
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    print("  same doc embeddings, other clusterers (outliers = one story each; no time window):")
    for name, res in results.items():
        labels = {}
        for aid, lab in zip(ids, res["labels"], strict=True):
            labels[aid] = f"out-{aid}" if lab == -1 else str(lab)
        p, r, f = bcubed(labels, gold)
        print(f"    {name:<28} B3 P={p:.3f} R={r:.3f} F1={f:.3f}  {res['seconds']:.2f}s "
              f"(x{res['seconds'] / ours_s:.2f} of ours)")
    print("    (agglomerative thresholds are a grid on the evaluation data itself: an upper bound)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--sample", type=int, default=24, help="articles embedded live")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-bertopic", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one_size(args.one, args.dim)))
        return 0
    if not args.skip_real:
        reprs, gold, _ = real_corpus(args.sample)
        ours_s = real_clustering(reprs, gold)
        if not args.skip_bertopic:
            bertopic_comparison(reprs, gold, ours_s)
    scaling([int(s) for s in args.sizes.split(",") if s], args.dim)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
