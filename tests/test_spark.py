"""quoteline on Apache Spark, in local mode against a real Spark session (no mocks).

The equivalence tests run ``quoteline extract`` on one machine and ``quoteline spark extract``
on ``local[2]`` over the same articles and compare every field of every quote.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import require
from quoteline.cli import cli
from quoteline.ingest import read
from quoteline.models import Article, Skip
from quoteline.nlp.pipeline import extract_many
from quoteline.spark.worker import extract_partition, process_stats

HAVE_PYSPARK = importlib.util.find_spec("pyspark") is not None
HAVE_JAVA = bool(os.environ.get("JAVA_HOME") or shutil.which("java"))
MASTER = "local[2]"

GOOD = [
    {"id": "doe", "published": "2024-03-07", "url": "https://example.org/doe", "outlet": "Example",
     "text": "“We will win,” Senator Jane Doe said on Tuesday. She spoke in Denver.\n\n"
             "“The budget is a disgrace,” Doe added."},
    {"id": "lee", "published": "2024-03-08", "outlet": "Daily",
     "text": "Governor Bob Lee told reporters on Monday: “Taxes are too high.” "
             "The mayor, John Smith, said the city would “fight every cut.”"},
    {"id": "kim", "published": "2023-11-16", "url": "https://example.org/kim",
     "text": "“Nobody expected this,” said Maria Kim, the head of the union. "
             "“We are ready to talk,” she said, “but not today.”"},
    {"id": "ray", "published": "2022-01-02", "outlet": "Example",
     "text": "Police Chief Ann Ray said on Friday that crime had fallen. "
             "“The numbers speak for themselves,” Ray said."},
]
# Each bad line, and the reason ``quoteline extract`` gives for it.
BAD = [
    ('{"id": "empty", "text": "", "published": "2024-03-07"}', "empty text"),
    ('{"id": "blank", "text": "   \\n  "}', "empty text"),
    ("this is not JSON", "invalid JSON line"),
    ('{"id": "notext", "published": "2024-03-07"}', "no text field 'text'"),
    ('{"id": "baddate", "text": "“Yes,” he said.", "published": "March"}', "bad published date"),
    ("[1, 2, 3]", "JSON line is not an object"),
    ('{"id": "latin1", "text": "caf\udce9 au lait"}', "invalid JSON line"),  # byte 0xE9: not UTF-8
]


@pytest.fixture(scope="module")
def spark() -> Any:
    """One local[2] Spark session for the whole module."""
    require(HAVE_PYSPARK, "pyspark is not installed (pip install 'quoteline[spark]')")
    require(HAVE_JAVA, "Java is not installed (Spark needs Java 17+)")
    from quoteline.spark.runner import spark_session

    session = spark_session(MASTER, app="quoteline-tests")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def articles_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GOOD and BAD articles interleaved, one JSON line each."""
    lines = [json.dumps(a, ensure_ascii=False) for a in GOOD]
    for i, (bad, _) in enumerate(BAD):
        lines.insert(1 + 2 * i, bad)
    path = tmp_path_factory.mktemp("in") / "articles.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
    return path


@pytest.fixture(scope="module")
def extracted(spark: Any, articles_jsonl: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One ``spark extract`` run over articles_jsonl: (result, output folder)."""
    out = tmp_path_factory.mktemp("extracted") / "out"
    return _spark_extract(articles_jsonl, out, "--partitions", "3"), out


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def _local_quotes(*paths: str) -> list[dict[str, Any]]:
    # Spark writes every quote with its act; ``extract`` shows statements unless --acts all.
    result = _invoke("extract", *paths, "--acts", "all")
    assert result.exit_code in (0, 3), result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _span(s: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if s is None else {"start": s["start"], "end": s["end"], "text": s["text"]}


def _as_jsonl(row: dict[str, Any]) -> dict[str, Any]:
    """A Parquet quote row in the JSONL form of ``quoteline extract`` (article fields dropped)."""
    out = {k: v for k, v in row.items() if k not in ("url", "outlet", "published")}
    out["said_on"] = row["said_on"].isoformat() if row["said_on"] else None
    out["cue"], out["source"] = _span(row["cue"]), _span(row["source"])
    out["parts"] = [_span(p) for p in row["parts"]]
    return out


def _table(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def _key(q: dict[str, Any]) -> tuple[Any, ...]:
    return (q["article_id"] or "", q["start"], q["end"])


def _spark_extract(inp: Path | str, out: Path, *extra: str) -> Any:
    return _invoke("spark", "extract", str(inp), str(out), "--master", MASTER, *extra)


@pytest.mark.spark
def test_spark_extract_equals_local_extract(extracted: Any, articles_jsonl: Path) -> None:
    result, out = extracted
    assert result.exit_code == 3, result.output  # done, with skips
    spark_quotes = sorted((_as_jsonl(r) for r in _table(out / "quotes")), key=_key)
    local = sorted(_local_quotes(str(articles_jsonl)), key=_key)
    assert spark_quotes == local
    require(bool(local), "the extractor found no quotes in the test articles (rules not ready?)")


@pytest.mark.spark
def test_spark_quotes_carry_article_fields(extracted: Any) -> None:
    _, out = extracted
    rows = _table(out / "quotes")
    by_id = {a["id"]: a for a in GOOD}
    for row in rows:
        art = by_id[row["article_id"]]
        assert row["url"] == art.get("url")
        assert row["outlet"] == art.get("outlet")
        assert row["published"].isoformat() == art["published"]
        assert row["text"] == art["text"][row["start"]:row["end"]]
    speakers = _table(out / "speakers")
    named = Counter(r["speaker"] for r in rows if r["speaker"])
    assert {s["speaker"]: s["quotes"] for s in speakers} == dict(named)
    require(bool(rows), "the extractor found no quotes in the test articles (rules not ready?)")


@pytest.mark.spark
def test_bad_records_become_skips_not_failures(extracted: Any, articles_jsonl: Path) -> None:
    result, out = extracted
    assert result.exit_code == 3, result.output
    skips = _table(out / "skips")
    assert sorted(s["reason"] for s in skips) == sorted(reason for _, reason in BAD)
    local = [r for r in _library_results(articles_jsonl) if isinstance(r, Skip)]
    assert Counter((s.reason, s.article_id) for s in local) == Counter(
        (s["reason"], s["article_id"]) for s in skips
    )
    assert all(s["source"].endswith("articles.jsonl") for s in skips)


@pytest.mark.spark
def test_an_existing_output_is_refused_before_any_work(extracted: Any, articles_jsonl: Path) -> None:
    from quoteline.errors import UsageError

    _, out = extracted
    before = _table(out / "quotes")
    with pytest.raises(UsageError, match="already exists"):
        _spark_extract(articles_jsonl, out)
    assert _table(out / "quotes") == before


def _library_results(path: Path) -> list[Skip]:
    return [r for r in extract_many(read([str(path)])) if isinstance(r, Skip)]


@pytest.mark.spark
def test_parquet_input_gives_the_same_quotes(
    spark: Any, articles_jsonl: Path, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(GOOD), tmp_path / "articles.parquet")
    result = _spark_extract(tmp_path / "articles.parquet", tmp_path / "out",
                            "--input-format", "parquet")
    assert result.exit_code == 0, result.output
    from_parquet = sorted(_table(tmp_path / "out" / "quotes"), key=_key)
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(a) for a in GOOD) + "\n", encoding="utf-8")
    assert [_as_jsonl(r) for r in from_parquet] == sorted(_local_quotes(str(good)), key=_key)
    assert _table(tmp_path / "out" / "skips") == []


@pytest.mark.spark
def test_text_files_match_local_and_undecodable_files_are_skipped(
    spark: Any, tmp_path: Path
) -> None:
    src = tmp_path / "texts"
    src.mkdir()
    for art in GOOD:
        (src / f"{art['id']}.txt").write_text(art["text"], encoding="utf-8")
    (src / "latin1.txt").write_bytes("“Olé,” said José.".encode("cp1252"))
    (src / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    result = _spark_extract(src, tmp_path / "out", "--input-format", "text",
                            "--published", "2024-03-07")
    assert result.exit_code == 3, result.output
    paths = sorted(str(p) for p in src.iterdir())
    local = _invoke("extract", *paths, "--published", "2024-03-07")
    local_quotes = sorted((json.loads(x) for x in local.stdout.splitlines() if x), key=_key)
    assert sorted(map(_as_jsonl, _table(tmp_path / "out" / "quotes")), key=_key) == local_quotes
    skips = {s["article_id"]: s["reason"] for s in _table(tmp_path / "out" / "skips")}
    assert set(skips) == {"latin1", "binary"}
    assert skips["latin1"].startswith("not valid UTF-8")


def _warc_record(url: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                  http_headers=headers))
    return buf.getvalue()


def _html(art: dict[str, Any]) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in art["text"].split("\n\n"))
    return (f"<html><head><title>{art['id']}</title></head><body><article>{paras}"
            "</article></body></html>").encode()


def _same_file_skips(skips: list[tuple[str | None, str | None, str]]) -> list[tuple[Any, ...]]:
    """Skips as (article_id, reason, file name and record number), sorted."""
    return sorted((a or "", r or "", s.rsplit("/", 1)[-1]) for a, r, s in skips)


@pytest.mark.spark
def test_one_warc_file_gives_the_same_articles_and_skips_locally_and_on_spark(
        spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_MAX_RECORD_BYTES", "50000")
    src = tmp_path / "warc"
    src.mkdir()
    records = [_warc_record(f"https://example.org/{a['id']}", _html(a)) for a in GOOD]
    records.insert(1, _warc_record("https://example.org/logo.png", b"\x89PNG....", "image/png"))
    records.insert(2, _warc_record("https://example.org/huge", b"<p>" + b"big " * 20_000))
    records.insert(3, gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\ngarbage"))
    records.insert(4, _warc_record("https://example.org/stub", b"<html><body>Menu</body></html>"))
    records.insert(5, _warc_record("https://example.org/latin1",
                                   "<p>“Olé,” said José, the baker, who sells bread in the old town "
                                   "square every morning.</p>".encode("cp1252")))
    (src / "a.warc.gz").write_bytes(b"".join(records))
    (src / "b.warc.gz").write_bytes(b"\x1f\x8b\x08 this is no gzip at all" * 10)
    local = list(extract_many(read([str(src)])))
    result = _spark_extract(src, tmp_path / "out", "--input-format", "warc", "--partitions", "2")
    assert result.exit_code == 3, result.output
    spark_skips = [(s["article_id"], s["reason"], s["source"]) for s in _table(tmp_path / "out" / "skips")]
    local_skips = [(s.article_id, s.reason, s.source) for s in local if isinstance(s, Skip)]
    assert _same_file_skips(spark_skips) == _same_file_skips(local_skips)
    assert {r for _, r, _ in local_skips} == {
        "not an HTML page (image/png)", "too large", "unreadable WARC record",
        "no article text found in HTML"}
    spark_quotes = sorted(map(_as_jsonl, _table(tmp_path / "out" / "quotes")), key=_key)
    assert spark_quotes == sorted(_local_quotes(str(src / "a.warc.gz"), str(src / "b.warc.gz")),
                                  key=_key)
    read_ok = {e.article.id for e in local if not isinstance(e, Skip)}
    assert {f"https://example.org/{a['id']}" for a in GOOD} <= read_ok
    require(bool(spark_quotes), "the extractor found no quotes in the WARC pages")


@pytest.mark.spark
def test_a_truncated_jsonl_gz_is_a_skip_on_spark_as_locally(spark: Any, tmp_path: Path) -> None:
    data = gzip.compress("".join(json.dumps(a) + "\n" for a in GOOD * 3).encode())
    cut = tmp_path / "in" / "cut.jsonl.gz"
    cut.parent.mkdir()
    cut.write_bytes(data[: len(data) * 3 // 4])
    plain = tmp_path / "in" / "plain.jsonl"
    plain.write_text(json.dumps(GOOD[0]) + "\n" + BAD[2][0] + "\n", encoding="utf-8")
    result = _spark_extract(cut.parent, tmp_path / "out")
    assert result.exit_code == 3, result.output
    skips = sorted((s["reason"], s["source"].rsplit("/", 1)[-1])
                   for s in _table(tmp_path / "out" / "skips"))
    assert skips == [("invalid JSON line", "plain.jsonl"),
                     ("truncated or corrupt gzip", "cut.jsonl.gz")]
    local = _invoke("extract", str(cut), str(plain))
    assert local.exit_code == 3 and "truncated or corrupt gzip" in local.stderr
    local_quotes = sorted((json.loads(x) for x in local.stdout.splitlines() if x), key=_key)
    assert sorted(map(_as_jsonl, _table(tmp_path / "out" / "quotes")), key=_key) == local_quotes


@pytest.mark.spark
def test_model_is_loaded_once_per_executor_process(spark: Any) -> None:
    texts = [a["text"] for a in GOOD] * 4
    n_parts = 8
    rdd = spark.sparkContext.parallelize([Article(text=t) for t in texts], n_parts)
    stats = rdd.mapPartitions(
        lambda it: [(sum(1 for _ in extract_partition(it)), *process_stats())]
    ).collect()
    assert len(stats) == n_parts
    pids = {pid for _, pid, _, _ in stats}
    assert len(pids) < n_parts  # Python workers were reused across partitions...
    assert all(loads == 1 for *_, loads in stats)  # ...and none loaded the model twice


def test_without_pyspark_says_how_to_install(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyspark'] = None\n"
            "from quoteline.cli import main\n"
            "main(['spark', 'extract', 'in.jsonl', 'out'])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "pip install 'quoteline[spark]'" in proc.stderr


@pytest.mark.spark
def test_spark_submit_runs_the_job_module(spark: Any, articles_jsonl: Path, tmp_path: Path) -> None:
    import pyspark

    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    require(submit.is_file(), f"{submit} is missing")
    import quoteline.spark.job as job

    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    proc = subprocess.run(
        [str(submit), "--master", "local[1]", "--conf", "spark.ui.enabled=false", job.__file__,
         "extract", str(articles_jsonl), str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 3, proc.stderr[-3000:]
    by_submit = sorted(map(_as_jsonl, _table(tmp_path / "out" / "quotes")), key=_key)
    assert by_submit == sorted(_local_quotes(str(articles_jsonl)), key=_key)
    assert len(_table(tmp_path / "out" / "skips")) == len(BAD)


# ---------------------------------------------------------------- spark link
LINK_ARTICLES = [
    ("n1", "2024-03-05", "Times", "“We will win this election and we will fix the economy for "
     "every family,” Senator Jane Doe said on Tuesday."),
    ("n2", "2024-03-06", "Post", "Senator Jane Doe said on Tuesday: “We will win this election "
     "and we will fix the economy for every family.”"),
    ("n3", "2024-03-06", "Herald", "“We will win this election,” Doe said."),
    ("n4", "2024-03-07", "Daily", "“We shall win the election and fix the economy for all "
     "families,” Jane Doe said."),
    ("n5", "2024-03-07", "Daily", "“Taxes are far too high for working people in this state,” "
     "Governor Bob Lee told reporters on Monday."),
    ("n6", "2024-03-08", "Times", "Governor Bob Lee said on Monday that “taxes are far too high "
     "for working people in this state.”"),
]
WORDS = tuple(" ".join([
    "budget plan city river school money tax vote law court union strike price energy health",
    "army police border trade farm water road bridge housing rent wage job worker family child",
    "teacher nurse doctor crime safety fire storm flood climate power coal oil gas wind solar",
    "future promise deal reform cut fund",
]).split())
NAMES = [("Jane Doe", "Senator"), ("Doe", None), ("Bob Lee", "Governor"), ("Ann Ray", None),
         ("Maria Kim", "Mayor"), ("Kim", None), ("the city council", None), ("John Smith", None)]


def _synthetic_quotes(n_base: int = 25, seed: int = 7) -> list[dict[str, Any]]:
    """Quote rows with copies, excerpts, rewordings and misattributions of base utterances."""
    import datetime as dt
    import random

    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for b in range(n_base):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
        name, title = NAMES[b % len(NAMES)]
        for v in range(rng.randint(1, 7)):
            text = list(words)
            roll = rng.random()
            if roll < 0.3 and len(text) > 6:  # an excerpt
                i = rng.randint(0, len(text) - 5)
                text = text[i:i + rng.randint(4, len(text) - i)]
            elif roll < 0.5:  # a rewording
                for _ in range(rng.randint(1, 3)):
                    text[rng.randrange(len(text))] = rng.choice(WORDS)
            who = (name, title) if rng.random() > 0.2 else rng.choice([(None, None), *NAMES])
            sentence = " ".join(text).capitalize()
            rows.append({
                "article_id": f"s{b:03d}-{v}", "start": 1, "end": 1 + len(sentence),
                "text": sentence, "kind": rng.choice(["direct", "direct", "indirect"]),
                "speaker": who[0], "speaker_title": who[1], "said_on": None,
                "outlet": rng.choice(["Times", "Post", "Daily", None]),
                "published": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 60)),
            })
    rng.shuffle(rows)
    return rows


def _local_clusters(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Single-machine linking (``link_quotes``) of the same quotes, ids as the Spark job gives."""
    from quoteline.link import link_quotes
    from quoteline.spark.linking import quote_order_key, quote_record, resolve_speakers

    ordered = [{**r, "quote_id": i} for i, r in enumerate(sorted(rows, key=quote_order_key), 1)]
    speakers, _ = resolve_speakers((r["speaker"], r["speaker_title"]) for r in ordered)
    clusters = link_quotes([quote_record(r, speakers) for r in ordered]).values()
    return {
        (frozenset(r.quote_id for r in c.renderings), c.reference_id, c.first_outlet,
         c.first_published, c.speaker_id,
         tuple(sorted((r.quote_id, r.kind, r.similarity, r.diff) for r in c.renderings)))
        for c in clusters
    }


def _spark_clusters(out: Path) -> set[tuple[Any, ...]]:
    renderings: dict[int, list[dict[str, Any]]] = {}
    for r in _table(out / "renderings"):
        renderings.setdefault(r["cluster_id"], []).append(r)
    found = set()
    for c in _table(out / "clusters"):
        rs = renderings[c["cluster_id"]]
        members = frozenset(r["quote_id"] for r in rs)
        assert c["cluster_id"] == min(members) and c["size"] == len(members)
        found.add((members, c["reference_id"], c["first_outlet"], c["first_published"],
                   c["speaker_id"], tuple(sorted(
                       (r["quote_id"], r["kind"], r["similarity"],
                        tuple((d["op"], d["text"]) for d in r["diff"])) for r in rs))))
    return found


@pytest.mark.spark
def test_spark_link_equals_local_linking_on_extracted_quotes(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "news.jsonl"
    src.write_text("\n".join(json.dumps({"id": i, "published": p, "outlet": o, "text": t})
                             for i, p, o, t in LINK_ARTICLES) + "\n", encoding="utf-8")
    assert _spark_extract(src, tmp_path / "ex").exit_code == 0
    result = _invoke("spark", "link", str(tmp_path / "ex" / "quotes"), str(tmp_path / "ln"),
                     "--master", MASTER)
    assert result.exit_code == 0, result.output
    local = _local_clusters(_table(tmp_path / "ex" / "quotes"))
    assert _spark_clusters(tmp_path / "ln") == local
    require(any(len(c[0]) > 1 for c in local), "the extractor found no repeated quotes to link")


@pytest.mark.spark
def test_spark_link_equals_local_linking_on_a_corpus(spark: Any, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _synthetic_quotes()
    (tmp_path / "quotes").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "quotes" / "part-0.parquet")
    result = _invoke("spark", "link", str(tmp_path / "quotes"), str(tmp_path / "ln"),
                     "--master", MASTER, "--partitions", "2", "--max-driver-edges", "0")
    assert result.exit_code == 0, result.output
    rounds = re.search(r"(\d+) propagation round", result.stderr)
    assert rounds and int(rounds.group(1)) >= 1  # blocks were found in Spark, not on the driver
    local = _local_clusters(rows)
    assert _spark_clusters(tmp_path / "ln") == local
    assert sum(len(c[0]) > 1 for c in local) >= 10  # the corpus really has linked renderings
    linked = _table(tmp_path / "ln" / "quotes")
    assert len(linked) == len(rows) and all(q["cluster_id"] for q in linked)
