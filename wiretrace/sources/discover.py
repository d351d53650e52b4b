"""Expand the paths a user typed (files, folders, glob patterns) into files to read.

Each file comes with the id base DESIGN.md promises: the path relative to the folder given
(the pattern's fixed prefix for a glob), or the bare file name for a file given directly,
always with "/" separators so ids are the same on every platform.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import PermissionDeniedError, SourceError

__all__ = ["discover", "walk", "is_skipped_name"]

_BACKUP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".bak", ".orig", ".rej", ".tmp", ".part")
_SKIPPED_NAMES = {"__MACOSX", "Thumbs.db", "desktop.ini", "__pycache__"}


def is_skipped_name(name: str) -> bool:
    """Hidden files, editor backups and OS litter that no one means to ingest."""
    if name.startswith((".", "#", "~$")) or name in _SKIPPED_NAMES:
        return True
    return name.lower().endswith(_BACKUP_SUFFIXES)


def _has_magic(pattern: str) -> bool:
    return glob.has_magic(pattern)


def _glob_base(pattern: str) -> Path:
    """The folder part of a pattern before its first wildcard: ids are relative to it."""
    parts = Path(pattern).parts
    fixed: list[str] = []
    for part in parts:
        if _has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _relative_id(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.name


def _walk_folder(folder: Path) -> Iterator[tuple[Path, str] | SourceError]:
    """Every file under ``folder`` in a stable order; unreadable subfolders are reported."""
    problems: list[OSError] = []
    found: list[tuple[tuple[str, ...], Path]] = []
    for root, dirs, files in os.walk(folder, onerror=problems.append):
        dirs[:] = sorted(d for d in dirs if not is_skipped_name(d))
        root_path = Path(root)
        for name in files:
            if is_skipped_name(name):
                continue
            path = root_path / name
            found.append((path.relative_to(folder).parts, path))
    for problem in problems:
        yield _os_error(problem, problem.filename or str(folder))
    for _, path in sorted(found, key=lambda item: item[0]):
        yield path, _relative_id(path, folder)


def _os_error(exc: OSError, path: str | os.PathLike[str]) -> SourceError:
    if isinstance(exc, PermissionError):
        return PermissionDeniedError("permission denied (cannot read this folder)", path=str(path))
    reason = exc.strerror or exc.__class__.__name__
    return SourceError(f"cannot list folder: {reason}", path=str(path))


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # symlink loops and the like: compare as given
        return path.absolute()


def walk(
    paths: Sequence[str], *, exclude: Sequence[str] = ()
) -> Iterator[tuple[Path, str] | SourceError]:
    """Like :func:`discover`, but problems (missing paths, unreadable folders) come inline.

    Files in ``exclude`` (the store being written) are skipped inside folders and globs, and
    reported when named directly.
    """
    seen: set[Path] = set()
    excluded = {_identity(Path(p)) for p in exclude}

    def fresh(path: Path) -> bool:
        key = _identity(path)
        if key in seen or key in excluded:
            return False
        seen.add(key)
        return True

    for given in paths:
        given = os.fspath(given)
        path = Path(given).expanduser()
        try:
            is_dir, exists = path.is_dir(), path.exists() or path.is_symlink()
        except OSError as exc:
            yield _os_error(exc, given)
            continue
        if is_dir:
            items: Iterator[tuple[Path, str] | SourceError] = _walk_folder(path)
        elif exists and _identity(path) in excluded:
            yield SourceError("this is the store being written (--db), not an input", path=given)
            continue
        elif exists:
            items = iter([(path, path.name)])
        elif _has_magic(given):
            items = _walk_glob(given)
        else:
            yield SourceError("no such file or folder", path=given)
            continue
        for item in items:
            if isinstance(item, SourceError):
                yield item
            elif fresh(item[0]):
                yield item


def _walk_glob(pattern: str) -> Iterator[tuple[Path, str] | SourceError]:
    base = _glob_base(os.path.expanduser(pattern))
    matches = sorted(glob.glob(os.path.expanduser(pattern), recursive=True))
    if not matches:
        yield SourceError("pattern matched no files", path=pattern)
        return
    for match in matches:
        path = Path(match)
        if any(is_skipped_name(part) for part in path.relative_to(base).parts if part != ".."):
            continue
        if path.is_dir():
            for item in _walk_folder(path):
                if isinstance(item, SourceError):
                    yield item
                else:
                    yield item[0], _relative_id(item[0], base)
        else:
            yield path, _relative_id(path, base)


def discover(
    paths: Sequence[str], *, errors: list[SourceError] | None = None
) -> list[tuple[Path, str]]:
    """Files to read for ``paths`` and the id base of each, in a deterministic order.

    Folders are read recursively and sorted; glob patterns may use ``**``. Hidden files and
    editor backups inside folders are skipped. Paths that cannot be listed are appended to
    ``errors`` (when given) instead of stopping the run.
    """
    found: list[tuple[Path, str]] = []
    for item in walk(paths):
        if isinstance(item, SourceError):
            if errors is not None:
                errors.append(item)
        else:
            found.append(item)
    return found
