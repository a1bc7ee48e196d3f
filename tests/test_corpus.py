"""Ingest end to end on both backends: idempotency, copies, skips, linking, and the CLI verbs."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quoteline.cli import cli, main
from quoteline.corpus import ingest
from quoteline.store import Store, open_store
from test_ingest_sources import STORY, html_page, warc_bytes
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures

ROWS = [
    {"id": "a1", "outlet": "Daily Planet", "published": "2024-03-04",
     "text": '"We will not raise taxes this year, and we will protect pensions," Finance '
             "Minister John Doe said on Monday. The opposition disagreed."},
    {"id": "b1", "outlet": "Herald", "published": "2024-03-05",
     "text": "Markets rose on the news. \"We will not raise taxes this year, and we will protect "
             'pensions," Doe said.'},
    {"id": "c1", "outlet": "Gazette", "published": "2024-03-06",
     "text": '"We will never raise taxes, and we will protect pensions," John Doe said in a '
             "speech. Critics were unconvinced."},
    {"id": "d1", "outlet": "Gazette", "published": "2024-03-06",
     "text": '"The bridge will open in May," said Mayor Jane Smith. Residents cheered the news.'},
]


def corpus(tmp_path: Path) -> Path:
    """A JSONL corpus: one quote reported verbatim by two outlets and altered by a third."""
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    return path


def run(*args: str) -> Result:
    """Run the CLI in-process."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_idempotent_and_copies_recorded(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "a.txt").write_text(ROWS[0]["text"] + " " + STORY)
    (tmp_path / "b.txt").write_text(ROWS[0]["text"] + "  \n" + STORY)  # identical, re-wrapped
    near = (ROWS[0]["text"] + " " + STORY).replace("long debate", "lengthy debate")
    (tmp_path / "c.txt").write_text(near + " Reporting by Ann.")
    sources = [str(tmp_path / n) for n in ("a.txt", "b.txt", "c.txt")] + [str(corpus(tmp_path))]
    with open_store(store_url) as store:
        first = ingest(sources, store)
        stats = store.stats()
        assert (first.stored, first.copies, first.skipped) == (5, 2, 0)
        assert (stats.articles, stats.copies) == (5, 2)
        copies = {r["input_id"]: (r["copy_kind"], r["orig"]) for r in store.db.query(
            "SELECT c.input_id, c.copy_kind, o.input_id AS orig FROM articles c "
            "JOIN articles o ON o.id = c.copy_of")}
        assert copies == {"b": ("identical", "a"), "c": ("near", "a")}
        before = list(store.quotes())
        again = ingest(sources, store)
        assert (again.stored, again.copies, again.already, again.quotes) == (0, 0, 7, 0)
        assert store.stats() == stats
        assert list(store.quotes()) == before


def test_quotes_speakers_and_clusters(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    with open_store(store_url) as store:
        report = ingest([str(corpus(tmp_path))], store)
        assert report.stored == 4 and report.exit_code == 0
        [doe] = store.find_speakers("John Doe")
        assert "Doe" in doe.aliases or doe.name == "John Doe"
        pensions = store.search('"protect pensions"')
        assert {h.article_id for h in pensions} == {"a1", "b1", "c1"}
        assert len({h.cluster for h in pensions}) == 1 and len({h.speaker_id for h in pensions}) == 1
        view = store.cluster(pensions[0].cluster or 0)
        assert view is not None and view.first_outlet == "Daily Planet"
        kinds = {h.article_id: h.rendering for h in view.renderings}
        assert kinds == {"a1": "reference", "b1": "verbatim", "c1": "altered"}
        assert [h.article_id for h in store.timeline(doe.speaker_id)][:1] == ["a1"]


def _bad_inputs(tmp_path: Path) -> list[str]:
    good = tmp_path / "good.txt"
    good.write_text(ROWS[3]["text"])
    rng = random.Random(7)
    words = STORY.split()
    lines = [{"id": f"g{i}", "text": f'"{" ".join(rng.sample(words, 12))}," Ann Lee said.'}
             for i in range(300)]
    data = gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in lines))
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.warc.gz").write_bytes(
        warc_bytes([("https://x.example/a", html_page("A", STORY))])
        + gzip.compress(b"garbage, not a record\r\n\r\n"))
    (tmp_path / "empty.html").write_text("<html><body><nav>menu</nav></body></html>")
    with open(tmp_path / "huge.txt", "wb") as fh:
        fh.write(b"word " * (10 * 1024 * 1024))
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    return [str(tmp_path / n) for n in ("good.txt", "cut.jsonl.gz", "junk.warc.gz", "empty.html",
                                        "huge.txt", "latin1.txt")] + ["http://127.0.0.1:9/dead"]


def test_bad_input_run_exits_3_and_stores_the_rest(store_url: str,  # noqa: F811
                                                   tmp_path: Path) -> None:
    result = run("ingest", *_bad_inputs(tmp_path), "--db", store_url, "--timeout", "2")
    assert result.exit_code == 3, result.output
    assert "skipped" in result.output and "quoteline skips" in result.output
    listed = run("skips", "--db", store_url, "--format", "jsonl")
    reasons = {Path(r["source"].split("#")[0]).name: r["reason"]
               for r in map(json.loads, listed.stdout.splitlines())}
    assert reasons == {"cut.jsonl.gz": "truncated or corrupt gzip",
                       "junk.warc.gz": "unreadable WARC record",
                       "empty.html": "no article text found in HTML", "huge.txt": "too large",
                       "latin1.txt": "not valid UTF-8 at byte 3",
                       "dead": "fetch failed: connection refused"}
    with open_store(store_url) as store:
        ids = {r["input_id"] for r in store.db.query("SELECT input_id FROM articles")}
    assert {"good", "https://x.example/a", "g0", "g1", "g2"} <= ids
    assert 10 < len([i for i in ids if i.startswith("g")]) < 300


def test_cli_verbs(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'q.db'}"
    shown = run("ingest", str(corpus(tmp_path)), "--db", db, "--show")
    assert shown.exit_code == 0
    assert "2 multi-outlet clusters, 1 altered renderings" in shown.stdout  # one a clause
    assert "top speakers" in shown.stdout and "altered quotes" in shown.stdout
    found = run("search", "taxes", "--db", db, "--format", "jsonl", "--outlet", "gazette")
    [hit] = [json.loads(line) for line in found.stdout.splitlines()]
    assert hit["article_id"] == "c1" and hit["rendering"] == "altered"
    rows = list(csv.DictReader(io.StringIO(run("search", "taxes", "--db", db, "--format",
                                               "csv").stdout)))
    assert {r["article_id"] for r in rows} == {"a1", "b1", "c1"}
    table = run("search", "bridge", "--db", db, "--speaker", "Smith")
    assert "1 quote(s)" in table.output
    [smith] = run("search", "bridge", "--db", db, "--speaker", "Smith", "--format",
                  "jsonl").stdout.splitlines()
    assert json.loads(smith)["text"] == "The bridge will open in May"
    assert run("search", "bridge", "--db", db, "--speaker", "Doe", "--format",
               "jsonl").output == ""
    assert "John Doe" in run("speaker", "Doe", "--db", db).output
    cluster = json.loads(run("cluster", str(hit["cluster"]), "--db", db, "--format",
                             "json").stdout)
    assert cluster["altered"] == 1 and cluster["size"] == 3
    shown = run("cluster", str(hit["cluster"]), "--db", db).output
    assert "ALTERED" in shown and "[-not-]" in shown
    with pytest.raises(SystemExit) as stop:
        main(["cluster", "999", "--db", db])
    assert stop.value.code == 1


def test_export_formats(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'q.db'}"
    run("ingest", str(corpus(tmp_path)), "--db", db)
    lines = [json.loads(x) for x in run("export", "quotes", "--db", db).stdout.splitlines()]
    need = {"article_id", "url", "outlet", "published", "start", "end", "text", "kind",
            "speaker", "speaker_id", "cue", "said_on", "cluster", "rendering"}
    assert lines and all(need <= set(x) for x in lines)
    assert {x["article_id"] for x in lines} == {"a1", "b1", "c1", "d1"}
    speakers = [json.loads(x) for x in run("export", "speakers", "--db", db).stdout.splitlines()]
    assert {"John Doe", "Jane Smith"} <= {s["name"] for s in speakers}
    clusters = [json.loads(x) for x in run("export", "clusters", "--db", db).stdout.splitlines()]
    assert clusters[0]["size"] == 3 and clusters[0]["altered"] == 1
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "quotes.parquet"
    assert run("export", "quotes", "--db", db, "--format", "parquet", "-o", str(out)).exit_code == 0
    assert pq.read_table(out).num_rows == len(lines)


def test_parquet_without_pyarrow_names_the_extra(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    db = f"sqlite:///{tmp_path / 'q.db'}"
    result = CliRunner().invoke(cli, ["export", "quotes", "--db", db, "--format", "parquet",
                                      "-o", str(tmp_path / "x.parquet")])
    assert "pip install 'quoteline[parquet]'" in str(result.exception)


def test_two_workers_store_the_same(tmp_path: Path) -> None:
    results = []
    for workers in (1, 2):
        with Store(f"sqlite:///{tmp_path / f'w{workers}.db'}") as store:
            ingest([str(corpus(tmp_path))], store, workers=workers)
            results.append([(h.article_id, h.start, h.end, h.cluster, h.rendering)
                            for h in store.quotes()])
    assert results[0] == results[1] and results[0]


def test_field_flags_and_quoteline_db_variable(tmp_path: Path) -> None:
    path = tmp_path / "remapped.jsonl"
    path.write_text(json.dumps({"key": "r1", "body": ROWS[3]["text"], "site": "Gazette"}) + "\n")
    db = f"sqlite:///{tmp_path / 'env.db'}"
    result = CliRunner().invoke(cli, ["ingest", str(path), "--field-id", "key", "--field-text",
                                      "body", "--field-outlet", "site"],
                                env={"QUOTELINE_DB": db}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with open_store(db) as store:
        [hit] = store.search("bridge")
    assert (hit.article_id, hit.outlet) == ("r1", "Gazette")
