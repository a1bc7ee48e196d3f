"""The analyze page under attack (issue 13 rows 6, 7 and 9), against real loopback servers.

Row 7 needs a name that resolves to a public address and then to a private one. The
resolver is ours (``socket.getaddrinfo`` answers for a few made-up names), and so that no
packet leaves the machine, 127.0.0.1 counts as a public address in these tests while
127.0.0.2 stays private: the page server "out there" is 127.0.0.1, the one "inside" is
127.0.0.2, on the same port.
"""

from __future__ import annotations

import contextlib
import ipaddress
import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from quoteline.store import open_store
from quoteline.web import WebSettings
from quoteline.web.analyze import pool_of
from test_ingest_sources import STORY, html_page
from test_web_support import LiveServer

OUTSIDE, INSIDE = "127.0.0.1", "127.0.0.2"
PARAGRAPH = ("“We will not stop,” the minister said on Tuesday, “until it is done.” "
             "Smith, a senator, argued that the plan was “dangerous” and costly.\n\n")


class _Pages(BaseHTTPRequestHandler):
    """A news site; every request is recorded on the server it reached."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        server: Any = self.server
        server.seen.append(self.path)
        port = server.server_address[1]
        where = {"/hop": f"http://inner.test:{port}/story/2",
                 "/hop-flip": f"http://flip.test:{port}/story/3"}.get(self.path)
        if where:
            self.send_response(302)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            with contextlib.suppress(OSError):
                for ch in html_page("late", STORY).encode()[:40]:
                    self.wfile.write(bytes([ch]))
                    self.wfile.flush()
                    time.sleep(0.25)
            return
        body = html_page(f"{server.label} {self.path}", f"{STORY} ({server.label})").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(host: str, port: int, label: str) -> Any:
    httpd: Any = ThreadingHTTPServer((host, port), _Pages)
    httpd.seen, httpd.label = [], label
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture
def sites() -> Iterator[tuple[Any, Any]]:
    """The outside site on 127.0.0.1 and the inside one on 127.0.0.2, on one port."""
    outside = _serve(OUTSIDE, 0, "outside")
    inside = _serve(INSIDE, outside.server_address[1], "inside")
    yield outside, inside
    for httpd in (outside, inside):
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Made-up names and the addresses they resolve to, call after call (the last repeats)."""
    answers = {"rebind.test": [OUTSIDE, INSIDE], "flip.test": [OUTSIDE, INSIDE],
               "inner.test": [INSIDE]}
    calls: dict[str, int] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in answers:
            return real(host, port, *args, **kwargs)
        n = calls[name] = calls.get(name, 0) + 1
        address = answers[name][min(n, len(answers[name])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))]

    public = ipaddress.IPv4Address.is_global
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(ipaddress.IPv4Address, "is_global",
                        property(lambda ip: str(ip) == OUTSIDE or bool(public.fget(ip))))  # type: ignore[attr-defined]
    return answers


def _server(tmp_path: Path, **settings: Any) -> LiveServer:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    open_store(url).close()  # the server reads an existing store; it never creates one
    return LiveServer(WebSettings(db_url=url, **settings))


def _analyze(base: str, timeout: float = 120, **body: str) -> httpx.Response:
    return httpx.post(base + "/analyze.json", json=body, timeout=timeout)


# ---------------------------------------------------------------- row 7
def test_row7_the_fetch_connects_to_the_address_that_was_checked(
        tmp_path: Path, sites: tuple[Any, Any], rebinding: dict[str, list[str]]) -> None:
    outside, inside = sites
    port = outside.server_address[1]
    with _server(tmp_path) as web:
        resp = _analyze(web.url, url=f"http://rebind.test:{port}/story/1")
        assert resp.status_code == 200, resp.text
        assert resp.json()["article"]["title"] == "outside /story/1"
        flipped = _analyze(web.url, url=f"http://{OUTSIDE}:{port}/hop-flip")
        assert flipped.status_code == 200, flipped.text  # the redirect's host, checked, pinned
        assert flipped.json()["article"]["title"] == "outside /story/3"
        hop = _analyze(web.url, url=f"http://{OUTSIDE}:{port}/hop")
        assert hop.status_code == 400 and "private or local address refused" in hop.text
    assert inside.seen == []  # no request ever reached the inside server
    assert outside.seen == ["/story/1", "/hop-flip", "/story/3", "/hop"]


def test_row7_private_addresses_are_still_refused(tmp_path: Path, sites: tuple[Any, Any]
                                                  ) -> None:
    outside, _ = sites
    with _server(tmp_path) as web:
        resp = _analyze(web.url, url=f"http://{OUTSIDE}:{outside.server_address[1]}/story/1")
    assert resp.status_code == 400 and "private or local address refused" in resp.text
    assert outside.seen == []


# ---------------------------------------------------------------- row 6
def test_row6_the_analyze_fetch_has_one_deadline(tmp_path: Path, sites: tuple[Any, Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_WEB_FETCH_TIMEOUT", "1")
    outside, _ = sites
    with _server(tmp_path, allow_private_fetch=True) as web:
        resp = _analyze(web.url, url=f"http://{OUTSIDE}:{outside.server_address[1]}/trickle")
    assert resp.status_code == 400
    assert "timed out" in resp.json()["error"] and "within 1 s" in resp.json()["error"]


# ---------------------------------------------------------------- row 9
def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * 4096 / 1e6


def test_row9_one_analysis_too_many_is_a_503_with_retry_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_WEB_MAX_ANALYSES", "1")
    monkeypatch.setenv("QUOTELINE_WEB_ANALYZE_CPU_SECONDS", "2")
    long_text = (PARAGRAPH * (200_000 // len(PARAGRAPH)))[:200_000]
    with _server(tmp_path) as web:
        first: dict[str, httpx.Response] = {}
        runner = threading.Thread(target=lambda: first.update(r=_analyze(web.url, text=long_text)))
        runner.start()
        pool = pool_of(web.app.state.web)
        deadline = time.monotonic() + 60
        while pool.busy == 0 and runner.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pool.busy == 1
        second = _analyze(web.url, text=PARAGRAPH)
        assert second.status_code == 503 and second.headers["Retry-After"].isdigit()
        assert "busy" in second.json()["error"]
        runner.join(180)
        stopped = first["r"]
        assert stopped.status_code == 503 and "2 s of CPU time" in stopped.json()["error"]
        again = _analyze(web.url, text=PARAGRAPH)  # a fresh helper takes over
        assert again.status_code == 200 and again.json()["quotes"]


def test_row9_the_server_keeps_no_memory_from_an_analysis(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_WEB_ANALYZE_MAX_RSS_MB", "1")  # restart after every analysis
    text = (PARAGRAPH * (30_000 // len(PARAGRAPH)))[:30_000]
    earlier = set(multiprocessing.active_children())
    with _server(tmp_path) as web:
        assert _analyze(web.url, text=PARAGRAPH).status_code == 200
        before = _rss_mb()
        resp = _analyze(web.url, text=text)
        after = _rss_mb()
        assert resp.status_code == 200 and len(resp.json()["quotes"]) > 100
        assert after - before < 40  # the parse happened elsewhere, and its memory is gone
        assert not [p for p in set(multiprocessing.active_children()) - earlier
                    if p.name == "quoteline-analysis"]  # the helper was stopped: memory returned
