"""Two ingest processes at once into one store (SQLite and a real throwaway PostgreSQL) give
the store one run after the other gives: the same articles, copies, quotes, speaker per quote
and cluster memberships, every cluster's size its units, no traceback, nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from link_index_support import corpus, memberships
from quoteline.store import open_store
from test_corpus_resume import ingest_cmd, two_urls  # noqa: F401 - fixture
from test_store_support import pg_server  # noqa: F401 - fixture


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Articles as JSONL."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def overlapping(folder: Path) -> tuple[Path, Path]:
    """Two files sharing a third of their articles; one has a syndicated copy of its own."""
    rows = [{"id": e.article.id, "text": e.article.text, "outlet": e.article.outlet,
             "published": str(e.article.published)} for e in corpus(seed=11, n=100)]
    third = len(rows) // 3
    first, second = rows[:2 * third], rows[third:]
    first.append({**first[5], "id": "syndicated", "outlet": "Wire"})
    return write_jsonl(folder / "a.jsonl", first), write_jsonl(folder / "b.jsonl", second)


def state(url: str) -> dict[str, Any]:
    """Everything the runs must agree on, by natural keys (ids differ between the runs)."""
    with open_store(url) as store:
        q = store.db.query
        articles = sorted((r["input_id"], r["content_hash"], r["copy_kind"] or "", r["orig"] or "")
                          for r in q("SELECT a.input_id, a.content_hash, a.copy_kind, "
                                     "o.input_id AS orig FROM articles a LEFT JOIN articles o "
                                     "ON o.id = a.copy_of"))
        quotes = sorted((h.article_id or "", h.start, h.end, h.text, h.speaker_name or "")
                        for h in store.quotes())
        sizes = q("SELECT c.id FROM clusters c WHERE c.size <> (SELECT count(*) FROM units u "
                  "WHERE u.cluster_id = c.id)")
        loose = store.db.scalar("SELECT count(*) AS n FROM units WHERE cluster_id IS NULL")
        return {"articles": articles, "quotes": quotes, "clusters": memberships(store),
                "bad sizes": sizes, "units without a cluster": loose}


def run_both(sources: tuple[Path, Path], url: str) -> None:
    """Start two ingests at once; both must end well (0, or 3 for skips)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "QUOTELINE_SEMANTIC": "0"}
    procs = [subprocess.Popen(ingest_cmd(src, url), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for src in sources]
    for proc in procs:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
        assert "Traceback" not in err


def run_one_after_the_other(sources: tuple[Path, ...], url: str) -> None:
    """The same inputs, one run at a time."""
    env = {**os.environ, "QUOTELINE_SEMANTIC": "0"}
    for src in sources:
        done = subprocess.run(ingest_cmd(src, url), env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_two_ingests_of_overlapping_inputs_at_once(two_urls: tuple[str, str],  # noqa: F811
                                                  tmp_path: Path) -> None:
    both, seq = two_urls
    a, b = overlapping(tmp_path)
    open_store(both).close()  # the schema first, so that the two race on articles only
    run_both((a, b), both)
    run_one_after_the_other((a, b), seq)
    got, want = state(both), state(seq)
    assert len(want["articles"]) > 150 and len(want["clusters"]) > 100
    assert any(kind == "identical" for _, _, kind, _ in want["articles"])
    assert sum(len(c) > 1 for c in want["clusters"]) > 20
    assert want["bad sizes"] == [] and want["units without a cluster"] == 0
    for part in want:
        assert got[part] == want[part], part


def test_the_same_file_twice_at_once(two_urls: tuple[str, str],  # noqa: F811
                                     tmp_path: Path) -> None:
    both, once = two_urls
    a, _ = overlapping(tmp_path)
    run_both((a, a), both)  # not even the schema first
    run_one_after_the_other((a,), once)
    assert state(both) == state(once)
