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
from functools import lru_cache
from pathlib import Path

import numpy as np

DIM = 384  # the dimension the pair scorer's centring and model expect


@lru_cache(maxsize=1 << 16)
def _slot(gram: str) -> tuple[int, float]:
    """Where a word or trigram lands in the vector, and with which sign."""
    h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little")
    return h % DIM, 1.0 if (h >> 16) & 1 else -1.0


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
            slot, sign = _slot(g)
            vec[slot] += sign
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


SYLLABLES = ["ka", "lo", "mi", "ru", "te", "sa", "vo", "ni", "pe", "du", "go", "ha", "zi",
             "be", "fa", "ju", "ko", "ly", "ma", "ne", "or", "pi", "qu", "st", "tr", "ul", "ve"]


# Languages of the lone reports: a multilingual feed, in languages whose names are found by
# the rule-based recogniser (the made-up words are no language's, so any label is as true).
LONE_LANGUAGES = ("de", "es", "fr", "it", "pl", "hu", "tr")


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    """Made-up words (two to four syllables), so that unrelated reports share few words."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _lone_report(rng: random.Random, vocab: list[str], n: int, day: int) -> dict[str, object]:
    """A report of an event nobody else covers: its own words, place and figures."""
    words = rng.sample(vocab, 24)
    place = rng.choice(PLACES)

    def sentence(k: int) -> str:
        picked = [rng.choice(words) for _ in range(k)]
        return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."

    lead = f"{place.upper()} - {sentence(9)} {sentence(7)}"
    body = f"{sentence(11)} {rng.randint(10, 9999)} {words[0]} {words[1]}. {sentence(8)}"
    return {
        "id": f"s{n:05d}", "title": " ".join(w.capitalize() for w in words[1:5]),
        "text": lead + "\n\n" + body, "outlet": rng.choice(OUTLETS),
        "published": f"2025-03-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
        "language": LONE_LANGUAGES[n % len(LONE_LANGUAGES)],
    }


def write_corpus(folder: Path, events: int, per_event: int, seed: int = 3,
                 singles: int = 0) -> list[Path]:
    """JSONL files of short reports: ``events`` events, each told by ``per_event`` outlets
    within a day, and ``singles`` reports of events nobody else covers (as most of a real
    feed is), spread over the same four weeks, with a few bad lines and a bad file among them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    records: list[dict[str, object]] = []
    vocab = _vocabulary(random.Random(seed + 1), 3000) if singles else []
    lone = random.Random(seed + 2)
    for n in range(singles):
        records.append(_lone_report(lone, vocab, n, 1 + (n * 28) // singles))
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


def use_hash_backend() -> HashBackend:
    """The single-machine path with the test backend wherever it asks for the default one."""
    import wiretrace.adapters.stories as story_adapter
    import wiretrace.embeddings as embeddings
    import wiretrace.representations as representations
    import wiretrace.store.representations as stored

    backend = HashBackend()
    for module in (embeddings, representations, stored, story_adapter):
        module.get_backend = lambda spec=None, b=backend: b  # type: ignore[attr-defined]
    return backend


def ingest_with_hash_backend(path: str, db: str, stages: Sequence[str]) -> None:
    """``ingest`` of ``path`` into a new store at ``db``, then the later ``stages`` only."""
    from wiretrace.pipeline import ingest, run_pending_stages, store_stages
    from wiretrace.store import open_store

    use_hash_backend()
    store = open_store(db)
    try:
        ingest(store, [path], run_stages=False)
        run_pending_stages(store, stages=[s for s in store_stages() if s.name in stages])
    finally:
        store.close()


class BackgroundIngest:
    """``ingest_with_hash_backend`` in a child process, started now and awaited when its store
    is needed: the single-machine path runs while the Ray cluster boots and works, so the two
    cores are both busy (the comparison is the same as running it in the test's own process)."""

    def __init__(self, path: Path, db: Path, stages: Sequence[str]) -> None:
        import subprocess
        import sys

        root = Path(__file__).resolve().parent.parent
        self.db = db
        self.log = db.with_suffix(".log")
        code = ("import sys; from tests.test_batch_support import ingest_with_hash_backend as f; "
                "f(sys.argv[1], sys.argv[2], sys.argv[3:])")
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(db), *stages],
                                         cwd=str(root), stdout=log, stderr=subprocess.STDOUT)

    def wait(self) -> Path:
        """The store's path, once the child is done (its log in the error if it failed)."""
        if self.proc.wait() != 0:
            raise RuntimeError(f"ingest failed:\n{self.log.read_text(errors='replace')[-4000:]}")
        return self.db

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
