"""The store-backed linker gives the in-memory linker's clusters: the same units linked both
ways, article by article, make the same clusters, references and renderings (SQLite and
PostgreSQL); an older store's clusters are filed into the lookup tables on the next ingest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from link_index_support import corpus, stored_clusters
from quoteline.link import Linker, QuoteRecord
from quoteline.link.linker import iter_clusters
from quoteline.store import open_store
from quoteline.store.types import json_or_none
from speaker_support import ingest_extracted
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures


@pytest.fixture
def url(store_url: str) -> str:  # noqa: F811
    """An empty store on each backend."""
    return store_url


@pytest.fixture(autouse=True)
def words_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linking as the default install does it (no semantic model)."""
    monkeypatch.setenv("QUOTELINE_SEMANTIC", "0")


def units_by_article(url: str) -> list[list[QuoteRecord]]:
    """The stored units, grouped by article in the order they were stored."""
    with open_store(url) as store:
        by_article: dict[str | None, list[QuoteRecord]] = {}
        for rec, _ in store.unit_records():
            by_article.setdefault(rec.article_id, []).append(rec)
        assert store.speaker_merges() == []  # speakers never changed under the linker
    return list(by_article.values())


def in_memory(articles: list[list[QuoteRecord]]) -> tuple[dict[int, dict[str, Any]], int]:
    """The same units linked by one in-memory Linker, article by article; the clusters in
    ``stored_clusters``' form, and how many clusters were merged into others on the way."""
    linker = Linker()
    merged = 0
    for units in articles:
        merged += len(linker.add(units).removed)
    out: dict[int, dict[str, Any]] = {}
    for info in iter_clusters(linker):
        out[info.cluster_id] = {
            "id": info.cluster_id, "reference_quote_id": info.reference_id,
            "speaker_id": info.speaker_id, "first_outlet": info.first_outlet,
            "first_published": str(info.first_published or ""),
            "first_article": info.first_article, "size": len(info.renderings),
            "altered": info.altered, "misattributed": int(info.misattributed),
            "units": {r.quote_id: (r.kind, r.severity, round(r.similarity, 3),
                                   json_or_none([list(op) for op in r.diff]), r.attributed_to)
                      for r in sorted(info.renderings, key=lambda r: r.quote_id)}}
    return out, merged


def test_store_backed_linking_equals_in_memory_linking(url: str) -> None:
    exts = corpus()
    with open_store(url) as store:
        ingest_extracted(store, exts, batch_size=5)
        got = stored_clusters(store)
    want, merged = in_memory(units_by_article(url))
    # the corpus has what the comparison is about
    assert merged > 0 and len(want) > 150
    assert any(c["misattributed"] for c in want.values())
    assert any(c["altered"] for c in want.values())
    assert sum(len(c["units"]) > 3 for c in want.values()) > 20
    assert got.keys() == want.keys()
    for cid in want:
        assert got[cid] == want[cid], cid


def test_a_small_cache_reads_again_and_links_the_same(tmp_path: Path) -> None:
    exts = corpus(seed=9, n=60)
    whole, small = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    with open_store(whole) as store:
        ingest_extracted(store, exts, batch_size=64)
    os.environ["QUOTELINE_LINK_CACHE_UNITS"] = "1"  # forget after every article
    try:
        with open_store(small) as store:
            ingest_extracted(store, exts, batch_size=64)
    finally:
        del os.environ["QUOTELINE_LINK_CACHE_UNITS"]
    with open_store(whole) as a, open_store(small) as b:
        assert stored_clusters(a) == stored_clusters(b)


def test_an_older_store_is_filed_into_the_lookup_tables_on_the_next_ingest(url: str) -> None:
    exts = corpus(seed=3, n=60)
    first, later = exts[:-20], exts[-20:]
    with open_store(url) as store:
        ingest_extracted(store, first)
        before = stored_clusters(store)
        db = store.db
        with store.transaction():  # as a version-6 store has it: clusters, no lookup rows
            db.execute("DELETE FROM unit_bands")
            db.execute("DELETE FROM speaker_clusters")
            db.execute("UPDATE clusters SET longest_unit = NULL, first_unit = NULL, "
                       "primary_unit = NULL")
            db.execute("DELETE FROM article_bands")
            db.execute("UPDATE articles SET banded = 0")
    with open_store(url) as store:
        ingest_extracted(store, later, known={e.article.id or "": e for e in exts})
        assert not store.db.scalar("SELECT count(*) AS n FROM clusters WHERE longest_unit IS NULL")
        assert store.db.scalar("SELECT count(*) AS n FROM article_bands")
        after = stored_clusters(store)
    # old units stay where they were, or moved on with a cluster the new units joined
    old_units = {u for c in before.values() for u in c["units"]}
    joined = [c for c in after.values() if old_units & set(c["units"])
              and set(c["units"]) - old_units]
    assert joined, "no new rendering found its stored cluster"


def test_the_lookup_tables_hold_what_linking_needs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(url) as store:
        ingest_extracted(store, corpus(seed=4, n=40))
        q = store.db.scalar
        units = q("SELECT count(*) AS n FROM units")
        assert q("SELECT count(*) AS n FROM units WHERE cluster_id IS NULL") == 0
        assert q("SELECT count(DISTINCT unit_id) AS n FROM unit_bands") > units / 3
        assert q("SELECT max(n) AS m FROM (SELECT count(*) AS n FROM unit_bands "
                 "GROUP BY stage, band) AS t") <= 4
        assert q("SELECT count(*) AS n FROM clusters WHERE longest_unit IS NULL") == 0
        assert q("SELECT count(*) AS n FROM speaker_clusters") > 0
        assert q("SELECT value FROM link_meta WHERE name = 'next_cluster'") > q(
            "SELECT max(id) AS m FROM clusters")
        sizes = {int(r["id"]): int(r["size"]) for r in store.db.query(
            "SELECT id, size FROM clusters")}
        counted = {int(r["cluster_id"]): int(r["n"]) for r in store.db.query(
            "SELECT cluster_id, count(*) AS n FROM units GROUP BY cluster_id")}
        assert sizes == counted
