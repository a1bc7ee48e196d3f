"""Search latency on a synthetic store of N quotes, SQLite and PostgreSQL (target p95 <= 50 ms).

    python bench/search_latency.py --n 1000000
    python bench/search_latency.py --n 200000 --backends sqlite
    python bench/search_latency.py --pg-url postgresql://me@localhost/bench

Without --pg-url a throwaway PostgreSQL cluster is started with initdb/pg_ctl (as the
``postgres`` user when run as root) and removed afterwards. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import itertools
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from quoteline.store import Store, open_store

VOCAB_SIZE = 20_000
QUERIES = ["budget", "bridge next", '"protect pensions"', "infla*", "taxes OR tariffs",
           "war -peace", "minister said", "economy growth jobs", "hospital", "climate"]
COMMON = ["budget", "bridge", "next", "protect", "pensions", "inflation", "taxes", "tariffs",
          "war", "peace", "minister", "said", "economy", "growth", "jobs", "hospital", "climate"]


def vocabulary(rng: random.Random) -> list[str]:
    """Made-up words by Zipf rank; the query words sit at ranks 40-680, as content words do.

    The top ranks play the part of function words (in nearly every quote); a content word
    such as "budget" at rank 40 is in ~4% of quotes, at rank 680 in ~0.3%.
    """
    letters = "abcdefghijklmnopqrstuvwxyz"
    made_up = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
                      for _ in range(VOCAB_SIZE)} - set(COMMON))
    for i, word in enumerate(COMMON):
        made_up.insert(40 * (i + 1), word)
    return made_up


def quote_rows(n: int, seed: int = 1) -> Iterator[tuple[object, ...]]:
    """(article_id, start, end, text, kind, speaker, speaker_id, said_on) rows, Zipf-ish words."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cum = list(itertools.accumulate(1 / (i + 1) ** 1.07 for i in range(len(vocab))))
    day0 = dt.date(2020, 1, 1)
    for i in range(n):
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(8, 25))
        text = " ".join(words)
        sid = 1 + i % 1000
        yield (1 + i // 3, (i % 3) * 200, (i % 3) * 200 + len(text), text,
               ("direct", "indirect", "mixed")[i % 3], f"Speaker {sid}", sid,
               day0 + dt.timedelta(days=i % 1800))


def build(store: Store, n: int) -> float:
    """Fill an empty store with n quotes (bulk insert); seconds taken."""
    t0 = time.perf_counter()
    db = store.db
    n_articles = (n + 2) // 3
    with store.transaction():
        db.copy_rows("speakers", ["id", "name", "name_key", "is_body"],
                     ((i, f"Speaker {i}", f"speaker {i}", 0) for i in range(1, 1001)))
        db.copy_rows("articles", ["id", "input_id", "ident", "outlet", "published",
                                  "content_hash", "minhash", "text", "ingested_at"],
                     ((i, f"a{i}", f"a{i}", f"Outlet {i % 50}",
                       dt.date(2020, 1, 1) + dt.timedelta(days=i % 1800), f"h{i}", b"", "",
                       "2024-01-01") for i in range(1, n_articles + 1)))
        db.copy_rows("quotes", ["article_id", "start_char", "end_char", "text", "kind",
                                "speaker", "speaker_id", "said_on"], quote_rows(n))
    if store.dialect == "postgresql":
        db.execute("ANALYZE")
    else:
        db.execute("INSERT INTO quotes_fts(quotes_fts) VALUES ('optimize')")
        db.execute("ANALYZE")
    return time.perf_counter() - t0


def worst_case(store: Store, repeats: int) -> float:
    """Median ms of a query whose word is in ~85% of quotes (a stop word), no filters."""
    word = vocabulary(random.Random(1))[0]
    times = []
    for _ in range(repeats * 5):
        t0 = time.perf_counter()
        store.search(word, limit=20)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(store: Store, repeats: int) -> dict[str, float]:
    """p50/p95/max (ms) over the query mix, plain and filtered."""
    times: list[float] = []
    slowest: dict[str, float] = {}
    hits = 0
    for _ in range(repeats):
        for q in QUERIES:
            for kw in ({}, {"speaker": "Speaker 7"}, {"date_from": dt.date(2023, 1, 1)},
                       {"kind": "direct", "outlet": "Outlet 3"}):
                t0 = time.perf_counter()
                hits += len(store.search(q, limit=20, **kw))
                ms = (time.perf_counter() - t0) * 1000
                times.append(ms)
                key = f"{q} {kw}" if kw else q
                slowest[key] = max(slowest.get(key, 0.0), ms)
    times.sort()
    worst = sorted(slowest.items(), key=lambda kv: -kv[1])[:3]
    print("  slowest:", "; ".join(f"{k} {v:.0f} ms" for k, v in worst))
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1], "queries": len(times), "hits": hits}


@contextlib.contextmanager
def throwaway_pg() -> Iterator[str]:
    """Start a temporary PostgreSQL cluster; yield its URL."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    bindir = Path(found[0]).parent if found else Path(shutil.which("initdb") or "").parent
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="quoteline-bench-pg-"))
    if prefix:
        shutil.chown(root, user="postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = str(root / "data")
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", data, "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    opts = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c shared_buffers=512MB "
            "-c maintenance_work_mem=512MB -c max_wal_size=4GB")
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", data, "-o", opts, "-l",
                    str(root / "log"), "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def run_backend(name: str, url: str, n: int, repeats: int) -> None:
    """Build, measure and print one backend's figures."""
    with open_store(url) as store:
        built = build(store, n)
        figures = measure(store, repeats)
        figures["stopword"] = worst_case(store, repeats)
    print(f"{name:10s} n={n:>9,} build {built:7.1f}s  {n / built:9,.0f} quotes/s  "
          f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
          f"max {figures['max']:7.1f} ms  ({figures['queries']:.0f} queries; stop-word query "
          f"{figures['stopword']:.0f} ms)"
          f"  p95 target 50 ms: {'met' if figures['p95'] <= 50 else 'NOT met'}")


def main() -> None:
    """Parse flags and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="quotes in the synthetic store")
    ap.add_argument("--repeats", type=int, default=3, help="passes over the query mix")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=None, help="an empty PostgreSQL database to use")
    args = ap.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("sqlite", f"sqlite:///{tmp}/bench.db", args.n, args.repeats)
    if "postgresql" in backends:
        if args.pg_url:
            run_backend("postgresql", args.pg_url, args.n, args.repeats)
        else:
            with throwaway_pg() as url:
                run_backend("postgresql", url, args.n, args.repeats)


if __name__ == "__main__":
    main()
