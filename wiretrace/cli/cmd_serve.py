"""`wiretrace serve` — the web workbench and REST API."""

from __future__ import annotations

import errno
import socket

import typer
from rich.markup import escape

from ..errors import WiretraceError
from .app import app, check_db_path, err, fail

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="TCP port."),
    allow_writes: bool = typer.Option(
        False, "--allow-writes",
        help="Enable POST /api/ingest (its run traces the stories it changes). Reads never "
        "write; without this option the store is opened read-only and never written.",
    ),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host",
        help="A Host header name to serve besides the --host address, localhost, 127.0.0.1 "
        "and [::1] (repeatable; '*' serves any). Other names get a 400, so a web page "
        "cannot reach the server through DNS rebinding.",
    ),
) -> None:
    """Serve the web workbench and a read-only REST API for the store, until Ctrl-C.

    Pages: / (stories), /stories/ID, /articles/ID, /entities/ID. API: /api/stories,
    /api/stories/ID, /api/stories/ID/trace, /api/articles/ID, /api/entities,
    /api/entities/ID, /api/search?q=; OpenAPI spec at /openapi.json. Ids are URL-encoded.

    A story whose stored trace predates its articles is traced for the request and shown
    as stale, never stored by a read: `wiretrace trace ID` or the next ingest stores it.

    Examples: `wiretrace serve` · `wiretrace --db cases.db serve --port 8080` ·
    `wiretrace serve --host 0.0.0.0 --allowed-host wiretrace.lan`
    """
    import uvicorn

    from ..web.app import create_app

    if host not in LOOPBACK:
        err.print(
            f"[yellow]warning:[/] serving on {escape(host)}: anyone who can reach it can read the store"
        )
        if host in ("0.0.0.0", "::") and not allowed_host:
            err.print("note: add --allowed-host NAME for each name clients will use to reach it")
    check_db_path(ctx.obj.db, create=allow_writes)
    problem = port_problem(host, port)
    if problem:
        fail(f"cannot serve on {host}:{port}: {problem}; choose another with --port", code=1)
    try:
        application = create_app(
            ctx.obj.db, allow_writes=allow_writes, allowed_hosts=[host, *allowed_host]
        )
    except WiretraceError as exc:
        fail(str(exc))
    err.print(f"wiretrace: http://{escape(host)}:{port}/  (store: {escape(str(ctx.obj.db))}; Ctrl-C to stop)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served (in use, not an address of this machine), found
    by binding it once before the server starts, so the user gets one line instead of the
    banner followed by the server's own traceback; None when it is free."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"unknown host ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # the same option uvicorn sets, so a port left in TIME_WAIT is not reported as busy
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "the port is already in use"
            return exc.strerror or str(exc)
    return None
