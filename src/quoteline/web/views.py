"""Read-only pages; each handler serves an HTML page and its .json twin (search also .csv).

Handlers only parse parameters and format what ``Store`` methods return: every query and
rule lives in the library, so the CLI and Python callers see the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from quoteline.corpus.export import SEARCH_COLUMNS, csv_text, search_row
from quoteline.errors import StoreError
from quoteline.models import ACT_CHOICES, KINDS, ActChoice
from quoteline.search import Filters, SearchRequest, request_problem
from quoteline.store import QuoteHit, SearchResult, Store
from quoteline.web.context import QueryTimeout, Web, wants_json, web_of
from quoteline.web.render import (
    Paging,
    diff_runs,
    paragraph,
    segments,
    speaker_colours,
    speaker_key,
    timeline_chart,
)

router = APIRouter()
MAX_ID = 2**62
MAX_OFFSET = 10_000  # most results a page may skip (deeper offsets cost a scan)
MAX_PER_PAGE = 100
MAX_PAGE = MAX_OFFSET // MAX_PER_PAGE + 1  # so every page of every size stays within it
CSV_ROWS = 1000
FACET_SECONDS = 60.0  # facets are computed off the request path, so they may take longer
NO_NUL = r"^[^\x00]*$"  # the server refuses NUL anywhere in a URL
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
FRACTION = r"^(|0(\.[0-9]*)?|1(\.0*)?|\.[0-9]+)$"
Id = Annotated[int, Path(ge=0, le=MAX_ID)]
Text = Annotated[str, Query(max_length=500, json_schema_extra={"pattern": NO_NUL})]
Short = Annotated[str, Query(max_length=200, json_schema_extra={"pattern": NO_NUL})]
Day = Annotated[str, Query(max_length=10, description="a date, YYYY-MM-DD (empty: none)",
                           json_schema_extra={"anyOf": [{"format": "date", "pattern": DATE},
                                                        {"maxLength": 0}]})]
Kind = Annotated[str, Query(max_length=16, description="direct, mixed or indirect (empty: any)",
                            json_schema_extra={"enum": ["", *KINDS]})]
Fraction = Annotated[str, Query(max_length=32, description="a number from 0 to 1 (empty: none)",
                                json_schema_extra={"pattern": FRACTION})]
Acts = Annotated[str, Query(max_length=8, description="speech (statements, the default) or "
                            "all (beliefs, intentions and stances too)",
                            json_schema_extra={"enum": list(ACT_CHOICES)})]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]


def twin(path: str, *suffixes: str, summary: str) -> Callable[[Callable[..., Any]], Any]:
    """Register one handler for ``path`` and its ``path.json`` (and other suffix) twins."""
    def register(fn: Callable[..., Any]) -> Any:
        for suffix in (".json", *suffixes, ""):
            router.add_api_route(path + suffix, fn, methods=["GET"], summary=f"{summary} "
                                 f"({suffix[1:] or 'html'})", name=f"{fn.__name__}{suffix}")
        return fn
    return register


def _day(value: str, name: str) -> dt.date | None:
    """A YYYY-MM-DD date (empty: none); HTTP 400 otherwise."""
    if not value:
        return None
    try:
        if not re.fullmatch(DATE, value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name}: not a date; use YYYY-MM-DD, e.g. 2024-05-01") from None


def _fraction(value: str, name: str) -> float | None:
    """A number from 0 to 1 (empty: none); HTTP 400 otherwise."""
    if not re.fullmatch(FRACTION, value):
        raise HTTPException(400, f"{name}: a number from 0 to 1, e.g. 0.7")
    return float(value) if value else None


def _kind(value: str) -> str | None:
    if value and value not in KINDS:
        raise HTTPException(400, f"kind: one of {', '.join(KINDS)} (or empty for any)")
    return value or None


def _acts(value: str) -> ActChoice:
    """``speech`` or ``all``; HTTP 400 otherwise."""
    for choice in ACT_CHOICES:
        if value == choice:
            return choice
    raise HTTPException(400, "acts: speech (statements) or all (thoughts too)")


def _paging(page: int, per_page: int, result: SearchResult) -> Paging:
    """Paging for a result fetched with one row more than a page (so it knows of a next)."""
    return Paging(page, per_page, len(result.hits) > per_page, result.total, result.exact)


def _hit_json(hit: QuoteHit, altered_elsewhere: int) -> dict[str, Any]:
    return {**hit.to_dict(), "altered_elsewhere": altered_elsewhere,
            "links": {"html": f"/quotes/{hit.quote_id}", "json": f"/quotes/{hit.quote_id}.json"}}


def _listing(base: str, params: dict[str, Any], paging: Paging,
             result: SearchResult, hits: tuple[QuoteHit, ...],
             badges: dict[int, int]) -> dict[str, Any]:
    """The JSON of a list of quotes: query, paging (with the match count), problem, items."""
    return {"query": params, "paging": paging.to_dict(base, params), "problem": result.problem,
            "items": [_hit_json(h, badges[h.quote_id]) for h in hits]}


# ---------------------------------------------------------------- search
@router.get("/", include_in_schema=False)
def home() -> Response:
    """The search page."""
    return RedirectResponse("/quotes", status_code=307)


@twin("/quotes", ".csv", summary="Search quotes")
def search_quotes(request: Request, q: Text = "", speaker: Short = "", outlet: Short = "",
                  date_from: Annotated[Day, Query(alias="from")] = "", to: Day = "",
                  kind: Kind = "", min_confidence: Fraction = "", page: PageNo = 1,
                  per_page: PerPage = 20, acts: Acts = "speech") -> Response:
    """Full-text search with facets (speaker, outlet, date range, kind, confidence), paginated
    (the CSV twin holds the first 1,000 results and ignores paging); statements only unless
    acts=all."""
    web = web_of(request)
    filters = Filters(speaker.strip() or None, _day(date_from, "from"), _day(to, "to"),
                      outlet.strip() or None, _kind(kind),
                      min_confidence=_fraction(min_confidence, "min_confidence"),
                      acts=_acts(acts))
    as_csv = request.url.path.endswith(".csv")
    size, page = (CSV_ROWS, 1) if as_csv else (per_page, page)
    browsing = not q.strip() and filters == Filters(acts=filters.acts)
    with web.reading() as store:
        result = _browse(web, store, size, page, filters.acts) if browsing else store.search_page(
            SearchRequest(q, filters, size + 1, (page - 1) * size))
        hits = result.hits[:size]
        badges = store.altered_elsewhere(hits)
    if as_csv:
        return _csv(hits, badges)
    params = {"q": q, "speaker": speaker, "outlet": outlet, "from": date_from, "to": to,
              "kind": kind, "min_confidence": min_confidence,
              "per_page": per_page if per_page != 20 else None,
              "acts": acts if acts != "speech" else None}
    paging = _paging(page, size, result)
    if wants_json(request):
        return JSONResponse(_listing("/quotes.json", params, paging, result, hits,
                                     badges))
    return web.page("search.html", request=request, hits=hits, badges=badges, params=params,
                    paging=paging, result=result, kinds=KINDS, facets=_facets(web),
                    browsing=browsing, title="Search quotes" if not q else f"“{q}”: search")


def _browse(web: Web, store: Store, size: int, page: int, acts: ActChoice) -> SearchResult:
    """The latest quotes (nothing asked yet), counted from the cached store totals."""
    hits = store.latest_quotes(size + 1, (page - 1) * size, acts)
    stats = _facets(web)["stats"]
    if stats is None:  # the counts were too slow: say only what the page shows
        return SearchResult(tuple(hits), (page - 1) * size + len(hits), exact=False)
    return SearchResult(tuple(hits), int(stats.quotes))


def warm(web: Web) -> None:
    """Compute the search facets in the background, so the first visitor does not wait."""
    threading.Thread(target=_facets, args=(web,), daemon=True).start()


def _facets(web: Web) -> dict[str, Any]:
    """Outlets, top speakers and counts for the search form (cached; best effort)."""
    def make() -> dict[str, Any]:
        return {"outlets": _try(web, lambda s: s.outlets(), []),
                "speakers": _try(web, lambda s: [i.name for i in s.top_speakers(50)], []),
                "stats": _try(web, lambda s: s.stats(), None)}
    facets: dict[str, Any] = web.cached("facets", make)
    return facets


def _try(web: Web, read: Callable[[Store], Any], fallback: Any) -> Any:
    """``read(store)``, or ``fallback`` when it is too slow or fails: facets never break search."""
    try:
        with web.reading(FACET_SECONDS) as store:
            return read(store)
    except (QueryTimeout, StoreError):
        return fallback


def _csv(hits: Iterable[QuoteHit], badges: dict[int, int]) -> Response:
    rows = (search_row(h, badges[h.quote_id]) for h in hits)
    return Response(csv_text(rows, SEARCH_COLUMNS), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="quotes.csv"'})


# ---------------------------------------------------------------- one quote
@twin("/quotes/{quote_id:int}", summary="One quote")
def quote_page(request: Request, quote_id: Id) -> Response:
    """A quote in its paragraph, with its article, cue, speaker, date and other renderings."""
    web = web_of(request)
    with web.reading() as store:
        found = store.quote(quote_id)
        if found is None:
            raise HTTPException(404, f"no quote {quote_id}; search at /quotes")
        view = store.cluster(found.hit.cluster) if found.hit.cluster is not None else None
    others = [r for r in view.renderings if r.quote_id != quote_id] if view else []
    hit = found.hit
    before, text, after = paragraph(found.article_text, hit.start, hit.end)
    if wants_json(request):
        return JSONResponse({
            "quote": hit.to_dict(), "article_row": found.article_row,
            "paragraph": {"before": before, "quote": text, "after": after},
            "cluster": view.to_dict() if view else None})
    return web.page("quote.html", request=request, hit=hit, found=found, before=before,
                    text=text, after=after, view=view, others=others,
                    diff_runs=diff_runs, title=f"Quote {quote_id}")


# ---------------------------------------------------------------- speaker
@twin("/speakers/{speaker_id:int}", summary="One speaker")
def speaker_page(request: Request, speaker_id: Id, q: Text = "",
                 date_from: Annotated[Day, Query(alias="from")] = "", to: Day = "",
                 page: PageNo = 1, per_page: PerPage = 20, acts: Acts = "speech") -> Response:
    """Aliases, titles, a timeline chart and the speaker's quotes (searchable within;
    statements only unless acts=all)."""
    web = web_of(request)
    filters = Filters(date_from=_day(date_from, "from"), date_to=_day(to, "to"),
                      speaker_id=speaker_id, acts=_acts(acts))
    req = SearchRequest(q, filters, per_page + 1, (page - 1) * per_page)
    with web.reading() as store:
        info = store.speaker(speaker_id)
        if info is None:
            raise HTTPException(404, f"no speaker {speaker_id}; search at /quotes")
        days = store.speaker_histogram(speaker_id)
        result = _speaker_result(store, req)
        hits = result.hits[:per_page]
        badges = store.altered_elsewhere(hits)
    params = {"q": q, "from": date_from, "to": to,
              "per_page": per_page if per_page != 20 else None,
              "acts": acts if acts != "speech" else None}
    base = f"/speakers/{speaker_id}"
    paging = _paging(page, per_page, result)
    if wants_json(request):
        return JSONResponse({"speaker": info.to_dict(),
                             "timeline": [[d.isoformat(), n] for d, n in days],
                             **_listing(base + ".json", params, paging, result, hits,
                                        badges)})
    return web.page("speaker.html", request=request, info=info, chart=timeline_chart(days),
                    hits=hits, badges=badges, params=params, paging=paging, result=result,
                    base=base, title=info.name)


def _speaker_result(store: Store, req: SearchRequest) -> SearchResult:
    """A speaker's quotes: searched when there are words, else newest first."""
    if req.text.strip():
        return store.search_page(req)
    problem = request_problem(req)
    if problem:
        return SearchResult((), 0, problem=problem)
    f = req.filters
    assert f.speaker_id is not None
    return store.speaker_quotes(f.speaker_id, date_from=f.date_from, date_to=f.date_to,
                                limit=req.limit, offset=req.offset, acts=f.acts)


# ---------------------------------------------------------------- cluster
@twin("/clusters/{cluster_id:int}", summary="One quote cluster")
def cluster_page(request: Request, cluster_id: Id) -> Response:
    """Every rendering side by side with a word diff against the reference."""
    web = web_of(request)
    with web.reading() as store:
        view = store.cluster(cluster_id)
    if view is None:
        raise HTTPException(404, f"no cluster {cluster_id}; search at /quotes")
    if wants_json(request):
        return JSONResponse(view.to_dict())
    return web.page("cluster.html", request=request, view=view, first=view.first_quote_id,
                    diff_runs=diff_runs, title=f"Cluster {cluster_id}")


# ---------------------------------------------------------------- article
@twin("/articles/{article_id:int}", summary="One article with its quotes")
def article_page(request: Request, article_id: Id) -> Response:
    """The article's text with each quote highlighted and coloured by speaker."""
    web = web_of(request)
    with web.reading() as store:
        art = store.article(article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}; search at /quotes")
    if wants_json(request):
        return JSONResponse(art.to_dict())
    colours = speaker_colours(art.quotes)
    legend = _legend(art.quotes, colours)
    return web.page("article.html", request=request, art=art,
                    segments=segments(art.text, art.quotes, colours), legend=legend,
                    title=art.title or f"Article {article_id}")


def _legend(quotes: Iterable[QuoteHit], colours: dict[str, int]) -> list[tuple[int, str, int | None]]:
    seen: dict[int, tuple[int, str, int | None]] = {}
    for q in quotes:
        colour = colours.get(speaker_key(q), 0)
        name = q.speaker_name or q.speaker or "unattributed"
        seen.setdefault(colour, (colour, name, q.speaker_id))
    return list(seen.values())
