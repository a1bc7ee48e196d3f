"""The web application: settings, per-thread stores, security headers, limits and errors."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from quoteline import __version__
from quoteline.errors import StoreError
from quoteline.store import Store, open_store
from quoteline.web import queries
from quoteline.web.render import query_string, safe_url

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'")
MAX_QUERY_STRING = 8192
CACHE_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class WebSettings:
    """How the server runs: which store, whether writes are allowed, and its limits."""

    db_url: str
    allow_writes: bool = False
    token: str | None = None
    query_timeout: float = 5.0  # seconds per request's queries
    max_body: int = 2_000_000  # bytes of a request body
    max_text: int = 200_000  # characters of text to analyze
    allow_private_fetch: bool = False  # let /analyze fetch loopback/private URLs (tests only)
    model: str | None = None


class Web:
    """What every request handler shares: settings, stores (one per thread), templates."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self._compute = threading.Lock()  # one cache fill at a time, not one per request
        self.write_lock = threading.Lock()
        self._cache: dict[str, tuple[float, Any]] = {}
        with open_store(settings.db_url):  # migrate once, up front
            pass
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["safe_url"] = safe_url
        self.env.globals.update(qs=query_string, version=__version__, settings=settings)

    def store(self) -> Store:
        """This thread's store (opened on first use, with the query time limit installed)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.settings.db_url, migrate_schema=False)
            queries.install_time_limit(store, self.settings.query_timeout)
            self._local.store = store
        return store

    @contextmanager
    def reading(self, seconds: float | None = None) -> Iterator[Store]:
        """This thread's store, with the request's query clock running."""
        queries.start_clock(seconds or self.settings.query_timeout)
        try:
            yield self.store()
        except StoreError as exc:
            if queries.stop_clock() or "statement timeout" in str(exc):
                raise queries.QueryTimeout(str(exc)) from None
            raise
        finally:
            queries.stop_clock()

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """A slow value (facet lists, counts): computed once, then refreshed in the background.

        A stale value is served while a fresh one is computed, so no request waits on it
        after the first.
        """
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            if time.monotonic() - hit[0] >= CACHE_SECONDS and self._compute.acquire(False):
                threading.Thread(target=self._fill, args=(key, make, True), daemon=True).start()
            return hit[1]
        with self._compute:
            with self._lock:
                hit = self._cache.get(key)
            return hit[1] if hit is not None else self._fill(key, make, False)

    def _fill(self, key: str, make: Callable[[], Any], release: bool) -> Any:
        try:
            value = make()
            with self._lock:
                self._cache[key] = (time.monotonic(), value)
            return value
        finally:
            if release:
                self._compute.release()

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A rendered template."""
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)


def web_of(request: Request) -> Web:
    """The Web object of the app serving ``request``."""
    web: Web = request.app.state.web
    return web


def wants_json(request: Request) -> bool:
    """True for the .json twin of a page (or an API path)."""
    path = request.url.path
    return path.endswith(".json") or path.startswith("/api/")


# ---------------------------------------------------------------- errors
def error_response(request: Request, status: int, message: str) -> Response:
    """One error shape: JSON {"error", "status"} for JSON paths, a page for HTML ones."""
    if wants_json(request) or request.url.path.endswith(".csv"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return web_of(request).page("error.html", status=status, status_code=status,
                                title=f"Error {status}",
                                message=message, request=request)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, str(exc.detail))


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
Next = Callable[[Request], Awaitable[Response]]


def _bad_request_line(request: Request) -> str | None:
    query = request.url.query
    if len(query) > MAX_QUERY_STRING:
        return "query string too long"
    raw = request.scope.get("raw_path", b"") or b""
    if "\x00" in unquote(query) or b"%00" in raw or "\x00" in request.url.path:
        return "NUL bytes are not allowed in a URL"
    return None


async def guard(request: Request, call_next: Next) -> Response:
    """Limits on URL and body size, then security headers on every response."""
    problem = _bad_request_line(request)
    if problem is None and request.method in ("POST", "PUT", "PATCH"):
        problem = _body_problem(request, web_of(request).settings.max_body)
    if problem is not None:
        status = 413 if "large" in problem else 411 if "length" in problem else 400
        response = error_response(request, status, problem)
    else:
        response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


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
    return create_app(WebSettings(**raw))


def create_app(settings: WebSettings) -> FastAPI:
    """The FastAPI app serving the store named in ``settings``."""
    from quoteline.web import analyze, views

    app = FastAPI(title="quoteline", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="Who said what, when: every HTML page has a .json twin.")
    app.state.web = Web(settings)
    app.middleware("http")(guard)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(queries.QueryTimeout, _timeout)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(Exception, _crash)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(views.router)
    views.warm(app.state.web)
    app.include_router(analyze.router)
    return app
