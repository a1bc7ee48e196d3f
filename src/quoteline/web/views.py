"""Read-only pages of quotes; each handler serves an HTML page and its .json twin (search also
.csv): search, one quote, one speaker, one cluster, one article.

Handlers only parse parameters and format what ``Store`` methods return: every query and
rule lives in the library, so the CLI and Python callers see the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from quoteline.corpus.export import SEARCH_COLUMNS, csv_text, search_row
from quoteline.models import KINDS, ActChoice
from quoteline.search import Filters, SearchRequest, request_problem
from quoteline.store import QuoteHit, SearchResult, Store
from quoteline.store.statements import SpeakerIndex
from quoteline.store.types import ClusterView, Statement, StatementResult
from quoteline.web import params as p
from quoteline.web.charts import spread_chart, timeline_chart
from quoteline.web.context import Web, facets, wants_json, web_of
from quoteline.web.render import (
    Paging,
    paragraph,
    rendering_key,
    rendering_label,
    segments,
    speaker_colours,
    speaker_key,
)
from quoteline.web.wording import differs, exact_diff

router = APIRouter()
CSV_ROWS = 1000
From = Annotated[p.Day, Query(alias="from")]


def _hit_json(hit: QuoteHit, altered_elsewhere: int | None = None) -> dict[str, Any]:
    extra = {} if altered_elsewhere is None else {"altered_elsewhere": altered_elsewhere}
    return {**hit.to_dict(), **extra,
            "links": {"html": f"/quotes/{hit.quote_id}", "json": f"/quotes/{hit.quote_id}.json"}}


def _statement_json(st: Statement) -> dict[str, Any]:
    body = st.to_dict()
    body["quote"] = _hit_json(st.lead)
    if st.cluster_id is not None:
        body["links"] = {"html": f"/clusters/{st.cluster_id}",
                         "json": f"/clusters/{st.cluster_id}.json"}
    return body


def _listing(base: str, params: dict[str, Any], paging: Paging, problem: str | None,
             items: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON of a list: query, paging (with the number of matches), problem, items."""
    return {"query": params, "paging": paging.to_dict(base, params), "problem": problem,
            "items": items}


# ---------------------------------------------------------------- search
@p.twin(router, "/quotes", ".csv", summary="Search quotes")
def search_quotes(request: Request, q: p.Text = "", speaker: p.Short = "", outlet: p.Short = "",
                  date_from: From = "", to: p.Day = "", kind: p.Kind = "",
                  min_confidence: p.Fraction = "", group: p.Group = "", page: p.PageNo = 1,
                  per_page: p.PerPage = 20, acts: p.Acts = "speech") -> Response:
    """Full-text search with facets (speaker, outlet, date range, kind, confidence), paginated;
    ``group=statement`` lists each statement once with its renderings folded under it (the CSV
    twin holds the first 1,000 quotes and ignores paging and grouping); statements only unless
    ``acts=all``."""
    web = web_of(request)
    filters = Filters(speaker.strip() or None, p.day(date_from, "from"), p.day(to, "to"),
                      outlet.strip() or None, p.kind(kind),
                      min_confidence=p.fraction(min_confidence, "min_confidence"),
                      acts=p.acts(acts))
    grouped = p.one_of(group, p.GROUPS, "group", "quote") == "statement"
    as_csv = request.url.path.endswith(".csv")
    size, page = (CSV_ROWS, 1) if as_csv else (per_page, page)
    browsing = not q.strip() and filters == Filters(acts=filters.acts)
    params = {"q": q, "speaker": speaker, "outlet": outlet, "from": date_from, "to": to,
              "kind": kind, "min_confidence": min_confidence, "group": group,
              "per_page": per_page if per_page != 20 else None,
              "acts": acts if acts != "speech" else None}
    req = SearchRequest(q, filters, size + 1, (page - 1) * size)
    if grouped and not as_csv:
        return _search_statements(request, web, req, params, browsing, page, size)
    with web.reading() as store:
        result = (_browse(web, store, size, page, filters.acts) if browsing
                  else store.search_page(req))
        hits = result.hits[:size]
        badges = store.altered_elsewhere(hits)
    if as_csv:
        return _csv(hits, badges)
    paging = p.paging(page, size, len(result.hits), result.total, result.exact)
    if wants_json(request):
        return JSONResponse(_listing("/quotes.json", params, paging, result.problem,
                                     [_hit_json(h, badges[h.quote_id]) for h in hits]))
    return web.page("search.html", request=request, hits=hits, badges=badges, params=params,
                    paging=paging, result=result, kinds=KINDS, facets=facets(web),
                    browsing=browsing, statements=None,
                    title="Search quotes" if not q else f"“{q}”: search")


def _search_statements(request: Request, web: Web, req: SearchRequest, params: dict[str, Any],
                       browsing: bool, page: int, size: int) -> Response:
    with web.reading() as store:
        result = store.search_statements(req)
    found = result.statements[:size]
    paging = p.paging(page, size, len(result.statements), result.total, result.exact)
    if wants_json(request):
        return JSONResponse(_listing("/quotes.json", params, paging, result.problem,
                                     [_statement_json(s) for s in found]))
    return web.page("search.html", request=request, hits=(), badges={}, params=params,
                    paging=paging, result=result, kinds=KINDS, facets=facets(web),
                    browsing=browsing, statements=found,
                    title="Search statements" if not req.text else f"“{req.text}”: search")


def _browse(web: Web, store: Store, size: int, page: int, acts: ActChoice) -> SearchResult:
    """The latest quotes (nothing asked yet), counted from the cached store totals."""
    hits = store.latest_quotes(size + 1, (page - 1) * size, acts)
    stats = facets(web)["stats"]
    if stats is None:  # the counts were too slow: say only what the page shows
        return SearchResult(tuple(hits), (page - 1) * size + len(hits), exact=False)
    return SearchResult(tuple(hits), int(stats.quotes))


def _csv(hits: Iterable[QuoteHit], badges: dict[int, int]) -> Response:
    rows = (search_row(h, badges[h.quote_id]) for h in hits)
    return Response(csv_text(rows, SEARCH_COLUMNS), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="quotes.csv"'})


# ---------------------------------------------------------------- one quote
@p.twin(router, "/quotes/{quote_id:int}", summary="One quote")
def quote_page(request: Request, quote_id: p.Id) -> Response:
    """A quote in its paragraph, with its article, cue, speaker, date and other renderings."""
    web = web_of(request)
    with web.reading() as store:
        found = store.quote(quote_id)
        if found is None:
            raise HTTPException(404, f"no quote {quote_id}; search at /quotes")
        view = store.cluster(found.hit.cluster) if found.hit.cluster is not None else None
    others = [r for r in view.renderings if r.quote_id != quote_id] if view else []
    ref = next((r for r in view.renderings if r.rendering == "reference"), None) if view else None
    wording = {rendering_key(r): _wording(ref, r) for r in others}
    mine = next((r for r in view.renderings if r.quote_id == quote_id
                 and r.rendering == "altered"), None) if view else None
    own = _wording(ref, mine) if mine is not None else None  # this quote's altered unit
    hit = found.hit
    before, text, after = paragraph(found.article_text, hit.start, hit.end)
    if wants_json(request):
        return JSONResponse({
            "quote": hit.to_dict(), "article_row": found.article_row,
            "paragraph": {"before": before, "quote": text, "after": after},
            "cluster": view.to_dict() if view else None})
    return web.page("quote.html", request=request, hit=hit, found=found, before=before,
                    text=text, after=after, view=view, others=others, wording_of=wording, own=own,
                    key=rendering_key, title=f"Quote {quote_id}")


# ---------------------------------------------------------------- speaker
@p.twin(router, "/speakers/{speaker_id:int}", summary="One speaker")
def speaker_page(request: Request, speaker_id: p.Id, q: p.Text = "", date_from: From = "",
                 to: p.Day = "", group: p.Group = "", page: p.PageNo = 1,
                 per_page: p.PerPage = 20, acts: p.Acts = "speech") -> Response:
    """Other names, titles, a timeline of statements and the speaker's statements, each
    with the renderings that reported it (``group=quote``: every quote instead, statements
    only unless ``acts=all``); searchable within."""
    web = web_of(request)
    filters = Filters(date_from=p.day(date_from, "from"), date_to=p.day(to, "to"),
                      speaker_id=speaker_id, acts=p.acts(acts))
    by_quote = p.one_of(group, p.GROUPS, "group", "statement") == "quote"
    req = SearchRequest(q, filters, per_page + 1, (page - 1) * per_page)
    with web.reading() as store:
        info = store.speaker(speaker_id, counts=by_quote or bool(q.strip()))
        if info is None:
            raise HTTPException(404, f"no speaker {speaker_id}; search at /quotes")
        index, chart = (None, None) if by_quote else web.speaker_index(store, speaker_id,
                                                                          filters.acts)
        shown = (_by_statement(store, req, per_page, index) if index is not None
                 else _by_quote(store, req, per_page))
    if shown.counts is not None:  # counted on the way (one pass over the speaker's index)
        info = replace(info, quotes=shown.counts[0], statements=shown.counts[1])
    params = {"q": q, "from": date_from, "to": to, "group": group,
              "per_page": per_page if per_page != 20 else None,
              "acts": acts if acts != "speech" else None}
    base = f"/speakers/{speaker_id}"
    paging = p.paging(page, per_page, shown.rows, shown.total, shown.exact)
    if wants_json(request):
        items = ([_hit_json(h, shown.badges[h.quote_id]) for h in shown.hits] if by_quote
                 else [_statement_json(s) for s in shown.statements])
        return JSONResponse({"speaker": info.to_dict(), "timeline_counts": shown.noun + "s",
                             "timeline": [[d.isoformat(), n] for d, n in shown.days],
                             **_listing(base + ".json", params, paging, shown.problem, items)})
    return web.page("speaker.html", request=request, info=info, shown=shown,
                    chart=chart if index is not None else timeline_chart(shown.days,
                                                                         noun=shown.noun),
                    params=params,
                    paging=paging, base=base, title=info.name)


@dataclass(frozen=True, slots=True)
class _Shown:
    """What a speaker page lists: quotes or statements, and the timeline."""

    noun: str  # "quote" or "statement"
    days: list[tuple[dt.date, int]]
    hits: tuple[QuoteHit, ...]
    statements: tuple[Statement, ...]
    badges: dict[int, int]
    rows: int  # rows read (one more than a page when there is a next)
    total: int
    exact: bool
    problem: str | None
    describe: str
    counts: tuple[int, int] | None = None  # the speaker's (quotes, statements), when read


def _by_quote(store: Store, req: SearchRequest, size: int) -> _Shown:
    assert req.filters.speaker_id is not None
    result = _speaker_quotes(store, req)
    hits = result.hits[:size]
    badges = store.altered_elsewhere(hits)
    return _Shown("quote", store.speaker_histogram(req.filters.speaker_id), hits, (), badges,
                  len(result.hits), result.total, result.exact, result.problem,
                  result.describe())


def _by_statement(store: Store, req: SearchRequest, size: int, index: SpeakerIndex) -> _Shown:
    result = _speaker_statements(store, req, index)
    found = result.statements[:size]
    days = list(index.days)  # the timeline of every statement, whatever the list shows
    return _Shown("statement", days, (), found,
                  {}, len(result.statements), result.total, result.exact, result.problem,
                  result.describe(), result.counts)


def _speaker_quotes(store: Store, req: SearchRequest) -> SearchResult:
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


def _speaker_statements(store: Store, req: SearchRequest,
                        index: SpeakerIndex) -> StatementResult:
    """A speaker's statements: searched when there are words, else the latest first said."""
    if req.text.strip():
        return store.search_statements(req)
    f = req.filters
    assert f.speaker_id is not None
    return store.speaker_statements(f.speaker_id, date_from=f.date_from, date_to=f.date_to,
                                    limit=req.limit, offset=req.offset, acts=f.acts,
                                    index=index)


# ---------------------------------------------------------------- cluster
@p.twin(router, "/clusters/{cluster_id:int}", summary="One quote cluster")
def cluster_page(request: Request, cluster_id: p.Id) -> Response:
    """How a quote spread: a timeline of its renderings by date and outlet, and each outlet's
    text exactly as published with the word diff against the reference drawn over it."""
    web = web_of(request)
    with web.reading() as store:
        view = store.cluster(cluster_id)
    if view is None:
        raise HTTPException(404, f"no cluster {cluster_id}; search at /quotes")
    if wants_json(request):
        return JSONResponse(view.to_dict())
    ref = next((r for r in view.renderings if r.rendering == "reference"),
               view.renderings[0] if view.renderings else None)
    first = _first_report(view)
    wording = {rendering_key(r): _wording(ref, r) for r in view.renderings}
    table = sorted(view.renderings, key=lambda r: (r.published or dt.date.max, rendering_key(r)))
    return web.page("cluster.html", request=request, view=view, first=first, ref=ref,
                    wording_of=wording, label=rendering_label, key=rendering_key, table=table,
                    chart=spread_chart(view.renderings, first, rendering_label),
                    outlets=len({r.outlet for r in view.renderings}),
                    title=f"Cluster {cluster_id}")


def _first_report(view: ClusterView) -> int | None:
    """The key of the first report: the rendering in the cluster's first article (as linking
    found it), else the earliest from the first outlet."""
    firsts = [r for r in view.renderings if view.first_article is not None
              and r.article_id == view.first_article]
    if firsts:
        return rendering_key(min(firsts, key=rendering_key))
    qid = view.first_quote_id
    return next((rendering_key(r) for r in view.renderings if r.quote_id == qid), None)


def _wording(ref: QuoteHit | None, hit: QuoteHit) -> list[tuple[str, str]]:
    """A rendering's text as published, with the diff drawn over it where words differ
    (altered renderings only: an excerpt or a paraphrase differs by design)."""
    if ref is None or rendering_key(hit) == rendering_key(ref) or hit.rendering != "altered":
        return [("text", hit.text)]
    runs = exact_diff(ref.text, hit.text, mixed=hit.kind == "mixed")
    return runs if differs(runs) else [("text", hit.text)]


# ---------------------------------------------------------------- article
@p.twin(router, "/articles/{article_id:int}", summary="One article with its quotes")
def article_page(request: Request, article_id: p.Id) -> Response:
    """The article's text with each quote highlighted and coloured by speaker, cue words
    marked, and the list of its quotes (kind, speaker, dates, cluster) beside it."""
    web = web_of(request)
    with web.reading() as store:
        art = store.article(article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}; search at /quotes")
    if wants_json(request):
        return JSONResponse(art.to_dict())
    colours = speaker_colours(art.quotes)
    legend = _legend(art.quotes, colours)
    return web.page("article.html", request=request, art=art, colours=colours,
                    segments=segments(art.text, art.quotes, colours, art.cues), legend=legend,
                    speaker_key=speaker_key, title=art.title or f"Article {article_id}")


def _legend(quotes: Iterable[QuoteHit], colours: dict[str, int]) -> list[tuple[int, str, int | None]]:
    seen: dict[int, tuple[int, str, int | None]] = {}
    for q in quotes:
        colour = colours.get(speaker_key(q), 0)
        name = q.speaker_name or q.speaker or "unattributed"
        seen.setdefault(colour, (colour, name, q.speaker_id))
    return list(seen.values())
