"""Fit the HTML paragraph filter (short paragraphs that read as page furniture) on WCXB pages.

Each short paragraph of the extracted main text is labelled article text when its words occur
as a run in the page's ground-truth body. A weighted logistic regression (every page counts
alike) is fitted on its features (``wiretrace.extract.html.paragraph_features``). Printed:
body word-F1 with no filter, fitted on the odd pages and scored on the even ones and the
reverse (the honest figures), and fitted on all. ``--write`` stores the weights fitted on all
pages in ``wiretrace/extract/data/html_selectors.json``. Features are cached under
``.cache/html/`` keyed by the code's feature list, so refits take seconds.

    .venv/bin/python eval/train_paragraph_filter.py [--threshold 0.4] [--l2 1.0] [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

import extraction_html as bench  # noqa: E402

from wiretrace.extract import html as H  # noqa: E402

SELECTORS = ROOT / "wiretrace" / "extract" / "data" / "html_selectors.json"
CACHE = ROOT / ".cache" / "html" / "paragraph_filter_rows.pkl"


def page_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Per page: its half, paragraphs, features (None for long ones), labels and truth."""
    # the rows change with the extraction code and its selector data (not the fitted weights)
    selectors = json.loads(SELECTORS.read_text(encoding="utf-8"))
    selectors.pop("paragraph_filter", None)
    source = hashlib.sha1(Path(H.__file__).read_bytes()
                          + json.dumps(selectors, sort_keys=True).encode()).hexdigest()
    key = (tuple(spec["features"]), spec["max_words"], spec["short_words"], source)
    if CACHE.exists():
        cached = pickle.loads(CACHE.read_bytes())
        if cached.get("key") == key:
            return cached["rows"]
    rows = []
    pages = bench.load_wcxb()
    for n, page in enumerate(pages):
        if not page["body"]:  # labelled with title and date only
            continue
        tree = H._parse(bench.decode_page(page["path"]))
        if tree is None:
            continue
        meta = H.page_metadata(tree, url=page["url"])
        found = H.main_text_candidates(tree, page["url"])
        paragraphs, _ = H.drop_headline(found.text, H.headlines_of(tree, meta))
        truth_key = f" {' '.join(bench.tokens(page['body']))} "
        rows.append({
            "half": n % 2,  # odd and even positions, as in eval/extraction_html.py
            "paragraphs": paragraphs,
            "features": H.paragraph_features(paragraphs, found, spec),
            "labels": [f" {' '.join(bench.tokens(p))} " in truth_key for p in paragraphs],
            "truth": page["body"],
        })
        if n % 100 == 0:
            print(f"  features: {n}/{len(pages)} pages", file=sys.stderr)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(pickle.dumps({"key": key, "rows": rows}))
    return rows


def fit(rows: list[dict[str, Any]], l2: float, iterations: int = 3000) -> list[float]:
    """Weights on the raw features (standardisation folded in), every page weighted alike."""
    xs, ys, ws = [], [], []
    for row in rows:
        short = [i for i, f in enumerate(row["features"]) if f is not None]
        if not short:
            continue
        sizes = np.array([len(row["paragraphs"][i].split()) for i in short], float)
        xs.append(np.array([row["features"][i] for i in short]))
        ys.append(np.array([row["labels"][i] for i in short], float))
        total = sum(len(p.split()) for p in row["paragraphs"])
        ws.append(sizes / max(1.0, total))
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    w = w / w.mean()
    mean, std = x[:, 1:].mean(0), x[:, 1:].std(0) + 1e-9
    z = x.copy()
    z[:, 1:] = (x[:, 1:] - mean) / std
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-z @ beta))
        beta -= 0.5 * (z.T @ (w * (p - y)) / len(y) + l2 * beta / len(y))
    weights = np.concatenate([[beta[0] - float(np.sum(beta[1:] * mean / std))], beta[1:] / std])
    return [round(float(v), 4) for v in weights]


def body_f1(rows: list[dict[str, Any]], weights: list[float] | None, threshold: float) -> float:
    scores = []
    for row in rows:
        paragraphs = row["paragraphs"]
        if weights is not None and len(paragraphs) > 1:
            probabilities = H.keep_probabilities(row["features"], weights)
            kept = [p for p, q in zip(paragraphs, probabilities, strict=True) if q >= threshold]
            paragraphs = kept or paragraphs
        scores.append(bench.word_f1("\n\n".join(paragraphs), row["truth"]))
    return float(np.mean(scores))


def write_weights(weights: list[float]) -> None:
    """Replace the weights list in the data file, leaving the rest of it as written."""
    text = SELECTORS.read_text(encoding="utf-8")
    data = json.loads(text)
    data["paragraph_filter"]["weights"] = weights
    new = re.sub(
        r'("paragraph_filter".*?"weights":\s*)\[[^\]]*\]',
        lambda m: m.group(1) + json.dumps(weights),
        text,
        count=1,
        flags=re.S,
    )
    assert json.loads(new) == data, "the weights list was not found in the data file"
    SELECTORS.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    spec = json.loads(SELECTORS.read_text(encoding="utf-8"))["paragraph_filter"]
    threshold = args.threshold if args.threshold is not None else spec["threshold"]
    rows = page_rows(spec)
    odd = [r for r in rows if r["half"] == 1]
    even = [r for r in rows if r["half"] == 0]
    print(f"WCXB dev: {len(rows)} pages; threshold {threshold}")
    print(f"  no filter            odd {body_f1(odd, None, threshold):.4f}"
          f"   even {body_f1(even, None, threshold):.4f}")
    on_odd, on_even = fit(odd, args.l2), fit(even, args.l2)
    print(f"  fitted on the other  odd {body_f1(odd, on_even, threshold):.4f}"
          f"   even {body_f1(even, on_odd, threshold):.4f}   (honest)")
    on_all = fit(rows, args.l2)
    print(f"  fitted on all        odd {body_f1(odd, on_all, threshold):.4f}"
          f"   even {body_f1(even, on_all, threshold):.4f}")
    print(f"  shipped weights      odd {body_f1(odd, spec['weights'], threshold):.4f}"
          f"   even {body_f1(even, spec['weights'], threshold):.4f}")
    if args.write:
        write_weights(on_all)
        print(f"wrote the weights fitted on all pages to {SELECTORS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
