"""Fetching articles and feeds over HTTP: one deadline, pinned addresses, size limits.

Every connection goes through ``_Backend``: it resolves the host once, checks every address
(refusing private and local ones unless allowed), and connects to an address it checked, so a
name that resolves differently a moment later (DNS rebinding) cannot steer the fetch, on the
first request or on any redirect. Each socket operation gets the time left before the fetch's
one deadline, so a server that sends a byte now and then cannot stretch a fetch past it.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from quoteline.ingest.feeds import FeedRefused, feed_links
from quoteline.ingest.html import html_to_article
from quoteline.ingest.options import USER_AGENT, FetchOptions, SourceOptions
from quoteline.models import Article, Skip

__all__ = ["USER_AGENT", "FetchError", "FetchOptions", "Page", "fetch", "read_url"]


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


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order (FetchError if none)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError("fetch failed: no such host", f"{host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """True for a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class _Clock:
    """One fetch's deadline: each socket operation gets at most the time left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self, timeout: float | None, error: type[Exception] = httpcore.ReadTimeout) -> float:
        """The seconds an operation may take: ``timeout`` cut to the time left; ``error`` if none."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error(f"no complete answer within {self.seconds:g} s")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A socket stream whose reads and writes end at the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock) -> None:
        self.inner, self.clock = inner, clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.clock.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.clock.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        left = self.clock.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, left), self.clock)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """Connects only to addresses it resolved and checked itself (see the module docstring)."""

    def __init__(self, clock: _Clock, allow_private: bool) -> None:
        self.clock, self.allow_private = clock, allow_private
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        if not self.allow_private and not all(is_public(a) for a in addresses):
            raise FetchError("fetch failed: private or local address refused",
                             f"{host} resolves to {', '.join(addresses)}")
        error: Exception = httpcore.ConnectError(f"{host}: no address")
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(
                    address, port, self.clock.left(timeout, httpcore.ConnectTimeout),
                    local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _Stream(stream, self.clock)
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _transport(clock: _Clock, allow_private: bool) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport()
    # httpx takes no network backend, so its pool is replaced by one that uses ours.
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                              network_backend=_Backend(clock, allow_private))
    return transport


def fetch(url: str, opts: FetchOptions) -> Page:
    """GET ``url`` (following redirects), within one deadline and ``opts.max_bytes``."""
    clock = _Clock(opts.timeout)
    try:
        with httpx.Client(transport=_transport(clock, opts.allow_private),
                          follow_redirects=True, max_redirects=opts.max_redirects,
                          timeout=opts.timeout, headers={"User-Agent": opts.user_agent}
                          ) as client, client.stream("GET", url) as resp:
            return _page(resp, opts, clock)
    except httpx.TooManyRedirects as exc:
        raise FetchError("too many redirects", str(exc)) from None
    except httpx.TimeoutException:
        raise FetchError("fetch failed: timed out",
                         f"no complete answer within {opts.timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise _failure(exc) from None


def _page(resp: httpx.Response, opts: FetchOptions, clock: _Clock) -> Page:
    if resp.status_code >= 400:
        raise FetchError(f"HTTP {resp.status_code}", resp.reason_phrase)
    declared = resp.headers.get("content-length") or "0"
    if declared.isdigit() and int(declared) > opts.max_bytes:
        raise FetchError("too large", f"{declared} bytes > {opts.max_bytes}")
    body = bytearray()
    for chunk in resp.iter_bytes():
        body += chunk
        if len(body) > opts.max_bytes:
            raise FetchError("too large", f"over {opts.max_bytes} bytes")
        clock.left(None)  # a body that trickles in still ends at the deadline
    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    return Page(str(resp.url), ctype, bytes(body))


def _failure(exc: BaseException) -> FetchError:
    """What failed, in words: refused, no such host, TLS, or the OS's own words."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return FetchError("fetch failed: TLS error", str(cause)[:300])
        if isinstance(cause, ConnectionRefusedError):
            return FetchError("fetch failed: connection refused", str(cause)[:300])
        if isinstance(cause, socket.gaierror):
            return FetchError("fetch failed: no such host", str(cause)[:300])
        if isinstance(cause, OSError) and cause.strerror:
            return FetchError(f"fetch failed: {cause.strerror.lower()}", str(cause)[:300])
        cause = cause.__cause__ or cause.__context__
    return FetchError(f"fetch failed: {type(exc).__name__}", str(exc)[:300])


def read_url(url: str, opts: SourceOptions | None = None) -> Iterator[Article | Skip]:
    """The article at ``url``, or every item of the feed at ``url``."""
    opts = opts or SourceOptions()
    try:
        page = fetch(url, opts.fetch)
        links = feed_links(page.body, page.content_type)
    except (FetchError, FeedRefused) as exc:
        yield Skip(source=url, reason=exc.reason, article_id=url, detail=exc.detail or None)
        return
    if links is None:
        yield page_to_article(page, url, opts)
        return
    for link in links[: opts.fetch.max_feed_items]:
        yield read_url_page(link, opts)


def read_url_page(url: str, opts: SourceOptions) -> Article | Skip:
    """One page (not a feed) at ``url``."""
    try:
        return page_to_article(fetch(url, opts.fetch), url, opts)
    except FetchError as exc:
        return Skip(source=url, reason=exc.reason, article_id=url, detail=exc.detail or None)


def page_to_article(page: Page, requested: str, opts: SourceOptions) -> Article | Skip:
    """An Article from a fetched HTML or plain-text page."""
    if page.content_type == "text/plain":
        try:
            text = page.body.decode("utf-8")
        except UnicodeDecodeError:
            return Skip(source=requested, reason="not valid UTF-8", article_id=requested)
        return Article(text=text, id=requested, url=page.url, published=opts.published,
                       source=requested)
    if page.content_type and "html" not in page.content_type:
        return Skip(source=requested, reason=f"not an HTML page ({page.content_type})",
                    article_id=requested)
    return html_to_article(page.body, source=requested, url=page.url, article_id=requested,
                           options=opts)
