"""HTML pages to Articles with trafilatura: main text, title, author, date and outlet."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from quoteline.ingest.options import SourceOptions
from quoteline.models import Article, Skip, parse_date


def html_to_article(html: str | bytes, *, source: str, url: str | None = None,
                    article_id: str | None = None,
                    options: SourceOptions | None = None) -> Article | Skip:
    """The article in an HTML page, or a Skip saying why there is none."""
    import trafilatura

    opts = options or SourceOptions()
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                          include_comments=False, include_tables=False)
    except Exception as exc:  # trafilatura/lxml raise many types on hostile markup
        return Skip(source=source, reason="HTML could not be parsed", article_id=article_id,
                    detail=f"{type(exc).__name__}: {exc}"[:300])
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text) < opts.min_text_chars:
        return Skip(source=source, reason="no article text found in HTML", article_id=article_id)
    return Article(
        text=text, id=article_id or url, url=url or getattr(doc, "url", None),
        title=getattr(doc, "title", None),
        published=_date(getattr(doc, "date", None)) or opts.published,
        outlet=getattr(doc, "sitename", None) or _host(url or getattr(doc, "hostname", None)),
        author=getattr(doc, "author", None), source=source,
    )


def _date(value: object) -> dt.date | None:
    try:
        return parse_date(value if isinstance(value, str) else None)
    except ValueError:
        return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlparse(url).hostname if "://" in url else url
    except ValueError:  # a malformed URL ("http://[") names no host
        return None
    return host.removeprefix("www.") if host else None
