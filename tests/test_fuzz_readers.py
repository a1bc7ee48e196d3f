"""Fuzzing the readers and extract with Hypothesis (issue 13), bounded to seconds in CI.

For any input: no exception escapes, every input becomes Articles or Skips, and every quote's
offsets slice its article's text. The number of inputs tried is printed at the end.
"""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quoteline
from quoteline.ingest.feeds import FeedRefused, feed_links
from quoteline.ingest.html import html_to_article
from quoteline.ingest.jsonl import read_jsonl_stream
from quoteline.ingest.options import SourceOptions
from quoteline.ingest.warc import read_warc_stream
from quoteline.models import Article, Skip
from test_ingest_sources import STORY, html_page, warc_bytes

TRIED: Counter[str] = Counter()
# Small limits, so that the fuzzer also reaches the too-long and too-large paths.
OPTS = SourceOptions(max_bytes=20_000, max_line_bytes=5_000, max_inflated_bytes=50_000,
                     max_record_bytes=8_000, max_resyncs=20)
FAST = settings(max_examples=400, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print how many inputs each fuzz test tried."""
    yield
    line = (f"fuzz: {sum(TRIED.values())} inputs tried ("
            + ", ".join(f"{k} {n}" for k, n in sorted(TRIED.items())) + ")")
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)


def _all_read(items: list[Any]) -> None:
    assert items, "an input gave nothing at all"
    for item in items:
        assert isinstance(item, Article | Skip)
        if isinstance(item, Article):
            assert isinstance(item.text, str)
        else:
            assert item.reason


WORDS = st.sampled_from(["said", "“", "”", '"', "Smith", "the", "Mayor", "on Monday", ".",
                         ",", "\n", "\n\n", "«", "»", "'", "yesterday", "told", "é", "\u200b",
                         "<p>", "</p>", "{", "}", "[", "]", "\\", "\x00", "\ud800"])
TEXTS = st.lists(WORDS, max_size=60).map(" ".join) | st.text(max_size=300)
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | TEXTS,
                           lambda kids: st.lists(kids, max_size=3)
                           | st.dictionaries(st.sampled_from(["id", "text", "published", "url",
                                                              "x"]), kids, max_size=4),
                           max_leaves=10)


def _json_line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


LINES = st.one_of(
    st.builds(_json_line, st.fixed_dictionaries({"id": TEXTS, "text": TEXTS},
                                                optional={"published": TEXTS | st.integers()})),
    st.builds(_json_line, JSON_VALUES),
    st.binary(max_size=200),
    st.integers(1, 3000).map(lambda n: b"[" * n),
    st.integers(1, 8000).map(lambda n: _json_line({"text": "w " * n})),
)


@FAST
@given(lines=st.lists(LINES, max_size=8), gz=st.booleans(), cut=st.floats(0.3, 1.0))
def test_jsonl_reader(lines: list[bytes], gz: bool, cut: float) -> None:
    TRIED["jsonl"] += 1
    data = b"\n".join(lines) + b"\n"
    if gz:
        data = gzip.compress(data)
        data = data[: max(1, int(len(data) * cut))] if cut < 0.95 else data
    items = list(read_jsonl_stream(io.BytesIO(data), "f.jsonl.gz" if gz else "f.jsonl", OPTS))
    if any(line.strip() for line in lines) or (gz and cut < 0.95):
        _all_read(items)
    else:
        assert all(isinstance(i, Article | Skip) for i in items)


TAGS = st.sampled_from(["<p>", "</p>", "<html>", "<body>", "<article>", "<script>", "</div>",
                        "<meta charset='x'>", "<!--", "-->", "<![CDATA[", "<title>", "&amp;",
                        "&#0;", "<a href='http://[x'>", "<svg onload=x>", "<table><tr><td>"])
HTML = st.lists(TAGS | TEXTS, max_size=30).map("".join)


@FAST
@given(html=HTML, as_bytes=st.booleans(), url=st.sampled_from([None, "http://[", "https://a.b/c"]))
def test_html_reader(html: str, as_bytes: bool, url: str | None) -> None:
    TRIED["html"] += 1
    data: str | bytes = html.encode("utf-8", "surrogatepass") if as_bytes else html
    _all_read([html_to_article(data, source="f.html", url=url, options=OPTS)])


def _warc(gz: bool, n: int) -> bytes:
    pages = [(f"https://n.example/{i}", html_page(f"T{i}", STORY)) for i in range(n)]
    return warc_bytes(pages, gz)


@FAST
@given(gz=st.booleans(), n=st.integers(1, 3), edits=st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 3), st.binary(max_size=20)), max_size=4))
def test_warc_reader(gz: bool, n: int, edits: list[tuple[float, int, bytes]]) -> None:
    TRIED["warc"] += 1
    data = bytearray(_warc(gz, n))
    for where, op, junk in edits:  # flip, cut, insert, or drop bytes at a random place
        if not data:
            break
        at = int(where * (len(data) - 1))
        if op == 0:
            data[at] ^= 0xFF
        elif op == 1:
            del data[at:]
        elif op == 2:
            data[at:at] = junk
        else:
            del data[at:at + len(junk) + 1]
    items = list(read_warc_stream(io.BytesIO(bytes(data)), "f.warc.gz" if gz else "f.warc", OPTS))
    assert all(isinstance(i, Article | Skip) for i in items)
    if not edits:
        assert sum(isinstance(i, Article) for i in items) == n


XML = st.lists(st.sampled_from([
    "<?xml version='1.0'?>", "<rss>", "</rss>", "<feed xmlns='http://www.w3.org/2005/Atom'>",
    "</feed>", "<item>", "</item>", "<entry>", "</entry>", "<link>https://a.example/1</link>",
    "<link href='https://a.example/2'/>", "<!DOCTYPE r [<!ENTITY e 'x'>]>", "&e;",
    "<!DOCTYPE r SYSTEM 'file:///etc/passwd'>", "<channel>", "</channel>", "<x:y>", "&lt;",
]) | TEXTS, max_size=20).map("".join)


@FAST
@given(body=XML, ctype=st.sampled_from(["application/rss+xml", "text/html", "", "text/xml"]))
def test_feed_reader(body: str, ctype: str) -> None:
    TRIED["feed"] += 1
    try:
        links = feed_links(body.encode("utf-8", "surrogatepass"), ctype)
    except FeedRefused as exc:
        assert exc.reason in ("feed refused: entity expansion", "feed could not be parsed")
        return
    assert links is None or all(link.startswith(("http://", "https://")) for link in links)


QUOTED = st.lists(st.sampled_from([
    "“We will win,”", "said", "Senator Ann Lee", "on Tuesday", ".", " ", "\n\n", "\"", "”",
    "“", "he", "told reporters", "'", "that", "the plan was", "«Non»", "a-t-il dit", ":",
    "Smith", "\u200b", "\u0301", "yesterday", "last Wednesday", "—", "(", ")", "asked",
]), max_size=40).map(" ".join) | st.text(max_size=200)


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=QUOTED, published=st.sampled_from([None, "2022-11-16", "2000-02-29"]))
def test_extract(text: str, published: str | None) -> None:
    TRIED["extract"] += 1
    for q in quoteline.extract(text, published):
        assert text[q.start:q.end] == q.text
        for span in (q.cue, q.source, *q.parts):
            if span is not None:
                assert text[span.start:span.end] == span.text
