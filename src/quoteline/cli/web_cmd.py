"""``quoteline serve``: the web UI and JSON API over a store."""

from __future__ import annotations

import json
import os
import signal
import socket
from dataclasses import asdict
from typing import Any

import click

from quoteline.cli.common import db_option, model_option, open_existing
from quoteline.errors import QuotelineError, UsageError


@click.command()
@db_option
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

    The store must exist (build it with quoteline ingest). SIGTERM or Ctrl-C stops the
    server cleanly. Exit codes: 0 stopped, 1 the port is taken, 2 bad options or no store.

    \b
    Example:
      quoteline ingest samples/articles.jsonl --db sqlite:///samples.db
      quoteline serve --db sqlite:///samples.db     # then open http://127.0.0.1:8000/
    """
    from quoteline.web import WebSettings
    from quoteline.web.app import SETTINGS_ENV

    with open_existing(db_url) as store:  # refuses a store that is not there
        url = store.url
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
    sock = listen(host, port)
    click.echo(f"quoteline: serving {url} ({mode}) at http://{host}:{sock.getsockname()[1]}/",
               err=True)
    if workers == 1:
        serve_one(settings, options, sock)
        return
    os.environ[SETTINGS_ENV] = json.dumps(asdict(settings))  # read by each worker process
    serve_workers(options, workers, sock)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; QuotelineError (exit 1) when it is taken.

    Bound here rather than by uvicorn so that a taken port is one clear message before
    anything else is printed, and so that accepted connections get TCP_NODELAY: uvicorn's
    own socket is created with proto 0 and every keep-alive response then waits ~40 ms for a
    delayed ACK (Kludex/uvicorn#3149).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise QuotelineError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                             "is another server running there? pick another --port") from None
    return sock


def serve_one(settings: Any, options: dict[str, Any], sock: socket.socket) -> None:
    """One server process on ``sock`` until SIGTERM or Ctrl-C, then a clean return."""
    import uvicorn

    from quoteline.web import create_app

    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for whoever
    # handled it before; this handler takes it, so the command exits 0 instead of dying.
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.Server(uvicorn.Config(create_app(settings, server=True), **options)).run(
        sockets=[sock])


def serve_workers(options: dict[str, Any], workers: int, sock: socket.socket) -> None:
    """Run ``workers`` server processes that share ``sock`` (see ``listen``)."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config("quoteline.web.app:app_from_env", factory=True, workers=workers, **options)
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()
