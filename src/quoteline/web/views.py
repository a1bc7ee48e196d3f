"""Read-only pages; each handler serves an HTML page and its .json twin (search also .csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from quoteline.errors import StoreError
from quoteline.models import KINDS, parse_date
from quoteline.search import Filters, SearchRequest
from quoteline.store import ClusterView, QuoteHit, Store
from quoteline.web import queries
from quoteline.web.app import Web, wants_json, web_of
from quoteline.web.render import (
    Paging,
    diff_runs,
    paragraph,
    segments,
    speaker_colours,
    timeline_chart,
)

router = APIRouter()
MAX_ID = 2**62
MAX_OFFSET = 10_000
CSV_ROWS = 1000
FACET_SECONDS = 60.0  # facets are computed off the request path, so they may take longer
Id = Annotated[int, Path(ge=0, le=MAX_ID)]
Text = Annotated[str, Query(max_length=500)]
Short = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=32)]
Fraction = Annotated[str, Query(max_length=32, description="a number from 0 to 1")]
PageNo = Annotated[int, Query(ge=1, le=1000)]
PerPage = Annotated[int, Query(ge=1, le=100)]


def twin(path: str, *suffixes: str, summary: str) -> Callable[[Callable[..., Any]], Any]:
    """Register one handler for ``path`` and its ``path.json`` (and other suffix) twins."""
    def register(fn: Callable[..., Any]) -> Any:
        for suffix in (".json", *suffixes, ""):
            router.add_api_route(path + suffix, fn, methods=["GET"], summary=f"{summary} "
                                 f"({suffix[1:] or 'html'})", name=f"{fn.__name__}{suffix}")
        return fn
    return register


def _day(value: str, name: str) -> dt.date | None:
    try:
        return parse_date(value.strip() or None)
    except ValueError as exc:
        raise HTTPException(400, f"{name}: {exc}") from None


def _fraction(value: str, name: str) -> float | None:
    """A number from 0 to 1 (empty: none); HTTP 400 otherwise."""
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:  # also refuses nan
        raise HTTPException(400, f"{name}: a number from 0 to 1")
    return number


def _paging(page: int, per_page: int, rows: int) -> Paging:
    if (page - 1) * per_page > MAX_OFFSET:
        raise HTTPException(400, f"page too deep: at most {MAX_OFFSET} results can be skipped")
    return Paging(page, per_page, rows > per_page)


def _badges(store: Store, hits: Iterable[QuoteHit]) -> dict[int, int]:
    """quote id -> how many *other* renderings in its cluster are altered."""
    hits = list(hits)
    flags = queries.cluster_flags(store, {h.cluster for h in hits if h.cluster is not None})
    out = {}
    for h in hits:
        altered = flags.get(h.cluster, (0, 0))[1] if h.cluster is not None else 0
        out[h.quote_id] = altered - (h.rendering == "altered")
    return out


def _hit_json(hit: QuoteHit, altered_elsewhere: int, article_row: int | None) -> dict[str, Any]:
    return {**hit.to_dict(), "altered_elsewhere": altered_elsewhere,
            "article_row": article_row,
            "links": {"html": f"/quotes/{hit.quote_id}", "json": f"/quotes/{hit.quote_id}.json"}}


# ---------------------------------------------------------------- search
@router.get("/", include_in_schema=False)
def home() -> Response:
    """The search page."""
    return RedirectResponse("/quotes", status_code=307)


@twin("/quotes", ".csv", summary="Search quotes")
def search_quotes(request: Request, q: Text = "", speaker: Short = "", outlet: Short = "",
                  date_from: Annotated[Day, Query(alias="from")] = "", to: Day = "",
                  kind: Short = "", min_confidence: Fraction = "", page: PageNo = 1,
                  per_page: PerPage = 20) -> Response:
    """Full-text search with facets (speaker, outlet, date range, kind, confidence), paginated."""
    web = web_of(request)
    if kind and kind not in KINDS:
        raise HTTPException(400, f"kind: one of {', '.join(KINDS)}")
    filters = Filters(speaker.strip() or None, _day(date_from, "from"), _day(to, "to"),
                      outlet.strip() or None, kind or None,
                      min_confidence=_fraction(min_confidence, "min_confidence"))
    as_csv = request.url.path.endswith(".csv")
    size = CSV_ROWS if as_csv else per_page
    paging = _paging(page, size, 0)
    browsing = not q.strip() and filters == Filters()
    with web.reading() as store:
        if browsing:  # nothing asked yet: the latest quotes, without sorting the whole store
            hits = queries.latest_quotes(store, size + 1, paging.offset)
        else:
            hits = store.run_search(SearchRequest(q, filters, size + 1, paging.offset))
        paging = _paging(page, size, len(hits))
        hits = hits[:size]
        badges = _badges(store, hits)
        rows = queries.article_rows(store, [h.quote_id for h in hits])
    if as_csv:
        return _csv(hits, badges)
    params = {"q": q, "speaker": speaker, "outlet": outlet, "from": date_from, "to": to,
              "kind": kind, "min_confidence": min_confidence,
              "per_page": per_page if per_page != 20 else None}
    if wants_json(request):
        return JSONResponse({"query": params, "paging": paging.to_dict("/quotes.json", params),
                             "items": [_hit_json(h, badges[h.quote_id],
                                                 rows.get(h.quote_id)) for h in hits]})
    return web.page("search.html", request=request, hits=hits, badges=badges, rows=rows,
                    params=params, paging=paging, kinds=KINDS, facets=_facets(web),
                    browsing=browsing,
                    title="Search quotes" if not q else f"“{q}”: search")


def warm(web: Web) -> None:
    """Compute the search facets in the background, so the first visitor does not wait."""
    threading.Thread(target=_facets, args=(web,), daemon=True).start()


def _facets(web: Web) -> dict[str, Any]:
    """Outlets, top speakers and counts for the search form (cached; best effort)."""
    def make() -> dict[str, Any]:
        return {"outlets": _try(web, queries.outlets, []),
                "speakers": _try(web, lambda s: [i.name for i in s.top_speakers(50)], []),
                "stats": _try(web, lambda s: s.stats(), None)}
    facets: dict[str, Any] = web.cached("facets", make)
    return facets


def _try(web: Web, read: Callable[[Store], Any], fallback: Any) -> Any:
    """``read(store)``, or ``fallback`` when it is too slow or fails: facets never break search."""
    try:
        with web.reading(FACET_SECONDS) as store:
            return read(store)
    except (queries.QueryTimeout, StoreError):
        return fallback


CSV_COLUMNS = ("quote_id", "when", "speaker", "speaker_id", "outlet", "published", "kind",
               "text", "url", "title", "cluster", "rendering", "altered_elsewhere")


def _csv(hits: list[QuoteHit], badges: dict[int, int]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for h in hits:
        writer.writerow([_cell(v) for v in (
            h.quote_id, h.when, h.speaker_name or h.speaker, h.speaker_id, h.outlet, h.published,
            h.kind, h.text, h.url, h.title, h.cluster, h.rendering, badges[h.quote_id])])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="quotes.csv"'})


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula (article text is hostile)."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else value
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


# ---------------------------------------------------------------- one quote
@twin("/quotes/{quote_id:int}", summary="One quote")
def quote_page(request: Request, quote_id: Id) -> Response:
    """A quote in its paragraph, with its article, cue, speaker, date and other renderings."""
    web = web_of(request)
    with web.reading() as store:
        found = queries.quote_detail(store, quote_id)
        if found is None:
            raise HTTPException(404, f"no quote {quote_id}; search at /quotes")
        view = store.cluster(found.hit.cluster) if found.hit.cluster is not None else None
        others = [r for r in view.renderings if r.quote_id != quote_id] if view else []
        rows = queries.article_rows(store, [r.quote_id for r in others])
    hit = found.hit
    before, text, after = paragraph(found.article_text, hit.start, hit.end)
    if wants_json(request):
        return JSONResponse({
            "quote": hit.to_dict(), "article_row": found.article_row,
            "paragraph": {"before": before, "quote": text, "after": after},
            "cluster": view.to_dict() if view else None})
    return web.page("quote.html", request=request, hit=hit, found=found, before=before,
                    text=text, after=after, view=view, others=others, rows=rows,
                    diff_runs=diff_runs, title=f"Quote {quote_id}")


# ---------------------------------------------------------------- speaker
@twin("/speakers/{speaker_id:int}", summary="One speaker")
def speaker_page(request: Request, speaker_id: Id, q: Text = "",
                 date_from: Annotated[Day, Query(alias="from")] = "", to: Day = "",
                 page: PageNo = 1, per_page: PerPage = 20) -> Response:
    """Aliases, titles, a timeline chart and the speaker's quotes (searchable within)."""
    web = web_of(request)
    start, end = _day(date_from, "from"), _day(to, "to")
    paging = _paging(page, per_page, 0)
    with web.reading() as store:
        info = store.speaker(speaker_id)
        if info is None:
            raise HTTPException(404, f"no speaker {speaker_id}; search at /quotes")
        days = queries.speaker_histogram(store, speaker_id)
        if q.strip():
            req = SearchRequest(q, Filters(info.name, start, end), per_page + 1, paging.offset)
            hits = [h for h in store.run_search(req) if h.speaker_id == speaker_id]
        else:
            hits = queries.speaker_quotes(store, speaker_id, date_from=start, date_to=end,
                                          limit=per_page + 1, offset=paging.offset)
        paging = _paging(page, per_page, len(hits))
        hits = hits[:per_page]
        badges = _badges(store, hits)
        rows = queries.article_rows(store, [h.quote_id for h in hits])
    params = {"q": q, "from": date_from, "to": to,
              "per_page": per_page if per_page != 20 else None}
    base = f"/speakers/{speaker_id}"
    if wants_json(request):
        return JSONResponse({
            "speaker": info.to_dict(), "timeline": [[d.isoformat(), n] for d, n in days],
            "query": params, "paging": paging.to_dict(base + ".json", params),
            "items": [_hit_json(h, badges[h.quote_id], rows.get(h.quote_id)) for h in hits]})
    return web.page("speaker.html", request=request, info=info, chart=timeline_chart(days),
                    hits=hits, badges=badges, rows=rows, params=params, paging=paging,
                    base=base, title=info.name)


# ---------------------------------------------------------------- cluster
@twin("/clusters/{cluster_id:int}", summary="One quote cluster")
def cluster_page(request: Request, cluster_id: Id) -> Response:
    """Every rendering side by side with a word diff against the reference."""
    web = web_of(request)
    with web.reading() as store:
        view = store.cluster(cluster_id)
        if view is None:
            raise HTTPException(404, f"no cluster {cluster_id}; search at /quotes")
        rows = queries.article_rows(store, [r.quote_id for r in view.renderings])
    first = first_report(view)
    if wants_json(request):
        data = view.to_dict()
        data["first_quote_id"] = first
        return JSONResponse(data)
    return web.page("cluster.html", request=request, view=view, rows=rows, first=first,
                    diff_runs=diff_runs, title=f"Cluster {cluster_id}")


def first_report(view: ClusterView) -> int | None:
    """The quote id of the earliest rendering from the outlet that reported it first."""
    dated = [r for r in view.renderings if r.published is not None]
    same = [r for r in dated if r.outlet == view.first_outlet] or dated
    if not same:
        return None
    return min(same, key=lambda r: (r.published or dt.date.max, r.quote_id)).quote_id


# ---------------------------------------------------------------- article
@twin("/articles/{article_id:int}", summary="One article with its quotes")
def article_page(request: Request, article_id: Id) -> Response:
    """The article's text with each quote highlighted and coloured by speaker."""
    web = web_of(request)
    with web.reading() as store:
        art = queries.article_detail(store, article_id)
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
        colour = colours.get(f"id:{q.speaker_id}" if q.speaker_id is not None
                             else "name:" + (q.speaker or "").casefold(), 0)
        name = q.speaker_name or q.speaker or "unattributed"
        seen.setdefault(colour, (colour, name, q.speaker_id))
    return list(seen.values())
