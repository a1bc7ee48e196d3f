"""Every CSV quoteline writes keeps a spreadsheet from running a cell as a formula: the CLI's
search, speaker, export (quotes, speakers, clusters) and skips, and the web's /quotes.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

from conftest import cli_in_process
from quoteline.corpus.export import FORMULA_STARTS, csv_cell
from quoteline.link.types import ClusterInfo, LinkUpdate, Rendering
from quoteline.models import Skip
from quoteline.store import open_store
from quoteline.web import WebSettings
from test_store import put, quote, unit
from test_store_support import pg_server, store_url  # noqa: F401 - fixtures
from test_web_support import LiveServer

STARTS = ["=", "+", "-", "@", "\t", "\r"]
TEXTS = [f"{s}HYPERLINK(\"http://evil.example\") formula {i}" for i, s in enumerate(STARTS)]
SPEAKER = "=Evil Person"  # name_key folds it to "evil person"


def hostile_store(url: str) -> str:
    """A store whose quotes, speaker, outlet, titles, cluster and skip all start like
    formulas."""
    with open_store(url) as store:
        store.save_speaker(1, SPEAKER, ["@chief"], ["+Evil", "Evil Person"])
        ids = []
        for i, text in enumerate(TEXTS):
            row, (qid,) = put(store, f"-art{i}", [quote(text, speaker=SPEAKER)],
                              outlet="+Outlet", speaker_id=1)
            ids.append(unit(store, row, qid, text))
        store.db.execute("UPDATE articles SET title = '-2+3', url = '=cmd|calc'")
        store.db.execute("UPDATE quotes SET speaker_title = '@SUM(A1)', cue = '=said'")
        renderings = tuple(Rendering(q, "reference" if q == ids[0] else "verbatim", 1.0)
                           for q in ids)
        store.apply_link_update(LinkUpdate(clusters={7: ClusterInfo(
            7, ids[0], "+Outlet", None, 1, renderings)}))
        store.add_skip(Skip("=cmd|' /C calc'!A0", "-bad reason", "@id", "\tdetail"))
    return url


def cells(text: str) -> list[str]:
    """Every cell of a CSV text (header included)."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_guarded(text: str, expect: list[str]) -> None:
    """No cell starts like a formula, and each value in ``expect`` is there, defused."""
    got = cells(text)
    assert len(got) > 1, text
    assert [c for c in got if c.startswith(FORMULA_STARTS)] == [], text
    for value in expect:
        assert "'" + value in got, (value, text[:500])


def test_the_guard_cell_by_cell() -> None:
    for start in STARTS:
        assert csv_cell(start + "x") == "'" + start + "x"
    assert csv_cell("a=b") == "a=b" and csv_cell(-3) == -3 and csv_cell(None) == ""
    assert csv_cell(["=x"]) == '["=x"]'  # JSON text starts with [


def test_every_cli_csv_output_is_guarded(store_url: str,  # noqa: F811
                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = hostile_store(store_url)
    runs = {
        ("search", "formula"): [TEXTS[0], "+Outlet", "-art0", "@SUM(A1)", "=said", "-2+3"],
        ("speaker", "Evil Person"): [TEXTS[1], SPEAKER],
        ("export", "quotes"): [TEXTS[2], "=cmd|calc"],
        ("export", "speakers"): [SPEAKER],
        ("export", "clusters"): [TEXTS[0], "+Outlet", SPEAKER],
        ("skips",): ["=cmd|' /C calc'!A0", "-bad reason", "@id", "\tdetail"],
    }
    for argv, expect in runs.items():
        rc, out, err = cli_in_process(capsys, *argv, "--db", db, "--format", "csv")
        assert rc == 0, (argv, err)
        assert_guarded(out, expect)


def test_export_to_a_file_is_guarded(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = hostile_store(f"sqlite:///{tmp_path / 'h.db'}")
    target = tmp_path / "quotes.csv"
    rc, _, err = cli_in_process(capsys, "export", "quotes", "--db", db, "--format", "csv",
                                "-o", str(target))
    assert rc == 0, err
    with target.open(encoding="utf-8", newline="") as fh:  # keep the \r inside cells
        assert_guarded(fh.read(), TEXTS)


def test_web_csv_is_guarded(tmp_path: Path) -> None:
    db = hostile_store(f"sqlite:///{tmp_path / 'h.db'}")
    with LiveServer(WebSettings(db_url=db)) as server:
        resp = httpx.get(server.url + "/quotes.csv", params={"q": "formula"}, timeout=30)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
        assert_guarded(resp.text, [*TEXTS, "+Outlet", "@SUM(A1)"])
        everything = httpx.get(server.url + "/quotes.csv", timeout=30)  # the latest quotes
        assert_guarded(everything.text, TEXTS)
