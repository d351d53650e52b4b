"""The ``wiretrace`` command line. Each command lives in its own module and registers on ``app``.

Output contract: ``--json`` output goes to stdout and nothing else does, so it can be piped;
progress bars, warnings and summaries go to stderr.
"""

from __future__ import annotations

import sys

from .app import app

# Command modules register themselves on import.
from . import (  # noqa: E402,F401  (import order is the registration order shown in --help)
    cmd_ingest,
    cmd_show,
    cmd_export,
    cmd_compare,
    cmd_stories,
    cmd_trace,
    cmd_entities,
    cmd_serve,
    cmd_demo,
)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)


__all__ = ["app", "main"]
