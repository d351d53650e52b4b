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
