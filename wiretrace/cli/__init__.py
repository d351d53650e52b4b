"""The ``wiretrace`` command line. Each command lives in its own module and registers on ``app``.

Output contract: ``--json`` output goes to stdout and nothing else does, so it can be piped;
progress bars, warnings and summaries go to stderr.
"""

from __future__ import annotations

import importlib
import sys

import typer

from .app import app

# Command modules register themselves on import, in the order --help shows them.
COMMAND_MODULES = (
    "cmd_demo",
    "cmd_ingest",
    "cmd_stories",
    "cmd_trace",
    "cmd_show",
    "cmd_compare",
    "cmd_entities",
    "cmd_export",
    "cmd_serve",
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
            print(f"{command}: {message} (see '{command} --help')", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2))
    except (KeyboardInterrupt, typer.Abort):
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["app", "main"]
