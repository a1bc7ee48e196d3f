"""Load on the web UI over loopback: p50/p95 latency and throughput for search, speaker and
cluster pages, the overview and the browse pages (speakers, clusters, articles, outlets), and
search grouped by statement, at 1 and 20 concurrent clients (target p95 <= 100 ms at 20).

    python bench/web_load.py                       # builds the synthetic 1,000,000-quote store
    python bench/web_load.py --n 200000 --keep /tmp/bench200k.db
    python bench/web_load.py --db sqlite:////tmp/bench200k.db --requests 400
    python bench/web_load.py --db sqlite:////tmp/bench1m.db --pages overview,clusters

The store is the one bench/search_latency.py builds (same generator), plus synthetic clusters of
three renderings (reference, verbatim, altered; utterance units, one a quote, one cluster in 20
misattributed) so cluster and browse pages have something to show. The
server runs as `quoteline serve` in its own process; clients are threads, each with one
keep-alive http.client connection (leaner than httpx, so the generator takes less of the shared
cores); the CPU each request cost the server and the client is printed beside the latencies.
Loads start once the server's processes are idle after their warm-up (``wait_idle``).
Request counts and time are bounded; prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quoteline.store import open_store
from search_latency import QUERIES, build

SPEAKERS = 1000  # speakers in the synthetic store


def add_clusters(url: str) -> int:
    """Group 3 of every 10 quotes into clusters of utterance units (reference, verbatim,
    altered; one unit a quote), one cluster in 20 misattributed by its verbatim rendering;
    how many clusters."""
    diff = '[["=","the same words"],["-","not"],["+","now"],["=","and the rest"]]'
    with open_store(url) as store, store.transaction():
        db = store.db
        db.execute("DELETE FROM clusters")
        db.execute("DELETE FROM units")
        db.execute(
            "INSERT INTO units (id, quote_id, article_id, seq, start_char, end_char, text, quoted,"
            " cluster_id, rendering, severity, similarity, diff, attributed_to)"
            " SELECT q.id, q.id, q.article_id, 0, q.start_char, q.end_char, q.text, 1,"
            " q.id / 10 + 1, CASE q.id % 10 WHEN 0 THEN 'reference' WHEN 1 THEN 'verbatim'"
            " ELSE 'altered' END, CASE WHEN q.id % 10 = 2 THEN 'minor' END,"
            " CASE WHEN q.id % 10 = 2 THEN 0.8 ELSE 1.0 END, CASE WHEN q.id % 10 = 2 THEN ? END,"
            " CASE WHEN q.id % 200 = 1 THEN q.speaker_id % 1000 + 1 END"
            " FROM quotes q WHERE q.id % 10 < 3", (diff,))
        db.execute(
            "UPDATE quotes SET cluster_id = id / 10 + 1, similarity = CASE WHEN id % 10 = 2"
            " THEN 0.8 ELSE 1.0 END, rendering = CASE id % 10 WHEN 0 THEN 'reference'"
            " WHEN 1 THEN 'verbatim' ELSE 'altered' END,"
            " diff = CASE WHEN id % 10 = 2 THEN ? END WHERE id % 10 < 3", (diff,))
        db.execute(
            "INSERT INTO clusters (id, reference_quote_id, speaker_id, first_outlet,"
            " first_published, size, altered, misattributed, first_article)"
            " SELECT q.id / 10 + 1, q.id, q.speaker_id, a.outlet, a.published, 3, 1,"
            " CASE WHEN q.id % 200 = 0 THEN 1 ELSE 0 END, a.input_id"
            " FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.id % 10 = 0")
        return int(db.scalar("SELECT count(*) AS n FROM clusters") or 0)


def build_store(n: int, path: Path) -> str:
    """A synthetic store of n quotes at path; its URL."""
    url = f"sqlite:///{path}"
    t0 = time.perf_counter()
    with open_store(url) as store:
        build(store, n)
    clusters = add_clusters(url)
    print(f"built {n:,} quotes, {clusters:,} clusters in {time.perf_counter() - t0:.0f}s "
          f"at {path}", file=sys.stderr)
    return url


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """`quoteline serve` in a child process, once it answers."""
    cmd = [sys.executable, "-c", "from quoteline.cli import main; main()", "serve",
           "--db", url, "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"server exited: {err[-2000:]}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start in 60 s")


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server process and its worker processes (from /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                pids += [int(c) for c in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_idle(pid: int, limit: float = 300.0) -> float:
    """Wait until the server's processes have finished warming up (each fills its cached
    reads in the background at start, then collects its garbage once): until they use under
    5% of a core over a second, at most ``limit`` seconds; the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        before = server_cpu(pid)
        time.sleep(1.0)
        if server_cpu(pid) - before < 0.05:
            break
    return time.monotonic() - t0


def client_cpu() -> float:
    """CPU seconds used so far by this (load generator) process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


KINDS = ("search", "speaker", "cluster", "overview", "speakers", "clusters", "articles",
         "outlets", "statements")


def paths(kind: str, clusters: int, rng: random.Random) -> Callable[[], str]:
    """A generator of request paths for one page kind."""
    pick = rng.choice
    makers: dict[str, Callable[[], str]] = {
        "search": lambda: "/quotes?" + str(httpx.QueryParams({"q": pick(QUERIES)})),
        "statements": lambda: "/quotes?" + str(httpx.QueryParams(
            {"q": pick(QUERIES), "group": "statement"})),
        "speaker": lambda: f"/speakers/{rng.randint(1, SPEAKERS)}",
        "cluster": lambda: f"/clusters/{rng.randint(1, max(1, clusters))}",
        "overview": lambda: "/",
        "speakers": lambda: f"/speakers?page={rng.randint(1, SPEAKERS // 50)}"
                            + pick(["", "&sort=name", "&q=speaker+1"]),
        "clusters": lambda: "/clusters?" + str(httpx.QueryParams(
            {"flag": pick(["", "altered"]), "sort": pick(["size", "date"]),
             "page": rng.randint(1, 50)})),
        "articles": lambda: "/articles?" + str(httpx.QueryParams(
            {"page": rng.randint(1, 50), "outlet": pick(["", f"Outlet {rng.randint(0, 49)}"])})),
        "outlets": lambda: "/outlets",
    }
    return makers[kind]


def run_load(host: str, port: int, make_path: Callable[[], str], clients: int, requests: int,
             seconds: float) -> dict[str, float]:
    """Send up to ``requests`` requests from ``clients`` threads within ``seconds``."""
    counter = itertools.count()
    lock = threading.Lock()
    times: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        # http.client with keep-alive: a lean client, so that the generator, which shares the
        # machine's cores with the server, takes as little of them as it can.
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            while next(counter) < requests and time.monotonic() < stop_at:
                with lock:
                    path = make_path()
                t0 = time.perf_counter()
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    times.append(ms)
                    errors[0] += resp.status != 200
        finally:
            conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    times.sort()
    return {"n": len(times), "p50": statistics.median(times),
            "p95": times[max(0, int(len(times) * 0.95) - 1)], "rps": len(times) / wall,
            "errors": errors[0]}


def main() -> None:
    """Parse flags, build or open the store, serve it and load it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="an existing store URL (default: build one)")
    ap.add_argument("--n", type=int, default=1_000_000, help="quotes in the synthetic store")
    ap.add_argument("--keep", type=Path, default=None, help="build the store here and keep it")
    ap.add_argument("--requests", type=int, default=2000, help="requests per page and level")
    ap.add_argument("--seconds", type=float, default=30.0, help="time cap per page and level")
    ap.add_argument("--clients", default="1,20", help="concurrency levels")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--pages", default=",".join(KINDS),
                    help=f"page kinds to load, comma-separated (of {', '.join(KINDS)})")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or build_store(args.n, args.keep or Path(tmp) / "bench.db")
        with open_store(url) as store:
            stats = store.stats()
            clusters = int(store.db.scalar("SELECT max(id) AS n FROM clusters") or 0)
        port = free_port()
        server = start_server(url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            warm = httpx.get(base + "/quotes?q=budget", timeout=120)  # fills facet caches
            for path in ("/", "/outlets", "/speakers"):  # and the overview, outlets, ranking
                httpx.get(base + path, timeout=300)
            settled = wait_idle(server.pid)  # each process warms its caches on its own
            print(f"store: {stats.quotes:,} quotes, {stats.articles:,} articles, "
                  f"{clusters:,} clusters; warm-up {warm.elapsed.total_seconds() * 1000:.0f} ms;"
                  f" {os.cpu_count()} CPUs, {args.workers} server process(es); idle after"
                  f" {settled:.1f} s")
            rng = random.Random(7)
            for kind in args.pages.split(","):
                for clients in (int(c) for c in args.clients.split(",")):
                    cpu0, srv0 = client_cpu(), server_cpu(server.pid)
                    f = run_load("127.0.0.1", port, paths(kind, clusters, rng), clients, args.requests,
                                 args.seconds)
                    n = max(1.0, f["n"])
                    cpu = ((client_cpu() - cpu0) * 1000 / n, (server_cpu(server.pid) - srv0) * 1000 / n)
                    verdict = ("met" if f["p95"] <= 100 else "NOT met") if clients >= 20 else ""
                    print(f"{kind:8s} clients={clients:>2}  n={f['n']:>5.0f}  "
                          f"p50 {f['p50']:7.1f} ms  p95 {f['p95']:7.1f} ms  "
                          f"{f['rps']:7.1f} req/s  errors {f['errors']:.0f}  "
                          f"CPU/request: server {cpu[1]:4.1f} ms, client {cpu[0]:4.1f} ms  {verdict}")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
