"""The ``wiretrace`` command line. Each command lives in its own module and registers on ``app``.

Output contract: ``--json`` output goes to stdout and nothing else does, so it can be piped;
progress bars, warnings and summaries go to stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime

import typer

from ..errors import InternalError
from . import app as app_module
from .app import app

# Command modules register themselves on import, in the order --help shows them.
COMMAND_MODULES = (
    "cmd_demo",
    "cmd_ingest",
    "cmd_stories",
    "cmd_trace",
    "cmd_show",
    "cmd_compare",
    "cmd_signals",
    "cmd_entities",
    "cmd_export",
    "cmd_serve",
    "cmd_batch",
)
for _name in COMMAND_MODULES:
    importlib.import_module(f".{_name}", __name__)


def main() -> None:
    """Run the command line; usage errors are one line on stderr (exit 2), like other errors."""
    try:
        code = app(standalone_mode=False)
    except typer.exceptions.TyperException as exc:  # a usage error: unknown option, bad value
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "wiretrace"
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if message.strip():  # empty when the help was shown instead (no arguments at all)
            print(f"{command}: {message}{global_option_hint(exc)} (see '{command} --help')",
                  file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2))
    except (KeyboardInterrupt, typer.Abort):
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception:  # a bug: the traceback goes to a log, the terminal gets one line
        log = write_crash_log(traceback.format_exc())
        print(
            f"wiretrace: internal error ({InternalError.code}), a bug; details in {log}",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


# Options of ``wiretrace`` itself, which go before the command.
GLOBAL_OPTIONS = ("--db", "--version")


def global_option_hint(exc: Exception) -> str:
    """A hint when a global option was given after the command (``stories --db x.db``)."""
    name = getattr(exc, "option_name", None)
    if name not in GLOBAL_OPTIONS:
        return ""
    ctx = getattr(exc, "ctx", None)
    command = ctx.info_name if ctx is not None and ctx.parent is not None else "COMMAND"
    value = " PATH" if name == "--db" else ""
    return f"; {name} goes before the command: wiretrace {name}{value} {command} ..."


# Exit codes (README "Exit codes"): 0 all fine, 1 some inputs failed, 2 usage error, 3 a bug.
EXIT_INTERNAL = 3


def write_crash_log(details: str) -> str:
    """Write ``details`` to ``wiretrace-crash-<time>.log`` beside the store (else in the temp
    folder) and return its path, so a crash leaves a report without flooding the terminal."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    header = f"wiretrace crash, {datetime.now(UTC).isoformat()}\nargv: {sys.argv!r}\n\n"
    for folder in (app_module.CRASH_DIR, tempfile.gettempdir()):
        if not folder:
            continue
        path = os.path.join(folder, f"wiretrace-crash-{stamp}-{os.getpid()}.log")
        try:
            with open(path, "w", encoding="utf-8", errors="replace") as fh:
                fh.write(header + details)
        except OSError:
            continue
        return path
    return "(no writable folder for a crash log)"


__all__ = ["app", "main"]
