"""`wiretrace serve` — the web workbench and REST API."""

from __future__ import annotations

import typer

from .app import app, err


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="TCP port."),
    allow_writes: bool = typer.Option(
        False, "--allow-writes", help="Enable POST /api/ingest. The API is read-only without it."
    ),
) -> None:
    """Serve the web workbench and a read-only REST API for the store, until Ctrl-C.

    Pages: / (stories), /stories/ID, /articles/ID, /entities/ID. API: /api/stories,
    /api/stories/ID, /api/stories/ID/trace, /api/articles/ID, /api/entities,
    /api/entities/ID, /api/search?q=; OpenAPI spec at /openapi.json. Ids are URL-encoded.

    Examples: `wiretrace serve` · `wiretrace --db cases.db serve --port 8080`
    """
    import uvicorn

    from ..web.app import create_app

    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning:[/] serving on {host}: anyone who can reach it can read the store")
    application = create_app(ctx.obj.db, allow_writes=allow_writes)
    err.print(f"wiretrace: http://{host}:{port}/  (store: {ctx.obj.db}; Ctrl-C to stop)")
    uvicorn.run(application, host=host, port=port, log_level="warning")
