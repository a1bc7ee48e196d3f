"""What every request handler shares: settings, per-thread stores, the query clock, templates.

Handlers (views, analyze) import this module, and the app imports the handlers, so nothing
imports in a circle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from quoteline import __version__
from quoteline.errors import StoreError
from quoteline.search import highlight
from quoteline.store import Store, open_store
from quoteline.web.render import plural, query_string, safe_url

HERE = Path(__file__).resolve().parent
CACHE_SECONDS = 300.0


# ---------------------------------------------------------------- time limits
_deadline = threading.local()


class QueryTimeout(Exception):
    """A query ran past the request's time limit."""


def install_time_limit(store: Store, seconds: float) -> None:
    """Make every query on this store's connection stop after ``seconds`` (per ``deadline``)."""
    store.db.set_time_limit(seconds, _over_deadline)


def _over_deadline() -> bool:
    limit: float | None = getattr(_deadline, "at", None)
    if limit is not None and time.monotonic() > limit:
        _deadline.hit = True
        return True  # SQLite aborts the statement with "interrupted"
    return False


def start_clock(seconds: float) -> None:
    """Start this thread's query clock (SQLite; PostgreSQL uses statement_timeout)."""
    _deadline.at = time.monotonic() + seconds
    _deadline.hit = False


def stop_clock() -> bool:
    """Stop this thread's clock; True when a query was cut off since it started."""
    _deadline.at = None
    return bool(getattr(_deadline, "hit", False))


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
        with open_store(settings.db_url, create=False):  # migrate once, up front
            pass
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["safe_url"] = safe_url
        self.env.globals.update(qs=query_string, version=__version__, settings=settings,
                                plural=plural, highlight=highlight)

    def store(self) -> Store:
        """This thread's store (opened on first use, with the query time limit installed)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.settings.db_url, migrate_schema=False)
            install_time_limit(store, self.settings.query_timeout)
            self._local.store = store
        return store

    @contextmanager
    def reading(self, seconds: float | None = None) -> Iterator[Store]:
        """This thread's store, with the request's query clock running."""
        start_clock(seconds or self.settings.query_timeout)
        try:
            yield self.store()
        except StoreError as exc:
            if stop_clock() or "statement timeout" in str(exc):
                raise QueryTimeout(str(exc)) from None
            raise
        finally:
            stop_clock()

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


def error_response(request: Request, status: int, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    """One error shape: JSON {"error", "status"} for JSON paths, a page for HTML ones."""
    response: Response
    if wants_json(request) or request.url.path.endswith(".csv"):
        response = JSONResponse({"error": message, "status": status}, status_code=status)
    else:
        response = web_of(request).page("error.html", status=status, status_code=status,
                                        title=f"Error {status}", message=message,
                                        request=request)
    response.headers.update(headers or {})  # e.g. Allow on a 405, Retry-After on a 503
    return response
