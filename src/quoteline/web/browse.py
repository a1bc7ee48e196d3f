"""The front page (an overview of the store) and the browse pages: speakers, clusters,
articles and outlets; each an HTML page with its .json twin.

Lists read one page through a Store method (index order, LIMIT) or slice a cached table
(the speaker ranking and the outlet table, refreshed in the background), so a page costs the
same at any store size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from quoteline.store.browse import CLUSTER_SORTS
from quoteline.store.types import SpeakerRank
from quoteline.store.units import FLAGS
from quoteline.web import params as p
from quoteline.web.context import (
    Ranking,
    Web,
    facets,
    outlet_table,
    overview,
    speaker_ranking,
    wants_json,
    web_of,
)
from quoteline.web.render import Paging

router = APIRouter()
SHOWS = ("people", "others")
SPEAKER_SORTS = ("quotes", "name")
Flag = Annotated[str, p.choice(FLAGS, "only clusters with this flag")]
ClusterSort = Annotated[str, p.choice(CLUSTER_SORTS, "size: most renderings first; date: newest first")]
Show = Annotated[str, p.choice(SHOWS, "people: named people; others: organisations, groups and other names")]
SpeakerSort = Annotated[str, p.choice(SPEAKER_SORTS, "quotes: most quoted first; name: alphabetical")]
R = TypeVar("R")


def _page_of(rows: Sequence[R], page: int, per_page: int) -> tuple[list[R], Paging]:
    """One page of an in-memory list, and its paging (the total is exact)."""
    start = (page - 1) * per_page
    return list(rows[start:start + per_page]), Paging(page, per_page,
                                                      len(rows) > start + per_page, len(rows))


def _json(base: str, params: dict[str, Any], paging: Paging,
          items: list[dict[str, Any]], **more: Any) -> Response:
    return JSONResponse({"query": params, "paging": paging.to_dict(base, params), **more,
                         "items": items})


# ---------------------------------------------------------------- overview
@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """The front page: the overview."""
    response: Response = overview_page(request)
    return response


@p.twin(router, "/overview", summary="What the store holds")
def overview_page(request: Request) -> Response:
    """Counts, the most quoted people, the statements reported most widely, and the latest
    renderings flagged altered or misattributed (refreshed every few minutes)."""
    web = web_of(request)
    view = overview(web)
    if wants_json(request):
        return JSONResponse(view.to_dict() if view else {"problem": "the store is busy"})
    ranking = speaker_ranking(web)
    people = [ranking.by_id.get(s.speaker_id) for s in view.top_speakers] if view else []
    return web.page("overview.html", request=request, view=view, people=people,
                    titles=web.titles(view.top_speakers if view else ()),
                    outlets=len(outlet_table(web)),
                    title="Overview")


# ---------------------------------------------------------------- speakers
@p.twin(router, "/speakers", summary="Speakers")
def speakers_page(request: Request, q: p.Short = "", show: Show = "", sort: SpeakerSort = "",
                  page: p.PageNo = 1, per_page: p.PerPage = 50) -> Response:
    """Speakers, most quoted first (or by name), with their quotes and statements; named
    people by default (``show=others``: organisations, groups and other names); ``q`` finds
    names and other names starting with it."""
    web = web_of(request)
    shown = p.one_of(show, SHOWS, "show", "people")
    order = p.one_of(sort, SPEAKER_SORTS, "sort", "quotes")
    ranking = speaker_ranking(web)
    if q.strip():
        rows, paging = _named(web, ranking, q, page, per_page)
    else:
        pool = ranking.people if shown == "people" else ranking.others
        if order == "name":
            pool = tuple(sorted(pool, key=lambda s: (s.name.casefold(), s.speaker_id)))
        rows, paging = _page_of(pool, page, per_page)
    params = {"q": q, "show": show, "sort": sort,
              "per_page": per_page if per_page != 50 else None}
    if wants_json(request):
        return _json("/speakers.json", params, paging, [_speaker_json(s) for s in rows])
    return web.page("speakers.html", request=request, rows=rows, paging=paging, params=params,
                    titles=web.titles(rows),
                    shown=shown, order=order, counts=(len(ranking.people), len(ranking.others)),
                    title="Speakers")


def _named(web: Web, ranking: Ranking, q: str, page: int,
           per_page: int) -> tuple[list[SpeakerRank], Paging]:
    """Speakers whose name or another name starts with ``q``, by name."""
    with web.reading() as store:
        ids = store.speakers_named(q, per_page + 1, (page - 1) * per_page)
        missing = [i for i in ids if i not in ranking.by_id]
        names = store.speaker_names(missing) if missing else {}
    rows = [ranking.by_id.get(i) or SpeakerRank(i, names[i].name, names[i].title, 0, 0, False)
            for i in ids if i in ranking.by_id or i in names]
    return rows[:per_page], Paging(page, per_page, len(rows) > per_page)


def _speaker_json(s: SpeakerRank) -> dict[str, Any]:
    return {**s.to_dict(), "links": {"html": f"/speakers/{s.speaker_id}",
                                     "json": f"/speakers/{s.speaker_id}.json"}}


# ---------------------------------------------------------------- clusters
@p.twin(router, "/clusters", summary="Quote clusters")
def clusters_page(request: Request, flag: Flag = "", sort: ClusterSort = "", page: p.PageNo = 1,
                  per_page: p.PerPage = 20) -> Response:
    """Statements reported more than once, largest or newest first; ``flag`` keeps only those
    with an altered or a misattributed rendering."""
    web = web_of(request)
    chosen = p.one_of(flag, FLAGS, "flag", "") or None
    order = p.one_of(sort, CLUSTER_SORTS, "sort", "size")
    with web.reading() as store:
        found = store.browse_clusters(chosen, order, per_page + 1, (page - 1) * per_page)
    rows = list(found.items[:per_page])
    paging = Paging(page, per_page, len(found.items) > per_page, found.total, found.exact)
    params = {"flag": flag, "sort": sort, "per_page": per_page if per_page != 20 else None}
    if wants_json(request):
        return _json("/clusters.json", params, paging, [
            {**c.to_dict(), "links": {"html": f"/clusters/{c.cluster_id}",
                                      "json": f"/clusters/{c.cluster_id}.json"}} for c in rows])
    return web.page("clusters.html", request=request, rows=rows, paging=paging, params=params,
                    flag=chosen, order=order, title="Clusters")


# ---------------------------------------------------------------- articles
@p.twin(router, "/articles", summary="Articles")
def articles_page(request: Request, outlet: p.Short = "", page: p.PageNo = 1,
                  per_page: p.PerPage = 20) -> Response:
    """Original articles (not syndicated copies), newest first; ``outlet``: one outlet's."""
    web = web_of(request)
    with web.reading() as store:
        found = store.browse_articles(outlet.strip() or None, per_page + 1,
                                      (page - 1) * per_page)
    rows = list(found.items[:per_page])
    total, exact = found.total, found.exact
    stats = facets(web)["stats"]
    if not outlet.strip() and not exact and stats is not None:
        total, exact = int(stats.articles), True  # the cached count of originals
    paging = Paging(page, per_page, len(found.items) > per_page, total, exact)
    params = {"outlet": outlet, "per_page": per_page if per_page != 20 else None}
    if wants_json(request):
        return _json("/articles.json", params, paging, [
            {**a.to_dict(), "links": {"html": f"/articles/{a.row}",
                                      "json": f"/articles/{a.row}.json"}} for a in rows])
    return web.page("articles.html", request=request, rows=rows, paging=paging, params=params,
                    outlets=facets(web)["outlets"], title="Articles")


# ---------------------------------------------------------------- outlets
@p.twin(router, "/outlets", summary="Outlets")
def outlets_page(request: Request, page: p.PageNo = 1, per_page: p.PerPage = 100) -> Response:
    """Outlets, most articles first, with their quotes, first reports and altered renderings
    (refreshed every few minutes)."""
    web = web_of(request)
    rows, paging = _page_of(outlet_table(web), page, per_page)
    params = {"per_page": per_page if per_page != 100 else None}
    if wants_json(request):
        return _json("/outlets.json", params, paging, [o.to_dict() for o in rows])
    return web.page("outlets.html", request=request, rows=rows, paging=paging, params=params,
                    title="Outlets")
