"""Hostile and broken files (issue 13): each is a skip with its reason, in bounded time and memory.

Each test names the row of issue 13's table it covers. Sizes are cut down with the named
settings (QUOTELINE_*), so the same code paths run in a fraction of a second.
"""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from pathlib import Path

import pytest

from conftest import cli_in_process
from quoteline.ingest import SourceOptions, read
from quoteline.models import Article, Skip
from test_ingest_sources import STORY, html_page, warc_bytes


def _line(art_id: str, text: str = STORY) -> bytes:
    return json.dumps({"id": art_id, "text": text}).encode() + b"\n"


def _kinds(items: list[Article | Skip]) -> list[tuple[str, str | None]]:
    return [("Article", i.id) if isinstance(i, Article) else ("Skip", i.reason) for i in items]


# ---------------------------------------------------------------- row 1
def test_row1_deeply_nested_json_line_is_a_skip_and_the_rest_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nested = tmp_path / "nested.jsonl"
    nested.write_bytes(_line("before") + b"[" * 200_000 + b"\n" + _line("after", STORY[::-1]))
    later = tmp_path / "later.txt"
    later.write_text(STORY.upper(), encoding="utf-8")
    items = list(read([str(nested), str(later)]))
    assert _kinds(items) == [("Article", "before"), ("Skip", "nested too deeply"),
                             ("Article", "after"), ("Article", "later")]
    assert items[1].source == f"{nested}:2"
    db = f"sqlite:///{tmp_path / 'n.db'}"
    rc, _, err = cli_in_process(capsys, "ingest", str(nested), str(later), "--db", db)
    assert rc == 3 and "4 read" in err and "1 skipped [nested too deeply (1)]" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- row 2
def test_row2_gzip_bomb_without_newlines_is_capped_in_bounded_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_MAX_LINE_BYTES", "1000000")
    monkeypatch.setenv("QUOTELINE_MAX_INFLATED_BYTES", "40000000")
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(_line("good"))
        for _ in range(60):  # 60 MB of spaces and no newline
            fh.write(b" " * 1_000_000)
    assert bomb.stat().st_size < 200_000
    tracemalloc.start()
    try:
        items = list(read([str(bomb)]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert _kinds(items) == [("Article", "good"), ("Skip", "line too long"),
                             ("Skip", "decompressed size over the limit")]
    assert items[1].source == f"{bomb}:2"
    assert peak < 12_000_000  # never the whole line, never the whole file


def test_row2_a_long_line_in_a_plain_file_is_a_skip_and_the_next_line_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_MAX_LINE_BYTES", "100000")
    path = tmp_path / "long.jsonl"
    path.write_bytes(_line("a") + _line("long", "word " * 50_000) + _line("b"))
    assert _kinds(list(read([str(path)]))) == [("Article", "a"), ("Skip", "line too long"),
                                               ("Article", "b")]


def test_truncated_jsonl_gz_gives_its_lines_then_a_skip_in_extract_and_ingest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = gzip.compress(b"".join(_line(f"a{i}", STORY * 3) for i in range(40)))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    rc, out, err = cli_in_process(capsys, "extract", str(cut))
    assert rc == 3 and "EOFError" in err and "Traceback" not in err
    assert f"skipped {cut}: truncated or corrupt gzip" in err
    assert len({json.loads(x)["article_id"] for x in out.splitlines()}) > 5
    db = f"sqlite:///{tmp_path / 'c.db'}"
    rc, _, err = cli_in_process(capsys, "ingest", str(cut), "--db", db)
    assert rc == 3 and "truncated or corrupt gzip (1)" in err


# ---------------------------------------------------------------- row 4
def test_row4_a_warc_gz_of_gzip_headers_ends_with_a_skip_and_the_next_source_is_read(
        tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" * 130_000)  # 1.3 MB
    good = tmp_path / "good.warc.gz"
    good.write_bytes(warc_bytes([("https://news.example/a", html_page("A", STORY))]))
    items = list(read([str(junk), str(good)]))
    assert _kinds(items) == [("Skip", "unreadable WARC record"),
                             ("Skip", "too many damaged WARC records"),
                             ("Article", "https://news.example/a")]
    assert "max_warc_resyncs" in (items[1].detail or "")


# ---------------------------------------------------------------- row 5
def _cut_payload(record: bytes, by: int) -> bytes:
    """The record with its last ``by`` payload bytes gone but its Content-Length unchanged."""
    body_end = len(record) - 4  # the record ends with its two CRLFs
    return record[: body_end - by] + record[body_end:]


@pytest.mark.parametrize("swallow_all", [False, True])
def test_row5_a_truncated_record_in_a_plain_warc_is_a_skip_and_the_next_is_read(
        tmp_path: Path, swallow_all: bool) -> None:
    bad = warc_bytes([("https://news.example/bad", html_page("Bad", STORY * 4))], gz=False)
    good = warc_bytes([("https://news.example/good", html_page("Good", STORY))], gz=False)
    # Cut 200 bytes (the bad record runs into the good one's headers), or more than the good
    # record's length (the bad record would take the good one whole and end past the file).
    by = len(good) + 50 if swallow_all else 200
    assert by < len(STORY) * 8
    path = tmp_path / "plain.warc"
    path.write_bytes(_cut_payload(bad, by) + good)
    items = list(read([str(path)]))
    assert _kinds(items) == [("Skip", "unreadable WARC record"),
                             ("Article", "https://news.example/good")]
    assert [i.source for i in items] == [f"{path}#1", "https://news.example/good"]
    art = items[1]
    assert isinstance(art, Article) and "WARC" not in art.text and art.title == "Good"


def test_warc_stream_reader_reads_bytes_as_the_file_reader_does(tmp_path: Path) -> None:
    from quoteline.ingest.warc import read_warc_stream

    data = (warc_bytes([("https://news.example/a", html_page("A", STORY))])
            + gzip.compress(b"junk\r\n\r\n") + warc_bytes([("https://news.example/b",
                                                            html_page("B", STORY))]))
    path = tmp_path / "x.warc.gz"
    path.write_bytes(data)
    from_file = list(read([str(path)]))
    from_bytes = list(read_warc_stream(io.BytesIO(data), str(path), SourceOptions()))
    assert from_file == from_bytes and len(from_file) == 3
