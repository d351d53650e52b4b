"""The analyst's workbench: a read-only REST API under /api and server-rendered pages.

Article text and titles are hostile input: every page is rendered by Jinja2 with autoescaping,
no article content is ever placed in a script context, and a Content-Security-Policy allows
scripts only from this server's /static. The API refuses writes unless the server was started
with ``allow_writes=True``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from ..errors import DecodeError, NotFoundError, StoreError, WiretraceError
from ..sources import DEFAULT_MAX_BYTES
from ..store import open_store
from ..store.sqlite import migrations
from . import corrections, queries, schemas
from .render import diff_pair_view, graph_svg, highlight_article, isolate_bidi, marked, signals_of

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
MAX_LIMIT = 500
# Bounds on every parameter, so no value reaches SQLite unchecked: integers far below
# SQLite's 2^63 (a larger one is an OverflowError in the driver), strings far below its
# 50,000-byte LIKE pattern limit.
MAX_OFFSET = 10**9
MAX_MIN_SIZE = 10**9
MAX_QUERY_CHARS = 500
MAX_ID_CHARS = 4096  # article ids are relative file paths; 4096 is Linux's PATH_MAX
MAX_DATE_CHARS = 40  # an ISO-8601 timestamp with offset and fractions
MAX_BODY_BYTES = DEFAULT_MAX_BYTES  # POST /api/ingest: the same cap ingest puts on one file

log = logging.getLogger("wiretrace.web")


class _AnyPath(Convertor[str]):
    """Like Starlette's ``path``, but also across newlines and other control characters
    (``.*`` stops at a newline, so an id holding one could not be fetched)."""

    regex = "[\\s\\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anypath", _AnyPath())


def _id_param(what: str) -> Any:
    return PathParam(min_length=1, max_length=MAX_ID_CHARS, description=f"The {what} id, URL-encoded")


def _text(description: str, max_length: int = MAX_ID_CHARS) -> Any:
    return Query(None, max_length=max_length, description=description)


def _offset() -> Any:
    return Query(0, ge=0, le=MAX_OFFSET)


def _signal_param(what: str) -> Any:
    from ..store.signals import signal_name_choices

    return Query(None, max_length=MAX_QUERY_CHARS, description=what,
                 json_schema_extra={"enum": list(signal_name_choices())})


def _checked_signal(signal: str | None) -> str | None:
    """The signal name, or a 422 naming the valid ones, like any other bad parameter."""
    from ..errors import UnknownSignalError
    from ..store.signals import check_signal_name

    if not signal:
        return None
    try:
        return check_signal_name(signal)
    except UnknownSignalError as exc:
        raise RequestValidationError([{
            "loc": ("query", "signal"), "msg": exc.message, "type": "value_error",
            "input": signal,
        }]) from exc


def _checked_filter(name: str, value: str | None) -> str | None:
    """A language or date filter checked by the read model, or a 422 saying what is valid
    (``lang=English`` lists the codes), like any other bad parameter."""
    from ..errors import InvalidFilterError
    from ..store.reads import check_date, check_lang

    if not value:
        return None
    try:
        return check_lang(value) if name == "lang" else check_date(value, name)
    except InvalidFilterError as exc:
        raise RequestValidationError([{
            "loc": ("query", name), "msg": exc.message, "type": "value_error", "input": value,
        }]) from exc


def story_filters(
    lang: str | None = _text("Only stories with an article in this language"),
    outlet: str | None = _text("Only stories with an article from this outlet"),
    entity: str | None = _text("Only stories mentioning this entity (id, name or any spelling)"),
    q: str | None = _text("Full-text search in article titles and text", MAX_QUERY_CHARS),
    since: str | None = _text("Last article on or after (YYYY-MM-DD)", MAX_DATE_CHARS),
    until: str | None = _text("First article on or before (YYYY-MM-DD)", MAX_DATE_CHARS),
    min_size: int = Query(1, ge=1, le=MAX_MIN_SIZE, description="Minimum number of articles"),
    signal: str | None = _signal_param(
        "Only stories with an article whose stored signals include this name"),
) -> queries.StoryFilters:
    """The story filters of a request, shared by the API and the story list page (an empty
    form field means no filter)."""
    return queries.StoryFilters(
        lang=_checked_filter("lang", lang), outlet=outlet or None, entity=entity or None,
        q=q or None, since=_checked_filter("since", since),
        until=_checked_filter("until", until), min_size=min_size,
        signal=_checked_signal(signal),
    )


def _finalize(value: Any) -> Any:
    """Every value a template prints keeps its bidi controls to itself (see isolate_bidi)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return isolate_bidi(value)
    return value


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters["langs"] = lambda xs: ", ".join(x for x in (xs or []) if x)
    env.filters["day"] = lambda s: (s or "")[:10]
    env.filters["marked"] = marked
    return env


class StoreHolder:
    """One connection per thread: SQLite connections are cheap, locks are not.

    Reads always get a read-only connection (``mode=ro``, ``query_only``), so a GET never
    writes, whatever the server allows. Without ``writable`` the store must already exist at
    the current schema: serving never creates or migrates it; with it, the write routes get
    a writable connection from ``writer()``.
    """

    def __init__(self, db_path: str, *, writable: bool = False) -> None:
        self.db_path = db_path
        self.readonly = not writable
        self._local = threading.local()
        if writable:
            open_store(db_path).close()  # create and migrate once, before serving
            return
        if not os.path.isfile(db_path):
            raise StoreError(
                "no store here: ingest articles first (wiretrace ingest FOLDER), "
                "or serve with --allow-writes to start an empty one",
                path=db_path,
            )
        with open_store(db_path, readonly=True) as probe:
            current = probe.schema_version()
        latest = max((v for v, _, _ in migrations()), default=0)
        if current < latest:
            raise StoreError(
                f"the store has schema version {current} and this wiretrace uses {latest}; "
                "serve it once with --allow-writes (or run wiretrace ingest) to upgrade it",
                path=db_path,
            )

    def get(self) -> Any:
        """This thread's read-only store."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.db_path, readonly=True)
            self._local.store = store
        return store

    def writer(self) -> Any:
        """This thread's writable store, for the write routes of an ``--allow-writes`` server."""
        if self.readonly:
            raise StoreError("this server is read-only (serve with --allow-writes)", path=self.db_path)
        store = getattr(self._local, "writer", None)
        if store is None:
            store = open_store(self.db_path)
            self._local.writer = store
        return store


def _host_name(value: str) -> str | None:
    """The host of a Host header (or of an --allowed-host value), without its port; None
    when it is not a well-formed host[:port]."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
    elif value.count(":") > 1:  # a bare IPv6 address, as given to --host
        name, rest = value, ""
    else:
        name, sep, port = value.partition(":")
        rest = sep + port
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return None
    name = name.rstrip(".")
    return name or None


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Guard:
    """The ASGI layer every request passes: trusted Host headers only (DNS rebinding
    defence), writes refused unless allowed, HEAD answered as GET without a body, the
    security headers on every response (errors and static files included), and an internal
    error answered as a plain 500 with those headers instead of a traceback."""

    def __init__(
        self, app: Any, *, allowed_hosts: Iterable[str], allow_writes: bool
    ) -> None:
        self.app = app
        hosts = {_host_name(h) for h in allowed_hosts}
        self.any_host = "*" in hosts
        self.hosts = frozenset(h for h in hosts if h)
        self.allow_writes = allow_writes

    def host_allowed(self, scope: Scope) -> bool:
        if self.any_host:
            return True
        values = [v for k, v in scope.get("headers", []) if k == b"host"]
        if len(values) != 1:
            return False
        name = _host_name(values[0].decode("latin-1"))
        return name is not None and name in self.hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                ours = {k for k, _ in SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in ours]
                message = {**message, "headers": headers + SECURITY_HEADERS}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        if not self.host_allowed(scope):
            detail = "untrusted Host header; start the server with --allowed-host NAME to serve it"
            await JSONResponse({"detail": detail}, status_code=400)(scope, receive, guarded_send)
            return
        if not self.allow_writes and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            detail = "this server is read-only; start it with --allow-writes to change data"
            await JSONResponse({"detail": detail}, status_code=405)(scope, receive, guarded_send)
            return
        if head:
            scope = {**scope, "method": "GET"}
        try:
            await self.app(scope, receive, guarded_send)
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                body = {"detail": "internal error; the server log has the details"}
                await JSONResponse(body, status_code=500)(scope, receive, guarded_send)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": schemas.ErrorDetail} for code in codes}


def create_app(
    db_path: str, *, allow_writes: bool = False, allowed_hosts: Iterable[str] = ()
) -> FastAPI:
    """The web app over the store at ``db_path``: read-only connections unless
    ``allow_writes``; Host headers naming localhost, 127.0.0.1, ::1 or one of
    ``allowed_hosts`` (``"*"``: any) are served, others get a 400."""
    app = FastAPI(
        title="wiretrace",
        description="Stories, provenance and entities traced across outlets and languages.",
        version="0.1.0",
        docs_url=None,  # Swagger UI needs a CDN; the spec itself is at /openapi.json
        redoc_url=None,
    )
    holder = StoreHolder(db_path, writable=allow_writes)
    env = _templates()
    env.globals["writable"] = allow_writes  # pages show correction forms only when they work
    app.state.allow_writes = allow_writes
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(
        Guard, allowed_hosts=[*DEFAULT_HOSTS, *allowed_hosts], allow_writes=allow_writes
    )

    def error_page(status: int, message: str) -> HTMLResponse:
        html = env.get_template("error.html").render(status=status, message=message)
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError):  # type: ignore[no-untyped-def]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=404)
        return error_page(404, exc.message)

    @app.exception_handler(WiretraceError)
    async def wt_error(request: Request, exc: WiretraceError):  # type: ignore[no-untyped-def]
        return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):  # type: ignore[no-untyped-def]
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            return await request_validation_exception_handler(request, exc)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return error_page(422, f"bad request: {problems}")

    def page(name: str, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**ctx))

    # -- API ------------------------------------------------------------------------------

    @app.get("/api/stories", tags=["stories"], response_model=None,
             responses={200: {"model": schemas.StoriesPage}})
    def api_stories(
        filters: queries.StoryFilters = Depends(story_filters),
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        offset: int = _offset(),
    ) -> dict[str, Any]:
        return queries.stories_page(holder.get(), filters, limit=limit, offset=offset)

    @app.get("/api/stories/{story_id}", tags=["stories"], response_model=None,
             responses={200: {"model": schemas.StoryDetail}, **_errors(404)})
    def api_story(story_id: str = _id_param("story")) -> dict[str, Any]:
        return queries.story_detail(holder.get(), story_id)

    @app.get("/api/stories/{story_id}/trace", tags=["stories"], response_model=None,
             responses={200: {"model": schemas.Trace}, **_errors(404)})
    def api_trace(story_id: str = _id_param("story")) -> dict[str, Any]:
        """Origins, derivation edges and per-article claim diff. ``stale`` is true when the
        store has no current trace and this read-only server computed one without saving it."""
        return queries.story_trace(holder.get(), story_id, signals=True)

    @app.get("/api/articles", tags=["articles"], response_model=None,
             responses={200: {"model": schemas.ArticlesPage}})
    def api_articles(
        lang: str | None = _text("Only articles in this language"),
        outlet: str | None = _text("Only articles from this outlet"),
        story: str | None = _text("Only the articles of this story id"),
        entity: str | None = _text("Only articles mentioning this entity (id, name or any spelling)"),
        q: str | None = _text("Full-text search in titles and text", MAX_QUERY_CHARS),
        since: str | None = _text("Published on or after (YYYY-MM-DD)", MAX_DATE_CHARS),
        until: str | None = _text("Published on or before (YYYY-MM-DD)", MAX_DATE_CHARS),
        signal: str | None = _signal_param("Only articles whose stored signals include this name"),
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        offset: int = _offset(),
    ) -> dict[str, Any]:
        return queries.articles_page(
            holder.get(), lang=_checked_filter("lang", lang), outlet=outlet, story=story,
            entity=entity, q=q, since=_checked_filter("since", since),
            until=_checked_filter("until", until), signal=_checked_signal(signal), limit=limit,
            offset=offset,
        )

    @app.get("/api/articles/{article_id:anypath}", tags=["articles"], response_model=None,
             responses={200: {"model": schemas.ArticleDetail}, **_errors(404)})
    def api_article(article_id: str = _id_param("article"), raw: bool = False) -> dict[str, Any]:
        return queries.article_detail(holder.get(), article_id, include_raw=raw)

    @app.get("/api/entities", tags=["entities"], response_model=None,
             responses={200: {"model": schemas.EntitiesPage}})
    def api_entities(
        type: str | None = _text("person | organization | location | other", MAX_QUERY_CHARS),
        q: str | None = _text("Names and spellings containing this text", MAX_QUERY_CHARS),
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        offset: int = _offset(),
    ) -> dict[str, Any]:
        return queries.entities_page(holder.get(), type=type, q=q, limit=limit, offset=offset)

    @app.get("/api/entities/{entity_id:anypath}", tags=["entities"], response_model=None,
             responses={200: {"model": schemas.EntityDetail}, **_errors(404)})
    def api_entity(entity_id: str = _id_param("entity")) -> dict[str, Any]:
        return queries.entity_detail(holder.get(), entity_id)

    @app.get("/api/search", tags=["search"], response_model=None,
             responses={200: {"model": schemas.SearchResult}})
    def api_search(
        q: str = Query(..., min_length=1, max_length=MAX_QUERY_CHARS),
        lang: str | None = _text("Only articles in this language"),
        outlet: str | None = _text("Only articles from this outlet"),
        entity: str | None = _text("Only articles mentioning this entity (any spelling)"),
        since: str | None = _text("Published on or after (YYYY-MM-DD)", MAX_DATE_CHARS),
        until: str | None = _text("Published on or before (YYYY-MM-DD)", MAX_DATE_CHARS),
        signal: str | None = _signal_param("Only articles whose stored signals include this name"),
        limit: int = Query(20, ge=1, le=200),
    ) -> dict[str, Any]:
        """Articles matching the words, or any spelling of the name, given in ``q``, each
        with its story and snippets whose matches are given as offsets (``highlights``);
        the stories of every match; the entities named."""
        return queries.search(
            holder.get(), q, limit=limit, lang=_checked_filter("lang", lang),
            outlet=outlet or None, entity=entity or None, since=_checked_filter("since", since),
            until=_checked_filter("until", until), signal=_checked_signal(signal),
        )

    # -- pages ----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(
        request: Request,
        filters: queries.StoryFilters = Depends(story_filters),
        offset: int = _offset(),
    ) -> HTMLResponse:
        store = holder.get()
        data = queries.stories_page(store, filters, limit=50, offset=offset)
        facets = queries.facets(store)
        params = {k: v for k, v in dict(request.query_params).items() if k != "offset" and v}
        return page(
            "index.html", data=data, facets=facets, params=params, filters=asdict(filters)
        )

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(
        story_id: str = _id_param("story"),
        a: str | None = _text("Source article id"),
        b: str | None = _text("Derived article id"),
    ) -> HTMLResponse:
        store = holder.get()
        story = queries.story_detail(store, story_id)
        trace = queries.story_trace(store, story_id)
        pair = diff_pair_view(store, story, trace, a, b)
        return page(
            "story.html", story=story, trace=trace, svg=graph_svg(story, trace), pair=pair,
        )

    @app.get("/articles/{article_id:anypath}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str = _id_param("article")) -> HTMLResponse:
        store = holder.get()
        article = queries.article_detail(store, article_id, include_raw=False)
        return page("article.html", article=article, body=highlight_article(article),
                    signals=signals_of(store, article_id))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        q: str | None = _text("Words, or a name in any spelling", MAX_QUERY_CHARS),
        lang: str | None = _text("Only articles in this language"),
        outlet: str | None = _text("Only articles from this outlet"),
        entity: str | None = _text("Only articles mentioning this entity (any spelling)"),
        since: str | None = _text("Published on or after (YYYY-MM-DD)", MAX_DATE_CHARS),
        until: str | None = _text("Published on or before (YYYY-MM-DD)", MAX_DATE_CHARS),
    ) -> HTMLResponse:
        filters = {"q": q or "", "lang": _checked_filter("lang", lang), "outlet": outlet or None,
                   "entity": entity or None, "since": _checked_filter("since", since),
                   "until": _checked_filter("until", until)}
        store = holder.get()
        data = queries.search(store, q, limit=50, **{k: v for k, v in filters.items()
                                                     if k != "q"}) if q and q.strip() else None
        return page("search.html", data=data, filters=filters, facets=queries.facets(store))

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_index(
        type: str | None = _text("Entity type", MAX_QUERY_CHARS),
        q: str | None = _text("Name search", MAX_QUERY_CHARS),
        offset: int = _offset(),
    ) -> HTMLResponse:
        data = queries.entities_page(holder.get(), type=type, q=q, limit=100, offset=offset)
        return page("entities.html", data=data, filters={"type": type, "q": q})

    @app.get("/entities/{entity_id:anypath}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(entity_id: str = _id_param("entity")) -> HTMLResponse:
        entity = queries.entity_detail(holder.get(), entity_id)
        return page("entity.html", entity=entity)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        return {"ok": True, "articles": holder.get().count_articles(), "read_only": holder.readonly}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    corrections.add_routes(app, holder, page, allow_writes=allow_writes)

    if allow_writes:
        @app.post("/api/ingest", tags=["write"], response_model=None,
                  responses={200: {"model": schemas.IngestResult}, **_errors(413, 422)})
        async def api_ingest(request: Request) -> Any:
            """Ingest JSONL records posted as the request body (only with --allow-writes)."""
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
            chunks, size = [], 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
                chunks.append(chunk)
            body = b"".join(chunks)
            try:
                return await run_in_threadpool(lambda: queries.ingest_jsonl(holder.writer(), body))
            except UnicodeError as exc:  # text no encoding can store (a lone surrogate)
                detail = f"the posted records hold text that is not valid Unicode: {exc}"
                return JSONResponse({"detail": detail, "code": DecodeError.code}, status_code=422)

    return app
