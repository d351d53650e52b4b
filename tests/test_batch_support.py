"""Support for the batch tests: a cheap deterministic embedding backend and corpus writer.

The backend hashes words and character trigrams into a small vector, so thousands of articles
embed in well under a second on one core; the single-machine path and the batch path are both
given it, so their results can be compared exactly without the shipped model's cost.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DIM = 384  # the dimension the pair scorer's centring and model expect


class HashBackend:
    """Hashed bag of words and character trigrams, L2-normalised (no model, no randomness)."""

    name = "test-hash-384"
    dim = DIM
    doc_chars = 1500
    batch_articles = 64

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(DIM, dtype=np.float32)
        low = text.lower()
        grams = re.findall(r"\w+", low) + [low[i : i + 3] for i in range(0, max(0, len(low) - 2), 2)]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
            vec[h % DIM] += 1.0 if (h >> 16) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    embed_queries = embed_passages


PLACES = ["Tallinn", "Riga", "Vilnius", "Gdansk", "Turku", "Tartu", "Kaunas", "Oulu", "Parnu",
          "Liepaja", "Klaipeda", "Espoo", "Narva", "Sopot", "Jelgava"]
THINGS = ["bridge", "port", "school", "hospital", "railway", "airport", "stadium", "library",
          "tram line", "water plant", "power station", "ferry terminal"]
ACTIONS = ["repair", "close", "expand", "rebuild", "inspect", "sell", "reopen", "modernise"]
OUTLETS = ["Baltic Wire", "Harbour Times", "North Daily", "Coast Courier", "Evening Post",
           "Metro Herald", "Valley News"]


def write_corpus(folder: Path, events: int, per_event: int, seed: int = 3) -> list[Path]:
    """JSONL files of short reports: ``events`` events, each told by ``per_event`` outlets
    within a day, with a few bad lines and a bad file among them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    records = []
    for e in range(events):
        place, thing, action = rng.choice(PLACES), rng.choice(THINGS), rng.choice(ACTIONS)
        day = 1 + (e * 28) // max(1, events)
        amount = rng.randint(2, 900)
        for k in range(per_event):
            hour = rng.randint(0, 20)
            outlet = OUTLETS[(e + k) % len(OUTLETS)]
            lead = (f"The council of {place} voted on {['Monday', 'Tuesday', 'Friday'][k % 3]} "
                    f"to {action} the {thing}, officials said.")
            body = (f"The plan costs {amount} million euros and work on the {thing} starts in "
                    f"spring. Event number {e} drew comment from residents. "
                    f"{outlet} reported that the mayor of {place} backed the plan.")
            records.append({
                "id": f"e{e:04d}-{k}", "title": f"{place} to {action} {thing}",
                "text": lead + "\n\n" + body, "outlet": outlet,
                "published": f"2025-03-{day:02d}T{hour:02d}:00:00Z", "language": "en",
            })
    rng.shuffle(records)
    per_file = 40
    for i in range(0, len(records), per_file):
        path = folder / f"feed-{i // per_file:03d}.jsonl"
        lines = [json.dumps(r) for r in records[i : i + per_file]]
        if i == 0:
            lines.insert(3, '{"id": "broken", "text": ')  # a broken line: an error row
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    bad = folder / "zz-binary.txt"
    bad.write_bytes(b"\x00\x01\x02\xff" * 64)  # a binary file: an error row
    files.append(bad)
    return files
