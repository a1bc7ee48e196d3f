"""``quoteline load`` of ``spark link`` output: seconds, rows/s and peak RSS per N quote rows.

Writes synthetic Parquet shaped as ``spark link`` writes it (quotes/ with speaker_id,
cluster_id and renderings, clusters/, renderings/, speakers/; pyarrow only, no Spark) of N
quote rows, then loads it into a new store in a child process (as ``quoteline load`` runs)
and prints the whole load's seconds, quote rows per second, the part spent filing the loaded
clusters for later ingests (``index``), and the child's peak RSS. Bounded memory shows as a
peak RSS that does not grow with N.

Shape: N/3 utterances by N/200 speakers (at least 50); quote i renders utterance i mod N/3
(so clusters hold about 3 renderings, in different articles: the first is the reference, a
quarter of the rest altered by one word), 4 quotes an article, 9 outlets, 90 days.

    python bench/load_linked.py --quotes 100000,1000000
    python bench/load_linked.py --quotes 100000,1000000 --backend postgresql
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from child_rss import HWM_KB, peak_mb
from search_latency import throwaway_pg

CHUNK = 50_000  # rows per Parquet row group written
OUTLETS = ("Times", "Post", "Daily", "Herald", "Gazette", "Courier", "Tribune", "Ledger", "Star")
WORDS = tuple(" ".join([
    "budget plan city river school money tax vote law court union strike price energy "
    "health army police border trade farm water road bridge housing rent wage job worker "
    "family child teacher nurse doctor crime safety fire storm flood climate power coal oil "
    "gas wind solar future promise deal reform cut fund",
]).split())
GIVEN = tuple(" ".join([
    "Jane John Maria Ann Bob Lee Kim Omar Sara Paul Rosa Ivan Mei Tom Lena Raj Eva Noah "
    "Ada Leo",
]).split())
FAMILY = tuple(" ".join([
    "Doe Smith Ray Kim Lopez Chen Patel Novak Okafor Berg Silva Haddad Moreau Tanaka "
    "Kowalski Jensen Rossi Duarte Nakamura Fischer Murphy Ortiz Quinn Varga Weiss",
]).split())


def _speaker(i: int) -> str:
    """A distinct person name for speaker i (0-based)."""
    given, family = GIVEN[i % len(GIVEN)], FAMILY[(i // len(GIVEN)) % len(FAMILY)]
    n = i // (len(GIVEN) * len(FAMILY))
    return f"{given} {family}" + (f"-{FAMILY[n % len(FAMILY)]}" * bool(n)) + (
        f" {n}" if n >= len(FAMILY) else "")


def _utterance(u: int) -> list[str]:
    rng = random.Random(u)
    return [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]


def _quote(i: int, n: int, utterances: int, speakers: int) -> dict[str, Any]:
    """Quote row i (quote_id i + 1) of the synthetic output."""
    u = i % utterances
    words = _utterance(u)
    kind, diff, similarity = "reference" if i < utterances else "verbatim", [], 1.0
    if i >= utterances and i % 4 == 0:  # an altered rendering: one word changed
        j = i % len(words)
        new = WORDS[(WORDS.index(words[j]) + 1) % len(WORDS)]
        diff = [{"op": "=", "text": " ".join(words[:j])}, {"op": "-", "text": words[j]},
                {"op": "+", "text": new}, {"op": "=", "text": " ".join(words[j + 1:])}]
        words = [*words[:j], new, *words[j + 1:]]
        kind, similarity = "altered", 0.9
    text = " ".join(words).capitalize()
    sid = u % speakers + 1
    art = i // 4
    return {
        "article_id": f"a{art}", "start": 100 * (i % 4), "end": 100 * (i % 4) + len(text),
        "text": text, "kind": "direct", "cue": None, "source": None,
        "speaker": _speaker(sid - 1), "speaker_title": None, "said_on": None,
        "said_on_basis": None, "confidence": 0.9, "parts": [], "extractor": "bench",
        "model": "bench", "url": f"https://example.org/a{art}", "outlet": OUTLETS[art % 9],
        "published": dt.date(2024, 1, 1) + dt.timedelta(days=art % 90), "act": "speech",
        "quote_id": i + 1, "speaker_id": sid, "cluster_id": u + 1, "rendering": kind,
        "similarity": similarity, "diff": diff,
        "severity": "minor" if kind == "altered" else None, "attributed_to": None,
    }


def _cluster(u: int, n: int, utterances: int, speakers: int) -> dict[str, Any]:
    size = (n - 1 - u) // utterances + 1
    altered = sum(1 for k in range(1, size) if (u + k * utterances) % 4 == 0)
    return {"cluster_id": u + 1, "reference_id": u + 1, "first_outlet": OUTLETS[(u // 4) % 9],
            "first_published": dt.date(2024, 1, 1) + dt.timedelta(days=(u // 4) % 90),
            "speaker_id": u % speakers + 1, "size": size, "altered": altered,
            "misattributed": False, "first_article": f"a{u // 4}"}


def schemas() -> dict[str, Any]:
    """The pyarrow schemas of the four tables (as ``spark link`` writes them)."""
    import pyarrow as pa

    span = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])
    diff = pa.list_(pa.struct([("op", pa.string()), ("text", pa.string())]))
    text, long, date = pa.string(), pa.int64(), pa.date32()
    quote = [("article_id", text), ("start", pa.int32()), ("end", pa.int32()), ("text", text),
             ("kind", text), ("cue", span), ("source", span), ("speaker", text),
             ("speaker_title", text), ("said_on", date), ("said_on_basis", text),
             ("confidence", pa.float64()), ("parts", pa.list_(span)), ("extractor", text),
             ("model", text), ("url", text), ("outlet", text), ("published", date),
             ("act", text), ("quote_id", long), ("speaker_id", long), ("cluster_id", long),
             ("rendering", text), ("similarity", pa.float64()), ("diff", diff),
             ("severity", text), ("attributed_to", long)]
    return {
        "quotes": pa.schema(quote),
        "clusters": pa.schema([("cluster_id", long), ("reference_id", long),
                               ("first_outlet", text), ("first_published", date),
                               ("speaker_id", long), ("size", pa.int32()),
                               ("altered", pa.int32()), ("misattributed", pa.bool_()),
                               ("first_article", text)]),
        "renderings": pa.schema([("quote_id", long), ("cluster_id", long), ("kind", text),
                                 ("similarity", pa.float64()), ("diff", diff),
                                 ("severity", text), ("attributed_to", long)]),
        "speakers": pa.schema([("speaker_id", long), ("name", text),
                               ("aliases", pa.list_(text)), ("titles", pa.list_(text)),
                               ("is_body", pa.bool_())]),
    }


def _write(folder: Path, schema: Any, rows: Iterator[dict[str, Any]]) -> None:
    """Rows as one Parquet file under folder, CHUNK rows a row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    with pq.ParquetWriter(folder / "part-00000.parquet", schema) as writer:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                chunk.clear()
        writer.write_table(pa.Table.from_pylist(chunk, schema=schema))


def write_output(root: Path, n: int) -> Path:
    """Synthetic ``spark link`` output of n quote rows under root; root."""
    utterances, speakers = max(1, n // 3), max(50, n // 200)
    shapes = schemas()
    _write(root / "quotes", shapes["quotes"],
           (_quote(i, n, utterances, speakers) for i in range(n)))
    _write(root / "clusters", shapes["clusters"], (_cluster(u, n, utterances, speakers)
                                                   for u in range(min(n, utterances))))
    _write(root / "renderings", shapes["renderings"],
           ({**q, "kind": q["rendering"]} for q in (_quote(i, n, utterances, speakers)
                                                    for i in range(n))))
    _write(root / "speakers", shapes["speakers"],
           ({"speaker_id": s + 1, "name": _speaker(s), "aliases": [], "titles": [],
             "is_body": False} for s in range(speakers)))
    return root


CHILD = """
import json, sys, time
from pathlib import Path
import quoteline.corpus.bulk_linked as bl
from quoteline.corpus.bulk import load_parquet
from quoteline.store import open_store
times = {}
plain = bl.LinkStep
def timed(*args, **kwargs):
    t = time.perf_counter()
    step = plain(*args, **kwargs)
    times["index"] = time.perf_counter() - t
    return step
bl.LinkStep = timed
t0 = time.perf_counter()
with open_store(sys.argv[2]) as store:
    report = load_parquet(Path(sys.argv[1]), store)
""" + HWM_KB + """
print(json.dumps({"load": time.perf_counter() - t0, "index": times.get("index", 0.0),
                  "summary": report.summary(), "hwm_kb": hwm_kb}))
"""


def load_once(output: Path, url: str) -> tuple[float, float, float, str]:
    """Load output into url in a child process: (seconds, index seconds, peak RSS MB, summary)."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(output), url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"load failed:\n{proc.stderr.read() if proc.stderr else ''}")
    got = json.loads(out.strip().splitlines()[-1])
    return float(got["load"]), float(got["index"]), peak_mb(got, usage), str(got["summary"])


def new_database(server: str, name: str) -> str:
    """A fresh database on a PostgreSQL server; its URL."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def run(backend: str, sizes: list[int], server: str | None, tmp: Path) -> None:
    """Write, load and print each size."""
    for n in sizes:
        t0 = time.perf_counter()
        output = write_output(tmp / f"out{n}", n)
        written = time.perf_counter() - t0
        url = (new_database(server, f"load{n}") if server
               else f"sqlite:///{tmp / f'load{n}.db'}")
        seconds, index, rss, summary = load_once(output, url)
        print(f"{backend:10} N={n:>9,}  load {seconds:7.1f}s ({n / seconds:8,.0f} rows/s; "
              f"index {index:6.1f}s)  peak RSS {rss:5.0f} MB  load avg "
              f"{os.getloadavg()[0]:.2f}  (written in {written:.0f}s)  [{summary}]", flush=True)
        shutil.rmtree(output)


def main() -> None:
    """Parse flags and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quotes", default="100000,1000000", help="comma-separated N")
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--pg-url", default=None, help="a PostgreSQL server to create databases on")
    args = ap.parse_args()
    sizes = [int(s) for s in args.quotes.split(",") if s.strip()]
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="quoteline-load-") as tmp:
        if args.backend == "sqlite":
            run("sqlite", sizes, None, Path(tmp))
        elif args.pg_url:
            run("postgresql", sizes, args.pg_url, Path(tmp))
        else:
            with throwaway_pg() as url:
                run("postgresql", sizes, url, Path(tmp))


if __name__ == "__main__":
    main()
