"""``quoteline extract`` on good and bad inputs: output formats, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import cli_in_process

ARTICLE = ("Smith said: “We will win the vote.” The bill passed on Tuesday. "
           "“It is over,” Jones said, “and we lost.” Officials said the plan was “dangerous”.\n")


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real console entry point in a fresh process, as a user would run it."""
    code = "import sys; from quoteline.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin,
                          capture_output=True, timeout=120, check=False)


def assert_clean(stderr: str | bytes) -> None:
    """No Python traceback ever reaches the user."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text
    assert 'File "' not in text


@pytest.fixture
def article(tmp_path: Path) -> Path:
    """A small UTF-8 article file."""
    p = tmp_path / "story.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    return p


# ---------------------------------------------------------------- bad input
def test_binary_input_is_skipped_with_exit_3(tmp_path: Path) -> None:
    p = tmp_path / "image.bin"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    res = run_cli("extract", str(p))
    err = res.stderr.decode()
    assert res.returncode == 3
    assert res.stdout == b""
    skip_lines = [line for line in err.splitlines() if line.startswith("skipped")]
    assert len(skip_lines) == 1 and str(p) in skip_lines[0] and "binary" in skip_lines[0]
    assert "1 input(s) skipped" in err
    assert_clean(err)


def test_invalid_utf8_is_skipped_with_exit_3(tmp_path: Path) -> None:
    p = tmp_path / "latin1.txt"
    p.write_bytes("Caf\u00e9 owner said: \u00abnon\u00bb.".encode("latin-1"))
    res = run_cli("extract", str(p))
    err = res.stderr.decode()
    assert res.returncode == 3
    (line,) = [x for x in err.splitlines() if x.startswith("skipped")]
    assert "UTF-8" in line and "iconv" in line
    assert_clean(err)


def test_invalid_utf8_on_stdin(tmp_path: Path) -> None:
    res = run_cli("extract", "-", stdin=b"He said \xff\xfe \x80 nothing.")
    assert res.returncode == 3
    assert b"<stdin>" in res.stderr and b"UTF-8" in res.stderr
    assert_clean(res.stderr)


def test_missing_file_exits_2(tmp_path: Path) -> None:
    res = run_cli("extract", str(tmp_path / "nope.txt"))
    err = res.stderr.decode()
    assert res.returncode == 2
    assert "no such file" in err and len(err.strip().splitlines()) == 1
    assert_clean(err)


def test_bad_published_date_exits_2(article: Path) -> None:
    res = run_cli("extract", str(article), "--published", "16/11/2022")
    assert res.returncode == 2
    assert b"--published" in res.stderr
    assert_clean(res.stderr)


def test_stdin_text_works() -> None:
    res = run_cli("extract", "-", "--format", "json", stdin=ARTICLE.encode())
    assert res.returncode == 0, res.stderr
    assert isinstance(json.loads(res.stdout), list)
    assert_clean(res.stderr)


def test_bad_jsonl_lines_are_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "articles.jsonl"
    p.write_bytes(b'{"id": "ok", "text": "He said no."}\nnot json\n[1, 2]\n'
                  b'{"id": "d", "text": "x", "published": "soon"}\n{"id": "nt"}\n'
                  b'{"id": "bad", "text": "\xff"}\n')
    rc, _, err = cli_in_process(capsys, "extract", str(p))
    assert rc == 3
    assert "5 input(s) skipped" in err
    for where in (":2", ":3", ":4", ":5", ":6"):
        assert f"articles.jsonl{where}" in err
    assert_clean(err)


# ---------------------------------------------------------------- output formats
def _check_records(records: list[dict[str, object]], text: str) -> None:
    for r in records:
        start, end = r["start"], r["end"]
        assert isinstance(start, int) and isinstance(end, int)
        assert text[start:end] == r["text"]
        for key in ("article_id", "kind", "cue", "source", "speaker", "speaker_title",
                    "said_on", "confidence", "extractor", "model"):
            assert key in r


def test_format_jsonl(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli_in_process(capsys, "extract", str(article), "--published", "2022-11-16")
    assert rc == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    _check_records(records, ARTICLE)
    assert all(r["article_id"] == "story" for r in records)


def test_format_json(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli_in_process(capsys, "extract", str(article), "--format", "json")
    assert rc == 0, err
    records = json.loads(out)
    assert isinstance(records, list)
    _check_records(records, ARTICLE)


def test_format_table(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli_in_process(capsys, "extract", str(article), "--format", "table")
    assert rc == 0, err
    for column in ("article", "speaker", "kind", "said on", "quote", "conf"):
        assert column in out


def test_formats_agree(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, jsonl, _ = cli_in_process(capsys, "extract", str(article))
    _, js, _ = cli_in_process(capsys, "extract", str(article), "--format", "json")
    assert [json.loads(line) for line in jsonl.splitlines()] == json.loads(js)


def test_jsonl_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "articles.jsonl"
    rows = [{"id": "a1", "text": ARTICLE, "published": "2022-11-16", "url": "https://x.test/1"},
            {"id": "a2", "text": "Nothing quoted here.", "published": None},
            {"id": 3, "text": ARTICLE.upper(), "published": "2022-11-17T08:00:00Z"}]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    rc, out, err = cli_in_process(capsys, "extract", str(p), "--format", "json")
    assert rc == 0, err
    records = json.loads(out)
    texts = {"a1": ARTICLE, "a2": "Nothing quoted here.", "3": ARTICLE.upper()}
    for r in records:
        assert r["article_id"] in texts
        assert texts[r["article_id"]][r["start"]:r["end"]] == r["text"]
    ids = [r["article_id"] for r in records]
    assert ids == sorted(ids, key=["a1", "a2", "3"].index)  # input order kept


def test_min_confidence_keeps_only_surer_quotes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = tmp_path / "story.txt"
    story.write_text("“We will reopen the bridge,” Mayor Ana Ruiz said on Tuesday. "
                     "Some residents reportedly plan to protest at the next council meeting.",
                     encoding="utf-8")
    rc, out, _ = cli_in_process(capsys, "extract", str(story), "--acts", "all")
    every = [json.loads(line) for line in out.splitlines()]
    assert rc == 0 and len(every) >= 2
    cut = max(q["confidence"] for q in every)
    rc, out, _ = cli_in_process(capsys, "extract", str(story), "--acts", "all",
                                "--min-confidence", str(cut))
    kept = [json.loads(line) for line in out.splitlines()]
    assert rc == 0 and kept and len(kept) < len(every)
    assert all(q["confidence"] >= cut for q in kept)


# ---------------------------------------------------------------- one reader (issues 12, 14)
PAGE = ("<!doctype html><html><head><title>Vote</title></head><body><nav><a href='/'>Home</a>"
        "<a href='/x'>World</a></nav><article><h1>Vote</h1><p>“We will build the bridge next "
        "year,” Mayor Jane Smith said on Monday.</p><p>The council voted for the plan after a "
        "long debate about the costs of the project.</p></article></body></html>")


def test_html_file_is_read_as_its_article_text(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from quoteline.ingest import read
    from quoteline.models import Article

    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    rc, out, err = cli_in_process(capsys, "extract", str(page), "--format", "json")
    assert rc == 0, err
    quotes = json.loads(out)
    [article] = read([str(page)])
    assert isinstance(article, Article) and "<" not in article.text
    assert quotes and all(article.text[q["start"]:q["end"]] == q["text"] for q in quotes)
    assert any("bridge next year" in q["text"] for q in quotes)


def test_extract_reads_the_files_in_a_folder(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    news = tmp_path / "news"
    (news / "more").mkdir(parents=True)
    (news / "story.txt").write_text(ARTICLE, encoding="utf-8")
    (news / "page.html").write_text(PAGE, encoding="utf-8")
    (news / "more" / "rows.jsonl").write_text(json.dumps({"id": "row1", "text": ARTICLE}) + "\n",
                                              encoding="utf-8")
    rc, out, err = cli_in_process(capsys, "extract", str(news))
    assert rc == 0, err
    assert {json.loads(x)["article_id"] for x in out.splitlines()} == {"story", "page", "row1"}
    rc, _, err = cli_in_process(capsys, "extract", str(tmp_path / "nothing-here"))
    assert rc == 2 and "no such file, folder or URL" in err


def test_published_dates_text_and_html_inputs(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "story.txt").write_text("“We will win,” Senator Ann Lee said on Tuesday.",
                                        encoding="utf-8")
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    rc, out, _ = cli_in_process(capsys, "extract", str(tmp_path), "--published", "2022-11-16")
    said = {(json.loads(x)["article_id"], json.loads(x)["said_on"]) for x in out.splitlines()}
    assert rc == 0 and ("page", "2022-11-14") in said  # "on Monday" before 16 November
    assert ("story", "2022-11-15") in said  # "on Tuesday"
