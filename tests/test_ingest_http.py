"""Fetching URLs and feeds from a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import cli_in_process
from quoteline.ingest import FetchOptions, SourceOptions, read
from quoteline.ingest.options import USER_AGENT
from quoteline.models import Article, Skip
from test_ingest_sources import STORY, html_page

SEEN_AGENTS: list[str] = []
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol">'
                  + b"".join(b'<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">'
                             % ((chr(98 + i).encode(),) + (chr(97 + i).encode(),) * 10)
                             for i in range(8))
                  + b']><rss version="2.0"><channel><title>&i;</title></channel></rss>')


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
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.wfile.write(body)

    def _trickle(self, data: bytes, pause: float = 0.25) -> None:
        """Send ``data`` one byte at a time: every read returns, but the answer never ends."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(pause)

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
        elif path == "/trickle-body":
            page = html_page("late", STORY).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self._trickle(page)
        elif path == "/trickle-headers":
            self._trickle(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nX-Padding: "
                          + b"x" * 200 + b"\r\n\r\n")
        elif path == "/entities.xml":
            self._send(200, BILLION_LAUGHS, "application/rss+xml")
        elif path == "/broken.xml":
            self._send(200, b"<?xml version='1.0'?><rss><channel><item>", "application/rss+xml")
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
    return list(read(list(urls), opts))


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
            f"{server}/big", f"{server}/image.png", f"{server}/slow",
            "http://no-such-host.invalid/story", server.replace("http:", "https:") + "/story/1"]
    items = fetch_all(*urls, max_bytes=1_000_000, timeout=0.5, max_redirects=3)
    assert all(isinstance(i, Skip) for i in items)
    reasons = [i.reason for i in items if isinstance(i, Skip)]
    assert reasons == ["HTTP 404", "fetch failed: connection refused", "too many redirects",
                       "too large", "not an HTML page (image/png)", "fetch failed: timed out",
                       "fetch failed: no such host", "fetch failed: TLS error"]


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_one_deadline_for_the_whole_fetch(server: str, path: str) -> None:
    # Each byte comes well within the timeout, but the whole answer would take ~5 s or more.
    [item] = fetch_all(server + path, timeout=1.0)
    assert isinstance(item, Skip) and item.reason == "fetch failed: timed out"
    assert item.detail == "no complete answer within 1 s"


def test_feed_with_entity_declarations_is_refused_and_says_so(server: str) -> None:
    refused, broken = fetch_all(f"{server}/entities.xml", f"{server}/broken.xml")
    assert isinstance(refused, Skip) and refused.reason == "feed refused: entity expansion"
    assert isinstance(broken, Skip) and broken.reason == "feed could not be parsed"


def test_failed_fetch_says_what_failed_on_the_command_line(server: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    db = f"sqlite:///{tmp_path / 'f.db'}"
    dead = f"http://127.0.0.1:{_dead_port()}/x"
    rc, _, err = cli_in_process(capsys, "ingest", dead, "http://no-such-host.invalid/",
                                server.replace("http:", "https:") + "/story/1",
                                f"{server}/trickle-body", f"{server}/story/1", "--db", db,
                                "--timeout", "1")
    assert rc == 3
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("ingest: 5 read: 1 stored")
    for reason in ("fetch failed: connection refused (1)", "fetch failed: no such host (1)",
                   "fetch failed: TLS error (1)", "fetch failed: timed out (1)"):
        assert reason in summary
