"""The analyst's workbench: a read-only REST API under /api and server-rendered pages.

Article text and titles are hostile input: every page is rendered by Jinja2 with autoescaping,
no article content is ever placed in a script context, and a Content-Security-Policy allows
scripts only from this server's /static. The API refuses writes unless the server was started
with ``allow_writes=True``.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..errors import NotFoundError, WiretraceError
from ..store import open_store
from . import queries
from .render import diff_pair_view, graph_svg, highlight_article

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
MAX_LIMIT = 500


def story_filters(
    lang: str | None = Query(None, description="Only stories with an article in this language"),
    outlet: str | None = Query(None, description="Only stories with an article from this outlet"),
    entity: str | None = Query(None, description="Only stories mentioning this entity id"),
    q: str | None = Query(None, description="Full-text search in article titles and text"),
    since: str | None = Query(None, description="Last article on or after (YYYY-MM-DD)"),
    until: str | None = Query(None, description="First article on or before (YYYY-MM-DD)"),
    min_size: int = Query(1, ge=1, description="Minimum number of articles"),
) -> queries.StoryFilters:
    """The story filters of a request, shared by the API and the story list page (an empty
    form field means no filter)."""
    return queries.StoryFilters(
        lang=lang or None, outlet=outlet or None, entity=entity or None, q=q or None,
        since=since or None, until=until or None, min_size=min_size,
    )


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["langs"] = lambda xs: ", ".join(x for x in (xs or []) if x)
    env.filters["day"] = lambda s: (s or "")[:10]
    return env


class StoreHolder:
    """One read connection per thread: SQLite connections are cheap, locks are not."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._local = threading.local()
        open_store(db_path).close()  # create and migrate once, before serving

    def get(self) -> Any:
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.db_path)
            self._local.store = store
        return store


def create_app(db_path: str, *, allow_writes: bool = False) -> FastAPI:
    app = FastAPI(
        title="wiretrace",
        description="Stories, provenance and entities traced across outlets and languages.",
        version="0.1.0",
        docs_url=None,  # Swagger UI needs a CDN; the spec itself is at /openapi.json
        redoc_url=None,
    )
    holder = StoreHolder(db_path)
    env = _templates()
    app.state.allow_writes = allow_writes
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        if not allow_writes and request.method not in ("GET", "HEAD", "OPTIONS"):
            return JSONResponse(
                {"detail": "this server is read-only; start it with --allow-writes to change data"},
                status_code=405,
            )
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError):  # type: ignore[no-untyped-def]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.message}, status_code=404)
        return HTMLResponse(
            env.get_template("error.html").render(status=404, message=exc.message), status_code=404
        )

    @app.exception_handler(WiretraceError)
    async def wt_error(request: Request, exc: WiretraceError):  # type: ignore[no-untyped-def]
        return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=400)

    def page(name: str, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**ctx))

    # -- API ------------------------------------------------------------------------------

    @app.get("/api/stories", tags=["stories"])
    def api_stories(
        filters: queries.StoryFilters = Depends(story_filters),
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        return queries.stories_page(holder.get(), filters, limit=limit, offset=offset)

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: str) -> dict[str, Any]:
        return queries.story_detail(holder.get(), story_id)

    @app.get("/api/stories/{story_id}/trace", tags=["stories"])
    def api_trace(story_id: str) -> dict[str, Any]:
        return queries.story_trace(holder.get(), story_id)

    @app.get("/api/articles", tags=["articles"])
    def api_articles(
        lang: str | None = None,
        outlet: str | None = None,
        story: str | None = None,
        entity: str | None = None,
        q: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        return queries.articles_page(
            holder.get(), lang=lang, outlet=outlet, story=story, entity=entity, q=q,
            since=since, until=until, limit=limit, offset=offset,
        )

    @app.get("/api/articles/{article_id:path}", tags=["articles"])
    def api_article(article_id: str, raw: bool = False) -> dict[str, Any]:
        return queries.article_detail(holder.get(), article_id, include_raw=raw)

    @app.get("/api/entities", tags=["entities"])
    def api_entities(
        type: str | None = Query(None, description="person | organization | location | other"),
        q: str | None = None,
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        return queries.entities_page(holder.get(), type=type, q=q, limit=limit, offset=offset)

    @app.get("/api/entities/{entity_id:path}", tags=["entities"])
    def api_entity(entity_id: str) -> dict[str, Any]:
        return queries.entity_detail(holder.get(), entity_id)

    @app.get("/api/search", tags=["search"])
    def api_search(
        q: str = Query(..., min_length=1, max_length=500), limit: int = Query(20, ge=1, le=200)
    ) -> dict[str, Any]:
        return queries.search(holder.get(), q, limit=limit)

    # -- pages ----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(
        request: Request,
        filters: queries.StoryFilters = Depends(story_filters),
        offset: int = Query(0, ge=0),
    ) -> HTMLResponse:
        store = holder.get()
        data = queries.stories_page(store, filters, limit=50, offset=offset)
        facets = queries.facets(store)
        params = {k: v for k, v in dict(request.query_params).items() if k != "offset" and v}
        return page(
            "index.html", data=data, facets=facets, params=params, filters=asdict(filters)
        )

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str, a: str | None = None, b: str | None = None) -> HTMLResponse:
        store = holder.get()
        story = queries.story_detail(store, story_id)
        trace = queries.story_trace(store, story_id)
        pair = diff_pair_view(store, story, trace, a, b)
        return page(
            "story.html", story=story, trace=trace, svg=graph_svg(story, trace), pair=pair,
        )

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str) -> HTMLResponse:
        store = holder.get()
        article = queries.article_detail(store, article_id, include_raw=False)
        return page("article.html", article=article, body=highlight_article(article))

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_index(type: str | None = None, q: str | None = None, offset: int = 0) -> HTMLResponse:
        data = queries.entities_page(holder.get(), type=type, q=q, limit=100, offset=offset)
        return page("entities.html", data=data, filters={"type": type, "q": q})

    @app.get("/entities/{entity_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(entity_id: str) -> HTMLResponse:
        entity = queries.entity_detail(holder.get(), entity_id)
        return page("entity.html", entity=entity)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        return {"ok": True, "articles": holder.get().count_articles()}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    if allow_writes:
        @app.post("/api/ingest", tags=["write"])
        async def api_ingest(request: Request) -> dict[str, Any]:
            """Ingest JSONL records posted as the request body (only with --allow-writes)."""
            body = await request.body()
            return queries.ingest_jsonl(holder.get(), body)

    _ = HTTPException  # re-exported for handlers that raise it
    return app
