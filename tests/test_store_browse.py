"""The Store's browse reads and statements, on SQLite and a real PostgreSQL: clusters by size
or date (and flag), articles by date (and outlet), outlets, the speaker ranking with junk names
kept out of the people, statements (said once, reported by many), and on SQLite that each
browse query reads an index instead of scanning the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from quoteline.link.types import ClusterInfo, LinkUpdate, Rendering
from quoteline.link.units import Unit
from quoteline.search import Filters, SearchRequest
from quoteline.store import Store, open_store
from quoteline.store.browse import is_person_name
from test_store import put, quote
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures

D = dt.date


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:  # noqa: F811
    """An empty, migrated store on each backend."""
    with open_store(store_url) as s:
        yield s


def corpus(store: Store) -> dict[str, int]:
    """Two speakers; one statement reported by three outlets (one altered), one reported by
    two, and single reports; named ids of what was written."""
    store.save_speaker(1, "Jane Smith", ["finance minister"], ["Smith"])
    store.save_speaker(2, "Critics", [], [], is_body=False)  # junk a store may hold
    ids: dict[str, int] = {}
    rows = [("a1", "Daily", D(2024, 1, 2), "we will cut taxes", 1),
            ("a2", "Herald", D(2024, 1, 3), "we will cut taxes", 1),
            ("a3", "Gazette", D(2024, 1, 5), "we will raise taxes", 1),
            ("a4", "Daily", D(2024, 2, 1), "the budget is sound", 1),
            ("a5", "Herald", D(2024, 2, 2), "the budget is sound", 1),
            ("a6", "Herald", None, "an undated remark", 1),
            ("a7", "Gazette", D(2024, 3, 1), "this plan is wrong", 2)]
    units: dict[str, int] = {}
    for art, outlet, day, text, sid in rows:
        row, (qid,) = put(store, art, [quote(text)], outlet=outlet, published=day,
                          speaker_id=sid)
        ids[art] = qid
        (units[art],) = store.add_units(row, qid, [Unit(0, len(text), text)])  # one sentence
    taxes = (Rendering(units["a1"], "reference", 1.0), Rendering(units["a2"], "verbatim", 1.0),
             Rendering(units["a3"], "altered", 0.7, (("=", "we will"), ("-", "cut"),
                                                      ("+", "raise"), ("=", "taxes"))))
    budget = (Rendering(units["a4"], "reference", 1.0), Rendering(units["a5"], "verbatim", 1.0))
    store.apply_link_update(LinkUpdate(clusters={
        10: ClusterInfo(10, units["a1"], "Daily", D(2024, 1, 2), 1, taxes),
        11: ClusterInfo(11, units["a4"], "Daily", D(2024, 2, 1), 1, budget)}))
    return ids


def test_clusters_by_size_and_date_with_flags(store: Store) -> None:
    corpus(store)
    by_size = store.browse_clusters()
    assert [c.cluster_id for c in by_size.items] == [10, 11] and by_size.total == 2
    top = by_size.items[0]
    assert (top.size, top.altered, top.outlets, top.speaker_name) == (3, 1, 3, "Jane Smith")
    assert top.reference_text == "we will cut taxes" and top.first_outlet == "Daily"
    assert [c.cluster_id for c in store.browse_clusters(sort="date").items] == [11, 10]
    assert [c.cluster_id for c in store.browse_clusters("altered").items] == [10]
    page2 = store.browse_clusters(limit=1, offset=1)
    assert [c.cluster_id for c in page2.items] == [11] and page2.total == 2
    assert store.browse_clusters("misattributed").items == ()  # nobody named someone else
    with pytest.raises(ValueError):
        store.browse_clusters(sort="colour")
    with pytest.raises(ValueError):
        store.browse_clusters("wrong")


def test_articles_newest_first_undated_last_by_outlet(store: Store) -> None:
    corpus(store)
    listed = store.browse_articles()
    assert [a.input_id for a in listed.items] == ["a7", "a5", "a4", "a3", "a2", "a1", "a6"]
    assert listed.total == 7 and listed.items[0].quotes == 1
    herald = store.browse_articles("  herald ")
    assert [a.input_id for a in herald.items] == ["a5", "a2", "a6"]
    page = store.browse_articles(limit=2, offset=2)
    assert [a.input_id for a in page.items] == ["a4", "a3"]


def test_outlets_count_articles_quotes_first_reports_and_altered(store: Store) -> None:
    corpus(store)
    table = {o.name: o for o in store.outlet_table()}
    assert set(table) == {"Daily", "Herald", "Gazette"}
    assert (table["Herald"].articles, table["Herald"].quotes) == (3, 3)
    assert table["Daily"].first_reports == 2 and table["Herald"].first_reports == 0
    assert table["Gazette"].altered == 1 and table["Daily"].altered == 0
    assert table["Gazette"].first_published == D(2024, 1, 5)
    assert table["Gazette"].last_published == D(2024, 3, 1)


def test_speaker_ranking_counts_statements_and_keeps_junk_out_of_people(store: Store) -> None:
    corpus(store)
    ranking = store.speaker_ranking()
    jane = next(s for s in ranking if s.speaker_id == 1)
    assert (jane.quotes, jane.statements, jane.person) == (6, 3, True)  # 6 reports, 3 said
    critics = next(s for s in ranking if s.speaker_id == 2)
    assert not critics.person
    assert [s.name for s in store.overview(5).top_speakers] == ["Jane Smith"]
    assert store.speakers_named("smi") == [1] and store.speakers_named("jane s") == [1]
    assert store.speakers_named("zzz") == []


@pytest.mark.parametrize("name", ["his", "Critics", "city", "Customers like Maggie Dunn",
                                  "Northline Power", "The Daily Herald", "Officials", "",
                                  "voters", "Mayor", "<img src=x> Person"])
def test_names_that_are_not_people(name: str) -> None:
    assert not is_person_name(name)


@pytest.mark.parametrize("name", ["Maggie Dunn", "Maria de la Cruz", "Gen. Mark Milley",
                                  "Powell", "Jacinda Ardern", "O'Brien"])
def test_names_of_people(name: str) -> None:
    assert is_person_name(name)


def test_a_speakers_statements_fold_their_renderings(store: Store) -> None:
    ids = corpus(store)
    found = store.speaker_statements(1)
    assert found.total == 3 and found.exact  # taxes, budget, and one single report
    assert [s.cluster_id for s in found.statements] == [11, 10, None]  # latest first said first
    by_cluster = {s.cluster_id: s for s in found.statements if s.cluster_id is not None}
    taxes = by_cluster[10]
    assert (taxes.reports, taxes.outlets, taxes.altered) == (3, 3, 1) and taxes.said_once
    assert taxes.lead.quote_id == ids["a1"]  # the reference is the words shown
    assert [r.quote_id for r in taxes.renderings] == [ids["a1"], ids["a2"], ids["a3"]]
    assert found.statements[-1].lead.quote_id == ids["a6"]  # undated: last
    days = store.speaker_statement_days(1)
    assert days == [(D(2024, 1, 2), 1), (D(2024, 2, 1), 1)]
    january = store.speaker_statements(1, date_from=D(2024, 1, 1), date_to=D(2024, 1, 31))
    assert [s.cluster_id for s in january.statements] == [10]  # by the day first said
    paged = store.speaker_statements(1, limit=1, offset=1)
    assert [s.cluster_id for s in paged.statements] == [10] and paged.total == 3
    info = store.speaker(1)
    assert info is not None and (info.quotes, info.statements) == (6, 3)
    reversed_dates = store.speaker_statements(1, date_from=D(2024, 5, 1), date_to=D(2024, 1, 1))
    assert reversed_dates.statements == () and "after" in (reversed_dates.problem or "")


def test_search_by_statement_counts_each_statement_once(store: Store) -> None:
    corpus(store)
    plain = store.search_page(SearchRequest("taxes"))
    assert plain.total == 3
    grouped = store.search_statements(SearchRequest("taxes"))
    assert grouped.total == 1 and grouped.statements[0].reports == 3
    assert grouped.describe() == "1 statement"
    everything = store.search_statements(SearchRequest("", Filters(), 50))
    assert everything.total == 3 + 1  # Jane's three statements and the critics' one
    none = store.search_statements(SearchRequest('"'))
    assert none.statements == () and none.problem


def test_browse_queries_read_indexes_not_tables(tmp_path: object) -> None:
    """On SQLite every browse page is an index range with LIMIT: no full scan, no sort."""
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    with open_store(f"sqlite:///{tmp_path / 'plan.db'}") as store:
        corpus(store)
        plans = {
            "clusters by size": "SELECT c.* FROM clusters c WHERE c.size > 1"
                                " ORDER BY c.size DESC, c.id DESC LIMIT 20",
            "clusters by date": "SELECT c.* FROM clusters c WHERE c.size > 1 ORDER BY"
                                " c.first_published DESC NULLS LAST, c.id DESC LIMIT 20",
            "altered clusters": "SELECT c.* FROM clusters c WHERE c.altered > 0"
                                " ORDER BY c.size DESC, c.id DESC LIMIT 20",
            "articles": "SELECT id FROM articles WHERE +copy_of IS NULL"
                        " ORDER BY published DESC NULLS LAST, id DESC LIMIT 20",
            "an outlet's articles": "SELECT id FROM articles WHERE +copy_of IS NULL AND"
                                    " lower(outlet) = 'daily' ORDER BY published DESC"
                                    " NULLS LAST, id DESC LIMIT 20",
            "latest altered": "SELECT id FROM quotes q WHERE q.rendering = 'altered'"
                              " ORDER BY q.id DESC LIMIT 10",
        }
        for what, sql in plans.items():
            plan = " ".join(r["detail"] for r in store.db.query("EXPLAIN QUERY PLAN " + sql))
            assert "USING" in plan and "TEMP B-TREE" not in plan, (what, plan)
            assert not plan.startswith("SCAN clusters") or "INDEX" in plan, (what, plan)


def test_a_common_word_groups_by_statement_too(store: Store) -> None:
    """A word in most quotes takes SQLite's two-step ranking; grouping gives the same."""
    units = []
    for i in range(6):
        text = f"people will vote number {i % 3}"
        row, (qid,) = put(store, f"c{i}", [quote(text)], published=D(2024, 4, 1 + i))
        units += store.add_units(row, qid, [Unit(0, len(text), text)])
    store.apply_link_update(LinkUpdate(clusters={20: ClusterInfo(
        20, units[0], "Daily", D(2024, 4, 1), None,
        (Rendering(units[0], "reference", 1.0), Rendering(units[3], "verbatim", 1.0)))}))
    grouped = store.search_statements(SearchRequest("people"))
    assert grouped.total == 5 and grouped.exact  # six quotes, two of them one statement
    assert sorted(s.reports for s in grouped.statements) == [1, 1, 1, 1, 2]
    paged = store.search_statements(SearchRequest("people", Filters(), 2, 4))
    assert len(paged.statements) == 1 and paged.total == 5
    beyond = store.search_statements(SearchRequest("vote", Filters(), 2, 40))
    assert beyond.statements == () and beyond.total == 5


def test_misattribution_is_listed_flagged_and_named(store: Store) -> None:
    """An outlet that gives Jane's words to the critics: the cluster is flagged, the latest
    misattributed quotes list it, and the rendering carries the name that outlet gave."""
    store.save_speaker(1, "Jane Smith", [], [])
    store.save_speaker(3, "Tom Brand", [], [])
    rows = [("m1", "Daily", 1, "Jane Smith"), ("m2", "Herald", 3, "Tom Brand")]
    units = []
    for art, outlet, sid, name in rows:
        text = "the bridge opens in May"
        row, (qid,) = put(store, art, [quote(text, speaker=name)], outlet=outlet,
                          published=D(2024, 5, 2), speaker_id=sid)
        units += store.add_units(row, qid, [Unit(0, len(text), text)])
    store.apply_link_update(LinkUpdate(clusters={30: ClusterInfo(
        30, units[0], "Daily", D(2024, 5, 2), 1,
        (Rendering(units[0], "reference", 1.0), Rendering(units[1], "verbatim", 1.0,
                                                          attributed_to=3)), "m1")}))
    flagged = store.browse_clusters("misattributed")
    assert [c.cluster_id for c in flagged.items] == [30] and flagged.items[0].misattributed
    assert [h.speaker for h in store.overview(3).misattributed] == ["Tom Brand"]
    view = store.cluster(30)
    assert view is not None and view.misattributed
    given = {r.outlet: r.attributed_to for r in view.renderings}
    assert given == {"Daily": None, "Herald": "Tom Brand"}
    (statement,) = store.speaker_statements(1).statements
    assert statement.misattributed == 1 and statement.reports == 2
