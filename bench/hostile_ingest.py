"""Ingest 50 good articles mixed with the eleven hostile inputs of issue 13, and check each.

    python bench/hostile_ingest.py                # full sizes (a 3 MB gzip inflating to 3 GiB)
    python bench/hostile_ingest.py --small        # the same inputs, cut down (CI-sized)
    python bench/hostile_ingest.py --rows 1,2,4   # only some rows (the good articles always)

One ``quoteline ingest`` run (a child process, watched: it is stopped if its memory passes
--kill-mb) reads a folder holding a JSONL file (the good articles, with rows 1, 3, 8 and 11
as lines of it), a gzip bomb (row 2), two damaged WARC files (rows 4 and 5), and URLs on a
local server (rows 6 and 10). Rows 7 and 9 are web attacks, checked by their tests in
tests/test_web_analyze_limits.py against a real server. Prints one line per row, the peak
memory and the wall time; exit 1 if a check failed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["Ana Ruiz", "Tom Berg", "Li Wei", "Omar Haddad", "Eva Novak", "Sam Okafor",
         "Ines Cole", "Raj Patel", "Mia Laine", "Hugo Brandt"]
TOPICS = ["the bridge", "the budget", "the school plan", "the harbour", "the tram line"]
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol">'
                  + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(),
                                                      b"&%s;" % chr(97 + i).encode() * 10)
                             for i in range(8))
                  + b']><rss version="2.0"><channel><title>&i;</title></channel></rss>')


def good_articles(n: int = 50) -> list[dict[str, str]]:
    """Short news articles of our own, each with a direct quote and a named speaker."""
    out = []
    for i in range(n):
        who, topic = NAMES[i % len(NAMES)], TOPICS[i % len(TOPICS)]
        text = (f"“We will finish {topic} before winter number {i},” Mayor {who} said on "
                f"Monday. The council met for {i + 2} hours. “It is about trust,” {who.split()[1]} "
                f"added, as residents of district {i} listened.")
        out.append({"id": f"good-{i:02d}", "text": text, "published": "2024-05-08",
                    "outlet": ["Herald", "Post", "Courier"][i % 3]})
    return out


class _Site(BaseHTTPRequestHandler):
    """Row 6 (a byte every 2 s) and row 10 (a feed of entity declarations)."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        try:
            if self.path == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                for _ in range(200):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(2)
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(BILLION_LAUGHS)))
                self.end_headers()
                self.wfile.write(BILLION_LAUGHS)
        except OSError:  # the client gave up, as it should
            pass


def _warc_record(url: str, html: bytes, gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html),
                                                  http_headers=http))
    return buf.getvalue()


def _page(title: str, who: str) -> bytes:
    para = f"<p>“The ferry will run all winter,” harbour master {who} said on Tuesday.</p>"
    return f"<html><head><title>{title}</title></head><body><article>{para * 3}</article>" \
           f"</body></html>".encode()


def build(folder: Path, rows: set[int], small: bool) -> tuple[list[str], dict[int, str]]:
    """The inputs (files in ``folder`` and URLs to add); what each row's input is called."""
    lines = [json.dumps(a) for a in good_articles()]
    where: dict[int, str] = {}
    extra: dict[int, str] = {
        1: "[" * 200_000,
        3: json.dumps({"id": "row3", "text": " ".join(["word"] * (250_000 if small
                                                                  else 1_000_000))}),
        8: json.dumps({"id": "row8", "published": "0001-01-01", "text":
                       "“We met the unions,” Mayor Ana Ruiz said yesterday. “We will meet them "
                       "again,” she said last Wednesday."}),
        11: json.dumps({"id": "row11", "published": "2024-05-09", "text":
                        "“Taxes will fall,” Senator Jane Sm\u200bith said on Monday."}),
    }
    for i, row in enumerate(sorted(r for r in extra if r in rows)):
        lines.insert(5 + 10 * i, extra[row])
        where[row] = f"articles.jsonl:{5 + 10 * i + 1}"
    (folder / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if 2 in rows:
        with gzip.open(folder / "bomb.jsonl.gz", "wb", compresslevel=9) as fh:
            block = b" " * (1 << 20)
            for _ in range(300 if small else 3072):  # MiB of spaces, no newline
                fh.write(block)
        where[2] = "bomb.jsonl.gz"
    if 4 in rows:
        (folder / "magic.warc.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
                                               * 130_000)
        where[4] = "magic.warc.gz"
    if 5 in rows:
        bad = _warc_record("https://port.example/bad", _page("Bad", "Ines Cole"), False)
        good = _warc_record("https://port.example/good", _page("Good", "Ines Cole"), False)
        (folder / "plain.warc").write_bytes(bad[:-204] + bad[-4:] + good)
        where[5] = "plain.warc"
    return [str(folder)], where


def _watch(proc: subprocess.Popen[bytes], kill_mb: float, peak: list[float]) -> None:
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            rss = next(int(x.split()[1]) for x in status.read_text().splitlines()
                       if x.startswith("VmRSS:")) / 1024
        except (OSError, StopIteration):
            break
        peak[0] = max(peak[0], rss)
        if rss > kill_mb:
            proc.kill()
            peak.append(-1)  # marks the kill
        time.sleep(0.1)


def run_ingest(sources: list[str], db: str, kill_mb: float) -> tuple[int, float, float, bool, str]:
    """``quoteline ingest`` in a child: exit code, wall seconds, peak MB, killed, stderr."""
    cmd = [sys.executable, "-m", "quoteline.cli", "ingest", *sources, "--db", db]
    code = "import sys; from quoteline.cli import main; sys.exit(main())"
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", code, *cmd[3:]], stderr=subprocess.PIPE)
    peak: list[float] = [0.0]
    watcher = threading.Thread(target=_watch, args=(proc, kill_mb, peak), daemon=True)
    watcher.start()
    _, err = proc.communicate()
    watcher.join(5)
    return proc.returncode, time.monotonic() - start, peak[0], len(peak) > 1, err.decode()


def checks(db: str, where: dict[int, str], port: int, rows: set[int]
           ) -> dict[int, tuple[bool, str]]:
    """Each row's verdict from the store: (passed, what was found)."""
    from quoteline.store import open_store

    with open_store(db) as store:
        skips = [(f"{s.source} {s.article_id}", s.reason) for s in store.skips()]
        rows_ = store.db.query("SELECT input_id, n_quotes FROM articles")
        ids = {r["input_id"] for r in rows_}
        quotes = {r["input_id"]: r["n_quotes"] for r in rows_}
        smith = [h for h in store.search("", speaker="Smith") if h.article_id == "row11"]

    def skip_for(name: str, *reasons: str) -> tuple[bool, str]:
        found = [r for s, r in skips if name in s]
        return (bool(found) and all(r in reasons for r in found), ", ".join(found) or "no skip")

    def stored(art: str) -> tuple[bool, str]:
        return art in ids, "stored" if art in ids else \
            next((r for s, r in skips if art in s), "not stored, no skip")

    rules: dict[int, Callable[[], tuple[bool, str]]] = {
        1: lambda: skip_for(where[1], "nested too deeply"),
        2: lambda: skip_for("bomb.jsonl.gz", "line too long", "decompressed size over the limit"),
        3: lambda: stored("row3"),
        4: lambda: skip_for("magic.warc.gz", "unreadable WARC record",
                            "too many damaged WARC records"),
        5: lambda: (skip_for("plain.warc#1", "unreadable WARC record")[0]
                    and "https://port.example/good" in ids,
                    f"{skip_for('plain.warc#1', 'unreadable WARC record')[1]}; good record "
                    f"{'stored' if 'https://port.example/good' in ids else 'lost'}"),
        6: lambda: skip_for(f"127.0.0.1:{port}/slow", "fetch failed: timed out"),
        8: lambda: (stored("row8")[0] and quotes.get("row8", 0) > 0,
                    f"{stored('row8')[1]}, {quotes.get('row8', 0)} quotes kept"),
        10: lambda: skip_for(f"127.0.0.1:{port}/feed", "feed refused: entity expansion"),
        11: lambda: (bool(smith), "found by speaker=Smith" if smith else "not found as Smith"),
    }
    out = {row: rule() for row, rule in rules.items() if row in rows}
    missing = [a["id"] for a in good_articles() if a["id"] not in ids]
    out[0] = (not missing, f"{50 - len(missing)}/50 stored")
    return out


def web_rows() -> dict[int, tuple[bool, str]]:
    """Rows 7 and 9: their tests against a real server."""
    out = {}
    for row, key in ((7, "row7"), (9, "row9")):
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               str(ROOT / "tests" / "test_web_analyze_limits.py"), "-k", key],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        last = (proc.stdout.strip().splitlines() or ["?"])[-1]
        out[row] = (proc.returncode == 0, last)
    return out


def main() -> int:
    """Build, ingest, check, print."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", action="store_true", help="cut-down inputs (for CI)")
    ap.add_argument("--rows", default="1,2,3,4,5,6,7,8,9,10,11", help="rows to include")
    ap.add_argument("--kill-mb", type=float, default=2500, help="stop the ingest past this RSS")
    ap.add_argument("--no-web", action="store_true", help="skip rows 7 and 9")
    ap.add_argument("--max-seconds", type=float, default=120,
                    help="wall-time bound of the check (0: report the time, check none; "
                         "tests use 0, as speed is the benchmark's to judge)")
    args = ap.parse_args()
    rows = {int(r) for r in args.rows.split(",") if r}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        sources, where = build(folder, rows, args.small)
        sources += [f"http://127.0.0.1:{port}/slow"] * (6 in rows)
        sources += [f"http://127.0.0.1:{port}/feed.xml"] * (10 in rows)
        db = f"sqlite:///{tmp}/hostile.db"
        rc, wall, peak, killed, err = run_ingest(sources, db, args.kill_mb)
        print(f"ingest: exit {rc}, {wall:.1f} s wall, peak RSS {peak:.0f} MB"
              f"{' (KILLED: over --kill-mb)' if killed else ''}")
        print("  " + (err.strip().splitlines() or ["(no summary)"])[-1][:600])
        verdicts = checks(db, where, port, rows) if not killed else {}
    httpd.shutdown()
    if not args.no_web and rows & {7, 9}:
        verdicts.update({r: v for r, v in web_rows().items() if r in rows})
    in_time = not args.max_seconds or wall < args.max_seconds
    ok = not killed and peak < 1500 and in_time
    for row in sorted(verdicts):
        passed, what = verdicts[row]
        ok &= passed
        print(f"{'good' if row == 0 else f'row {row:2d}'}: {'PASS' if passed else 'FAIL'}  {what}")
    print(f"peak memory {'under' if peak < 1500 else 'OVER'} 1.5 GB; wall time "
          f"{wall:.0f} s ({'within' if in_time else 'OVER'} {args.max_seconds:g} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("QUOTELINE_LOG", "warning")
    sys.exit(main())
