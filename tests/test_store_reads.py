"""The Store's read methods behind every adapter, on SQLite and a real PostgreSQL alike:
paging by speaker id, match counts, refused requests, badges, first report, overview, and a
store that is not there."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from quoteline.errors import UsageError
from quoteline.link.types import ClusterInfo, LinkUpdate, Rendering
from quoteline.search import Filters, SearchRequest
from quoteline.store import Store, open_store
from quoteline.store import queries as store_queries
from test_store import put, quote, unit
from test_store_support import PgServer, pg_server, store_url  # noqa: F401 - fixtures

D = dt.date


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:  # noqa: F811
    """An empty, migrated store on each backend."""
    with open_store(store_url) as s:
        yield s


def namesakes(store: Store) -> tuple[list[int], list[int]]:
    """Two different speakers both called "Alex Kim" (and both "Kim"), quotes interleaved;
    the quote ids of each."""
    store.save_speaker(1, "Alex Kim", ["mayor"], ["Kim"])
    store.save_speaker(2, "Alex Kim", ["coach"], ["Kim"])
    mine: list[int] = []
    theirs: list[int] = []
    for i in range(7):
        sid = 1 if i % 2 == 0 else 2
        _, (qid,) = put(store, f"k{i}", [quote(f"the bridge will open soon number {i}",
                                               speaker="Alex Kim")],
                        published=D(2024, 1, 1 + i), speaker_id=sid)
        (mine if sid == 1 else theirs).append(qid)
    return mine, theirs


def pages(store: Store, request: SearchRequest, size: int) -> list[list[int]]:
    """The quote ids of every page of a search, ``size`` a page, until an empty one."""
    out: list[list[int]] = []
    for page in range(10):
        req = SearchRequest(request.text, request.filters, size, page * size)
        ids = [h.quote_id for h in store.search_page(req).hits]
        if not ids:
            return out
        out.append(ids)
    raise AssertionError("paging never ended")


@pytest.mark.parametrize("text", ["bridge", ""])
def test_speaker_id_pages_one_speaker_of_two_namesakes(store: Store, text: str) -> None:
    mine, theirs = namesakes(store)
    by_id = SearchRequest(text, Filters(speaker_id=1))
    got = pages(store, by_id, 2)
    assert [len(p) for p in got] == [2, 2]  # full pages, none short from post-filtering
    assert sorted(i for p in got for i in p) == sorted(mine)
    first = store.search_page(SearchRequest(text, Filters(speaker_id=1), 2))
    assert (first.total, first.exact) == (len(mine), True)
    by_name = pages(store, SearchRequest(text, Filters(speaker="Kim")), 3)  # both of them
    assert sorted(i for p in by_name for i in p) == sorted(mine + theirs)
    result = store.speaker_quotes(2, limit=2)
    assert result.total == len(theirs) and {h.speaker_id for h in result.hits} == {2}


def test_totals_count_matches_not_the_store_and_stop_at_the_cap(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(6):
        put(store, f"t{i}", [quote(f"taxes rise in year {i}" if i < 4 else "nothing here")])
    ranked = store.search_page(SearchRequest("taxes", limit=2))
    assert (len(ranked.hits), ranked.total, ranked.exact) == (2, 4, True)
    assert ranked.describe() == "4 matches"
    past = store.search_page(SearchRequest("taxes", limit=2, offset=10))
    assert (past.hits, past.total) == ((), 4)
    assert store.search_page(SearchRequest("", Filters(outlet="Daily"), 4)).total == 6
    monkeypatch.setattr(store_queries, "CANDIDATES", 3)
    capped = store.search_page(SearchRequest("taxes", limit=2))
    assert (capped.total, capped.exact) == (3, False)
    assert capped.describe() == "3 or more matches"
    filtered = store.search_page(SearchRequest("", Filters(outlet="Daily"), 2))
    assert (filtered.total, filtered.exact) == (3, False)


@pytest.mark.parametrize("text", ['"', "AND", "*", "OR NOT", "-war", "  -war -peace "])
def test_a_query_without_a_word_to_find_is_refused_with_a_reason(store: Store,
                                                                 text: str) -> None:
    put(store, "a", [quote("war and peace")])
    result = store.search_page(SearchRequest(text))
    assert result.hits == () and result.problem is not None
    assert ("only excludes" if "-" in text else "no words to look for") in result.problem
    assert store.search(text) == []  # not the latest quotes


def test_dates_the_wrong_way_round_are_refused(store: Store) -> None:
    put(store, "a", [quote("war and peace")])
    req = SearchRequest("war", Filters(date_from=D(2024, 5, 1), date_to=D(2024, 1, 1)))
    result = store.search_page(req)
    assert result.hits == () and "2024-05-01" in (result.problem or "")
    ok = SearchRequest("war", Filters(date_from=D(2024, 1, 1), date_to=D(2024, 5, 1)))
    assert store.search_page(ok).problem is None and store.search_page(ok).total == 1


def test_quote_article_badges_first_report_and_overview(store: Store) -> None:
    store.save_speaker(1, "Jane Smith", ["finance minister"], ["Smith"])
    row, (q1,) = put(store, "a1", [quote("we will win")], published=D(2024, 1, 3), speaker_id=1)
    row2, (q2,) = put(store, "a2", [quote("we shall win")], outlet="Herald",
                      published=D(2024, 1, 2), speaker_id=1)
    row3, (q3,) = put(store, "a3", [quote("we will win")], outlet="Gazette",
                      published=D(2024, 1, 4), speaker_id=1)
    u1, u2, u3 = (unit(store, row, q1, "we will win"), unit(store, row2, q2, "we shall win"),
                  unit(store, row3, q3, "we will win"))
    renderings = (Rendering(u1, "reference", 1.0), Rendering(u2, "altered", 0.8,
                                                            (("-", "will"), ("+", "shall"))),
                  Rendering(u3, "verbatim", 1.0))
    store.apply_link_update(LinkUpdate(clusters={9: ClusterInfo(
        9, u1, "Herald", D(2024, 1, 2), 1, renderings)}))
    hits = store.search("win")
    assert store.altered_elsewhere(hits) == {q1: 1, q2: 0, q3: 1}
    view = store.cluster(9)
    assert view is not None and view.first_quote_id == q2 and view.speaker_name == "Jane Smith"
    assert view.to_dict()["first_quote_id"] == q2
    detail = store.quote(q1)
    assert detail is not None and detail.article_row == row and detail.hit.article_row == row
    assert detail.article_text == "we will win" and detail.hit.cue == "said"
    art = store.article(row)
    assert art is not None and [q.quote_id for q in art.quotes] == [q1]
    assert store.outlets() == ["Daily", "Gazette", "Herald"]
    assert [h.quote_id for h in store.latest_quotes(2)] == [q3, q2]
    summary = store.overview(2)
    assert (summary.stats.quotes, summary.stats.altered) == (3, 1)
    assert [s.name for s in summary.top_speakers] == ["Jane Smith"]
    assert [c.cluster_id for c in summary.clusters] == [9]
    assert [h.quote_id for h in summary.altered] == [q2]
    assert store.speaker_histogram(1) == [(D(2024, 1, d), 1) for d in (2, 3, 4)]


def test_speaker_titles_keep_the_capitals_the_articles_gave(store: Store) -> None:
    store.save_speaker(1, "Jane Smith", ["finance minister"], ["Smith"])
    put(store, "a1", [quote("one", speaker="Jane Smith")], speaker_id=1)
    store.db.execute("UPDATE quotes SET speaker_title = 'Finance Minister'")
    info = store.speaker(1)
    assert info is not None and info.titles == ("Finance Minister",)
    assert info.title == "Finance Minister"
    assert info.other_names == ("Smith",)  # "also called" leaves the name itself out


def test_read_callers_refuse_a_sqlite_store_that_is_not_there(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(UsageError, match=f"no quoteline store at {path}"):
        open_store(f"sqlite:///{path}", create=False)
    assert not path.exists()  # nothing was created
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(UsageError, match="holds no quoteline store"):
        open_store(f"sqlite:///{tmp_path / 'other.db'}", create=False)
    open_store(f"sqlite:///{path}").close()  # a writer may create it
    with open_store(f"sqlite:///{path}", create=False) as s:
        assert s.stats().quotes == 0


@pytest.mark.postgres
def test_read_callers_refuse_an_empty_postgresql_database(pg_server: PgServer) -> None:  # noqa: F811
    url = pg_server.new_database()
    with pytest.raises(UsageError, match="holds no quoteline store"):
        open_store(url, create=False)
    with open_store(url) as s:  # a writer creates it
        assert s.stats().quotes == 0
    with open_store(url, create=False) as s:  # now it is there
        assert s.dialect == "postgresql"
