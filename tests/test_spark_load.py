"""``quoteline load`` of ``spark link`` output keeps Spark's clusters and speakers (real Spark,
real stores on both backends): the store's clusters and speaker per quote equal Spark's, an
alias file joins speakers with a recorded merge, a later ingest links into the loaded clusters
and loading twice adds nothing."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import require
from quoteline.cli import cli
from quoteline.store import open_store
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures

HAVE_PYSPARK = importlib.util.find_spec("pyspark") is not None
HAVE_JAVA = bool(os.environ.get("JAVA_HOME") or shutil.which("java"))
BRIDGE = "We will build the new bridge across the river before the end of next year"
FARMS = "Taxes on small farms are far too high and they must come down this spring"
CLINIC = "The clinic in the valley will stay open for every family that needs it"
# (article, outlet, day, [(text, speaker, title, kind)])
ARTICLES = [
    ("t1", "Times", 1, [(BRIDGE, "Jane Doe", "Senator", "direct"),
                        (FARMS, "Ann Ray", None, "direct")]),
    ("p1", "Post", 2, [(BRIDGE, "Jane Doe", None, "direct"),
                       (FARMS, "Annie Raymond", None, "direct")]),
    ("d1", "Daily", 3, [(BRIDGE.replace("the new", "a new").replace("next", "the"), "Doe",
                         None, "direct"),
                        (CLINIC, "Maria Kim", "Mayor", "direct")]),
    ("h1", "Herald", 4, [(CLINIC, "Maria Kim", None, "indirect"),
                         ("Nobody in this town asked for a second parking garage downtown",
                          None, None, "direct")]),
]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``spark link`` run (local[2]) over ARTICLES' quotes: its OUTPUT folder."""
    require(HAVE_PYSPARK, "pyspark is not installed (pip install 'quoteline[spark]')")
    require(HAVE_JAVA, "Java is not installed (Spark needs Java 17+)")
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("spark_load")
    rows = [{"article_id": art, "start": 10 + 100 * i, "end": 10 + 100 * i + len(text),
             "text": text, "kind": kind, "speaker": who, "speaker_title": title,
             "said_on": None, "outlet": outlet, "url": f"https://{outlet.lower()}.example/{art}",
             "published": dt.date(2024, 3, day), "act": "speech", "confidence": 0.9}
            for art, outlet, day, quotes in ARTICLES
            for i, (text, who, title, kind) in enumerate(quotes)]
    (root / "quotes").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), root / "quotes" / "part-0.parquet")
    result = _invoke("spark", "link", str(root / "quotes"), str(root / "out"),
                     "--master", "local[2]", "--partitions", "2")
    assert result.exit_code == 0, result.output
    return root / "out"


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _table(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def _spark_view(out: Path) -> tuple[set[frozenset[tuple[Any, ...]]], dict[tuple[Any, ...], Any]]:
    """Spark's clusters (as sets of (article, start, end)) and speaker name per quote."""
    names = {s["speaker_id"]: s["name"] for s in _table(out / "speakers")}
    clusters: dict[int, set[tuple[Any, ...]]] = {}
    speaker = {}
    for q in _table(out / "quotes"):
        key = (q["article_id"], q["start"], q["end"])
        clusters.setdefault(q["cluster_id"], set()).add(key)
        speaker[key] = names.get(q["speaker_id"])
    return {frozenset(c) for c in clusters.values()}, speaker


def _store_view(url: str) -> tuple[set[frozenset[tuple[Any, ...]]], dict[tuple[Any, ...], Any]]:
    with open_store(url) as store:
        rows = store.db.query(
            "SELECT a.input_id, q.start_char, q.end_char, u.cluster_id, s.name FROM quotes q "
            "JOIN articles a ON a.id = q.article_id JOIN units u ON u.quote_id = q.id "
            "LEFT JOIN speakers s ON s.id = q.speaker_id")
    clusters: dict[int, set[tuple[Any, ...]]] = {}
    speaker = {}
    for r in rows:
        key = (r["input_id"], int(r["start_char"]), int(r["end_char"]))
        clusters.setdefault(int(r["cluster_id"]), set()).add(key)
        speaker[key] = r["name"]
    return {frozenset(c) for c in clusters.values()}, speaker


def _counts(url: str) -> dict[str, int]:
    with open_store(url) as store:
        return {t: int(store.db.scalar(f"SELECT count(*) AS n FROM {t}")) for t in (
            "articles", "quotes", "units", "clusters", "speakers", "speaker_clusters",
            "unit_bands", "speaker_merges")}


def _sizes_match(url: str) -> bool:
    with open_store(url) as store:
        return not store.db.query(
            "SELECT c.id FROM clusters c WHERE c.size <> (SELECT count(*) FROM units u WHERE "
            "u.cluster_id = c.id) OR c.reference_quote_id IS NULL")


@pytest.mark.spark
def test_load_keeps_spark_clusters_and_speakers(linked: Path, store_url: str,  # noqa: F811
                                                tmp_path: Path) -> None:
    assert _invoke("load", str(linked), "--db", store_url).exit_code == 0
    spark_clusters, spark_speakers = _spark_view(linked)
    assert any(len(c) > 1 for c in spark_clusters)  # the corpus really links
    assert _store_view(store_url) == (spark_clusters, spark_speakers)
    assert _sizes_match(store_url)
    before = _counts(store_url)
    assert before["speaker_clusters"] > 0 and before["unit_bands"] > 0  # indexed for ingest
    assert _invoke("load", str(linked), "--db", store_url).exit_code == 0
    assert _counts(store_url) == before  # loading twice adds nothing

    news = tmp_path / "new.jsonl"
    news.write_text(json.dumps({"id": "n1", "outlet": "Gazette", "published": "2024-03-09",
                                "text": f"“{BRIDGE},” Senator Jane Doe said on Friday."}) + "\n",
                    encoding="utf-8")
    assert _invoke("ingest", str(news), "--db", store_url).exit_code == 0
    with open_store(store_url) as store:
        rows = store.db.query(
            "SELECT a.input_id, q.speaker_id, u.cluster_id, q.rendering FROM quotes q JOIN "
            "articles a ON a.id = q.article_id JOIN units u ON u.quote_id = q.id WHERE "
            "q.text LIKE ?", (f"%{BRIDGE[:30]}%",))
    new = [r for r in rows if r["input_id"] == "n1"]
    loaded = [r for r in rows if r["input_id"] == "t1"]
    assert new and loaded
    assert (new[0]["cluster_id"], new[0]["speaker_id"]) == (loaded[0]["cluster_id"],
                                                            loaded[0]["speaker_id"])
    assert new[0]["rendering"] == "verbatim"
    assert _sizes_match(store_url)


@pytest.mark.spark
def test_load_with_aliases_joins_speakers_with_a_recorded_merge(
        linked: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aliases.db'}"
    before = tmp_path / "before.jsonl"  # a store that knows Maria Kim already
    before.write_text(json.dumps({"id": "b1", "outlet": "Courier", "text": "“The river is "
                                  "rising faster than anyone feared,” Mayor Maria Kim said."})
                      + "\n", encoding="utf-8")
    assert _invoke("ingest", str(before), "--db", url).exit_code == 0
    aliases = tmp_path / "aliases.txt"
    aliases.write_text("Ann Ray = Annie Raymond\n", encoding="utf-8")
    _, spark_speakers = _spark_view(linked)
    assert {"Ann Ray", "Annie Raymond"} <= set(spark_speakers.values())  # two in Spark
    assert _invoke("load", str(linked), "--db", url, "--aliases", str(aliases)).exit_code == 0
    _, speakers = _store_view(url)
    farms = {k: name for k, name in speakers.items()
             if k[0] in ("t1", "p1") and k[1] == 110}
    assert set(farms.values()) == {"Ann Ray"}
    with open_store(url) as store:
        [ray] = store.find_speakers("Ann Ray")
        assert "Annie Raymond" in ray.aliases
        assert [m.kind for m in store.speaker_merges(ray.speaker_id)] == ["alias"]
        [kim] = store.find_speakers("Maria Kim")  # the loaded Maria Kim is the stored one
        assert kim.quotes == 3
        assert [m.kind for m in store.speaker_merges(kim.speaker_id)] == ["loaded"]
    assert _sizes_match(url)


@pytest.mark.spark
def test_a_load_cut_short_resumes_to_the_same_store(linked: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import quoteline.corpus.bulk_linked as bl

    url = f"sqlite:///{tmp_path / 'cut.db'}"
    monkeypatch.setattr(bl, "BATCH_QUOTES", 2)  # a transaction per article
    plain, calls = bl._store_batch, []

    def dies_on_the_third(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")
        plain(*args)

    monkeypatch.setattr(bl, "_store_batch", dies_on_the_third)
    with pytest.raises(RuntimeError):
        _invoke("load", str(linked), "--db", url)
    assert _counts(url)["articles"] == 2  # two batches were stored before it died
    monkeypatch.setattr(bl, "_store_batch", plain)
    assert _invoke("load", str(linked), "--db", url).exit_code == 0
    assert _store_view(url) == _spark_view(linked)
    assert _sizes_match(url)
