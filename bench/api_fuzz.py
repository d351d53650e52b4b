"""Fuzz the REST API with schemathesis: thousands of generated requests over every API path.

Starts the real server (read-only, as `wiretrace serve` runs by default) on loopback over a
store, loads its OpenAPI document, and for every operation sends requests generated from the
schema: valid ones (the answer must be a documented status with a schema-valid body) and
invalid ones (any answer but a server error). Prints the number of requests, server errors
and other check failures per operation, and requests per second.

    python bench/api_fuzz.py [--db STORE] [--examples 130]

Without --db the bundled sample corpus is ingested into a temporary store first (a few
minutes: the embedding model runs on every article).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_sample_store(folder: Path) -> Path:
    from wiretrace.pipeline import ingest
    from wiretrace.store import open_store

    path = folder / "sample.db"
    with open_store(path) as store:
        ingest(store, [str(ROOT / "wiretrace" / "data" / "sample" / "articles")])
    return path


def fuzz(base: str, examples: int) -> dict[str, Counter[str]]:
    """Per operation: requests sent, server errors, and failed checks by name."""
    import requests
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = {
        GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance,
                                  content_type_conformance, response_schema_conformance],
        GenerationMode.NEGATIVE: [not_a_server_error, content_type_conformance],
    }
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    session = requests.Session()
    stats: dict[str, Counter[str]] = {}
    examples_shown: dict[str, str] = {}

    def run_cases(operation: schemathesis.APIOperation, mode: GenerationMode,
                  counts: Counter[str]) -> None:
        @settings(max_examples=examples, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=base, session=session, timeout=120)
            counts["requests"] += 1
            counts[f"{mode.value} requests"] += 1
            if response.status_code >= 500:
                counts["server errors"] += 1
            try:
                case.validate_response(response, checks=checks[mode])
            except (Exception, BaseExceptionGroup) as exc:  # failed checks: counted, not raised
                failures = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
                for failure in failures:
                    name = type(failure).__name__
                    counts[f"failed: {name}"] += 1
                    examples_shown.setdefault(
                        name, f"{case.path} {case.path_parameters} {case.query}: {str(failure)[:400]}"
                    )

        try:
            run()
        except Unsatisfiable:  # the schema admits every value: no invalid request to make
            counts[f"{mode.value}: nothing to generate"] += 1

    for result in schema.get_all_operations():
        operation = result.ok()
        counts = stats.setdefault(f"{operation.method.upper()} {operation.path}", Counter())
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run_cases(operation, mode, counts)
    for name, text in examples_shown.items():
        print(f"  example {name}: {text}", file=sys.stderr)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="an existing store (default: the sample corpus, ingested)")
    parser.add_argument("--examples", type=int, default=130,
                        help="generated requests per operation and mode (8 x 2 x 130 = 2,080)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "tests"))
    from webserver import running_server

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else build_sample_store(Path(tmp))
        with running_server(str(db)) as base:
            started = time.perf_counter()
            stats = fuzz(base, args.examples)
            seconds = time.perf_counter() - started
    total = Counter[str]()
    print(f"{'operation':38} {'requests':>8} {'5xx':>5}  other failed checks")
    for op, counts in stats.items():
        total.update(counts)
        failed = {k[8:]: v for k, v in counts.items() if k.startswith("failed: ")}
        print(f"{op:38} {counts['requests']:>8} {counts['server errors']:>5}  {failed or '-'}")
    failed_total = sum(v for k, v in total.items() if k.startswith("failed: "))
    print(f"\nrequests: {total['requests']} (valid {total['positive requests']}, "
          f"invalid {total['negative requests']}) over {len(stats)} operations")
    print(f"server errors (5xx): {total['server errors']}")
    print(f"failed checks (any): {failed_total}")
    print(f"throughput: {total['requests'] / seconds:.0f} requests/s in {seconds:.1f} s "
          "(one client, server on the same cores)")


if __name__ == "__main__":
    main()
