"""Reading sources: files, folders, globs, JSONL, HTML, WARC, and bad input of every kind."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from quoteline.errors import UsageError
from quoteline.ingest import SourceOptions, expand
from quoteline.ingest import read as read_stream
from quoteline.models import Article, Skip

STORY = ('"We will build the bridge next year," Mayor Jane Smith said on Monday. '
         "The council voted for the plan after a long debate about the costs of the project.")


def html_page(title: str, body: str, site: str = "Daily Planet") -> str:
    """A small news page with metadata trafilatura can read."""
    return (f"<!doctype html><html><head><title>{title}</title>"
            f'<meta name="author" content="Ann Reporter">'
            f'<meta property="og:site_name" content="{site}">'
            f'<meta property="article:published_time" content="2024-03-05">'
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
            f"<p>{body}</p><p>{body}</p></article><footer>(c) {site}</footer></body></html>")


def warc_bytes(pages: list[tuple[str, str]], gz: bool = True) -> bytes:
    """A WARC with one response record per (url, html)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for url, html in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                protocol="HTTP/1.1")
        rec = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                        http_headers=http)
        writer.write_record(rec)
    return buf.getvalue()


def read(*sources: str | Path, **opts: object) -> list[Article | Skip]:
    """Everything read from sources."""
    return list(read_stream([str(s) for s in sources], SourceOptions(**opts)))  # type: ignore[arg-type]


def test_text_html_and_folder(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "one.txt").write_text(STORY)
    (tmp_path / "news" / "sub").mkdir()
    (tmp_path / "news" / "sub" / "two.html").write_text(html_page("Bridge vote", STORY))
    (tmp_path / "news" / ".hidden.txt").write_text("ignored")
    items = read(tmp_path / "news")
    assert all(isinstance(i, Article) for i in items)
    one, two = items
    assert isinstance(one, Article) and isinstance(two, Article)
    assert (one.id, one.text) == ("one", STORY)
    assert two.id == "two" and two.title == "Bridge vote" and "bridge next year" in two.text
    assert (two.author, two.outlet, str(two.published)) == ("Ann Reporter", "Daily Planet",
                                                           "2024-03-05")


def test_glob_and_missing_paths(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.md"):
        (tmp_path / name).write_text(STORY)
    assert [Path(p).name for p in expand([str(tmp_path / "*.txt")])] == ["a.txt", "b.txt"]
    with pytest.raises(UsageError, match="no such file"):
        expand([str(tmp_path / "nope.txt")])
    with pytest.raises(UsageError, match="matches no files"):
        expand([str(tmp_path / "*.json")])


def test_jsonl_with_remapped_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    rows = [{"key": "k1", "body": STORY, "date": "2024-01-02", "site": "Herald"},
            {"key": "k2", "body": 5}]
    path.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in rows).encode()))
    fields = {"id": "key", "text": "body", "published": "date", "outlet": "site"}
    art, bad = read(path, fields=fields)
    assert isinstance(art, Article) and (art.id, art.outlet, str(art.published)) == (
        "k1", "Herald", "2024-01-02")
    assert isinstance(bad, Skip) and bad.reason == "no text field 'body'"


def test_truncated_gzip_keeps_lines_before_it(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(json.dumps({"id": f"a{i}", "text": STORY * 3}).encode() + b"\n"
                                  for i in range(50)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    items = read(path)
    assert isinstance(items[-1], Skip) and items[-1].reason == "truncated or corrupt gzip"
    assert len(items) > 5 and all(isinstance(i, Article) for i in items[:-1])


@pytest.mark.parametrize("gz", [True, False])
def test_warc_with_junk_records(tmp_path: Path, gz: bool) -> None:
    first = warc_bytes([("https://news.example/a", html_page("A", STORY)),
                        ("https://news.example/empty", "<html><body><nav>x</nav></body></html>")],
                       gz)
    junk = b"garbage, not a WARC record\r\n\r\n" + b"\x00" * 50
    junk = gzip.compress(junk) if gz else junk
    last = warc_bytes([("https://news.example/b", html_page("B", STORY))], gz)
    path = tmp_path / ("cc-news.warc.gz" if gz else "cc-news.warc")
    path.write_bytes(first + junk + last + b"trailing junk")
    kinds = [(type(i).__name__, i.url if isinstance(i, Article) else i.reason)
             for i in read(path)]
    assert kinds[:4] == [("Article", "https://news.example/a"),
                         ("Skip", "no article text found in HTML"),
                         ("Skip", "unreadable WARC record"),
                         ("Article", "https://news.example/b")]
    assert all(k == ("Skip", "unreadable WARC record") for k in kinds[4:])


def test_bad_files_become_skips_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:  # 50 MB
        fh.write(b"word " * (10 * 1024 * 1024))
    (tmp_path / "ok.txt").write_text(STORY)
    items = {Path(i.source or "").name: i for i in read(tmp_path)}
    assert isinstance(items["ok.txt"], Article)
    reasons = {k: v.reason for k, v in items.items() if isinstance(v, Skip)}
    assert reasons == {"latin1.txt": "not valid UTF-8 at byte 3",
                       "nav.html": "no article text found in HTML", "huge.txt": "too large"}


# ---------------------------------------------------------------- the ingest command (issue 14)
def test_ingest_published_dates_the_seed_article_read_from_text(
        tmp_path: Path, seed_text: str, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import cli_in_process
    from quoteline.store import open_store

    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    counts = []
    for name, extra in (("plain", []), ("dated", ["--published", "2022-11-16"])):
        db = f"sqlite:///{tmp_path / name}.db"
        rc, _, err = cli_in_process(capsys, "ingest", str(tmp_path / "seed.txt"), "--db", db,
                                    *extra)
        assert rc == 0, err
        with open_store(db) as store:
            counts.append(store.db.scalar(
                "SELECT count(*) AS n FROM quotes WHERE said_on IS NOT NULL"))
            published = store.db.scalar("SELECT max(published) AS n FROM articles")
    assert counts[0] == 0 and counts[1] >= 3
    assert str(published).startswith("2022-11-16")
    rc, _, err = cli_in_process(capsys, "ingest", str(tmp_path / "seed.txt"), "--db",
                                f"sqlite:///{tmp_path}/x.db", "--published", "16/11/2022")
    assert rc == 2 and "--published" in err


def test_ingest_summary_names_every_skip_reason(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import cli_in_process

    rows = [b"not json", b"[1]", b'{"id": "x"}', b'{"id": "d", "text": "t", "published": "soon"}',
            b'{"id": "e", "text": "  "}', b"not json either", json.dumps({"text": STORY}).encode()]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "rows.jsonl").write_bytes(b"\n".join(rows) + b"\n")
    (tmp_path / "in" / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    rc, _, err = cli_in_process(capsys, "ingest", str(tmp_path / "in"), "--db",
                                f"sqlite:///{tmp_path / 's.db'}")
    assert rc == 3
    summary = err.strip().splitlines()[-1]
    assert "7 skipped" in summary
    for reason in ("invalid JSON line (2)", "JSON line is not an object (1)",
                   "no text field 'text' (1)", "bad published date (1)", "empty text (1)",
                   "not valid UTF-8 at byte 3 (1)"):
        assert reason in summary
