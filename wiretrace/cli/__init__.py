"""The ``wiretrace`` command line. Each command lives in its own module and registers on ``app``.

Output contract: ``--json`` output goes to stdout and nothing else does, so it can be piped;
progress bars, warnings and summaries go to stderr.
"""

from __future__ import annotations

import importlib
import sys

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
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)


__all__ = ["app", "main"]
