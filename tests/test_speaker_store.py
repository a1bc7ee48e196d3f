"""Corpus speakers in a real store (SQLite and PostgreSQL): merges recorded, undone, forced."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from quoteline.corpus import force_merge, speaker_merges, undo_merge
from quoteline.corpus.speakers import SpeakerStep
from quoteline.errors import UsageError
from quoteline.models import Quote
from quoteline.store import Store, open_store
from speaker_support import ingest_extracted, said
from test_store_support import PgServer, pg_server, store_url  # noqa: F401 - fixtures


@pytest.fixture
def store(store_url: str) -> Store:  # noqa: F811
    """An open empty store."""
    return open_store(store_url)


def names_by_text(store: Store) -> dict[str, str | None]:
    """Quote text -> corpus speaker name."""
    return {h.text: h.speaker_name for h in store.quotes()}


def ids_by_text(store: Store) -> dict[str, int | None]:
    """Quote text -> corpus speaker id."""
    return {h.text: h.speaker_id for h in store.quotes()}


def test_a_surname_seen_first_merges_when_the_person_appears(store: Store) -> None:
    ingest_extracted(store, [said("a1", ("Quill", "the bridge opens in May"))])
    first = ids_by_text(store)["the bridge opens in May"]
    ingest_extracted(store, [said("a2", ("Teresa Quill", "the tolls will stay low"))])
    assert names_by_text(store) == {"the bridge opens in May": "Teresa Quill",
                                    "the tolls will stay low": "Teresa Quill"}
    assert ids_by_text(store)["the tolls will stay low"] == first
    [merge] = speaker_merges(store)
    assert (merge.kind, merge.survivor_id, merge.loser_name, merge.quotes) == (
        "absorbed", first, "Quill", 1)
    assert "Teresa Quill" in merge.evidence


def test_undo_brings_the_surname_record_back_and_keeps_it_apart(store: Store) -> None:
    ingest_extracted(store, [said("a1", ("Quill", "the bridge opens in May")),
                             said("a2", ("Teresa Quill", "the tolls will stay low"))])
    [merge] = speaker_merges(store)
    restored = undo_merge(store, merge.merge_id)
    names = names_by_text(store)
    assert names == {"the bridge opens in May": "Quill", "the tolls will stay low": "Teresa Quill"}
    assert ids_by_text(store)["the bridge opens in May"] == restored
    ingest_extracted(store, [said("a3", ("Quill", "we will not give up"))])
    assert ids_by_text(store)["we will not give up"] == restored  # never merged again
    assert speaker_merges(store)[0].undone_at is not None
    with pytest.raises(UsageError, match="undone already"):
        undo_merge(store, merge.merge_id)


def test_force_merge_moves_quotes_names_and_search_then_undo_restores(store: Store) -> None:
    ingest_extracted(store, [said("a1", ("Bill Clinton", "the economy grew fast")),
                             said("a2", ("William Jefferson Clinton", "the deficit fell"))])
    ids = ids_by_text(store)
    bill, wjc = ids["the economy grew fast"], ids["the deficit fell"]
    assert bill is not None and wjc is not None and bill != wjc
    merge_id = force_merge(store, wjc, bill, evidence="the same president")
    assert set(ids_by_text(store).values()) == {wjc}
    assert store.speaker(bill) is None
    found = store.find_speakers("Bill Clinton")
    assert [s.speaker_id for s in found] == [wjc]
    assert [h.text for h in store.search("economy", speaker="Bill Clinton")] == [
        "the economy grew fast"]
    assert undo_merge(store, merge_id) == bill  # the same id comes back
    assert ids_by_text(store) == {"the economy grew fast": bill, "the deficit fell": wjc}
    info = store.speaker(bill)
    assert info is not None and info.name == "Bill Clinton"
    assert "Bill Clinton" not in (store.speaker(wjc) or info).aliases
    assert [h.text for h in store.search("economy", speaker="Bill Clinton")] == [
        "the economy grew fast"]


def test_merged_ids_are_never_given_to_someone_else(store: Store) -> None:
    ingest_extracted(store, [said("a1", ("Ann Lee", "one"), ("Omar Diaz", "two"))])
    ids = ids_by_text(store)
    assert ids["two"] is not None and ids["one"] is not None
    force_merge(store, ids["one"], ids["two"])
    ingest_extracted(store, [said("a2", ("Rosa Park", "three"))])
    assert ids_by_text(store)["three"] not in (ids["one"], ids["two"])
    with pytest.raises(UsageError, match="no speaker"):
        force_merge(store, ids["one"], 999)


def test_the_alias_file_merges_stored_speakers_on_ingest(store: Store, tmp_path: Path) -> None:
    ingest_extracted(store, [said("a1", ("Bill Clinton", "the economy grew fast")),
                             said("a2", ("William Jefferson Clinton", "the deficit fell"))])
    assert len(set(ids_by_text(store).values())) == 2
    aliases = tmp_path / "aliases.txt"
    aliases.write_text("William Jefferson Clinton = Bill Clinton\n", encoding="utf-8")
    ingest_extracted(store, [said("a3", ("Bill Clinton", "we balanced the budget"))],
                     alias_file=aliases)
    assert set(names_by_text(store).values()) == {"William Jefferson Clinton"}
    [merge] = speaker_merges(store)
    assert (merge.kind, merge.loser_name, merge.quotes) == ("alias", "Bill Clinton", 1)
    assert merge.evidence == "alias file: William Jefferson Clinton = bill clinton"


def test_people_sharing_a_surname_and_outlets_never_merge(store: Store) -> None:
    ingest_extracted(store, [
        said("a1", ("Michelle Obama", "go high"), ("Barack Obama", "yes we can")),
        said("a2", ("Obama", "hope and change")),
        said("a3", ("New York Post", "sources confirm it"), ("Post", "a scoop"),
             ("Daily Planet", "our reporters saw it"), outlet="Daily Planet"),
    ])
    names = names_by_text(store)
    assert len(set(ids_by_text(store).values())) == 6
    assert names["hope and change"] == "Obama"
    assert names["a scoop"] == "Post"


def test_zero_width_and_bidi_controls_do_not_split_a_speaker(store: Store) -> None:
    ingest_extracted(store, [said("a1", ("Jane Sm\u200bith", "the budget is sound")),
                             said("a2", ("Jane Smith", "the budget works")),
                             said("a3", ("\u202aJane Smith\u202c", "the budget holds"))])
    assert len(set(ids_by_text(store).values())) == 1
    [speaker] = store.find_speakers("Smith")
    assert speaker.name == "Jane Smith"
    hits = store.search("budget", speaker="Smith")
    assert {h.text for h in hits} == {"the budget is sound", "the budget works",
                                      "the budget holds"}
    assert {h.speaker for h in hits} >= {"Jane Sm\u200bith"}  # the text stays as written


def test_speakers_written_by_older_code_are_found(store: Store) -> None:
    store.save_speaker(1, "Mark A. Milley", ["general"], ["Gen. Milley"])
    ingest_extracted(store, [said("a1", ("Milley", "the risks are real"),
                                  ("Gen. Mark Milley", "we are ready"))])
    assert set(ids_by_text(store).values()) == {1}
    ingest_extracted(store, [said("a2", ("Jane Roe", "hello"))])  # id 1 is taken by hand
    assert ids_by_text(store)["hello"] not in (None, 1)
    assert names_by_text(store)["hello"] == "Jane Roe"


def _speaker_rows(store: Store, n: int) -> None:
    store.db.copy_rows("speakers", ["id", "name", "name_key", "is_body"],
                       ((i, f"Person{i} Surname{i}", f"person{i} surname{i}", 0)
                        for i in range(1, n + 1)))


def _resolution_peak(url: str, n: int) -> int:
    with open_store(url) as store:
        _speaker_rows(store, n)
        SpeakerStep(store)  # files the keys of the rows written without them
        tracemalloc.start()
        step = SpeakerStep(store)
        quotes = [Quote(0, 3, "abc", "direct", None, None, f"Person{i} Surname{i}")
                  for i in range(1, 200)]
        with store.transaction():
            step.prepare([([(q.speaker, None) for q in quotes], None)])
            ids = step.article(quotes, None)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert ids == list(range(1, 200))
    return peak


def test_memory_of_a_run_does_not_grow_with_the_stored_speakers(tmp_path: Path) -> None:
    small = _resolution_peak(f"sqlite:///{tmp_path / 'small.db'}", 1_000)
    large = _resolution_peak(f"sqlite:///{tmp_path / 'large.db'}", 30_000)
    assert large < small * 1.5, (small, large)


def test_prepared_lookups_need_no_store_reads_per_name(store: Store) -> None:
    ingest_extracted(store, [said("a1", ("Teresa Quill", "one"), ("Omar Diaz", "two"))])
    step = SpeakerStep(store)
    quotes = [Quote(0, 3, "x", "direct", None, None, n) for n in ("Quill", "Omar Diaz")]
    with store.transaction():
        step.prepare([([(q.speaker, None) for q in quotes], None)])
        calls = []
        real = store.db.query
        store.db.query = lambda sql, params=(): calls.append(sql) or real(sql, params)  # type: ignore[method-assign]
        try:
            step.article(quotes, None)
        finally:
            store.db.query = real  # type: ignore[method-assign]
    assert not [sql for sql in calls if "FROM speaker_keys WHERE key" in sql]
