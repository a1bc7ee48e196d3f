"""``quoteline load``: Parquet output of the Spark job into a store, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from quoteline.cli import cli
from quoteline.store import open_store
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

QUOTE = "We will not raise taxes this year"


def span(start: int, end: int, text: str) -> dict[str, object]:
    """A span struct as the Spark job writes it."""
    return {"start": start, "end": end, "text": text}


def spark_output(root: Path) -> Path:
    """OUTPUT/quotes and OUTPUT/skips in the Spark job's column layout."""
    rows = []
    for art, outlet in (("a1", "Daily"), ("a2", "Herald")):
        rows.append({
            "article_id": art, "start": 1, "end": 1 + len(QUOTE), "text": QUOTE,
            "kind": "direct", "cue": span(40, 44, "said"), "source": span(45, 53, "John Doe"),
            "speaker": "John Doe", "speaker_title": "finance minister", "said_on": None,
            "said_on_basis": None, "confidence": 0.9, "parts": [], "extractor": "quoteline 0.1.0",
            "model": "en_core_web_sm 3.8.0", "url": f"https://{outlet.lower()}.example/{art}",
            "outlet": outlet, "published": None,
        })
    (root / "quotes").mkdir(parents=True)
    (root / "skips").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), root / "quotes" / "part-00000.parquet")
    skips = [{"source": "x.txt", "reason": "not valid UTF-8 at byte 3", "detail": None,
              "article_id": "x"}]
    pq.write_table(pa.Table.from_pylist(skips), root / "skips" / "part-00000.parquet")
    return root


def test_load_spark_output(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    out = spark_output(tmp_path / "out")
    for _ in range(2):  # loading twice adds nothing
        result = CliRunner().invoke(cli, ["load", str(out), "--db", store_url],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
    with open_store(store_url) as store:
        hits = store.search("taxes")
        assert sorted(h.article_id or "" for h in hits) == ["a1", "a2"]
        assert len({h.cluster for h in hits}) == 1 and hits[0].cluster is not None
        assert {h.rendering for h in hits} == {"reference", "verbatim"}
        assert {h.outlet for h in hits} == {"Daily", "Herald"}
        [doe] = store.find_speakers("John Doe")
        assert doe.quotes == 2
        assert [(s.source, s.reason) for s in store.skips()] == [
            ("x.txt", "not valid UTF-8 at byte 3")]


def test_load_needs_a_spark_output_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["load", str(tmp_path), "--db",
                                      f"sqlite:///{tmp_path / 'q.db'}"])
    assert "no quotes/ folder" in str(result.exception)
