"""The web application: routes, security headers, limits, errors and the OpenAPI description."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import unquote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quoteline import __version__
from quoteline.errors import StoreError
from quoteline.settings import get_int
from quoteline.web import analyze, browse, openapi, views
from quoteline.web.context import (
    HERE,
    QueryTimeout,
    Web,
    WebSettings,
    error_response,
    warm,
    web_of,
)

__all__ = ["WebSettings", "create_app"]
ROUTERS = (browse.router, views.router, analyze.router)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'")
GC_YOUNG = 20_000  # allocations between collections of young objects, in a server process
MAX_QUERY_STRING = 16_000  # what the declared parameter lengths can fill, percent-encoded


# ---------------------------------------------------------------- errors
async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # every route at this path, not only the first that matched
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(request, exc.status_code, str(exc.detail), headers)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of ROUTERS serves at the request's path."""
    scope = {**request.scope, "method": "GET"}
    return sorted({m for router in ROUTERS for route in router.routes
                   if isinstance(route, Route) and route.matches(scope)[0] is not Match.NONE
                   for m in route.methods or ()})


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_response(request, 400, "bad request: " + "; ".join(parts))


async def _timeout(request: Request, exc: Exception) -> Response:
    return error_response(request, 503, "the query took too long; narrow the search and retry")


async def _store_error(request: Request, exc: Exception) -> Response:
    return error_response(request, 503, "the store could not answer; try again shortly")


async def _crash(request: Request, exc: Exception) -> Response:
    return error_response(request, 500, "internal error; the server log has details")


# ---------------------------------------------------------------- middleware
def _bad_request_line(request: Request) -> str | None:
    query = request.url.query
    if len(query) > MAX_QUERY_STRING:
        return "query string too long"
    raw = request.scope.get("raw_path", b"") or b""
    if "\x00" in unquote(query) or b"%00" in raw or "\x00" in request.url.path:
        return "NUL bytes are not allowed in a URL"
    return None


SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


class Guard:
    """Limits on URL and body size, then security headers on every response, and every
    ``reconnect_every``-th response of this process (0: none) ends its keep-alive connection.

    Plain ASGI: a ``BaseHTTPMiddleware`` would add a task and a pair of streams to every
    request, a large share of what a cheap page costs.

    Why end connections: worker processes share one listening socket and the first to wake
    accepts every connection waiting, so a burst of keep-alive clients can land nearly all on
    one process while the other idles (19 of 20 measured, bench/web_clients.py). A client told
    ``Connection: close`` reconnects on its next request, and the process that accepts it is
    the one free to run its accept loop first: the idle one.
    """

    def __init__(self, app: ASGIApp, reconnect_every: int = 0) -> None:
        self.app = app
        self.reconnect_every = max(0, reconnect_every)
        self._responses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a bad request line or body, else pass on; headers added either way."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                headers.setdefault("Cache-Control", "no-store")
                if self._reconnect_now():
                    headers["Connection"] = "close"
            await send(message)

        request = Request(scope)
        problem = _bad_request_line(request)
        if problem is None and request.method in ("POST", "PUT", "PATCH"):
            problem = _body_problem(request, web_of(request).settings.max_body)
        if problem is None:
            await self.app(scope, receive, send_secured)
            return
        status = 413 if "large" in problem else 411 if "length" in problem else 400
        await error_response(request, status, problem)(scope, receive, send_secured)

    def _reconnect_now(self) -> bool:
        if not self.reconnect_every:
            return False
        self._responses = (self._responses + 1) % self.reconnect_every
        return self._responses == 0


def _body_problem(request: Request, limit: int) -> str | None:
    declared = request.headers.get("content-length")
    if declared is None:
        return "a Content-Length header is required (no chunked uploads)"
    if not declared.isdigit():
        return "bad Content-Length"
    return "request body too large" if int(declared) > limit else None


# ---------------------------------------------------------------- the app
SETTINGS_ENV = "QUOTELINE_WEB_SETTINGS"


def app_from_env() -> FastAPI:
    """The app for a uvicorn worker process, configured by $QUOTELINE_WEB_SETTINGS (JSON)."""
    raw = json.loads(os.environ[SETTINGS_ENV])
    return create_app(WebSettings(**raw), server=True)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Bound the threads that run requests (setting web_threads). Pages are CPU work under
    one interpreter lock: forty threads at once (anyio's default) take turns on it in slices,
    so a page of several queries waits for many slices and the slowest requests take several
    times the median; a few threads and a queue serve them in order instead."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = max(1, get_int("web_threads"))
    yield


def settle_gc() -> None:
    """Collect, then exempt everything alive now (the app, its templates, the cached reads)
    from the collector's full passes: a server process's call once it has warmed up.

    The full passes otherwise walk every object of the process, 60 to 140 ms each while all
    its requests wait, several times a minute under load (docs/web.md, "Load")."""
    gc.collect()
    gc.freeze()


def create_app(settings: WebSettings, *, server: bool = False) -> FastAPI:
    """The FastAPI app serving the store named in ``settings``; ``server``: for a process of
    its own (``quoteline serve``), whose garbage collector it tunes: young objects are
    collected every GC_YOUNG allocations rather than 700 (a page makes thousands), so that
    the passes that walk older objects come seldom, and once the cached reads are made they
    are left out of those passes (``settle_gc``)."""
    app = FastAPI(title="quoteline", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", description=openapi.DESCRIPTION,
                  lifespan=_lifespan)
    app.state.web = Web(settings)
    app.add_middleware(Guard, reconnect_every=get_int("web_keepalive_requests"))
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(QueryTimeout, _timeout)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(Exception, _crash)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    if server:
        gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    warm(app.state.web, then=settle_gc if server else None)
    openapi.install(app)
    return app
