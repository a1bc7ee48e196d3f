"""Fetching articles and feeds over HTTP: timeouts, a user agent, size limits, redirects."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from quoteline import __version__
from quoteline.ingest.html import html_to_article
from quoteline.models import Article, Skip

USER_AGENT = f"quoteline/{__version__} (+https://github.com/quoteline/quoteline)"
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml")


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Limits for network fetches."""

    timeout: float = 15.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    max_feed_items: int = 500
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched response body with its final URL and content type."""

    url: str
    content_type: str
    body: bytes


class FetchError(Exception):
    """A fetch that failed; ``reason`` is the short skip reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def fetch(url: str, opts: FetchOptions) -> Page:
    """GET ``url`` (following redirects), refusing bodies over ``opts.max_bytes``."""
    import httpx

    try:
        with httpx.Client(follow_redirects=True, max_redirects=opts.max_redirects,
                          timeout=opts.timeout, headers={"User-Agent": opts.user_agent}
                          ) as client, client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code}", resp.reason_phrase)
            declared = int(resp.headers.get("content-length") or 0)
            if declared > opts.max_bytes:
                raise FetchError("too large", f"{declared} bytes > {opts.max_bytes}")
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > opts.max_bytes:
                    raise FetchError("too large", f"over {opts.max_bytes} bytes")
            ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            return Page(str(resp.url), ctype, bytes(body))
    except httpx.TooManyRedirects as exc:
        raise FetchError("too many redirects", str(exc)) from None
    except httpx.TimeoutException as exc:
        raise FetchError("fetch timed out", type(exc).__name__) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"fetch failed: {type(exc).__name__}", str(exc)[:300]) from None


def read_url(url: str, opts: FetchOptions | None = None) -> Iterator[Article | Skip]:
    """The article at ``url``, or every item of the feed at ``url``."""
    opts = opts or FetchOptions()
    try:
        page = fetch(url, opts)
    except FetchError as exc:
        yield Skip(source=url, reason=exc.reason, article_id=url, detail=exc.detail or None)
        return
    links = feed_links(page)
    if links is None:
        yield page_to_article(page, url)
        return
    for link in links[: opts.max_feed_items]:
        yield from read_url_page(link, opts)


def read_url_page(url: str, opts: FetchOptions) -> Iterator[Article | Skip]:
    """One page (not a feed) at ``url``."""
    try:
        yield page_to_article(fetch(url, opts), url)
    except FetchError as exc:
        yield Skip(source=url, reason=exc.reason, article_id=url, detail=exc.detail or None)


def page_to_article(page: Page, requested: str) -> Article | Skip:
    """An Article from a fetched HTML or plain-text page."""
    if page.content_type == "text/plain":
        try:
            text = page.body.decode("utf-8")
        except UnicodeDecodeError:
            return Skip(source=requested, reason="not valid UTF-8", article_id=requested)
        return Article(text=text, id=requested, url=page.url, source=requested)
    if page.content_type and "html" not in page.content_type:
        return Skip(source=requested, reason=f"not an HTML page ({page.content_type})",
                    article_id=requested)
    return html_to_article(page.body, source=requested, url=page.url, article_id=requested)


def feed_links(page: Page) -> list[str] | None:
    """Item links of an RSS/Atom feed, or None when the page is not a feed."""
    head = page.body[:512].lstrip()
    if page.content_type not in FEED_TYPES and not head.startswith(b"<?xml"):
        return None
    try:
        root = ET.fromstring(page.body)
    except ET.ParseError:
        return None
    tag = root.tag.rsplit("}", 1)[-1].lower()
    if tag not in ("rss", "feed", "rdf"):
        return None
    links: list[str] = []
    for el in root.iter():
        name = el.tag.rsplit("}", 1)[-1].lower()
        if name == "item" or name == "entry":
            link = _item_link(el)
            if link:
                links.append(link)
    return links


def _item_link(item: ET.Element) -> str | None:
    for child in item:
        if child.tag.rsplit("}", 1)[-1].lower() != "link":
            continue
        href = child.get("href") or (child.text or "").strip()
        if href.startswith(("http://", "https://")) and child.get("rel", "alternate") == "alternate":
            return href
    return None
