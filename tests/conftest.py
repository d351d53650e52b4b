"""Shared fixtures: a fresh store per test, and the bundled sample corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiretrace.store import open_store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "wiretrace" / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


HOSTILE_RECORDS = [
    {
        "id": "hostile-1",
        "title": '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">Port strike',
        "text": (
            "Dock workers <b onmouseover=\"window.__pwned=3\">extended</b> their strike on Monday, "
            "the union said. <script>window.__pwned = 4</script> "
            "Read more at <a href=\"javascript:window.__pwned=5\">this link</a> or javascript:alert(1). "
            "The port authority said talks would resume on Wednesday."
        ),
        "outlet": "<i>Evil</i> Daily",
        "published": "2025-03-03T09:00:00Z",
        "language": "en",
    }
]


@pytest.fixture(scope="session")
def sample_store_path(tmp_path_factory) -> Path:
    """The bundled sample corpus plus a hostile record, fully ingested once per test run."""
    import json

    from wiretrace.pipeline import ingest

    tmp = tmp_path_factory.mktemp("sample-store")
    hostile = tmp / "hostile.jsonl"
    hostile.write_text("\n".join(json.dumps(r) for r in HOSTILE_RECORDS) + "\n", encoding="utf-8")
    path = tmp / "sample.db"
    s = open_store(path)
    try:
        ingest(s, [str(SAMPLE_DIR / "articles"), str(hostile)])
    finally:
        s.close()
    return path
