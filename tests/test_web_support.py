"""Fixtures for the web tests: a real store built through the ingest API, a real server."""

from __future__ import annotations

import atexit
import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from quoteline.corpus import ingest
from quoteline.models import Article, Extraction, Quote, Skip, Span
from quoteline.store import open_store
from quoteline.web import WebSettings, create_app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "articles.jsonl"
TOKEN = "test-token-0123456789"

# Payloads that would run if any page let article text through unescaped.
XSS = ['<script>alert("xss-text")</script>', '<img src=x onerror=alert("xss-img")>',
       "javascript:alert('xss-js')", '"><svg onload=alert("xss-svg")>',
       "</textarea><script>alert('xss-ta')</script>", "{{7*7}}"]
EVIL_SPEAKER = "Evil <img src=x onerror=alert('spk')> Person"
EVIL_TITLE = '<script>alert("title")</script> Breaking news'
EVIL_OUTLET = "<b onmouseover=alert('outlet')>Evil Outlet</b>"
EVIL_URL = "javascript:alert('url')"

FALLBACK_ROWS = [
    {"id": "f1", "outlet": "Daily Planet", "published": "2024-03-04",
     "url": "https://planet.example/taxes",
     "text": '"We will not raise taxes this year, and we will protect pensions," Finance '
             "Minister John Doe said on Monday. The opposition disagreed."},
    {"id": "f2", "outlet": "Herald", "published": "2024-03-05",
     "text": "Markets rose. \"We will not raise taxes this year, and we will protect "
             'pensions," Doe said.'},
    {"id": "f3", "outlet": "Gazette", "published": "2024-03-06",
     "text": '"We will raise taxes this year, and we will protect pensions," John Doe said in '
             "a speech. Critics were unconvinced."},
]


def sample_articles() -> list[Article]:
    """samples/articles.jsonl as Articles (a few short ones when it is not there)."""
    if SAMPLES.exists():
        rows = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()]
    else:
        rows = FALLBACK_ROWS
    return [Article(text=r["text"], id=r.get("id"), url=r.get("url"), title=r.get("title"),
                    outlet=r.get("outlet"), published=_day(r.get("published")),
                    source=f"samples:{r.get('id')}") for r in rows]


def _day(value: str | None) -> object:
    from quoteline.models import parse_date

    return parse_date(value)


def hostile_article(n: int) -> tuple[Article, list[Quote]]:
    """An article whose text, title, URL, outlet and speaker are all attack payloads."""
    said = " ".join(XSS)
    body = f"=HYPERLINK(\"http://evil.example\") {said}"
    text = (f"Intro {XSS[0]} line.\n\n“{body}” said {EVIL_SPEAKER} on Monday.\n\n"
            f"More {XSS[1]} and {XSS[2]} text.")
    start = text.index(body)
    cue = text.index("said", start)
    who = text.index(EVIL_SPEAKER)
    quote = Quote(start=start, end=start + len(body), text=body, kind="direct",
                  cue=Span.of(text, cue, cue + 4),
                  source=Span.of(text, who, who + len(EVIL_SPEAKER)), speaker=EVIL_SPEAKER,
                  speaker_title=EVIL_TITLE, said_on_basis=XSS[1], confidence=0.9)
    art = Article(text=text, id=f"evil-{n}", url=EVIL_URL, title=EVIL_TITLE,
                  outlet=EVIL_OUTLET, published=_day(f"2025-01-0{n}"), source=f"evil-{n}")
    return art, [quote]


def _hostile_extract(articles: Iterable[Article]) -> Iterator[Extraction | Skip]:
    for art in articles:
        n = int((art.id or "evil-1").split("-")[1])
        yield Extraction(art, tuple(hostile_article(n)[1]))


MISATTRIBUTED = "Paul Ostrander"  # given the mayor's words by one outlet


def misattributed_articles() -> list[Article]:
    """Three reports of one sentence: two give it to the mayor, one to the governor."""
    said = '"We will finish the new harbour bridge before the winter storms arrive,"'
    rows = [("h1", "Coast Herald", 4, f"{said} Mayor Dana Whitfield said on Monday."),
            ("h2", "Bay Times", 5, f"{said} Mayor Dana Whitfield told reporters."),
            ("h3", "Valley News", 6, f"{said} Governor {MISATTRIBUTED} said.")]
    return [Article(text=text, id=i, outlet=outlet, published=_day(f"2025-03-0{day}"),
                    title=f"Harbour bridge ({outlet})", source=f"test:{i}")
            for i, outlet, day, text in rows]


def build_store(target: Path | str) -> str:
    """A store (a SQLite path, or any store URL) with the samples, three reports of which one
    misattributes, and two hostile articles."""
    url = target if isinstance(target, str) else f"sqlite:///{target}"
    with open_store(url) as store:
        ingest(sample_articles(), store)
        ingest(misattributed_articles(), store)
        ingest([hostile_article(1)[0], hostile_article(2)[0]], store, extract=_hostile_extract)
    return url


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, settings: WebSettings) -> None:
        self.app = create_app(settings)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()


_SHARED: dict[str, Any] = {}


def shared_db(factory: pytest.TempPathFactory) -> str:
    """URL of the test store shared by every web test module (built once per session)."""
    if "db" not in _SHARED:
        _SHARED["db"] = build_store(factory.mktemp("web") / "web.db")
    return str(_SHARED["db"])


def shared_live(factory: pytest.TempPathFactory) -> str:
    """Base URL of one read-only server over the shared store, stopped at exit."""
    if "live" not in _SHARED:
        server = LiveServer(WebSettings(db_url=shared_db(factory))).__enter__()
        atexit.register(server.__exit__)
        _SHARED["live"] = server.url
    return str(_SHARED["live"])


# ---------------------------------------------------------------- inertness check
class _Scan(HTMLParser):
    """Collects everything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and names.get("src") != "/static/app.js":
            self.problems.append(f"<script> {attrs}")
        if tag in ("img", "iframe", "object", "embed", "b", "base"):
            self.problems.append(f"<{tag}> {attrs}")
        if tag == "svg" and names.get("id") not in ("timeline", "spread"):
            self.problems.append(f"<svg> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            low = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                    low.startswith("javascript:") or low.startswith("data:")):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def script_problems(html: str) -> list[str]:
    """Everything in ``html`` that could execute: foreign scripts, handlers, js: links."""
    scan = _Scan()
    scan.feed(html)
    scan.close()
    return scan.problems
