"""The store on both backends: migrations, writes, search, timelines, clusters, skips."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteline.errors import StoreError
from quoteline.link.types import ClusterInfo, LinkUpdate, Rendering
from quoteline.link.units import Unit
from quoteline.models import Article, Quote, Skip, Span
from quoteline.store import NewArticle, Store, open_store
from quoteline.store.migrate import current_version, latest_version, migrations
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures

D = dt.date
JAN2 = D(2024, 1, 2)


def quote(text: str, start: int = 0, speaker: str | None = "Jane Smith", kind: str = "direct",
          said_on: dt.date | None = None) -> Quote:
    """A quote with a cue and source span."""
    return Quote(start=start, end=start + len(text), text=text, kind=kind,  # type: ignore[arg-type]
                 cue=Span(0, 4, "said"), source=Span(5, 9, "Jane"), speaker=speaker,
                 speaker_title="mayor", said_on=said_on, confidence=0.9,
                 extractor="quoteline test", model="en test")


def put(store: Store, art_id: str, quotes: list[Quote], outlet: str = "Daily",
        published: dt.date | None = JAN2, speaker_id: int | None = None
        ) -> tuple[int, list[int]]:
    """Store one article with quotes (speaker ids all ``speaker_id``)."""
    text = " ".join(q.text for q in quotes) or "empty"
    art = Article(text=text, id=art_id, outlet=outlet, published=published, source=art_id)
    new = NewArticle(art, art_id, f"hash-{art_id}", b"", quotes=tuple(quotes))
    return store.add_article(new, [speaker_id] * len(quotes))


def unit(store: Store, article_row: int, quote_id: int, text: str) -> int:
    """One utterance unit covering a stored quote's whole text (linking clusters units)."""
    from quoteline.link.units import Unit

    (uid,) = store.add_units(article_row, quote_id, [Unit(0, len(text), text)])
    return uid


@pytest.fixture
def store(store_url: str) -> Store:  # noqa: F811
    """An empty, migrated store on each backend."""
    s = open_store(store_url)
    yield s  # type: ignore[misc]
    s.close()


def test_migrations_are_numbered_and_applied_once(store_url: str) -> None:  # noqa: F811
    with open_store(store_url) as s:
        assert current_version(s.db) == latest_version(s.dialect) >= 1
    with open_store(store_url) as s:  # reopening applies nothing twice
        rows = s.db.query("SELECT version FROM schema_version")
        shipped = [m.version for m in migrations(s.dialect)]  # numbers are given out per task
        assert sorted(r["version"] for r in rows) == shipped and shipped[0] == 1


def test_article_and_quotes_round_trip(store: Store) -> None:
    store.save_speaker(1, "Jane Smith", ["mayor"], ["Smith"])
    _, qids = put(store, "a1", [quote("We will build the bridge", said_on=D(2024, 1, 1))],
                  speaker_id=1)
    [hit] = store.search("bridge")
    assert hit.quote_id == qids[0]
    assert (hit.article_id, hit.outlet, hit.published) == ("a1", "Daily", D(2024, 1, 2))
    assert (hit.start, hit.end, hit.text) == (0, 24, "We will build the bridge")
    assert (hit.speaker, hit.speaker_id, hit.speaker_name, hit.cue) == (
        "Jane Smith", 1, "Jane Smith", "said")
    assert hit.said_on == D(2024, 1, 1)
    assert hit.to_dict()["said_on"] == "2024-01-01"


def test_search_ranks_better_matches_first(store: Store) -> None:
    put(store, "a1", [quote("the road is long and the river is wide and the bridge is old")])
    put(store, "a2", [quote("bridge after bridge after bridge")])
    for i in range(5):
        put(store, f"other{i}", [quote(f"nothing to see here {i}")])
    hits = store.search("bridge")
    assert [h.article_id for h in hits] == ["a2", "a1"]
    assert hits[0].score is not None and hits[1].score is not None
    assert hits[0].score > hits[1].score


def test_search_language(store: Store) -> None:
    put(store, "a1", [quote("taxes will rise next year")])
    put(store, "a2", [quote("next year taxes will fall")])
    put(store, "a3", [quote("inflation is transitory")])
    ids = lambda q: sorted(h.article_id or "" for h in store.search(q))  # noqa: E731
    assert ids('"will rise"') == ["a1"]
    assert ids("taxes -fall") == ["a1"]
    assert ids("rise OR inflation") == ["a1", "a3"]
    assert ids("infla*") == ["a3"]
    assert ids("taxes year") == ["a1", "a2"]
    assert ids("rising") == ["a1"]  # stemming on both backends


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
       | st.lists(st.sampled_from(['"', "*", "-", "OR", "AND", "NOT", "(", ")", ":", "^", "NEAR",
                                   "'", "&", "|", "!", "<->", "taxes", "x*", "\\", "%", "?"]),
                  max_size=8).map(" ".join))
def test_user_query_syntax_never_raises(store: Store, text: str) -> None:
    hits = store.search(text, speaker=text or None, outlet=text or None)
    assert isinstance(hits, list)


def test_filters(store: Store) -> None:
    store.save_speaker(1, "Jane Smith", ["mayor"], ["Smith"])
    store.save_speaker(2, "John Doe", [], [])
    put(store, "a1", [quote("roads first", said_on=D(2024, 3, 1))], outlet="Daily", speaker_id=1)
    put(store, "a2", [quote("roads later", kind="indirect", speaker="John Doe")],
        outlet="Herald", published=D(2024, 5, 1), speaker_id=2)
    ids = lambda **kw: sorted(h.article_id or "" for h in store.search("roads", **kw))  # noqa: E731
    assert ids(speaker="smith") == ["a1"]
    assert ids(speaker="Jane Smith") == ["a1"]
    assert ids(speaker="John Doe") == ["a2"]
    assert ids(outlet="herald") == ["a2"]
    assert ids(kind="indirect") == ["a2"]
    assert ids(date_from=D(2024, 4, 1)) == ["a2"]
    assert ids(date_to=D(2024, 4, 1)) == ["a1"]
    assert [h.article_id for h in store.search("", outlet="Daily")] == ["a1"]


def test_timeline_orders_by_said_on_then_published(store: Store) -> None:
    store.save_speaker(1, "Jane Smith", [], [])
    put(store, "late", [quote("third", said_on=D(2024, 6, 1))], speaker_id=1)
    put(store, "undated", [quote("second")], published=D(2024, 3, 1), speaker_id=1)
    put(store, "early", [quote("first", said_on=D(2023, 1, 1))], published=D(2024, 9, 9),
        speaker_id=1)
    assert [h.text for h in store.timeline(1)] == ["first", "second", "third"]
    [info] = store.find_speakers("smith")
    assert (info.name, info.quotes) == ("Jane Smith", 3)


def test_speakers_with_aliases_and_titles(store: Store) -> None:
    store.save_speaker(7, "Milley", [], [])
    store.save_speaker(7, "Mark A. Milley", ["general"], ["Milley", "Gen. Mark Milley"])
    [info] = store.find_speakers("Gen. Mark Milley")
    assert info.name == "Mark A. Milley"
    assert set(info.aliases) == {"Milley", "Mark A. Milley", "Gen. Mark Milley"}
    assert info.titles == ("general",)
    assert store.find_speakers("Nobody Here") == []


def test_link_update_written_and_merged(store: Store) -> None:
    a1, (q1,) = put(store, "a1", [quote("we will win")])
    a2, (q2,) = put(store, "a2", [quote("we shall win")], outlet="Herald")
    # linking works on units (the sentences of a quote): here one unit per quote
    (u1,) = store.add_units(a1, q1, [Unit(0, 11, "we will win")])
    (u2,) = store.add_units(a2, q2, [Unit(0, 12, "we shall win")])
    diff = (("=", "we"), ("-", "will"), ("+", "shall"), ("=", "win"))
    renderings = (Rendering(u1, "reference", 1.0), Rendering(u2, "altered", 0.8, diff))
    update = LinkUpdate(clusters={5: ClusterInfo(5, u1, "Daily", D(2024, 1, 2), None, renderings)})
    store.apply_link_update(update)
    view = store.cluster(5)
    assert view is not None
    assert [h.quote_id for h in view.renderings] == [q1, q2]
    assert view.altered == 1 and view.first_outlet == "Daily"
    assert view.renderings[1].diff == [["=", "we"], ["-", "will"], ["+", "shall"], ["=", "win"]]
    assert [h.cluster for h in store.search("win")] == [5, 5]  # quotes carry their unit's cluster
    store.apply_link_update(LinkUpdate(
        clusters={6: ClusterInfo(6, u1, "Daily", None, None, (Rendering(u1, "reference", 1.0),
                                                              Rendering(u2, "verbatim", 1.0)))},
        removed={5}))
    assert store.cluster(5) is None
    assert [r["cluster"] for r in store.clusters()] == [6]
    assert store.stats().altered == 0


def test_skips_recorded_once_per_source_and_reason(store: Store) -> None:
    store.add_skip(Skip("a.txt", "not valid UTF-8", "a", "byte 3"))
    store.add_skip(Skip("a.txt", "not valid UTF-8", "a", "byte 4"))
    store.add_skip(Skip("b.warc", "unreadable WARC record"))
    rows = store.skips()
    assert sorted((r.source, r.reason) for r in rows) == [
        ("a.txt", "not valid UTF-8"), ("b.warc", "unreadable WARC record")]
    assert next(r for r in rows if r.source == "a.txt").detail == "byte 4"
    store.clear_skips("a.txt")
    assert [r.source for r in store.skips()] == ["b.warc"]


def test_transaction_rolls_back_everything(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        put(store, "a1", [quote("gone")])
        raise RuntimeError("boom")
    assert store.stats().articles == 0 and store.search("gone") == []


def test_bad_urls_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="sqlite:///"):
        open_store("mysql://x/y")
    with pytest.raises(StoreError, match="folder does not exist"):
        open_store(f"sqlite:///{tmp_path}/missing/dir/q.db")
    with pytest.raises(StoreError, match="check the server is running"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


def test_sqlite_file_is_usable_from_plain_sqlite3(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with open_store(f"sqlite:///{path}") as s:
        put(s, "a1", [quote("the bridge will open")])
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT article_id, start, \"end\", text FROM quote_view").fetchone()
    assert row == ("a1", 0, 20, "the bridge will open")
    hits = conn.execute("SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH 'bridge'").fetchall()
    assert len(hits) == 1
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_nul_characters_are_stored_without_moving_offsets(store: Store) -> None:
    _, (qid,) = put(store, "nul", [quote("bad\x00byte here")])
    [hit] = store.search("byte")
    assert hit.quote_id == qid and hit.text == "bad\ufffdbyte here"
    assert (hit.start, hit.end) == (0, 13)


def test_a_store_newer_than_the_code_is_refused(store_url: str) -> None:  # noqa: F811
    with open_store(store_url) as s:
        s.db.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                     (999, "from_the_future", "2099-01-01"))
    with pytest.raises(StoreError, match="upgrade quoteline"):
        open_store(store_url)


def test_day_is_said_on_else_published_for_old_and_new_rows(store_url: str) -> None:  # noqa: F811
    from quoteline.store.migrate import migrations
    with Store(store_url, migrate_schema=False) as s, s.transaction():  # a version-1 store
        s.db.script(migrations(s.dialect)[0].sql)
        s.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                     " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        s.db.execute("INSERT INTO schema_version VALUES (1, 'init', '2024-01-01')")
        s.save_speaker(1, "Jane Smith", [], [])
        row, _ = put(s, "old", [], published=D(2024, 3, 1), speaker_id=1)
        for text, start, said in (("dated", 0, D(2023, 5, 5)), ("undated", 6, None)):
            # the columns of a version-1 store (today's writer also fills later ones)
            s.db.execute("INSERT INTO quotes (article_id, start_char, end_char, text, kind,"
                         " speaker, speaker_id, said_on, confidence) VALUES (?,?,?,?,?,?,?,?,?)",
                         (row, start, start + len(text), text, "direct", "Jane Smith", 1, said, 0.9))
    with open_store(store_url) as s:  # migrates to the latest version
        put(s, "new", [quote("fresh")], published=D(2024, 4, 4), speaker_id=1)
        days = {r["text"]: str(r["day"]) for r in s.db.query("SELECT text, day FROM quotes")}
        assert days == {"dated": "2023-05-05", "undated": "2024-03-01", "fresh": "2024-04-04"}
        s.db.execute("UPDATE articles SET published = ? WHERE input_id = 'old'", (D(2022, 2, 2),))
        s.db.execute("UPDATE quotes SET said_on = NULL WHERE text = 'dated'")
        days = {r["text"]: str(r["day"]) for r in s.db.query("SELECT text, day FROM quotes")}
        assert days == {"dated": "2022-02-02", "undated": "2022-02-02", "fresh": "2024-04-04"}
        assert [h.text for h in s.timeline(1)] == ["dated", "undated", "fresh"]


def test_top_speakers_count_originals_not_copies(store: Store) -> None:
    store.save_speaker(1, "Jane Smith", [], [])
    store.save_speaker(2, "Omar Haddad", [], [])
    orig, _ = put(store, "orig", [quote("one"), quote("two", start=4)], speaker_id=1)
    for i in range(2):  # two near copies of Jane's article: three renderings, one original
        art = Article(text="one two", id=f"copy{i}", outlet="Other", published=JAN2)
        store.add_article(NewArticle(art, f"copy{i}", f"hash-copy{i}", b"", copy_of=orig,
                                     copy_kind="near", quotes=(quote("one"), quote("two", start=4))),
                          [1, 1])
    put(store, "o2", [quote("a"), quote("b", start=2), quote("c", start=4)], speaker_id=2)
    top = store.top_speakers(5)
    assert [(s.name, s.quotes) for s in top] == [("Omar Haddad", 3), ("Jane Smith", 2)]
    assert [s.name for s in store.top_speakers(1)] == ["Omar Haddad"]


def test_sqlite_ranking_skips_words_in_most_quotes_without_changing_the_order(
        tmp_path: Path) -> None:
    import random
    rng = random.Random(5)
    filler = ["road", "tax", "rail", "port", "school", "water", "park", "fund"]
    with open_store(f"sqlite:///{tmp_path / 'rank.db'}") as s:
        for i in range(80):  # "people" in every quote; "bridge" in some, at varied density
            words = ["people", *rng.choices(filler, k=rng.randint(3, 14))]
            words += ["bridge"] * (1 + i % 3 if i % 4 == 1 else 0)  # in a quarter of them
            rng.shuffle(words)
            put(s, f"a{i}", [quote(" ".join(words), kind=("direct", "indirect")[i % 2])])

        def bm25_order(match: str) -> list[int]:  # FTS5's own ranking of the whole query
            return [int(r["id"]) for r in s.db.query(
                "SELECT rowid AS id FROM quotes_fts WHERE quotes_fts MATCH ?"
                " ORDER BY bm25(quotes_fts, 1.0, 1.0, 0.0), rowid DESC", [match])]

        expected = bm25_order('{text speaker} : ("people" AND "bridge")')
        assert len(expected) == 20
        got = [h.quote_id for h in s.search("people bridge", limit=100)]
        assert got == expected
        direct = bm25_order('{text speaker} : ("people" AND "bridge") AND facets : "kdirect"')
        assert [h.quote_id for h in s.search("people bridge", kind="direct", limit=100)] == direct
        # Only words in most quotes: no word can rank, so the newest come first.
        newest = [h.quote_id for h in s.search("people", limit=100)]
        assert newest == sorted(newest, reverse=True) and len(newest) == 80


def test_min_confidence_filter(store: Store) -> None:
    low = replace(quote("maybe the bridge", start=0), confidence=0.3)
    high = replace(quote("surely the bridge", start=20), confidence=0.9)
    put(store, "c1", [low, high])
    assert [h.text for h in store.search("bridge", min_confidence=0.5)] == ["surely the bridge"]
    assert len(store.search("bridge")) == 2
    assert [h.text for h in store.search("", min_confidence=0.5)] == ["surely the bridge"]


def test_timeline_puts_undated_quotes_last_on_both_backends(store: Store) -> None:
    store.save_speaker(1, "Jane Smith", [], [])
    put(store, "nodate", [quote("whenever")], published=None, speaker_id=1)
    put(store, "dated", [quote("on the day", said_on=D(2024, 2, 2))], speaker_id=1)
    assert [h.text for h in store.timeline(1)] == ["on the day", "whenever"]
