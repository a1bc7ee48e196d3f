"""The CLI over a store: read commands refuse a store that is not there, ``serve`` on a taken
port and on SIGTERM, tables for people, one line for an empty result, and the progress bar
(on a terminal only)."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from conftest import cli_in_process
from quoteline.link.types import ClusterInfo, LinkUpdate, Rendering
from quoteline.link.units import Unit
from quoteline.store import open_store
from terminal_support import on_a_terminal
from test_store import put, quote

READS = [("search", "bridge"), ("speaker", "Smith"), ("cluster", "1"), ("export", "quotes"),
         ("skips",), ("serve",)]
QUOTELINE = [sys.executable, "-c", "from quoteline.cli import main; main()"]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory with no store in it and no $QUOTELINE_DB."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUOTELINE_DB", raising=False)
    return tmp_path


@pytest.mark.parametrize("argv", READS, ids=lambda a: a[0])
def test_read_commands_refuse_a_missing_store(elsewhere: Path, argv: tuple[str, ...],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cases = {("--db", "notaurl"): "no quoteline store at notaurl",
             ("--db", "sqlite:///typo.db"): "no quoteline store at typo.db",
             ("--db", ""): "--db is empty",
             (): "no quoteline store at quoteline.db"}
    for db, message in cases.items():
        rc, out, err = cli_in_process(capsys, *argv, *db)
        assert rc == 2, (argv, db, err)
        assert message in err and err.count("\n") == 1, (argv, db, err)
        assert out == ""
        if not db:
            assert "the default store; pass --db or set $QUOTELINE_DB" in err
    assert sorted(p.name for p in elsewhere.iterdir()) == []  # nothing was created


def test_only_writers_create_a_store(elsewhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (elsewhere / "empty").mkdir()
    rc, _, err = cli_in_process(capsys, "load", str(elsewhere / "empty"), "--db",
                                "sqlite:///made.db")
    assert (elsewhere / "made.db").exists(), err
    rc, out, err = cli_in_process(capsys, "search", "bridge", "--db", "sqlite:///made.db")
    assert rc == 0 and out == "" and err == "no quotes match 'bridge' in made.db\n"


def small_store(path: Path) -> str:
    """Two articles by Jane Smith (one with two quotes) linked into a cluster with one
    altered and one verbatim rendering."""
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        store.save_speaker(1, "Jane Smith", ["mayor"], ["Smith"])
        long = "we will build the bridge across the river before the winter comes"
        altered = long.replace("will", "might")
        a1, (q1, _) = put(store, "art-1", [quote(long), quote("and the road too", start=70)],
                          speaker_id=1)
        a3, (q3,) = put(store, "art-2", [quote(altered)], outlet="Herald",
                        published=dt.date(2024, 1, 3), speaker_id=1)
        a4, (q4,) = put(store, "art-3", [quote(long)], outlet="Gazette",
                        published=dt.date(2024, 1, 4), speaker_id=1)
        # Linking works on utterance units: one unit per quote here.
        (u1,) = store.add_units(a1, q1, [Unit(0, len(long), long)])
        (u3,) = store.add_units(a3, q3, [Unit(0, len(altered), altered)])
        (u4,) = store.add_units(a4, q4, [Unit(0, len(long), long)])
        diff = (("=", "we"), ("-", "will"), ("+", "might"), ("=", long[8:]))
        same = (("=", long),)
        store.apply_link_update(LinkUpdate(clusters={1: ClusterInfo(1, u1, "Daily", None, 1, (
            Rendering(u1, "reference", 1.0), Rendering(u3, "altered", 0.9, diff),
            Rendering(u4, "verbatim", 1.0, same)))}))
    return url


@pytest.fixture
def table(tmp_path: Path, capsys: pytest.CaptureFixture[str],
          monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Runs a verb over ``small_store`` on a terminal COLUMNS wide; its stdout (exit 0)."""
    db = small_store(tmp_path / "s.db")

    def run(columns: int, *argv: str) -> str:
        monkeypatch.setenv("COLUMNS", str(columns))
        rc, out, err = cli_in_process(capsys, *argv, "--db", db)
        assert rc == 0, err
        return out

    return run


def test_tables_give_the_quote_the_width_and_name_each_article_once(
        table: Callable[..., str]) -> None:
    out = table(160, "speaker", "Smith")
    assert "we will build the bridge across the river before the winter comes" in out  # 1 line
    assert out.count("Daily · art-1") == 1  # art-1 holds two quotes: named once
    assert "said" in out  # the cue
    header = next(line for line in out.splitlines() if "quote" in line and "said" in line)
    widths = {w: len(w) for w in header.split()}
    assert header.index("article") - header.index("quote") > 60, widths  # the quote is widest
    out = table(160, "search", "bridge")
    assert "Jane Smith" in out and "(said)" in out


def test_cluster_names_the_speaker_and_diffs_only_what_differs(
        table: Callable[..., str]) -> None:
    out = table(200, "cluster", "1")
    assert out.startswith("cluster 1: Jane Smith, “we will build the bridge")
    assert "[-will-] {+might+}" in out
    lines = out.splitlines()
    verbatim = next(i for i, line in enumerate(lines) if "verbatim" in line)
    assert "[-" not in lines[verbatim] and "{+" not in lines[verbatim]
    assert out.count("[-") == 1  # only the altered rendering has a diff


def test_an_empty_result_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = small_store(tmp_path / "s.db")
    rc, out, err = cli_in_process(capsys, "search", "zebra", "--db", db)
    assert (rc, out, err) == (0, "", f"no quotes match 'zebra' in {tmp_path / 's.db'}\n")
    rc, out, err = cli_in_process(capsys, "skips", "--db", db)
    assert (rc, out, err) == (0, "", f"no skips recorded in {tmp_path / 's.db'}\n")
    rc, _, err = cli_in_process(capsys, "search", '"', "--db", db)
    assert rc == 2 and "no words to look for" in err


# ---------------------------------------------------------------- serve
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_on_a_taken_port_exits_1_with_one_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = small_store(tmp_path / "s.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for workers in ("1", "2"):
            rc, out, err = cli_in_process(capsys, "serve", "--db", db, "--port", port,
                                          "--workers", workers)
            assert rc == 1, err
            assert err.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in err
            assert "serving" not in err and out == ""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_stops_cleanly_on_sigterm(tmp_path: Path, workers: str) -> None:
    db = small_store(tmp_path / "s.db")
    port = _free_port()
    proc = subprocess.Popen([*QUOTELINE, "serve", "--db", db, "--port", str(port),
                             "--workers", workers], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/quotes.json").status_code == 200
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert rc == 0, err
    assert "Traceback" not in err and err.startswith("quoteline: serving")


# ---------------------------------------------------------------- progress
def _articles(path: Path, n: int = 3) -> Path:
    places = ["the harbour", "the island", "the north shore", "the old town"]
    rows = [{"id": f"p{i}", "published": "2024-05-0" + str(i + 1),
             "text": f'"The ferry to {places[i]} will run all winter," Harbour Master Ines '
                     f"Cole said on day {i}. Crews painted the {places[i]} pier."}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _ingest_on_a_terminal(tmp_path: Path, *extra: str) -> tuple[int, str]:
    """``quoteline ingest`` with stderr on a pseudo-terminal; (exit code, what it showed)."""
    return on_a_terminal([*QUOTELINE, "ingest", str(_articles(tmp_path / "a.jsonl")),
                          "--db", f"sqlite:///{tmp_path / 'p.db'}", *extra], timeout=120)


def test_ingest_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    rc, shown = _ingest_on_a_terminal(tmp_path)
    assert rc == 0, shown
    assert "ingesting" in shown and "3/3" in shown and "ETA" in shown, shown
    assert "articles/s" in shown and "quotes" in shown, shown
    quiet_dir = tmp_path / "quiet"
    quiet_dir.mkdir()
    rc, quiet = _ingest_on_a_terminal(quiet_dir, "--quiet")
    assert rc == 0 and "ETA" not in quiet and "ingest: 3 read" in quiet, quiet
    piped = subprocess.run([*QUOTELINE, "ingest", str(_articles(tmp_path / "b.jsonl")),
                            "--db", f"sqlite:///{tmp_path / 'q.db'}"], capture_output=True,
                           text=True, timeout=300)
    assert piped.returncode == 0 and "ETA" not in piped.stderr
    assert piped.stderr.splitlines() == [line for line in piped.stderr.splitlines()
                                         if line.startswith(("ingest: ", "note: "))]
