"""Batching doesn't change the result: a corpus ingested at once, in two runs cut anywhere, in
batches of any size, or killed (SIGKILL) and resumed, gives every quote the same speaker and
every cluster the same members.

The corpus is the project's samples plus tests/data/speakers/articles.jsonl (made up for this:
a surname seen before the full name, two people sharing it, transliterations, a misspelled
copy, middle initials and suffixes, an outlet as speaker). Extraction runs once, for real; the
ingest runs replay it, so that only speaker resolution and linking differ between runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from link_index_support import memberships
from quoteline.ingest import read
from quoteline.models import Article, Extraction
from quoteline.nlp.pipeline import extract_many
from quoteline.store import Store, open_store
from speaker_support import ingest_extracted, replay, speaker_names
from test_corpus_resume import count_articles, ingest_cmd
from test_store_support import BACKENDS, PgServer, pg_server  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT / "samples" / "articles.jsonl", ROOT / "tests" / "data" / "speakers" /
           "articles.jsonl"]


@pytest.fixture(scope="module")
def extracted() -> list[Extraction]:
    """Every article of the corpus, extracted once."""
    articles = [a for a in read([str(p) for p in CORPORA]) if isinstance(a, Article)]
    out = [e for e in extract_many(articles) if isinstance(e, Extraction)]
    assert len(out) == len(articles) > 30
    return out


@pytest.fixture(params=BACKENDS)
def new_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A factory of empty stores on one backend."""
    counter = iter(range(1000))
    if request.param == "sqlite":
        return lambda: f"sqlite:///{tmp_path / f's{next(counter)}.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database


Names = dict[tuple[str | None, int, int], str | None]
Clusters = set[frozenset[tuple[str | None, int, int]]]


def outcome(store: Store) -> tuple[Names, Clusters]:
    """Speaker name per quote and cluster memberships, by natural keys (not ids)."""
    return speaker_names(store), memberships(store)


def ingest_runs(url: str, extracted: list[Extraction], cuts: list[int],
                batch_size: int = 64) -> tuple[Names, Clusters]:
    """Ingest the corpus in runs ending at each cut, then all of it; speaker name per quote
    and the clusters."""
    known = replay(extracted)
    with open_store(url) as store:
        for cut in [*cuts, len(extracted)]:
            ingest_extracted(store, extracted[:cut], batch_size=batch_size, known=known)
        return outcome(store)


def name_of(names: dict[tuple[str | None, int, int], str | None],
            extracted: list[Extraction], article_id: str) -> str | None:
    """The corpus speaker of the first quote of an article."""
    quote = next(e.quotes[0] for e in extracted if e.article.id == article_id)
    return names[(article_id, quote.start, quote.end)]


def test_the_corpus_has_what_the_test_is_about(extracted: list[Extraction]) -> None:
    speakers = {q.speaker for e in extracted for q in e.quotes}
    assert {"Quill", "Teresa Quill", "Daniel Quill", "Zelenskiy", "Jacinda Arden",
            "Mark A. Milley", "Reuters"} <= speakers


def test_name_variants_resolve_across_the_corpus(extracted: list[Extraction],
                                                 tmp_path: Path) -> None:
    whole, _ = ingest_runs(f"sqlite:///{tmp_path / 'whole.db'}", extracted, [])
    assert name_of(whole, extracted, "sp04") == "Quill"  # two people named Quill by then
    assert name_of(whole, extracted, "sp01") == "Teresa Quill"  # named in full later
    assert name_of(whole, extracted, "sp18") == name_of(whole, extracted, "sp07")  # Zelenskiy
    assert name_of(whole, extracted, "sp10") == "Jacinda Ardern"  # the misspelled copy
    assert name_of(whole, extracted, "sp17") == "Mark A. Milley"
    assert name_of(whole, extracted, "sp19") == "Arden"  # alone: not taken for Ardern
    assert name_of(whole, extracted, "sp13") == "Kovac"  # Anna or Peter: left apart


def test_two_runs_cut_anywhere_give_the_same_speakers(extracted: list[Extraction],
                                                      new_url) -> None:  # type: ignore[no-untyped-def]
    whole = ingest_runs(new_url(), extracted, [])
    assert sum(len(c) > 1 for c in whole[1]) > 3  # clusters of several reports to compare
    step = 3 if "sqlite" in new_url() else 11
    for cut in range(1, len(extracted), step):
        assert ingest_runs(new_url(), extracted, [cut]) == whole, cut


def test_batch_sizes_and_many_runs_give_the_same_speakers(extracted: list[Extraction],
                                                          tmp_path: Path) -> None:
    whole = ingest_runs(f"sqlite:///{tmp_path / 'whole.db'}", extracted, [])
    for size in (1, 2, 5):
        assert ingest_runs(f"sqlite:///{tmp_path / f'b{size}.db'}", extracted, [],
                           batch_size=size) == whole, size
    cuts = list(range(2, len(extracted), 4))
    assert ingest_runs(f"sqlite:///{tmp_path / 'many.db'}", extracted, cuts, 3) == whole


# ------------------------------------------------------------------ SIGKILL, then resume
def repeated_corpus(path: Path, copies: int = 24) -> Path:
    """The speaker articles many times over, each copy its own article (id and last line)."""
    rows = [json.loads(line) for line in
            (ROOT / "tests" / "data" / "speakers" / "articles.jsonl").read_text().splitlines()]
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(copies):
            for row in rows:
                text = f"{row['text']}\n\nThe council met {n} times this year."
                fh.write(json.dumps({**row, "id": f"{row['id']}-{n}", "text": text}) + "\n")
    return path


def names_by_key(url: str) -> tuple[Names, Clusters]:
    """Speaker name per quote and the clusters of a store."""
    with open_store(url) as store:
        return outcome(store)


@pytest.mark.parametrize("fraction", [0.3, 0.7])
def test_sigkill_then_resume_gives_the_same_speakers(tmp_path: Path, fraction: float) -> None:
    source = repeated_corpus(tmp_path / "many.jsonl")
    total = len(source.read_text().splitlines())
    killed, clean = f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'clean.db'}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(ingest_cmd(source, killed), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # a guard against a hang, not a timing assertion
    while count_articles(killed) < total * fraction and proc.poll() is None:
        assert time.monotonic() < deadline, "the ingest made no progress"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert 0 < count_articles(killed) < total
    for url in (killed, clean):
        done = subprocess.run(ingest_cmd(source, url), env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    want = names_by_key(clean)
    assert len(want[0]) > total and sum(len(c) > 1 for c in want[1]) > 10
    assert names_by_key(killed) == want
