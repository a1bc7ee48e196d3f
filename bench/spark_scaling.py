"""Spark scaling: extraction throughput at local[1] against local[2] on the same articles.

    .venv/bin/python bench/spark_scaling.py [--input ARTICLES.jsonl] [--limit N] [--repeat R]

For each master it starts a fresh Spark session, reads and repartitions the articles (cached,
outside the timing), warms every Python worker (spaCy loaded once per worker), then times the
extraction stage (``quoteline.spark.worker.extract_partition``, what ``spark extract`` runs in
each partition) and reports docs/s, the ratio to the first master, and the peak RSS of every
Python worker process (the per-executor memory that sizing needs). It also sums the CPU time
of the extraction tasks: docs per CPU-second is the per-core throughput, and "cores busy"
shows how much of the machine the job really got (on a shared machine, wall-clock scaling
says more about the neighbours than about Spark). Prints, never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from quoteline.models import Article
from quoteline.spark.runner import read_inputs, spark_session
from quoteline.spark.worker import QUOTE, extract_partition, process_stats

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT.parent / "shared" / "data" / "polnear-dev.jsonl"
WARM_TEXT = "“We will win,” Senator Jane Doe said on Tuesday."


def _articles_file(path: Path, limit: int, copies: int, out: Path) -> tuple[int, int]:
    """A JSONL of (id, text, published) only, ``copies`` times over; (articles, characters)."""
    n = chars = 0
    with path.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        rows = [json.loads(line) for line in src if line.strip()]
        rows = rows[:limit] if limit else rows
        for c in range(copies):
            for r in rows:
                rec = {"id": f"{r.get('id')}#{c}", "text": r["text"], "published": r.get("published")}
                dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n, chars = n + 1, chars + len(r["text"])
    return n, chars


def _run_partition(model: str | None) -> Any:
    def run(items: Any) -> list[tuple[int, int, int, int, int, float]]:
        seen, cpu = [0], time.process_time()
        rows = extract_partition(_counting(items, seen), model)
        quotes = sum(kind == QUOTE for kind, _, _ in rows)
        pid, rss, loads = process_stats()
        return [(seen[0], quotes, pid, rss, loads, time.process_time() - cpu)]

    return run


def _counting(items: Any, box: list[int]) -> Any:
    for item in items:
        box[0] += 1
        yield item


def _warm(model: str | None) -> Any:
    def warm(_: Any) -> list[tuple[int, int, int]]:
        for _row in extract_partition([Article(text=WARM_TEXT)], model):
            pass
        return [process_stats()]

    return warm


def measure(master: str, path: Path, partitions: int, repeat: int, model: str | None) -> dict[str, Any]:
    """Docs/s (best of ``repeat`` warm runs, and the cold first run) and worker memory."""
    spark = spark_session(master, app=f"quoteline bench {master}")
    sc = spark.sparkContext
    try:
        items = read_inputs(spark, str(path), "jsonl").repartition(partitions).cache()
        n_items = items.count()
        t0 = time.perf_counter()
        sc.parallelize(range(partitions * 2), partitions * 2).mapPartitions(_warm(model)).collect()
        cold_load = time.perf_counter() - t0
        timings: list[float] = []
        stats: list[tuple[int, int, int, int, int, float]] = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            stats = items.mapPartitions(_run_partition(model)).collect()
            timings.append(time.perf_counter() - t0)
        docs = sum(s[0] for s in stats)
        if docs != n_items:
            raise RuntimeError(f"extracted {docs} of {n_items} articles")
        workers: dict[int, tuple[int, int]] = {}
        for _, _, pid, rss, loads, _ in stats:
            old = workers.get(pid, (0, 0))
            workers[pid] = (max(old[0], rss), max(old[1], loads))
        best = min(timings)
        cpu = sum(s[5] for s in stats)
        return {
            "master": master, "docs": docs, "quotes": sum(s[1] for s in stats),
            "partitions": partitions, "seconds": round(best, 2), "docs_per_s": docs / best,
            "runs": [round(t, 2) for t in timings], "warmup_s": round(cold_load, 2),
            "worker_cpu_s": round(cpu, 2), "docs_per_cpu_s": docs / cpu if cpu else 0.0,
            "cores_busy": cpu / timings[-1],
            "workers": len(workers),
            "worker_peak_rss_mib": sorted(round(r / 1024) for r, _ in workers.values()),
            "model_loads_per_worker": sorted({n for _, n in workers.values()}),
        }
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table, the scaling ratio and a JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="JSONL articles (id, text)")
    ap.add_argument("--limit", type=int, default=0, help="use the first N articles (0: all)")
    ap.add_argument("--copies", type=int, default=1, help="repeat the input N times")
    ap.add_argument("--masters", default="local[1],local[2]")
    ap.add_argument("--partitions", type=int, default=8, help="tasks (same for every master)")
    ap.add_argument("--repeat", type=int, default=2, help="timed runs per master (best is kept)")
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)
    if not args.input.is_file():
        print(f"no input at {args.input}; pass --input ARTICLES.jsonl", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        n, chars = _articles_file(args.input, args.limit, args.copies, path)
        print(f"input: {n} articles, {chars / max(n, 1):,.0f} chars/article avg, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        results = [measure(m.strip(), path, args.partitions, args.repeat, args.model)
                   for m in args.masters.split(",")]
    base = results[0]["docs_per_s"]
    for r in results:
        print(f"{r['master']:>10}: {r['docs_per_s']:6.2f} docs/s ({r['seconds']} s best of "
              f"{r['runs']}; {r['quotes']} quotes), x{r['docs_per_s'] / base:.2f}; "
              f"{r['workers']} Python worker(s), peak RSS {r['worker_peak_rss_mib']} MiB, "
              f"model loads per worker {r['model_loads_per_worker']}, warm-up {r['warmup_s']} s")
        print(f"{'':>12}worker CPU {r['worker_cpu_s']} s in the last run: "
              f"{r['docs_per_cpu_s']:.2f} docs per CPU-second (per-core throughput), "
              f"{r['cores_busy']:.2f} cores busy on average")
    if len(results) > 1:
        print(f"scaling {results[-1]['master']} / {results[0]['master']}: "
              f"{results[-1]['docs_per_s'] / base:.2f}x (target >= 1.6x)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(json.dumps({"results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
