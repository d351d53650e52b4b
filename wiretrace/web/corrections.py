"""Corrections over the web: the log (always), and with ``--allow-writes`` the REST write
routes and the forms of the story and entity pages.

A read-only server has no write routes, and its guard answers any POST with 405 and a line
saying to start it with ``--allow-writes``. Forms post back to this server only: a POST that a
browser marks as coming from another site is refused, so a page elsewhere cannot make a
correction through an analyst's browser; the JSON routes need ``application/json``, which a
cross-site form cannot send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import WiretraceError
from ..store import corrections as stored

MAX_FORM_BYTES = 64_000  # a correction names a few ids and a reason
MAX_LIST = 500


def _same_site(request: Request) -> bool:
    """Whether a browser form post comes from a page of this server. Browsers say so in
    ``Sec-Fetch-Site``; one that does not is judged by ``Origin`` (which this server's
    ``no-referrer`` policy turns into "null" on form posts: unknown, so refused). A request
    with neither is no browser's form."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc.lower() == (
        request.headers.get("host") or "").lower()


def _local_path(value: str | None, fallback: str) -> str:
    """Where to send the browser after a form: a path on this server, never elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return fallback


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """The correction's parameters from a JSON body or a form, as lists where lists go."""
    def many(name: str) -> list[str]:
        raw = values.get(name) or []
        items = raw if isinstance(raw, list) else [raw]
        return [str(x).strip() for x in items if str(x).strip()]

    def single(name: str) -> str | None:
        raw = values.get(name)
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        return str(raw).strip() or None if raw is not None else None

    return {
        "articles": many("articles"), "stories": many("stories"), "surfaces": many("surfaces"),
        "other": single("other"), "by": single("by"), "reason": single("reason"),
    }


def _refused(page: Callable[..., HTMLResponse], exc: WiretraceError) -> HTMLResponse:
    response = page("error.html", status=400, message=exc.message)
    response.status_code = 400
    return response


def add_routes(app: FastAPI, holder: Any, page: Callable[..., HTMLResponse], *,
               allow_writes: bool) -> None:
    """Register the corrections log (API and page) and, when writes are allowed, the routes
    that make and undo corrections."""

    @app.get("/api/corrections", tags=["corrections"], response_model=None)
    def api_corrections(
        active: bool = Query(False, description="Only corrections in force (not undone)"),
        target: str | None = Query(None, max_length=4096, description="Only those of this id"),
    ) -> list[dict[str, Any]]:
        """The audit log of corrections, newest first."""
        return stored.list_corrections(holder.get(), include_undone=not active, target=target,
                                       limit=MAX_LIST)

    @app.get("/corrections", response_class=HTMLResponse, include_in_schema=False)
    def corrections_page(
        target: str | None = Query(None, max_length=4096, description="Only those of this id"),
    ) -> HTMLResponse:
        rows = stored.list_corrections(holder.get(), target=target or None, limit=MAX_LIST)
        return page("corrections.html", rows=rows, target=target)

    if not allow_writes:
        return

    from ..adapters.corrections import perform, undo

    def run(fn: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        return fn(holder.writer())

    async def json_body(request: Request) -> dict[str, Any] | Response:
        if "application/json" not in (request.headers.get("content-type") or ""):
            return JSONResponse({"detail": "send the correction as application/json"},
                                status_code=415)
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return JSONResponse({"detail": f"body over {MAX_FORM_BYTES} bytes"}, status_code=413)
        try:
            data = json.loads(body or b"{}")
        except ValueError as exc:
            return JSONResponse({"detail": f"not JSON: {exc}"}, status_code=422)
        if not isinstance(data, dict):
            return JSONResponse({"detail": "the body must be a JSON object"}, status_code=422)
        return data

    async def form_body(request: Request) -> dict[str, Any] | Response:
        if not _same_site(request):
            return JSONResponse({"detail": "cross-site form refused"}, status_code=403)
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return JSONResponse({"detail": f"body over {MAX_FORM_BYTES} bytes"}, status_code=413)
        return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=False)

    @app.post("/api/corrections", tags=["corrections"], response_model=None)
    async def api_correct(request: Request) -> Any:
        """Make a correction (only with --allow-writes). Body: `{"action", "target",
        "articles"?, "stories"?, "surfaces"?, "other"?, "by"?, "reason"?}`; actions: delete,
        story-split, story-detach, story-merge, entity-merge, entity-split,
        entity-reject-variant."""
        data = await json_body(request)
        if isinstance(data, Response):
            return data
        action, target = str(data.get("action") or ""), str(data.get("target") or "")
        if not action or not target:
            return JSONResponse({"detail": "give an action and a target"}, status_code=422)
        fields = _fields(data)
        return await run_in_threadpool(run, lambda s: perform(s, action, target, **fields))

    @app.post("/api/corrections/{correction_id}/undo", tags=["corrections"], response_model=None)
    async def api_undo(request: Request, correction_id: int) -> Any:
        """Undo a correction (only with --allow-writes). Body: `{"by"?, "reason"?}`."""
        data = await json_body(request)
        if isinstance(data, Response):
            return data
        fields = _fields(data)
        return await run_in_threadpool(
            run, lambda s: undo(s, correction_id, by=fields["by"], reason=fields["reason"]))

    @app.post("/corrections", include_in_schema=False)
    async def form_correct(request: Request) -> Response:
        data = await form_body(request)
        if isinstance(data, Response):
            return data
        action = (data.get("action") or [""])[0]
        target = (data.get("target") or [""])[0]
        back = _local_path((data.get("next") or [None])[0], "/corrections")
        try:
            await run_in_threadpool(
                run, lambda s: perform(s, action, target, **_fields(data)))
        except WiretraceError as exc:
            return _refused(page, exc)
        if action == "delete":  # the article's page is gone: show the log, with its undo
            back = "/corrections"
        return RedirectResponse(back, status_code=303)

    @app.post("/corrections/{correction_id}/undo", include_in_schema=False)
    async def form_undo(request: Request, correction_id: int) -> Response:
        data = await form_body(request)
        if isinstance(data, Response):
            return data
        fields = _fields(data)
        try:
            await run_in_threadpool(
                run, lambda s: undo(s, correction_id, by=fields["by"], reason=fields["reason"]))
        except WiretraceError as exc:
            return _refused(page, exc)
        return RedirectResponse(_local_path((data.get("next") or [None])[0], "/corrections"),
                                status_code=303)
