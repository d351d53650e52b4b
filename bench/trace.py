"""Tracing cost as stories grow: 5, 50 and 500 articles with synthetic vectors.

Run: .venv/bin/python bench/trace.py

Each synthetic story has one original of 25 sentences and derivatives that copy, drop, reword
(noisy vectors) and add sentences, in chains, so the graph has real work to do. Printed: time
per story, time per article (one core), article pairs aligned, and sentence pairs compared next
to what comparing every pair of sentences would take; a ratio that stays near constant per
article shows the cost grows linearly, not quadratically.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wiretrace.provenance.align import Doc  # noqa: E402
from wiretrace.provenance.graph import Node  # noqa: E402
from wiretrace.provenance.trace import trace_nodes  # noqa: E402
from wiretrace.sentences import split_sentences  # noqa: E402

DIM = 384
SENTENCES = 25
WORDS = [f"w{i}" for i in range(5000)]


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def synthetic_story(n: int, seed: int = 0) -> list[Node]:
    rng = np.random.default_rng(seed)
    topic = rng.normal(size=DIM)
    base_vecs = _unit(topic + rng.normal(size=(SENTENCES, DIM)) * 1.2)
    base_text = [" ".join(rng.choice(WORDS, size=18)) for _ in range(SENTENCES)]
    articles: list[tuple[list[str], np.ndarray]] = [(base_text, base_vecs)]
    nodes = []
    start = np.datetime64("2025-01-01T00:00")
    for idx in range(n):
        if idx == 0:
            texts, vecs = base_text, base_vecs
        else:
            parent_texts, parent_vecs = articles[int(rng.integers(0, len(articles)))]
            keep = np.sort(
                rng.choice(
                    len(parent_texts), size=max(5, int(len(parent_texts) * 0.7)), replace=False
                )
            )
            texts = [parent_texts[k] for k in keep]
            vecs = parent_vecs[keep].copy()
            reword = rng.random(len(texts)) < 0.5
            vecs[reword] = _unit(vecs[reword] + rng.normal(size=(int(reword.sum()), DIM)) * 0.25)
            texts = [
                " ".join(rng.permutation(t.split())) if r else t
                for t, r in zip(texts, reword, strict=True)
            ]
            extra = int(rng.integers(1, 4))
            texts += [" ".join(rng.choice(WORDS, size=18)) for _ in range(extra)]
            vecs = np.vstack([vecs, _unit(topic + rng.normal(size=(extra, DIM)) * 1.2)])
            articles.append((texts, vecs))
        body = ". ".join(t.capitalize() for t in texts) + "."
        sentences = split_sentences(body, "en")
        vecs = vecs[: len(sentences)]
        doc = Doc(f"a{idx}", body, "en", sentences, vecs, doc_vector=_unit(vecs.mean(axis=0)))
        published = (start + np.timedelta64(idx * 7, "m")).astype("datetime64[s]").item()
        nodes.append(Node(doc=doc, published=published.replace(tzinfo=UTC), date_precise=True))
    return nodes


def main() -> int:
    print(
        f"{'articles':>8} {'seconds':>8} {'ms/article':>11} {'pairs':>7} {'sent. pairs':>12} "
        f"{'all-pairs':>12} {'share':>7} {'pairs/article':>14}"
    )
    for n in (5, 50, 500):
        nodes = synthetic_story(n)
        started = time.perf_counter()
        result = trace_nodes(nodes, f"synthetic-{n}")
        seconds = time.perf_counter() - started
        stats = result["stats"]
        total = stats["sentences"]
        all_pairs = total * total // 2
        compared = stats["sentence_pairs_compared"]
        print(
            f"{n:>8} {seconds:>8.2f} {1000 * seconds / n:>11.1f} {stats['article_pairs_aligned']:>7} "
            f"{compared:>12,} {all_pairs:>12,} {compared / all_pairs:>7.3f} {compared / n:>14,.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
