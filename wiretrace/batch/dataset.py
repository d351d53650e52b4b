"""The batch dataset on disk: one folder per table of Parquet files, written atomically.

``DIR/articles``, ``stories``, ``members``, ``traces``, ``entities``, ``mentions``,
``signals``, ``errors`` and ``representations`` are what DuckDB, Spark or pandas read (``read_parquet('DIR/stories')``);
``DIR/_work`` holds the parts of unfinished steps and a marker per finished unit of work, so
a re-run on the same folder skips what is done. Every file is written under a temporary name
and renamed into place: a worker killed while writing leaves no partial file, and a retried
unit rewrites the same name, so the dataset has no duplicates and no gaps.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_STR = pa.string()
_F32_LIST = pa.list_(pa.float32())

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema([
        ("id", _STR), ("file_seq", pa.int64()), ("doc_seq", pa.int64()), ("title", _STR),
        ("text", _STR), ("published", _STR), ("outlet", _STR), ("author", _STR), ("url", _STR),
        ("dateline", _STR), ("language", _STR), ("language_confidence", pa.float64()),
        ("attributions", pa.list_(_STR)), ("source_path", _STR), ("source_kind", _STR),
        ("content_hash", _STR), ("encoding", _STR), ("extraction_method", _STR),
        ("raw", pa.binary()), ("metadata_json", _STR), ("removed_json", _STR),
        ("paragraph_languages_json", _STR), ("extra_json", _STR), ("notes_json", _STR),
    ]),
    "errors": pa.schema([
        ("path", _STR), ("code", _STR), ("message", _STR), ("file_seq", pa.int64()),
        ("doc_seq", pa.int64()),
    ]),
    "representations": pa.schema([
        ("id", _STR), ("backend", _STR),
        ("sentences", pa.list_(pa.struct([("text", _STR), ("start", pa.int64()), ("end", pa.int64())]))),
        ("doc_vector", _F32_LIST), ("title_vector", _F32_LIST), ("lead_vector", _F32_LIST),
        ("features_json", _STR),
    ]),
    "stories": pa.schema([
        ("id", _STR), ("seq", pa.int64()), ("size", pa.int64()), ("articles", pa.list_(_STR)),
        ("languages", pa.list_(_STR)), ("first_published", _STR), ("last_published", _STR),
    ]),
    "members": pa.schema([
        ("story_id", _STR), ("article_id", _STR), ("position", pa.int64()),
        ("score", pa.float64()), ("via", _STR), ("linked_by", _STR),
        ("link_score", pa.float64()), ("detail", _STR),
    ]),
    "merges": pa.schema([("from_story", _STR), ("into_story", _STR), ("reason", _STR)]),
    "traces": pa.schema([
        ("story_id", _STR), ("members_hash", _STR), ("trace_json", _STR),
    ]),
    "mentions": pa.schema([
        ("article_id", _STR), ("surface", _STR), ("start", pa.int64()), ("end", pa.int64()),
        ("type", _STR), ("lemma", _STR), ("entity_id", _STR),
    ]),
    "entities": pa.schema([
        ("id", _STR), ("name", _STR), ("type", _STR), ("variants", pa.list_(_STR)),
        ("articles", pa.list_(_STR)),
    ]),
    "signals": pa.schema([
        ("article_id", _STR), ("story_id", _STR), ("genre", _STR), ("names", pa.list_(_STR)),
        ("content_hash", _STR), ("model_version", _STR), ("signals_json", _STR),
    ]),
    "sentence_vectors": pa.schema([("id", _STR), ("vectors", pa.list_(_F32_LIST))]),
}
TABLES = ("articles", "stories", "members", "traces", "entities", "mentions", "signals",
          "errors")


class Dataset:
    """A dataset folder: tables, work parts and done markers."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def work_dir(self, step: str) -> Path:
        return self.root / "_work" / step

    # -- markers ---------------------------------------------------------------------------

    def marker(self, step: str, unit: str) -> Path:
        return self.work_dir(step) / f"{unit}.done"

    def is_done(self, step: str, unit: str = "_step") -> bool:
        return self.marker(step, unit).exists()

    def mark_done(self, step: str, unit: str = "_step", info: dict[str, Any] | None = None) -> None:
        path = self.marker(step, unit)
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(path, json.dumps(info or {}).encode())

    def done_info(self, step: str, unit: str = "_step") -> dict[str, Any]:
        info: dict[str, Any] = json.loads(self.marker(step, unit).read_text())
        return info

    # -- parts -----------------------------------------------------------------------------

    def write_part(self, folder: Path, name: str, table: str, rows: Iterable[dict[str, Any]]) -> int:
        """Write ``rows`` (may be none) as ``folder/name.parquet`` under ``table``'s schema."""
        listed = list(rows)
        folder.mkdir(parents=True, exist_ok=True)
        data = pa.Table.from_pylist(listed, schema=SCHEMAS[table])
        tmp = folder / f".{name}.{uuid.uuid4().hex}.tmp"
        pq.write_table(data, tmp)
        os.replace(tmp, folder / f"{name}.parquet")
        return len(listed)

    def write_table(self, table: str, rows: Iterable[dict[str, Any]], chunk: int = 50_000) -> int:
        """Replace ``table`` with ``rows``, ``chunk`` rows a file."""
        folder = self.table_dir(table)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.parquet"):
            old.unlink()
        total = n = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                total += self.write_part(folder, f"part-{n:05d}", table, batch)
                batch, n = [], n + 1
        if batch or n == 0:
            total += self.write_part(folder, f"part-{n:05d}", table, batch)
        return total

    def read_rows(self, folder: Path, table: str, columns: list[str] | None = None,
                  filters: Any = None) -> Iterator[dict[str, Any]]:
        """Rows of every Parquet file in ``folder``, files in name order."""
        for path in sorted(folder.glob("*.parquet")):
            data = pq.read_table(path, schema=SCHEMAS[table], columns=columns, filters=filters)
            yield from data.to_pylist()

    def read_rows_file(self, path: Path, table: str,
                       columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
        yield from pq.read_table(path, schema=SCHEMAS[table], columns=columns).to_pylist()

    def parts(self, table: str) -> list[str]:
        """Names of ``table``'s Parquet files, without the suffix, in order."""
        return sorted(p.stem for p in self.table_dir(table).glob("*.parquet"))

    def rows(self, table: str, columns: list[str] | None = None,
             filters: Any = None) -> Iterator[dict[str, Any]]:
        return self.read_rows(self.table_dir(table), table, columns, filters)

    def exists(self) -> bool:
        return all(self.table_dir(t).is_dir() for t in TABLES)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


__all__ = ["SCHEMAS", "TABLES", "Dataset"]
