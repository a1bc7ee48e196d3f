"""How the web server serves under load, on its parts that can be tested without timing: the
speaker-page index it keeps (and drops when another connection changes the store), reads of
many rows packed into one step, keep-alive connections it ends so that clients spread over
the worker processes, and the garbage collector of a server process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from quoteline.store import Store, open_store
from quoteline.web import WebSettings, create_app
from quoteline.web.context import Web
from test_store import put, quote
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures
from test_web_support import LiveServer

D = dt.date


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:  # noqa: F811
    """An empty, migrated store on each backend."""
    with open_store(store_url) as s:
        yield s


def said(store: Store, n: int, day: dt.date, speaker_id: int = 1) -> int:
    """Store one article with one quote of speaker ``speaker_id``; the quote's id."""
    _, (qid,) = put(store, f"a{n}-{speaker_id}", [quote(f"the ferry number {n} will run")],
                    published=day, speaker_id=speaker_id)
    return qid


# ---------------------------------------------------------------- packed reads
def test_packed_rows_are_the_rows(store: Store) -> None:
    store.save_speaker(1, "Ines Cole")
    ids = [said(store, i, D(2024, 3, 1 + i % 3)) for i in range(7)]
    ids.append(put(store, "odd", [quote('a "quoted", \\ odd\nline 🚢 ; , ]')],
                   published=None, speaker_id=1)[1][0])
    sql = "SELECT id, day, text, cluster_id FROM quotes WHERE speaker_id = ?"
    packed = store.db.packed(sql, (1,), ("id", "day", "text", "cluster_id"))
    plain = store.db.tuples(sql, (1,))
    assert sorted(map(tuple, packed)) == sorted(plain)
    assert sorted(r[0] for r in packed) == sorted(ids)
    assert any(r[1] is None and r[3] is None and "🚢" in r[2] for r in packed)
    assert store.db.packed(sql, (99,), ("id", "day", "text", "cluster_id")) == []


def test_a_speaker_index_counts_statements_by_the_day_first_said(store: Store) -> None:
    store.save_speaker(1, "Ines Cole")
    first = [said(store, i, D(2024, 3, 3 - i)) for i in range(3)]  # stored newest first
    undated = put(store, "undated", [quote("no date on this one")], published=None,
                  speaker_id=1)[1][0]
    index = store.speaker_index(1)
    assert [D.fromordinal(d) for d in index.first_said] == [D(2024, 3, 1), D(2024, 3, 2),
                                                             D(2024, 3, 3)]
    assert list(index.leads) == first[::-1] and list(index.clusters) == [0, 0, 0]
    assert index.undated == ((None, undated),) and index.quotes == 4 == index.statements
    assert index.days == ((D(2024, 3, 1), 1), (D(2024, 3, 2), 1), (D(2024, 3, 3), 1))
    page = store.speaker_statements(1, limit=2, offset=2, index=index)
    assert [s.lead.quote_id for s in page.statements] == [first[2], undated]
    assert page.total == 4


# ---------------------------------------------------------------- the speaker index kept
def test_the_web_keeps_a_speaker_index_until_another_connection_writes(store: Store,
                                                                      store_url: str) -> None:  # noqa: F811
    store.save_speaker(1, "Ines Cole")
    said(store, 1, D(2024, 3, 1))
    web = Web(WebSettings(db_url=store_url))
    with web.reading() as reader:
        first, _ = web.speaker_index(reader, 1, "speech")
        again, chart = web.speaker_index(reader, 1, "speech")
    assert first.statements == 1 and chart is not None
    if store.dialect == "sqlite":  # kept: the same object
        assert again is first
    else:  # PostgreSQL keeps no change counter: read afresh each time
        assert again is not first and again == first
    said(store, 2, D(2024, 3, 2))  # another connection writes
    with web.reading() as reader:
        after, chart = web.speaker_index(reader, 1, "speech")
    assert after.statements == 2 and after is not first
    assert chart is not None and sum(b.count for b in chart.bars) == 2


def test_the_web_keeps_no_more_speaker_indexes_than_its_setting(store: Store, store_url: str,  # noqa: F811
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    for sid in (1, 2):
        store.save_speaker(sid, f"Speaker {sid}")
        said(store, sid, D(2024, 3, sid), speaker_id=sid)
    monkeypatch.setenv("QUOTELINE_WEB_SPEAKER_CACHE", "3")  # one index of one statement: 3
    web = Web(WebSettings(db_url=store_url))
    with web.reading() as reader:
        one, _ = web.speaker_index(reader, 1, "speech")
        assert one.size() == 3
        if store.dialect == "sqlite":
            assert web.speaker_index(reader, 1, "speech")[0] is one  # kept while it fits
        two, _ = web.speaker_index(reader, 2, "speech")  # speaker 1's is dropped for it
        assert web.speaker_index(reader, 1, "speech")[0] is not one
        assert web.speaker_index(reader, 1, "speech")[0] == one and two.statements == 1


def test_a_speaker_page_shows_what_another_process_just_stored(store: Store,
                                                               store_url: str) -> None:  # noqa: F811
    store.save_speaker(1, "Ines Cole")
    store.save_speaker(2, "Tom Baker")
    for i in range(4):
        said(store, i, D(2024, 3, 1 + i), speaker_id=1 + i % 2)
    with LiveServer(WebSettings(db_url=store_url)) as server:
        def statements(sid: int) -> list[int]:
            body = httpx.get(f"{server.url}/speakers/{sid}.json", timeout=30).json()
            assert body["paging"]["total"] == len(body["items"])
            return [i["quote"]["quote_id"] for i in body["items"]]

        before = statements(1)
        assert len(before) == 2 and len(statements(2)) == 2
        new = said(store, 9, D(2024, 4, 1))
        assert statements(1) == [new, *before]  # the latest first said comes first
        page = httpx.get(f"{server.url}/speakers/1", timeout=30).text
        assert "3 statements" in page


# ---------------------------------------------------------------- keep-alive and the GC
def test_every_nth_response_ends_its_connection(tmp_path: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url).close()
    monkeypatch.setenv("QUOTELINE_WEB_KEEPALIVE_REQUESTS", "3")
    with TestClient(create_app(WebSettings(db_url=url))) as client:
        closing = [client.get("/outlets.json").headers.get("connection") == "close"
                   for _ in range(7)]
    assert closing == [False, False, True, False, False, True, False]
    monkeypatch.setenv("QUOTELINE_WEB_KEEPALIVE_REQUESTS", "0")
    with TestClient(create_app(WebSettings(db_url=url))) as client:
        assert all("connection" not in client.get("/outlets.json").headers for _ in range(5))


def test_a_server_process_tunes_its_garbage_collector(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url).close()
    script = (
        "import gc, json, sys, time\n"
        "from quoteline.web import WebSettings\n"
        "from quoteline.web.app import GC_YOUNG, create_app\n"
        "before = gc.get_threshold()[0]\n"
        "create_app(WebSettings(db_url=sys.argv[1]))\n"
        "plain = gc.get_threshold()[0], gc.get_freeze_count()\n"
        "create_app(WebSettings(db_url=sys.argv[1]), server=True)\n"
        "deadline = time.monotonic() + 30\n"
        "while gc.get_freeze_count() == 0 and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        "print(json.dumps([before, *plain, gc.get_threshold()[0], gc.get_freeze_count(),"
        " GC_YOUNG]))\n")
    out = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    before, plain, plain_frozen, tuned, frozen, young = json.loads(out)
    assert plain == before and plain_frozen == 0  # an app made for tests leaves the GC be
    assert tuned == young > before and frozen > 0


def test_a_common_word_ranks_in_two_steps_with_packed_reads(tmp_path: Any) -> None:
    from quoteline.search import Filters, SearchRequest
    from quoteline.store import queries

    with open_store(f"sqlite:///{tmp_path / 'common.db'}") as store:
        store.save_speaker(1, "Ines Cole")
        winter = []
        for i in range(12):  # "ferry" in every quote: bm25 gives it no weight
            text = f"the ferry route {i} runs" + (" all winter winter" if i % 4 == 0 else "")
            qid = put(store, f"c{i}", [quote(text)], published=D(2024, 3, 1 + i),
                      speaker_id=1)[1][0]
            if i % 4 == 0:
                winter.append(qid)
        req = SearchRequest("ferry OR winter", Filters(), 20, 0)
        query = queries.parse_query(req.text)
        assert queries._weighed(store.db, query) != query  # the two-step path
        hits = store.search_page(req).hits
        assert len(hits) == 12 and {h.quote_id for h in hits[:3]} == set(winter)  # weighed first
        assert [h.quote_id for h in hits[3:]] == sorted((h.quote_id for h in hits[3:]),
                                                         reverse=True)  # then newest first
        common = store.search_page(SearchRequest("ferry", Filters(), 20, 0))
        assert common.total == 12 and [h.quote_id for h in common.hits] == sorted(
            (h.quote_id for h in common.hits), reverse=True)  # no weight: newest first
        grouped = store.search_statements(SearchRequest("ferry", Filters(), 5, 0))
        assert grouped.total == 12 and [s.lead.quote_id for s in grouped.statements] == [
            h.quote_id for h in common.hits[:5]]
