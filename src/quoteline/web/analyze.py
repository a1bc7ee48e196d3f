"""Analyze pasted text or a URL at once, and (only with --allow-writes and a token) store it."""

from __future__ import annotations

import hmac
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from quoteline import settings
from quoteline.corpus.export import csv_text
from quoteline.models import Article, Extraction, Quote, Skip, parse_date
from quoteline.store import QuoteHit, open_store
from quoteline.web.context import Web, error_response, web_of
from quoteline.web.render import safe_url, segments, speaker_colours
from quoteline.web.sandbox import AnalysisPool, Busy, TooCostly

router = APIRouter()
MAX_TEXT = 200_000
RETRY_AFTER = "10"  # seconds a client is asked to wait when every analysis slot is busy
BUSY = {"description": "every analysis slot is busy (Retry-After says when to retry), or the "
                       "analysis used up its CPU time"}
_POOLS: weakref.WeakKeyDictionary[Web, AnalysisPool] = weakref.WeakKeyDictionary()
_POOLS_LOCK = threading.Lock()


class AnalyzeIn(BaseModel):
    """What to analyze: pasted text, or a URL to fetch; and optionally store it."""

    text: str = Field(default="", max_length=MAX_TEXT)
    url: str = Field(default="", max_length=2000)
    published: str = Field(default="", max_length=32)
    title: str = Field(default="", max_length=500)
    outlet: str = Field(default="", max_length=200)
    store: bool = False


class ArticleIn(BaseModel):
    """One article to ingest through the API."""

    text: str = Field(..., min_length=1, max_length=MAX_TEXT)
    id: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=500)
    outlet: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    published: str | None = Field(default=None, max_length=32)


class IngestIn(BaseModel):
    """A batch of articles to ingest."""

    articles: list[ArticleIn] = Field(..., min_length=1, max_length=100)


# ---------------------------------------------------------------- analysis
def _article(form: AnalyzeIn, web: Web) -> Article:
    """The article to analyze: the pasted text, else the page at the URL."""
    try:
        published = parse_date(form.published.strip() or None)
    except ValueError as exc:
        raise HTTPException(400, f"published: {exc}") from None
    if form.text.strip():
        return Article(text=form.text.replace("\x00", ""), title=form.title or None,
                       outlet=form.outlet or None, published=published, source="analyze")
    if form.url.strip():
        fetched = _fetch(form.url.strip(), web.settings.allow_private_fetch)
        if published:
            fetched = Article(**{**_fields(fetched), "published": published})
        return fetched
    raise HTTPException(400, "paste some text or give a URL")


def _fields(a: Article) -> dict[str, Any]:
    return {k: getattr(a, k) for k in ("text", "id", "url", "title", "published", "outlet",
                                       "author", "source")}


def _fetch(url: str, allow_private: bool) -> Article:
    """The article at ``url`` (the first item of a feed), through the one reader.

    The reader's fetch checks every address it connects to, redirects included, and refuses
    private and local ones unless the server allows them; one deadline covers the fetch.
    """
    from quoteline.ingest import FetchOptions, SourceOptions, read

    if safe_url(url) is None:
        raise HTTPException(400, "url: only http:// and https:// URLs can be fetched")
    fetch = FetchOptions(timeout=settings.get_float("web_fetch_timeout"),
                         max_bytes=settings.get_int("web_fetch_max_bytes"),
                         max_feed_items=1, allow_private=allow_private)
    items = read([url], SourceOptions(fetch=fetch))
    try:
        for item in items:
            if isinstance(item, Skip):
                detail = f" ({item.detail})" if item.detail else ""
                raise HTTPException(400, f"could not use {url}: {item.reason}{detail}")
            return item
    finally:
        close = getattr(items, "close", None)
        if close:
            close()
    raise HTTPException(400, f"nothing found at {url}")


def pool_of(web: Web) -> AnalysisPool:
    """The analysis helpers of ``web`` (made on first use)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(web)
        if pool is None:
            pool = _POOLS[web] = AnalysisPool(web.settings.model)
            weakref.finalize(web, pool.close)
        return pool


def _extract(web: Web, article: Article) -> list[Quote]:
    try:
        return pool_of(web).analyze(article.text, article.published)
    except TooCostly as exc:
        raise HTTPException(503, f"{exc}; analyze a shorter text") from None


def _as_hits(quotes: list[Quote], article: Article) -> list[QuoteHit]:
    """Quotes shaped like stored hits, for the shared highlighting code."""
    return [QuoteHit(quote_id=i, article_id=None, url=article.url, outlet=article.outlet,
                     published=article.published, start=q.start, end=q.end, text=q.text,
                     kind=q.kind, speaker=q.speaker, speaker_id=None, speaker_name=None,
                     speaker_title=q.speaker_title, cue=q.cue.text if q.cue else None,
                     said_on=q.said_on, said_on_basis=q.said_on_basis,
                     confidence=q.confidence, cluster=None, rendering=None)
            for i, q in enumerate(quotes, 1)]


def _authorized(web: Web, token: str | None) -> bool:
    want = web.settings.token
    return bool(web.settings.allow_writes and want and token
                and hmac.compare_digest(token.encode(), want.encode()))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _ingest(web: Web, articles: list[Article],
            quotes: list[Quote] | None = None) -> dict[str, Any]:
    from quoteline.corpus import ingest

    def known(items: Iterable[Article | Skip]) -> Iterator[Extraction | Skip]:
        """The quotes the analysis found, instead of extracting the article again."""
        for item in items:
            yield item if isinstance(item, Skip) else Extraction(item, tuple(quotes or ()))

    with web.write_lock, open_store(web.settings.db_url) as store:
        report = ingest(articles, store, model=web.settings.model,
                        extract=known if quotes is not None else None)
    return {"stored": report.stored, "copies": report.copies, "already": report.already,
            "quotes": report.quotes, "skipped": report.skipped, "summary": report.summary()}


def _analyze(web: Web, form: AnalyzeIn, token: str | None) -> dict[str, Any]:
    if form.store and not _authorized(web, token):
        raise HTTPException(403, "storing needs a server started with --allow-writes "
                                 "and its token")
    article = _article(form, web)
    quotes = _extract(web, article)
    stored = _ingest(web, [article], quotes) if form.store else None
    return {"article": article, "quotes": quotes, "stored": stored}


# ---------------------------------------------------------------- routes
@router.get("/analyze", summary="Analyze form (html)")
def analyze_form(request: Request) -> Response:
    """The form: paste text or a URL."""
    return web_of(request).page("analyze.html", request=request, form=AnalyzeIn(),
                                result=None, title="Analyze")


def _busy(request: Request) -> Response:
    response = error_response(request, 503, "every analysis slot is busy; retry in a few "
                                            "seconds")
    response.headers["Retry-After"] = RETRY_AFTER
    return response


@router.post("/analyze", summary="Analyze pasted text or a URL (html form)",
             include_in_schema=False)
async def analyze_page(request: Request) -> Response:
    """Run the extraction on the posted form and show it."""
    web = web_of(request)
    try:
        fields = {k: v[0] for k, v in parse_qs(
            (await request.body()).decode("utf-8", "replace"), max_num_fields=20).items()}
        form = AnalyzeIn(text=fields.get("text", ""), url=fields.get("url", ""),
                         published=fields.get("published", ""), store=bool(fields.get("store")))
    except ValueError as exc:
        raise HTTPException(400, f"bad form: {str(exc)[:200]}") from None
    download = fields.get("download", "")
    if download not in DOWNLOADS:
        raise HTTPException(400, "download: csv or json (or leave it out for the page)")
    try:
        result = await run_in_threadpool(_analyze, web, form, fields.get("token"))
    except Busy:
        return _busy(request)
    if download:
        return _download(result, download)
    hits = _as_hits(result["quotes"], result["article"])
    colours = speaker_colours(hits)
    return web.page("analyze.html", request=request, form=form, result=result, hits=hits,
                    segments=segments(result["article"].text, hits, colours),
                    title="Analyze: results")


@router.post("/analyze.json", summary="Analyze pasted text or a URL (json)",
             responses={503: BUSY})
async def analyze_json(request: Request, body: AnalyzeIn) -> Response:
    """The extraction as JSON; with ``store`` and a bearer token, also ingest it."""
    web = web_of(request)
    try:
        result = await run_in_threadpool(_analyze, web, body, _bearer(request))
    except Busy:
        return _busy(request)
    return JSONResponse(_result_json(result))


def _result_json(result: dict[str, Any]) -> dict[str, Any]:
    article: Article = result["article"]
    return {"article": {**article.to_dict(), "text": None},
            "quotes": [q.to_dict() for q in result["quotes"]], "stored": result["stored"]}


# ---------------------------------------------------------------- downloads
DOWNLOADS = ("", "csv", "json")
# One row a quote: where it is, what was said, by whom and when (the cue as its words).
ANALYZE_COLUMNS = ["n", "start", "end", "text", "kind", "speaker", "speaker_title", "cue",
                   "said_on", "said_on_basis", "confidence", "extractor", "model"]


def _download(result: dict[str, Any], kind: str) -> Response:
    """The analysis as a file: CSV (formula-guarded, like every CSV quoteline writes) or JSON."""
    name = f'attachment; filename="analysis.{kind}"'
    if kind == "json":
        return JSONResponse(_result_json(result), headers={"Content-Disposition": name})
    rows = ({**q.to_dict(), "n": i, "cue": q.cue.text if q.cue else None}
            for i, q in enumerate(result["quotes"], 1))
    return Response(csv_text(rows, ANALYZE_COLUMNS), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": name})


@router.post("/api/articles", summary="Ingest articles (needs --allow-writes and a token)")
async def api_ingest(request: Request, body: IngestIn) -> Response:
    """Ingest a batch of articles into the store."""
    web = web_of(request)
    if not web.settings.allow_writes:
        raise HTTPException(403, "this server is read-only; start it with --allow-writes")
    if not _authorized(web, _bearer(request)):
        raise HTTPException(401, "send Authorization: Bearer <token>")
    try:
        articles = [Article(text=a.text.replace("\x00", ""), id=a.id, url=a.url, title=a.title,
                            outlet=a.outlet, author=a.author, published=parse_date(a.published),
                            source=a.id or a.url or "api") for a in body.articles]
    except ValueError as exc:
        raise HTTPException(400, f"published: {exc}") from None
    return JSONResponse(await run_in_threadpool(_ingest, web, articles))
