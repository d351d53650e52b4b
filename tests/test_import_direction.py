"""The direction of imports inside ``wiretrace/``, read from the source with ``ast``.

Analysis stages never import the store, the pipeline, the CLI or the web layer (a stage that
must persist goes through the adapter the runner gives it); the language layer imports no
stage; stories and provenance depend one way only. Imports inside functions count: a lazy
import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wiretrace"

STAGES = (
    "wiretrace.extract",
    "wiretrace.metadata",
    "wiretrace.language",
    "wiretrace.sentences",
    "wiretrace.embeddings",
    "wiretrace.representations",
    "wiretrace.similarity",
    "wiretrace.stories",
    "wiretrace.provenance",
    "wiretrace.entities",
    "wiretrace.signals",
)
OUTER = (
    "wiretrace.store", "wiretrace.adapters", "wiretrace.pipeline", "wiretrace.cli", "wiretrace.web",
)

# (importer prefix, imported prefix): an import from the first into the second is forbidden.
RULES: tuple[tuple[str, str], ...] = (
    *((stage, outer) for stage in STAGES for outer in OUTER),
    *(("wiretrace.lang", target) for target in (*STAGES, *OUTER)),
    ("wiretrace.stories", "wiretrace.provenance"),
    ("wiretrace.provenance", "wiretrace.stories"),
    # extraction is the first stage: it reads no later stage
    *(("wiretrace.extract", later) for later in STAGES if later != "wiretrace.extract"),
)

# Imports that break a rule today, each with why and who removes it. An entry that no longer
# matches an import fails the test, so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {
    # Store adapters live in ``wiretrace.adapters``, beside the pipeline; no exception is left.
    # Add one only with why and what removes it.
}


def imports_of(path: Path, root: Path = PACKAGE) -> Iterator[tuple[str, int]]:
    """Absolute names of every module imported by ``path`` (anywhere in it), with the line.

    ``from . import x`` yields ``package.x`` (it may be a submodule), so a rule on a package
    catches imports of its submodules by either spelling.
    """
    name = module_name_under(path, root)
    is_package = path.name == "__init__.py"
    package_parts = name.split(".") if is_package else name.split(".")[:-1]
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:  # moved away while the tree was walked
        return
    tree = ast.parse(source, filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def module_name_under(path: Path, root: Path) -> str:
    """Dotted module name of a file under ``root`` (``__init__`` names its package)."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(importing module, forbidden layer) -> ["file:line", ...] for every import that breaks
    a rule."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        importer = module_name_under(path, root)
        for target, line in imports_of(path, root):
            for source_prefix, target_prefix in RULES:
                if within(importer, source_prefix) and within(target, target_prefix):
                    key = (importer, target_prefix)
                    where = f"{path.relative_to(root.parent)}:{line}"
                    if where not in found.get(key, []):
                        found.setdefault(key, []).append(where)
    return found


def test_stages_do_not_import_the_store_pipeline_cli_or_web_and_lang_imports_no_stage():
    found = violations()
    unexpected = {key: where for key, where in found.items() if key not in ALLOWED}
    assert not unexpected, "imports against the layer direction:\n" + "\n".join(
        f"  {a} -> {b}: {', '.join(where)}" for (a, b), where in sorted(unexpected.items())
    )


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_every_allowed_exception_is_still_needed():
    found = violations()
    # an entry for a module not in this tree (work in progress elsewhere) is not stale
    stale = [key for key in ALLOWED if key not in found and _exists(key[0])]
    assert not stale, f"allow-list entries that no longer match an import (remove them): {stale}"


def test_the_checker_catches_a_lazy_relative_import_and_a_plain_one(tmp_path: Path):
    pkg = tmp_path / "wiretrace"
    (pkg / "stories").mkdir(parents=True)
    (pkg / "lang").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "stories" / "__init__.py").write_text(
        "def f():\n    from ..pipeline import STAGES\n    return STAGES\n"
    )
    (pkg / "lang" / "__init__.py").write_text("import wiretrace.entities.merge\n")
    (pkg / "pipeline.py").write_text("from .stories import f\n")  # the allowed direction
    found = violations(pkg)
    assert found[("wiretrace.stories", "wiretrace.pipeline")] == ["wiretrace/stories/__init__.py:2"]
    assert found[("wiretrace.lang", "wiretrace.entities")] == ["wiretrace/lang/__init__.py:1"]
    assert set(found) == {("wiretrace.stories", "wiretrace.pipeline"), ("wiretrace.lang", "wiretrace.entities")}


@pytest.mark.parametrize(
    ("importer", "line", "expected"),
    [
        ("wiretrace/stories/cluster.py", "from ..store import stage_state", "wiretrace.store"),
        ("wiretrace/stories/__init__.py", "from .cluster import x", "wiretrace.stories.cluster"),
        ("wiretrace/pipeline.py", "from . import extract", "wiretrace"),
    ],
)
def test_relative_imports_resolve_against_the_importing_module(
    tmp_path: Path, importer: str, line: str, expected: str
):
    path = tmp_path / importer
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(line + "\n")
    targets = [name for name, _ in imports_of(path, tmp_path / "wiretrace")]
    assert targets[0] == expected
