"""Ingest cost against store size: the same small batch into an empty store and into stores of
N quotes (targets at 1 M quotes: time <= 1.3x and peak RSS <= 1.5x the empty store's).

    python bench/ingest_scale.py --quotes 1000000 --articles 20
    python bench/ingest_scale.py --quotes 100000,1000000 --backend postgresql
    python bench/ingest_scale.py --quotes 100000 --backend postgresql --pg-url postgresql://me@h/db

Each store is built by bulk SQL, not by ingesting: speakers (first and last names, a few
hundred quotes each), articles by 50 outlets over five years, and utterances reported one to
six times each (the full sentence, excerpts of it, a word changed), one unit per quote, every
unit in its utterance's cluster. The first ``LinkStep`` on it then files the clusters in the
lookup tables and keys the speakers, as it does for a bulk-loaded store (build time, not
measured). Then the same JSONL batch (bench/ingest_speed.py's articles, whose speakers are
among the stored ones) is ingested into fresh copies of each store, ``--repeats`` times, each
in a child process as ``quoteline ingest`` runs: the medians of its wall time, of the
``ingest`` call alone (model loaded: the per-batch cost) and its peak RSS are printed with
the ratios to the empty store. On PostgreSQL a throwaway server is started
(bench/search_latency.py) unless --pg-url is given (databases are created on it).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from child_rss import HWM_KB, peak_mb
from ingest_speed import PEOPLE, synthetic
from quoteline.corpus.linking import LinkStep
from quoteline.store import Store, open_store
from search_latency import throwaway_pg

_FIRST = ("Anna Ben Carla David Elena Farid Grace Hugo Ines Jonas Kira Liam Mona Nils Olga Pedro "
          "Quinn Rita Sami Tara Umar Vera Wim Xena Yusuf Zoe")
_LAST = ("Adams Berg Costa Dahl Evans Fischer Garcia Horvat Ito Jensen Kowalski Lopez Moreau "
         "Novak Okafor Petrov Quist Rossi Silva Tanaka Urban Varga Weber Xu Young Zeller")
_WORDS = ("budget bridge pension harbour council school hospital road tax tariff river farmers "
          "nurses teachers contract audit housing rail station airport water energy grid wages "
          "prices market jobs factory mine port ferry tunnel library museum stadium police court "
          "prison border army navy climate flood drought storm fire forest coast island valley "
          "city village region nation plan money year people work future rules law vote "
          "election party minister government country world health care")
_GLUE = "we will not the and for every our this that next by all of to in is are must"
FIRST, LAST, WORDS, GLUE = _FIRST.split(), _LAST.split(), _WORDS.split(), _GLUE.split()
QUOTES_PER_SPEAKER = 200
DAY0 = dt.date(2021, 1, 1)


# ------------------------------------------------------------------ the synthetic store
def utterance(rng: random.Random) -> list[str]:
    """A made-up sentence's words (content and function words mixed)."""
    n = rng.randint(8, 24)
    return [rng.choice(WORDS if i % 2 == 0 else GLUE) for i in range(n)]


def renderings(rng: random.Random, words: list[str]) -> list[str]:
    """One to six reports of an utterance: the full sentence, excerpts, a word changed."""
    out = [" ".join(words)]
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 5))):
        roll = rng.random()
        if roll < 0.4:
            out.append(out[0])
        elif roll < 0.75:
            size = rng.randint(5, len(words) - 1)
            at = rng.randint(0, len(words) - size)
            out.append(" ".join(words[at:at + size]))
        else:
            changed = list(words)
            changed[rng.randrange(len(changed))] = rng.choice(WORDS)
            out.append(" ".join(changed))
    return out


def speaker_names(n: int) -> list[str]:
    """n distinct person names, the bench batch's people first."""
    names = list(PEOPLE)
    for i in range(len(FIRST) * len(LAST) * 50):
        if len(names) >= n:
            break
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        middle = "" if i < len(FIRST) * len(LAST) else f" {chr(65 + (i // 676) % 26)}."
        names.append(f"{first}{middle} {last}")
    return names[:n]


def rows(n: int, names: list[str], seed: int = 5) -> Iterator[tuple[str, tuple[object, ...]]]:
    """(table, row) of clusters, articles, quotes and units for n quotes, in insert order."""
    rng = random.Random(seed)
    qid = cid = art = 0
    while qid < n:
        cid += 1
        sid = rng.randint(1, len(names))
        day = DAY0 + dt.timedelta(days=rng.randrange(1800))
        texts = renderings(rng, utterance(rng))[: n - qid]
        yield "clusters", (cid, qid + 1, sid, f"Outlet {cid % 50}", day.isoformat(), len(texts))
        for k, text in enumerate(texts):
            qid += 1
            art += 1
            published = day + dt.timedelta(days=k)
            yield "articles", (art, f"s{art}", f"s{art}", f"Outlet {art % 50}",
                               published.isoformat(), f"h{art}", b"", "", "2024-01-01", 1)
            yield "quotes", (qid, art, 0, len(text), text, "direct", names[sid - 1], sid,
                             published.isoformat())
            yield "units", (qid, qid, art, 0, 0, len(text), text, 1, cid)


COLUMNS = {
    "clusters": ["id", "reference_quote_id", "speaker_id", "first_outlet", "first_published",
                 "size"],
    "articles": ["id", "input_id", "ident", "outlet", "published", "content_hash", "minhash",
                 "text", "ingested_at", "banded"],
    "quotes": ["id", "article_id", "start_char", "end_char", "text", "kind", "speaker",
               "speaker_id", "said_on"],
    "units": ["id", "quote_id", "article_id", "seq", "start_char", "end_char", "text", "quoted",
              "cluster_id"],
}


def build(store: Store, n: int) -> tuple[float, float]:
    """Fill an empty store with n quotes by bulk SQL, then let linking file them; (seconds of
    bulk SQL, seconds of filing)."""
    t0 = time.perf_counter()
    db = store.db
    names = speaker_names(max(len(PEOPLE), n // QUOTES_PER_SPEAKER))
    with store.transaction():
        db.copy_rows("speakers", ["id", "name", "name_key", "is_body"],
                     ((i, name, name.lower(), 0) for i, name in enumerate(names, 1)))
        batch: dict[str, list[tuple[object, ...]]] = {t: [] for t in COLUMNS}
        for table, row in rows(n, names):
            batch[table].append(row)
            if len(batch["units"]) >= 50_000:
                _flush(store, batch)
        _flush(store, batch)
        rng = random.Random(9)  # near-copy bands of the stored originals, 8 an article
        db.copy_rows("article_bands", ["band", "article_id"],
                     ((rng.getrandbits(63), a) for a in range(1, n + 1) for _ in range(8)))
        next_cluster = int(db.scalar("SELECT coalesce(max(id), 0) + 1 AS n FROM clusters") or 1)
        db.execute("UPDATE link_meta SET value = ? WHERE name = 'next_cluster'", (next_cluster,))
        db.execute("DELETE FROM link_meta WHERE name = 'cut_quotes'")
        if store.dialect == "postgresql":  # COPY with ids does not move the id sequences
            for table in ("speakers", "articles", "quotes", "units", "clusters"):
                db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
    db.execute("ANALYZE")
    bulk = time.perf_counter() - t0
    LinkStep(store, semantic=False)  # files the clusters and keys the speakers
    db.execute("ANALYZE")
    return bulk, time.perf_counter() - t0 - bulk


def _flush(store: Store, batch: dict[str, list[tuple[object, ...]]]) -> None:
    for table, cols in COLUMNS.items():
        store.db.copy_rows(table, cols, batch[table])
        batch[table].clear()


# ------------------------------------------------------------------ the measured ingest
# The child reports its own peak RSS (see child_rss): this script grows while it builds a
# large store, and a child's rusage would count that.
CHILD = """
import json, sys, time
t0 = time.perf_counter()
from quoteline.nlp.loader import load_nlp
load_nlp()
from quoteline.corpus import ingest
from quoteline.store import open_store
t1 = time.perf_counter()
with open_store(sys.argv[2]) as store:
    report = ingest([sys.argv[1]], store)
""" + HWM_KB + """
print(json.dumps({"start": t1 - t0, "ingest": time.perf_counter() - t1,
                  "summary": report.summary(), "hwm_kb": hwm_kb}))
"""


@dataclass(frozen=True, slots=True)
class Figures:
    """One ingest of the batch: whole process seconds, seconds of the ``ingest`` call alone
    (model loaded), peak RSS in MB."""

    total: float
    call: float
    rss: float
    summary: str


def write_batch(path: Path, n: int) -> Path:
    """The batch every store gets: n articles as JSONL."""
    with path.open("w", encoding="utf-8") as f:
        for a in synthetic(n, seed=17):
            f.write(json.dumps({"id": a.id, "text": a.text, "outlet": a.outlet,
                                "published": "2026-03-02"}) + "\n")
    return path


def ingest_once(batch: Path, url: str) -> Figures:
    """Ingest the batch in a child process (as ``quoteline ingest`` does); its figures."""
    env = {**os.environ, "QUOTELINE_SEMANTIC": "0"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(batch), url], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - t0
    out, err = (proc.stdout.read() if proc.stdout else ""), (proc.stderr.read() if proc.stderr else "")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ingest failed:\n{err}")
    got = json.loads(out.strip().splitlines()[-1])
    return Figures(total, float(got["ingest"]), peak_mb(got, usage), str(got["summary"]))


class Stores:
    """Stores on one backend: a built one per N, cloned afresh for each measured ingest."""

    def __init__(self, backend: str, base: str | None, tmp: Path) -> None:
        self.backend, self.base, self.tmp = backend, base, tmp

    def url(self, name: str) -> str:
        """The URL of store ``name``."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / f'{name}.db'}"
        assert self.base is not None
        return self.base.rsplit("/", 1)[0] + "/" + name

    def create(self, name: str, template: str | None = None) -> str:
        """A new store (empty, or a copy of ``template``); its URL."""
        if self.backend == "sqlite":
            if template:
                shutil.copyfile(self.tmp / f"{template}.db", self.tmp / f"{name}.db")
            return self.url(name)
        self._pg(f"DROP DATABASE IF EXISTS {name}")
        self._pg(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def drop(self, name: str) -> None:
        """Remove store ``name``."""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.tmp / name}.db{suffix}").unlink(missing_ok=True)
        else:
            self._pg(f"DROP DATABASE IF EXISTS {name}")

    def _pg(self, sql: str) -> None:
        import psycopg

        assert self.base is not None
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(sql)


def measure(stores: Stores, batch: Path, n: int, repeats: int,
            built: Path | None = None) -> tuple[float, float, Figures]:
    """Build a store of n quotes (or copy ``built``, a SQLite store this script built), then
    ingest the batch into fresh copies of it; (bulk s, filing s, median figures)."""
    name = f"built{n}"
    if built is not None:
        with sqlite3.connect(built) as conn:  # fold its write-ahead log in before copying
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(built, stores.tmp / f"{name}.db")
        bulk = filing = 0.0
    else:
        with open_store(stores.create(name)) as store:
            bulk, filing = build(store, n) if n else (0.0, 0.0)
    runs = []
    for i in range(repeats):
        runs.append(ingest_once(batch, stores.create(f"run{n}_{i}", name)))
        stores.drop(f"run{n}_{i}")
    stores.drop(name)
    med = Figures(statistics.median(r.total for r in runs), statistics.median(r.call for r in runs),
                  max(r.rss for r in runs), runs[0].summary)
    return bulk, filing, med


def run(backend: str, sizes: list[int], articles: int, base: str | None, repeats: int,
        built: Path | None = None) -> None:
    """Ingest the batch into an empty store before and after each store of N quotes (the
    machine's load drifts), print the figures and the ratios to the empty store's medians."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        stores = Stores(backend, base, tmp)
        batch = write_batch(tmp / "batch.jsonl", articles)
        ingest_once(batch, stores.create("warmup"))  # the model's files into the page cache
        stores.drop("warmup")
        empties = [_line(backend, 0, *measure(stores, batch, 0, repeats))]
        results = {}
        for n in sizes:
            results[n] = _line(backend, n, *measure(stores, batch, n, repeats, built))
            empties.append(_line(backend, 0, *measure(stores, batch, 0, repeats)))
        empty = Figures(statistics.median(e.total for e in empties),
                        statistics.median(e.call for e in empties), max(e.rss for e in empties), "")
        print(f"empty store (median of {len(empties)} medians): ingest {empty.total:.1f}s, "
              f"the ingest call {empty.call:.2f}s, peak RSS {empty.rss:.0f} MB")
        for n, fig in results.items():
            print(f"{backend:10s} quotes {n:>10,}: time ratio {fig.total / empty.total:4.2f} "
                  f"(the ingest call {fig.call / empty.call:4.2f}; target <= 1.3), peak RSS "
                  f"ratio {fig.rss / empty.rss:4.2f} (target <= 1.5)", flush=True)


def _line(backend: str, n: int, bulk: float, filing: float, fig: Figures) -> Figures:
    print(f"{backend:10s} quotes {n:>10,}  build {bulk:6.1f}s + filing {filing:6.1f}s  "
          f"ingest {fig.total:5.1f}s (the ingest call {fig.call:5.2f}s)  peak RSS "
          f"{fig.rss:5.0f} MB  load {os.getloadavg()[0]:.2f}  [{fig.summary}]", flush=True)
    return fig


def main() -> None:
    """Parse flags and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quotes", default="100000,1000000",
                    help="comma-separated store sizes (an empty store is always measured)")
    ap.add_argument("--articles", type=int, default=20, help="articles in the ingested batch")
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--pg-url", default=None, help="a PostgreSQL server to create databases on")
    ap.add_argument("--repeats", type=int, default=3, help="ingests per store (median taken)")
    ap.add_argument("--built", type=Path, default=None,
                    help="SQLite: measure this store (built by this script at the one --quotes "
                         "N given) instead of building one")
    args = ap.parse_args()
    sizes = [int(s) for s in args.quotes.split(",") if s.strip()]
    print(f"load average {os.getloadavg()[0]:.2f}, batch of {args.articles} articles", flush=True)
    if args.backend == "sqlite":
        run("sqlite", sizes, args.articles, None, args.repeats, args.built)
    elif args.pg_url:
        run("postgresql", sizes, args.articles, args.pg_url, args.repeats)
    else:
        with throwaway_pg() as url:
            run("postgresql", sizes, args.articles, url, args.repeats)


if __name__ == "__main__":
    main()
