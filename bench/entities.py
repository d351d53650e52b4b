"""Entity throughput: recognition mentions/s per core, and merge cost as distinct names grow.

Recognition runs single-process (one core) over the project's annotated sentences
(``tests/fixtures/entities/ner_*.jsonl``) joined into article-sized texts. Merging resolves
synthetic mentions — random surnames with spelling variants, typos and case endings — at
1k, 10k and 50k distinct names. Blocking caps the candidate pairs per name (two blocks, a
sorted window of 12 in large ones), so cost per name follows the decisions per name, which
rise only as the synthetic name space gets denser; the cost of one decision stays flat.

    .venv/bin/python bench/entities.py [--sizes 1000,10000,50000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from wiretrace.entities import (  # noqa: E402
    merge,  # noqa: E402
    recognize,
    resolve,
)
from wiretrace.entities.merge import parse_name  # noqa: E402
from wiretrace.entities.recognize import Mention  # noqa: E402
from wiretrace.lang.names import skeleton_token, skeleton_variants, weighted_distance  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "entities"
ONSETS = ["b", "v", "k", "l", "m", "n", "p", "r", "s", "t", "d", "z", "h", "sh", "ch", "kh", "st", "br", "gr"]
VOWELS = ["a", "e", "i", "o", "u", "ya", "ie"]
ENDINGS = ["enko", "ovich", "ski", "ov", "in", "uk", "ich", "er", "son", "escu", "idze", "ak"]
GIVEN = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Fedor", "Galina", "Igor", "Jan", "Karl", "Lena",
         "Marta", "Nikolai", "Olga", "Pavel", "Rosa", "Sergei", "Tomas", "Ulla", "Vera", "Yuri", "Zoya"]


def bench_recognition(repeat: int) -> None:
    print("recognition (one process = one core)")
    for language in ("en", "ru", "bg", "uk", "de"):
        lines = [json.loads(x)["text"] for x in
                 (FIXTURES / f"ner_{language}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        article = " ".join(lines)
        recognize(article, language)  # load the model outside the timing
        started = time.process_time()
        mentions = chars = 0
        for _ in range(repeat):
            mentions += len(recognize(article, language))
            chars += len(article)
        elapsed = time.process_time() - started
        print(f"  {language}: {mentions / elapsed:8.0f} mentions/s   {chars / elapsed / 1000:7.1f} k chars/s")


def _surname(rng: random.Random) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.randint(1, 3))) + rng.choice(ENDINGS)


def _variant(name: str, rng: random.Random) -> str:
    """A spelling variant: swapped letters, a dropped vowel, an ending, or the same name."""
    roll = rng.random()
    if roll < 0.2 and len(name) > 5:
        i = rng.randint(1, len(name) - 3)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if roll < 0.35:
        return name + "a"
    if roll < 0.45:
        return name.replace("ch", "tsch").replace("sh", "sch")
    return name


def synthetic_mentions(distinct: int, seed: int = 1) -> dict[str, list[Mention]]:
    """About ``distinct`` person names over articles of 10 full names and one lone surname each."""
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < distinct:
        surname = _surname(rng).capitalize()
        given = rng.choice(GIVEN)
        names.add(f"{given} {surname}")
        for _ in range(rng.randint(0, 2)):
            names.add(f"{given} {_variant(surname, rng)}")
            if len(names) >= distinct:
                break
    ordered = sorted(names)
    rng.shuffle(ordered)
    by_article: dict[str, list[Mention]] = {}
    for i in range(0, len(ordered), 10):
        chunk = ordered[i:i + 10]
        mentions = [Mention(n, k * 40, k * 40 + len(n), "person") for k, n in enumerate(chunk)]
        lone = chunk[0].split()[-1]  # a later surname-only mention of the first person
        mentions.append(Mention(lone, 500, 500 + len(lone), "person"))
        by_article[f"a{i // 10}"] = mentions
    return by_article


def _clear_caches() -> None:
    for fn in (parse_name, skeleton_token, skeleton_variants, weighted_distance):
        fn.cache_clear()


def bench_merge(sizes: list[int]) -> None:
    """CPU seconds for resolve(), and pair decisions per name (the quantity blocking bounds)."""
    calls = {"n": 0}
    original = merge.decide

    def counting_decide(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return original(*args, **kwargs)

    merge.decide = counting_decide
    print("\nmerging (resolve) as distinct names grow (CPU time)")
    print(f"  {'names':>7} {'seconds':>8} {'µs/name':>8} {'decisions/name':>15} {'µs/decision':>12} "
          f"{'entities':>9}  µs/name vs first size")
    base = None
    try:
        for size in sizes:
            mentions = synthetic_mentions(size)
            _clear_caches()
            calls["n"] = 0
            started = time.process_time()
            entities = resolve(mentions)
            elapsed = time.process_time() - started
            per_name = elapsed / size * 1e6
            base = base or per_name
            print(f"  {size:>7} {elapsed:8.2f} {per_name:8.1f} {calls['n'] / size:15.2f} "
                  f"{elapsed / max(1, calls['n']) * 1e6:12.1f} {len(entities):>9}  x{per_name / base:.2f}")
    finally:
        merge.decide = original


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = parser.parse_args()
    sizes = [500, 2000] if args.quick else [int(x) for x in args.sizes.split(",")]
    bench_recognition(1 if args.quick else args.repeat)
    bench_merge(sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
