"""SIGKILL an ingest of thousands of articles midway, re-run it: the store equals an unbroken run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from quoteline.errors import StoreError
from quoteline.store import open_store
from quoteline.store.db import Db
from test_store_support import BACKENDS, PgServer, pg_server  # noqa: F401 - fixtures

N_ARTICLES = 2000
SPEAKERS = ["Jane Smith", "John Doe", "Ann Lee", "Omar Diaz", "Mark A. Milley", "Gen. Milley"]
VOCABULARY = ("we will build the bridge next year and protect pensions for every family in the "
              "town taxes are too high the plan is sound our budget works roads schools hospitals")
WORDS = VOCABULARY.split()


def make_corpus(path: Path, n: int = N_ARTICLES) -> Path:
    """Short articles with quotes; some syndicated copies, repeats and bad lines."""
    rng = random.Random(42)
    said: list[str] = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if i % 97 == 5:
                fh.write("{not json\n")
                continue
            if said and i % 13 == 0:  # the same quote again, as another outlet reports it
                quote = rng.choice(said)
            else:
                quote = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
                said.append(quote)
            who = rng.choice(SPEAKERS)
            text = f'"{quote}," {who} said on Tuesday. The council met {i % 7} times this year.'
            row = {"id": f"art{i}", "text": text, "outlet": f"Outlet {i % 5}",
                   "published": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}"}
            fh.write(json.dumps(row) + "\n")
            if i % 31 == 0:  # a syndicated copy under another id
                fh.write(json.dumps({**row, "id": f"copy{i}", "outlet": "Wire"}) + "\n")
    return path


def ingest_cmd(source: Path, url: str) -> list[str]:
    """The CLI ingest command line."""
    return [sys.executable, "-c",
            "import sys; from quoteline.cli import main; sys.exit(main())", "ingest",
            str(source), "--db", url]


def count_articles(url: str) -> int:
    """Articles committed so far (0 before the schema exists)."""
    try:
        db = Db(url)
    except StoreError:
        return 0
    try:
        return int(db.scalar("SELECT count(*) AS n FROM articles") or 0)
    except StoreError:
        return 0
    finally:
        db.close()


def snapshot(url: str) -> dict[str, Any]:
    """Everything that must match, by natural keys (store ids may differ after a crash)."""
    with open_store(url) as store:
        q = store.db.query
        articles = sorted((r["input_id"], r["content_hash"], r["copy_kind"], r["orig"]) for r in q(
            "SELECT a.input_id, a.content_hash, a.copy_kind, o.input_id AS orig FROM articles a "
            "LEFT JOIN articles o ON o.id = a.copy_of"))
        quotes = sorted((h.article_id, h.start, h.end, h.text, h.kind, h.speaker,
                         h.speaker_name, h.rendering) for h in store.quotes())
        groups: dict[int, set[tuple[str | None, int]]] = {}
        for h in store.quotes():
            groups.setdefault(h.cluster or -h.quote_id, set()).add((h.article_id, h.start))
        speakers = sorted((s.name, s.aliases) for s in store.speakers())
        skips = sorted((s.source, s.reason) for s in store.skips())
    clusters = sorted(sorted(g, key=str) for g in groups.values())
    return {"articles": articles, "quotes": quotes, "clusters": clusters,
            "speakers": speakers, "skips": skips}


@pytest.fixture(params=BACKENDS)
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """Two empty stores on one backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database(), server.new_database()


def test_sigkill_then_resume_equals_an_unbroken_run(two_urls: tuple[str, str],
                                                    tmp_path: Path) -> None:
    killed_url, clean_url = two_urls
    source = make_corpus(tmp_path / "many.jsonl")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(ingest_cmd(source, killed_url), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300  # a guard against a hang, not a timing assertion
    while count_articles(killed_url) < N_ARTICLES // 4 and proc.poll() is None:
        assert time.monotonic() < deadline, "the ingest made no progress"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the ingest finished before it could be killed"
    at_kill = count_articles(killed_url)
    assert 0 < at_kill < N_ARTICLES

    resumed = subprocess.run(ingest_cmd(source, killed_url), env=env, capture_output=True,
                             text=True)
    assert resumed.returncode == 3, resumed.stderr  # the bad JSON lines are skips
    assert "already stored" in resumed.stderr
    clean = subprocess.run(ingest_cmd(source, clean_url), env=env, capture_output=True,
                           text=True)
    assert clean.returncode == 3, clean.stderr

    got, want = snapshot(killed_url), snapshot(clean_url)
    assert len(want["articles"]) > N_ARTICLES * 0.95 and len(want["quotes"]) > N_ARTICLES / 2
    assert any(kind == "identical" for _, _, kind, _ in want["articles"])
    for part in want:
        assert got[part] == want[part], part
