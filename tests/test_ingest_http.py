"""Fetching URLs and feeds from a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from quoteline.ingest.fetch import USER_AGENT, FetchOptions
from quoteline.ingest.sources import SourceOptions, read_sources
from quoteline.models import Article, Skip
from test_ingest_sources import STORY, html_page

SEEN_AGENTS: list[str] = []


def rss(base: str) -> str:
    """An RSS feed with two good items and a dead one."""
    items = "".join(f"<item><title>{n}</title><link>{base}{path}</link></item>"
                    for n, path in (("one", "/story/1"), ("two", "/story/2"), ("gone", "/404")))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def atom(base: str) -> str:
    """An Atom feed with one item."""
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>T</title><entry><title>x</title><link href="{base}/story/3"/></entry></feed>')


class Handler(BaseHTTPRequestHandler):
    """Routes for the tests."""

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up (the timeout test)
            self.wfile.write(body)

    def do_GET(self) -> None:
        SEEN_AGENTS.append(self.headers.get("User-Agent", ""))
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        path = self.path
        if path.startswith("/story/"):
            n = path.rsplit("/", 1)[-1]
            self._send(200, html_page(f"Story {n}", f"{STORY} Story number {n}.").encode())
        elif path == "/plain.txt":
            self._send(200, STORY.encode(), "text/plain; charset=utf-8")
        elif path == "/redirect":
            self._send(302, b"", headers={"Location": "/story/9"})
        elif path == "/loop":
            self._send(302, b"", headers={"Location": "/loop"})
        elif path == "/big":
            self._send(200, b"<html><body>" + b"x" * 2_000_000 + b"</body></html>")
        elif path == "/image.png":
            self._send(200, b"\x89PNG....", "image/png")
        elif path == "/slow":
            time.sleep(3)
            self._send(200, html_page("late", STORY).encode())
        elif path == "/feed.xml":
            self._send(200, rss(base).encode(), "application/rss+xml")
        elif path == "/atom.xml":
            self._send(200, atom(base).encode(), "application/atom+xml")
        else:
            self._send(404, b"not found")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real HTTP server on a free loopback port; its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch_all(*urls: str, **fetch: object) -> list[Article | Skip]:
    """Everything read from URLs."""
    opts = SourceOptions(fetch=FetchOptions(**fetch))  # type: ignore[arg-type]
    return list(read_sources(list(urls), opts))


def test_html_page_text_and_metadata(server: str) -> None:
    [art] = fetch_all(f"{server}/story/1")
    assert isinstance(art, Article)
    assert art.id == art.url == f"{server}/story/1"
    assert "bridge next year" in art.text and art.title == "Story 1"
    assert art.outlet == "Daily Planet" and str(art.published) == "2024-03-05"
    assert USER_AGENT in SEEN_AGENTS


def test_plain_text_and_redirects(server: str) -> None:
    plain, moved = fetch_all(f"{server}/plain.txt", f"{server}/redirect")
    assert isinstance(plain, Article) and plain.text == STORY
    assert isinstance(moved, Article) and moved.url == f"{server}/story/9"
    assert moved.id == f"{server}/redirect"


def test_rss_and_atom_feeds_fetch_their_items(server: str) -> None:
    items = fetch_all(f"{server}/feed.xml", f"{server}/atom.xml")
    got = [(type(i).__name__, i.url if isinstance(i, Article) else i.reason) for i in items]
    assert got == [("Article", f"{server}/story/1"), ("Article", f"{server}/story/2"),
                   ("Skip", "HTTP 404"), ("Article", f"{server}/story/3")]


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when this returns: nothing listens


def test_bad_urls_become_skips(server: str) -> None:
    urls = [f"{server}/404", f"http://127.0.0.1:{_dead_port()}/x", f"{server}/loop",
            f"{server}/big", f"{server}/image.png", f"{server}/slow"]
    items = fetch_all(*urls, max_bytes=1_000_000, timeout=0.5, max_redirects=3)
    assert all(isinstance(i, Skip) for i in items)
    reasons = [i.reason for i in items if isinstance(i, Skip)]
    assert reasons == ["HTTP 404", "fetch failed: ConnectError", "too many redirects",
                       "too large", "not an HTML page (image/png)", "fetch timed out"]
