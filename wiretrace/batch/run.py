"""``wiretrace batch``: the pipeline on a Ray cluster, writing a Parquet dataset.

Steps, each skipped when a re-run finds it done (per unit of work for the first two):

1. extract — input files, a few per unit, read and extracted by Ray Data ``map_batches``
   tasks (``work.extract_unit``); a bad file or document becomes an ``errors`` row;
2. articles — the driver drops repeated ids and repeated content (the same rules as
   ``ingest``) in input order and writes the ``articles`` table in parts;
3. represent — one embedding model per actor of a Ray Data actor pool (GPU actors with
   ``--gpus``), one ``articles`` part per call;
4. stories — candidate pairs per time partition scored by Ray tasks, then the clustering
   (``batch.stories``);
5. entities — mentions recognised per part by Ray tasks, variants resolved by blocks
   (``entities.merge.resolve``) on the driver;
6. traces — stories of two or more articles traced by Ray tasks;
7. signals — each article's manipulation signals, with its story's trace, by Ray tasks.

Without ``address`` a local Ray instance is started and stopped when done.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DuplicateIdError, UsageError, WiretraceError
from ..extract.budget import DEFAULT_DOC_SECONDS
from ..records import Article
from ..representations import ArticleRepr
from ..sources import DEFAULT_MAX_BYTES
from ..sources.discover import walk
from ..stories.cluster import order_key
from .dataset import Dataset
from .records import error_row, row_to_article, row_to_repr
from .remote import is_uri, walk_uri
from .stories import candidate_pairs, cluster, partitions, sorted_reprs, story_rows
from .work import (
    BackendFactory,
    extract_unit,
    recognize_part,
    represent_part,
    score_pairs,
    signals_part,
    trace_stories,
    vectorizer_for,
)

# Input files per extraction unit: a unit is the grain of retries and of re-runs.
FILES_PER_UNIT = 8
# Articles per ``articles`` part: the grain of the representation actors and of recognition
# (one embedding call covers a backend's ``batch_articles`` of them at a time).
ARTICLES_PER_PART = 1000
# Parts per worker at least, so that the last parts do not leave workers idle; and the
# smallest part worth a call (a part's fixed cost is a Parquet read and write, ~10 ms).
PARTS_PER_WORKER = 4
MIN_PART_ARTICLES = 50
# Stories per trace task (a story's trace takes ~0.1-10 s; see bench/scale.py).
STORIES_PER_TASK = 16
# Environment the workers need to pick the same model as the driver.
FORWARDED_ENV = ("WIRETRACE_EMBEDDINGS", "WIRETRACE_DOC_CHARS", "WIRETRACE_DEVICE")
DATASET_VERSION = 2  # 2: the signals table


@dataclass
class BatchReport:
    out: str
    articles: int = 0
    failed: int = 0
    duplicates: int = 0
    stories: int = 0
    traces: int = 0
    entities: int = 0
    steps: dict[str, Any] = field(default_factory=dict)  # step -> seconds, or "done before"

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": self.out, "articles": self.articles, "failed": self.failed,
            "duplicates": self.duplicates, "stories": self.stories, "traces": self.traces,
            "entities": self.entities, "steps": self.steps,
        }


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise UsageError("wiretrace batch needs Ray: pip install 'wiretrace[ray]'") from exc
    return ray


def run_batch(
    paths: Sequence[str], out: str | os.PathLike[str], *, address: str | None = None,
    gpus: int = 0, workers: int | None = None, backend: BackendFactory | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES, doc_timeout: float | None = DEFAULT_DOC_SECONDS,
    files_per_unit: int = FILES_PER_UNIT, articles_per_part: int = ARTICLES_PER_PART,
    log: Callable[[str], None] | None = None,
) -> BatchReport:
    """Run the pipeline over ``paths`` on Ray and write the dataset to ``out``.

    ``backend`` makes the embedding backend on each worker (default: ``get_backend()`` with
    the driver's ``WIRETRACE_*`` settings); ``workers`` sizes the local instance and the
    actor pool (default: the cluster's CPUs). ``files_per_unit`` and ``articles_per_part``
    set the grain of the work (and of retries); they do not change the result.
    """
    ray = _ray()
    say = log or (lambda _msg: None)
    ds = Dataset(out)
    ds.root.mkdir(parents=True, exist_ok=True)
    plan = _plan(ds, paths, files_per_unit)
    for e in plan["errors"]:  # inputs that could not be listed: say why before the work
        say(f"{e['path']}: {e['code']} {e['message']}")
    started_here = False
    if not ray.is_initialized():
        env = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
        kwargs: dict[str, Any] = {
            "logging_level": logging.WARNING, "log_to_driver": False,
            "runtime_env": {"env_vars": env} if env else None,
        }
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=workers, num_gpus=gpus or None, include_dashboard=False, **kwargs)
        started_here = True
    try:
        from ray.data import DataContext

        logging.getLogger("ray.data").setLevel(logging.WARNING)
        ctx = DataContext.get_current()
        ctx.enable_progress_bars = False
        pool = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        report = BatchReport(out=str(ds.root))
        steps: list[tuple[str, Callable[[], None]]] = [
            ("extract", lambda: _extract(ray, ds, plan, max_bytes, doc_timeout)),
            ("articles", lambda: _articles(ds, plan, part_size(ds, plan, articles_per_part, pool))),
            ("represent", lambda: _represent(ray, ds, backend, pool, gpus)),
            ("stories", lambda: _stories(ray, ds, backend)),
            ("entities", lambda: _entities(ray, ds)),
            ("traces", lambda: _traces(ray, ds, backend)),
            ("signals", lambda: _signals(ray, ds)),
        ]
        for name, step in steps:
            if ds.is_done(name):
                report.steps[name] = "done before"
                continue
            say(f"{name} ...")
            t0 = time.perf_counter()
            step()
            ds.mark_done(name, info={"seconds": round(time.perf_counter() - t0, 2)})
            report.steps[name] = round(time.perf_counter() - t0, 2)
        info = ds.done_info("articles-count")
        report.articles, report.failed, report.duplicates = (
            info["articles"], info["errors"], info["duplicates"])
        report.stories = ds.done_info("stories-count")["stories"]
        report.traces = ds.done_info("traces-count")["traces"]
        report.entities = ds.done_info("entities-count")["entities"]
        _manifest(ds, report)
        return report
    finally:
        if started_here:
            ray.shutdown()


# -- plan ------------------------------------------------------------------------------------


def _plan(ds: Dataset, paths: Sequence[str], files_per_unit: int) -> dict[str, Any]:
    """The input files in ``ingest`` order, cut into units; kept in the folder so that a
    re-run with other inputs is refused rather than mixed in."""
    files: list[list[Any]] = []
    errors: list[dict[str, Any]] = []
    for n, item in enumerate(_walk_inputs([str(p) for p in paths])):
        if isinstance(item, WiretraceError):
            errors.append(error_row(item.path or "?", item.code, item.message, (n, 0)))
        else:
            files.append([str(item[0]), item[1], n])
    plan = {
        "version": DATASET_VERSION,
        "inputs": [str(p) if is_uri(str(p)) else os.path.abspath(str(p)) for p in paths],
        "units": [
            {"name": f"u{i // files_per_unit:06d}", "files": files[i : i + files_per_unit]}
            for i in range(0, len(files), files_per_unit)
        ],
        "errors": errors,
    }
    path = ds.root / "_work" / "plan.json"
    if path.exists():
        before = json.loads(path.read_text())
        if before.get("inputs") != plan["inputs"] or before.get("units") != plan["units"]:
            raise UsageError(
                f"{ds.root} holds a dataset of other inputs; give another --out folder"
            )
        return before
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan))
    return plan


def _walk_inputs(paths: Sequence[str]) -> Iterator[tuple[str, str] | WiretraceError]:
    """The files of local paths (``sources.discover.walk``) and of URIs (``remote.walk_uri``),
    in the order given, each file once."""
    seen: set[str] = set()
    for given in paths:
        items: Iterator[Any] = walk_uri(given) if is_uri(given) else walk([given])
        for item in items:
            if isinstance(item, WiretraceError):
                yield item
                continue
            where, base_id = item
            key = where if is_uri(str(where)) else str(Path(where).resolve())
            if key not in seen:
                seen.add(key)
                yield str(where), base_id


# -- steps -----------------------------------------------------------------------------------


def _extract(ray: Any, ds: Dataset, plan: dict[str, Any], max_bytes: int,
             doc_timeout: float | None) -> None:
    todo = [u for u in plan["units"] if not ds.is_done("extract", u["name"])]
    if not todo:
        return
    root = str(ds.root)

    def run(batch: dict[str, Any]) -> dict[str, Any]:
        done = []
        for name, files in zip(batch["unit"], batch["files"], strict=True):
            extract_unit(root, str(name), json.loads(str(files)), max_bytes=max_bytes,
                         doc_timeout=doc_timeout)
            done.append(str(name))
        return {"unit": done}

    # A task whose worker dies is retried by Ray Data's own default (no limit on system
    # failures); ``extract_unit`` bounds the attempts itself, so a file that kills every
    # worker it meets ends as error rows rather than a job that never finishes.
    items = [{"unit": u["name"], "files": json.dumps(u["files"])} for u in todo]
    (ray.data.from_items(items, override_num_blocks=len(items))
        .map_batches(run, batch_size=1)
        .take_all())


def _articles(ds: Dataset, plan: dict[str, Any], per_part: int) -> None:
    """Repeated ids and repeated content dropped in input order, as ``ingest`` drops them."""
    from ..store.sqlite import article_identity

    errors = list(plan["errors"])
    for unit in plan["units"]:
        errors += ds.read_rows_file(ds.work_dir("extract-errors") / f"{unit['name']}.parquet", "errors")
    seen: dict[str, tuple[str, str]] = {}  # id -> (content hash, source path)
    identities: set[str] = set()
    duplicates: list[dict[str, Any]] = []

    def kept() -> Any:
        for unit in plan["units"]:
            path = ds.work_dir("extract") / f"{unit['name']}.parquet"
            for row in ds.read_rows_file(path, "articles"):
                before = seen.get(row["id"])
                if before is not None:
                    if before[0] != row["content_hash"]:
                        err = DuplicateIdError(
                            f"article id {row['id']!r} already used by different content in "
                            f"{before[1]}")
                        errors.append(error_row(row["source_path"], err.code, err.message,
                                                (row["file_seq"], row["doc_seq"])))
                    continue
                seen[row["id"]] = (row["content_hash"], row["source_path"])
                md = json.loads(row["metadata_json"])
                identity = article_identity(row["text"], md.get("title"), md.get("outlet"),
                                            md.get("url"))
                if identity in identities:
                    duplicates.append({"id": row["id"], "path": row["source_path"]})
                    continue
                identities.add(identity)
                yield row

    count = _write_parts(ds, "articles", kept(), per_part)
    errors.sort(key=lambda e: (e["file_seq"], e["doc_seq"], e["path"]))
    ds.write_table("errors", errors)
    ds.mark_done("articles-count", info={"articles": count, "errors": len(errors),
                                   "duplicates": len(duplicates)})


def part_size(ds: Dataset, plan: dict[str, Any], most: int, pool: int) -> int:
    """Articles per part: at most ``most``, and small enough that every worker of the pool
    gets ``PARTS_PER_WORKER`` parts (three 1,000-article parts on two actors leave one idle
    for a third of the step)."""
    extracted = sum(int(ds.done_info("extract", u["name"]).get("articles", 0))
                    for u in plan["units"])
    even = -(-extracted // max(1, pool * PARTS_PER_WORKER))
    return max(1, min(most, max(MIN_PART_ARTICLES, even)))


def _write_parts(ds: Dataset, table: str, rows: Any, size: int) -> int:
    folder = ds.table_dir(table)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    total, n, batch = 0, 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            total += ds.write_part(folder, f"part-{n:05d}", table, batch)
            n, batch = n + 1, []
    if batch or n == 0:
        total += ds.write_part(folder, f"part-{n:05d}", table, batch)
    return total


def _represent(ray: Any, ds: Dataset, backend: BackendFactory | None, pool: int, gpus: int) -> None:
    from ray.data import ActorPoolStrategy

    todo = [p for p in ds.parts("articles") if not ds.is_done("represent", p)]
    if not todo:
        return
    root = str(ds.root)

    class Represent:
        """One embedding model per actor, loaded when the actor starts."""

        def __init__(self) -> None:
            from .work import backend_of

            backend_of(backend)

        def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
            for part in batch["part"]:
                represent_part(root, str(part), backend)
            return {"part": [str(p) for p in batch["part"]]}

    # Ray Data restarts a lost actor and retries its calls by default (max_restarts and
    # max_task_retries of -1); a retried part rewrites the same file.
    size = max(1, min(gpus or pool, len(todo)))
    (ray.data.from_items([{"part": p} for p in todo], override_num_blocks=len(todo))
        .map_batches(Represent, batch_size=1, compute=ActorPoolStrategy(size=size),
                     num_gpus=1 if gpus else 0)
        .take_all())


def _load(ds: Dataset, backend: BackendFactory | None, ids: set[str] | None = None,
          ) -> tuple[dict[str, Article], list[ArticleRepr]]:
    """Articles (without their original bytes) and representations of the dataset, or of
    the articles ``ids`` only (read with a Parquet filter: the rest is never decoded)."""
    if ids is not None and not ids:
        return {}, []
    filters = None if ids is None else [("id", "in", sorted(ids))]
    articles: dict[str, Article] = {}
    for row in ds.rows("articles", columns=_ARTICLE_COLUMNS, filters=filters):
        row.setdefault("raw", b"")
        articles[row["id"]] = row_to_article(row)
    vectorize = vectorizer_for(backend)
    reprs = [row_to_repr(r, articles[r["id"]], vectorize)
             for r in ds.rows("representations", filters=filters)]
    return articles, reprs


_ARTICLE_COLUMNS = [
    "id", "file_seq", "doc_seq", "title", "text", "published", "outlet", "author", "url",
    "dateline", "language", "language_confidence", "attributions", "source_path",
    "source_kind", "content_hash", "encoding", "extraction_method", "metadata_json",
    "removed_json", "paragraph_languages_json", "extra_json", "notes_json",
]


def _stories(ray: Any, ds: Dataset, backend: BackendFactory | None) -> None:
    from ..stories.cluster import StoryClusterer

    articles, reprs = _load(ds, backend)
    ordered = sorted_reprs(reprs)
    probe = StoryClusterer(center=None)  # the clusterer's candidate settings
    parts = partitions(ordered, probe.window_days)
    score_task = ray.remote(max_retries=5)(score_pairs)
    refs = []
    for part in parts:
        pairs = candidate_pairs(ordered, part, window_days=probe.window_days, k=probe.k,
                                min_cosine=probe.min_cosine)
        if pairs:
            chunk = ordered[part.context_start : part.end]
            needed = {a for p in pairs for a in p}
            refs.append(score_task.remote([r for r in chunk if r.id in needed], pairs, backend))
    scores: dict[tuple[str, str], Any] = {}
    read: set[str] = set()
    for ref in refs:
        found, read_ids = ray.get(ref)
        for a, b, score in found:
            scores[(a, b)] = score
        read.update(read_ids)
    clusterer = cluster(ordered, scores)
    read.update(r.id for r in ordered if r.has_sentence_vectors())
    stories, members = story_rows(
        clusterer, lambda a: articles[a].published, lambda a: articles[a].language)
    ds.write_table("stories", stories)
    ds.write_table("members", members)
    ds.write_table("merges", [
        {"from_story": m.from_story, "into_story": m.into_story, "reason": m.reason}
        for m in clusterer.merges])
    ds.work_dir("stories").mkdir(parents=True, exist_ok=True)
    (ds.work_dir("stories") / "stored-precision.json").write_text(json.dumps(sorted(read)))
    scorer = clusterer.scorer
    ds.mark_done("stories-count", info={
        "stories": len(stories), "pairs_precomputed": len(scores),
        "cache_hits": getattr(scorer, "hits", 0), "scored_in_merge": getattr(scorer, "misses", 0),
    })


def _entities(ray: Any, ds: Dataset) -> None:
    from ..adapters.entities import _assign_ids
    from ..entities.merge import resolve
    from ..entities.recognize import Mention

    task = ray.remote(max_retries=5)(recognize_part)
    root = str(ds.root)
    rows: list[dict[str, Any]] = []
    for part_rows in ray.get([task.remote(root, p) for p in ds.parts("articles")]):
        rows += part_rows
    rows.sort(key=lambda r: (r["article_id"], r["start"]))
    by_article: dict[str, list[Mention]] = {}
    for r in rows:
        by_article.setdefault(r["article_id"], []).append(
            Mention(r["surface"], r["start"], r["end"], r["type"], r["lemma"]))
    story_of = {m["article_id"]: m["story_id"] for m in ds.rows("members", ["story_id", "article_id"])}
    entities = resolve(by_article, story_of=story_of)
    ids = _assign_ids(entities, {}, set())
    entity_of: dict[tuple[str, int, int], str] = {}
    out = []
    for entity, eid in zip(entities, ids, strict=True):
        for aid, m in entity.mentions:
            entity_of[(aid, m.start, m.end)] = eid
        out.append({
            "id": eid, "name": entity.name, "type": entity.type,
            "variants": [v.surface for v in entity.variants],
            "articles": sorted(set(entity.articles)),
        })
    for r in rows:
        r["entity_id"] = entity_of.get((r["article_id"], r["start"], r["end"]))
    ds.write_table("mentions", rows)
    ds.write_table("entities", out)
    ds.mark_done("entities-count", info={"entities": len(out), "mentions": len(rows)})


def _traces(ray: Any, ds: Dataset, backend: BackendFactory | None) -> None:
    traced = [s for s in ds.rows("stories", ["id", "size", "articles"]) if s["size"] >= 2]
    articles, reprs = _load(ds, backend, {a for s in traced for a in s["articles"]})
    by_id = {r.id: r for r in reprs}
    precision = set(json.loads((ds.work_dir("stories") / "stored-precision.json").read_text()))
    work = []
    for story in traced:
        members = sorted(story["articles"], key=lambda a: order_key(a, articles[a].published))
        work.append((story["id"], [articles[a] for a in members], [by_id[a] for a in members]))
    task = ray.remote(max_retries=5)(trace_stories)
    refs = [task.remote(work[i : i + STORIES_PER_TASK], precision, backend)
            for i in range(0, len(work), STORIES_PER_TASK)]
    rows = [row for chunk in ray.get(refs) for row in chunk]
    rows.sort(key=lambda r: r["story_id"])
    ds.write_table("traces", rows)
    ds.mark_done("traces-count", info={"traces": len(rows)})


def _signals(ray: Any, ds: Dataset) -> None:
    """Each article's signals with its story's trace, per ``articles`` part in Ray tasks."""
    task = ray.remote(max_retries=5)(signals_part)
    root = str(ds.root)
    rows = [row for part in ray.get([task.remote(root, p) for p in ds.parts("articles")])
            for row in part]
    rows.sort(key=lambda r: r["article_id"])
    ds.write_table("signals", rows)
    ds.mark_done("signals-count", info={"signals": len(rows)})


def _manifest(ds: Dataset, report: BatchReport) -> None:
    backends = {r["backend"] for r in ds.rows("representations", ["backend"])}
    manifest = {"version": DATASET_VERSION, "backend": sorted(backends), **report.to_dict()}
    (ds.root / "dataset.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))


__all__ = ["BatchReport", "run_batch"]
