"""What every request handler shares: settings, per-thread stores, the query clock, templates.

Handlers (views, analyze) import this module, and the app imports the handlers, so nothing
imports in a circle.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from quoteline import __version__
from quoteline.errors import StoreError
from quoteline.models import ActChoice
from quoteline.settings import get_int
from quoteline.store import Overview, Store, open_store
from quoteline.store.browse import suggested_speakers
from quoteline.store.statements import SpeakerIndex
from quoteline.store.types import OutletSummary, SpeakerRank
from quoteline.web.charts import Chart, timeline_chart
from quoteline.web.render import (
    long_date,
    plural,
    query_string,
    rendering_label,
    safe_url,
)
from quoteline.web.snippets import (
    badge,
    dates,
    marked,
    outlet_link,
    report_line,
    said,
    speaker_link,
    timeline_bars,
)

HERE = Path(__file__).resolve().parent
CACHE_SECONDS = 300.0
FACET_SECONDS = 60.0  # cached reads run off the request path, so they may take longer


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
        self._filling: dict[str, threading.Lock] = {}  # one fill of a key at a time
        self.write_lock = threading.Lock()
        self._cache: dict[str, tuple[float, Any]] = {}
        self._titles: dict[int, str] = {}  # speaker id -> title as written
        self._indexes: OrderedDict[tuple[int, str], tuple[SpeakerIndex, Chart | None]] = (
            OrderedDict())
        self._indexed = 0  # statements held in _indexes
        self._index_cap = get_int("web_speaker_cache")  # read once, as every web setting
        self._epoch = 0  # changes seen: an index read before one is not kept
        with open_store(settings.db_url, create=False):  # migrate once, up front
            pass
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, auto_reload=False,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["safe_url"] = safe_url
        self.env.globals.update(qs=query_string, version=__version__, settings=settings,
                                plural=plural, long_date=long_date,
                                rendering_label=rendering_label, said=said, dates=dates,
                                speaker_link=speaker_link, outlet_link=outlet_link,
                                badge=badge, marked=marked, timeline_bars=timeline_bars,
                                report_line=report_line)

    def store(self) -> Store:
        """This thread's store (opened on first use, with the query time limit installed)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.settings.db_url, migrate_schema=False)
            install_time_limit(store, self.settings.query_timeout)
            store.db.tune_for_reads(get_int("web_sqlite_cache_mb"), get_int("web_sqlite_mmap_mb"))
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
        after the first. Each key fills one at a time (a value may be made from another).
        """
        with self._lock:
            hit = self._cache.get(key)
            filling = self._filling.setdefault(key, threading.Lock())
        if hit is not None:
            if time.monotonic() - hit[0] >= CACHE_SECONDS and filling.acquire(False):
                threading.Thread(target=self._fill, args=(key, make, filling),
                                 daemon=True).start()
            return hit[1]
        with filling:
            with self._lock:
                hit = self._cache.get(key)
            return hit[1] if hit is not None else self._fill(key, make, None)

    def _fill(self, key: str, make: Callable[[], Any], release: threading.Lock | None) -> Any:
        try:
            value = make()
            with self._lock:
                self._cache[key] = (time.monotonic(), value)
            return value
        finally:
            if release is not None:
                release.release()

    def titles(self, speakers: Iterable[Any]) -> dict[int, str]:
        """speaker id -> title as written, for ``speakers`` (anything with ``speaker_id`` and
        ``title``), remembered: titles change rarely, and each costs a small query once."""
        want = {s.speaker_id: s.title for s in speakers if s.title}
        missing = {i: t for i, t in want.items() if i not in self._titles}
        if missing:
            with self.reading() as store:
                found = store.titles_as_written(missing)
            with self._lock:
                if len(self._titles) > 50_000:
                    self._titles.clear()
                self._titles.update(found)
        return {i: self._titles.get(i, t) for i, t in want.items()}

    def speaker_index(self, store: Store, speaker_id: int,
                      acts: ActChoice) -> tuple[SpeakerIndex, Chart | None]:
        """A speaker's statements and timeline (``Store.speaker_index``) with the timeline's
        chart, kept (at most ``web_speaker_cache`` statements in all, least recently used
        dropped first) for as long as no other connection changes the store: every call asks
        (SQLite's data_version), and a change empties the whole cache. From PostgreSQL, which
        keeps no such counter, the index is read afresh every time.

        The check comes before the read, so an index kept is never older than the check of the
        request that reads it."""
        changed = store.changed_elsewhere()
        if changed is None:
            return _charted(store.speaker_index(speaker_id, acts))
        key = (speaker_id, acts)
        with self._lock:
            if changed:
                self._epoch += 1
                self._indexes.clear()
                self._indexed = 0
            epoch = self._epoch
            hit = self._indexes.get(key)
            if hit is not None:
                self._indexes.move_to_end(key)
                return hit
        made = _charted(store.speaker_index(speaker_id, acts))
        with self._lock:
            if epoch == self._epoch and key not in self._indexes:  # nothing changed meanwhile
                self._indexes[key] = made
                self._indexed += made[0].size()
                while self._indexed > self._index_cap and self._indexes:
                    self._indexed -= self._indexes.popitem(last=False)[1][0].size()
        return made

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A rendered template."""
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)


def _charted(index: SpeakerIndex) -> tuple[SpeakerIndex, Chart | None]:
    return index, timeline_chart(index.days, noun="statement")


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


# ---------------------------------------------------------------- cached reads
def warm(web: Web, then: Callable[[], None] | None = None) -> None:
    """Compute the cached reads in the background, so the first visitor does not wait; then
    call ``then``, if given."""
    def fill() -> None:
        facets(web)
        overview(web)
        outlet_table(web)
        if then is not None:
            then()

    threading.Thread(target=fill, daemon=True).start()


def facets(web: Web) -> dict[str, Any]:
    """Outlets, people to suggest and counts for the search form (cached; best effort)."""
    def make() -> dict[str, Any]:
        return {"outlets": _try(web, lambda s: s.outlets(), []),
                "speakers": suggested_speakers(speaker_ranking(web).people),
                "stats": _try(web, lambda s: s.stats(), None)}
    value: dict[str, Any] = web.cached("facets", make)
    return value


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every quoted speaker, most quoted first, and the views of it the pages read."""

    speakers: tuple[SpeakerRank, ...] = ()
    by_id: Mapping[int, SpeakerRank] = field(default_factory=dict)
    people: tuple[SpeakerRank, ...] = ()  # named people (what suggestions offer)
    others: tuple[SpeakerRank, ...] = ()  # bodies, groups and names that are not a person

    @classmethod
    def of(cls, speakers: list[SpeakerRank]) -> Ranking:
        """The views of a ranked list."""
        return cls(tuple(speakers), {s.speaker_id: s for s in speakers},
                   tuple(s for s in speakers if s.person),
                   tuple(s for s in speakers if not s.person))


def speaker_ranking(web: Web) -> Ranking:
    """Every quoted speaker, most quoted first, with quotes and statements (cached)."""
    value: Ranking = web.cached(
        "ranking", lambda: Ranking.of(_try(web, lambda s: s.speaker_ranking(), [])))
    return value


def outlet_table(web: Web) -> list[OutletSummary]:
    """Every outlet with its counts (cached)."""
    value: list[OutletSummary] = web.cached(
        "outlets", lambda: _try(web, lambda s: s.outlet_table(), []))
    return value


def overview(web: Web) -> Overview | None:
    """The store's overview for the front page (cached; None when it could not be read)."""
    value: Overview | None = web.cached(
        "overview", lambda: _try(web, lambda s: s.overview(8), None))
    return value


def _try(web: Web, read: Callable[[Store], Any], fallback: Any) -> Any:
    """``read(store)``, or ``fallback`` when it is too slow or fails: a cached read never
    breaks the page that uses it."""
    try:
        with web.reading(FACET_SECONDS) as store:
            return read(store)
    except (QueryTimeout, StoreError):
        return fallback
