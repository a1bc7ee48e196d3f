"""``quoteline serve``: the web UI and JSON API over a store."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from quoteline.cli.common import model_option
from quoteline.errors import UsageError
from quoteline.store import default_url
from quoteline.store.db import parse_url


def check_store(url: str) -> None:
    """Refuse to serve a SQLite file that does not exist (a typo would serve an empty store)."""
    dialect, target = parse_url(url)
    if dialect == "sqlite" and target != ":memory:" and not Path(target).exists():
        raise UsageError(f"{target}: no store there; build one with "
                         f"`quoteline ingest samples/articles.jsonl --db {url}` or fix --db")


@click.command()
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Store URL: sqlite:///FILE (default: $QUOTELINE_DB or sqlite:///quoteline.db) "
                   "or postgresql://USER@HOST:PORT/DB.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1 keeps it on this machine).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--allow-writes", is_flag=True,
              help="Allow ingest through the API and the Analyze page (needs --token).")
@click.option("--token", envvar="QUOTELINE_TOKEN", default=None, metavar="T",
              help="Bearer token that writes must send (or $QUOTELINE_TOKEN).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (more use more cores; each opens its own connections).")
@click.option("--query-timeout", type=click.FloatRange(0.1, 120), default=5.0, show_default=True,
              help="Seconds a request's queries may run before it answers 503.")
@model_option
def serve(db_url: str | None, host: str, port: int, allow_writes: bool, token: str | None,
          workers: int, query_timeout: float, model: str | None) -> None:
    """Serve the web UI and JSON API over a store (read-only unless --allow-writes).

    \b
    Example:
      quoteline ingest samples/articles.jsonl --db sqlite:///samples.db
      quoteline serve --db sqlite:///samples.db     # then open http://127.0.0.1:8000/
    """
    import uvicorn

    from quoteline.web import WebSettings, create_app
    from quoteline.web.app import SETTINGS_ENV

    url = db_url or default_url()
    check_store(url)
    if allow_writes and not token:
        raise UsageError("--allow-writes needs --token T (or $QUOTELINE_TOKEN): writes must "
                         "be authenticated")
    if token and len(token) < 12:
        raise UsageError("--token: use at least 12 characters")
    settings = WebSettings(db_url=url, allow_writes=allow_writes, token=token,
                           query_timeout=query_timeout, model=model)
    mode = "read-write" if allow_writes else "read-only"
    options: dict[str, Any] = {
        "host": host, "port": port, "log_level": os.environ.get("QUOTELINE_LOG", "warning"),
        "limit_concurrency": 256, "timeout_keep_alive": 5, "server_header": False}
    click.echo(f"quoteline: serving {url} ({mode}) at http://{host}:{port}/", err=True)
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    os.environ[SETTINGS_ENV] = json.dumps(asdict(settings))  # read by each worker process
    serve_workers(options, workers)


def serve_workers(options: dict[str, Any], workers: int) -> None:
    """Run ``workers`` server processes on one listening socket that we bind ourselves.

    uvicorn's own multi-worker socket is created with proto 0, so accepted connections never
    get TCP_NODELAY and every keep-alive response waits ~40 ms for a delayed ACK
    (Kludex/uvicorn#3149); binding with IPPROTO_TCP avoids that.
    """
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config("quoteline.web.app:app_from_env", factory=True, workers=workers, **options)
    host, port = str(options["host"]), int(options["port"])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc}); pick another --port") from None
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()
