"""A thin connection wrapper that hides the two drivers (sqlite3, psycopg) behind one API.

SQL is written once with ``?`` placeholders; for PostgreSQL they become ``%s``. Rows come
back as dicts. Dates go in as ``datetime.date`` (stored as ISO text in SQLite).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from quoteline.errors import StoreError

Dialect = Literal["sqlite", "postgresql"]
Row = dict[str, Any]
DEFAULT_URL = "sqlite:///quoteline.db"


def default_url() -> str:
    """$QUOTELINE_DB, else ``sqlite:///quoteline.db``."""
    return os.environ.get("QUOTELINE_DB") or DEFAULT_URL


def parse_url(url: str) -> tuple[Dialect, str]:
    """(dialect, target): a SQLite path or a libpq URL; StoreError for anything else."""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise StoreError(f"{url}: no file in the SQLite URL; use sqlite:///quoteline.db")
        return "sqlite", path
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql", "postgresql://" + url[len(prefix):]
    if "://" in url:
        raise StoreError(
            f"{url}: unsupported store URL; use sqlite:///FILE or postgresql://USER@HOST/DB"
        )
    return "sqlite", url  # a bare path is a SQLite file


def lock_seconds() -> float:
    """How long a writer waits for another's lock (setting store_lock_seconds)."""
    from quoteline.settings import get_float

    return get_float("store_lock_seconds")


def _no_nul(value: Any) -> Any:
    """NUL (which PostgreSQL text refuses) as U+FFFD: one code point, so offsets still hold."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


def _to_sqlite(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Db:
    """One open connection to SQLite or PostgreSQL; not shared across threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect, target = parse_url(url)
        self._depth = 0
        self._streams = 0
        self._data_version: int | None = None  # last PRAGMA data_version seen (SQLite)
        if self.dialect == "sqlite":
            self._sq = self._open_sqlite(target)
        else:
            self._pg = self._open_pg(target)

    # ----------------------------------------------------------------- connecting
    @staticmethod
    def _open_sqlite(path: str) -> sqlite3.Connection:
        if path != ":memory:" and not Path(path).parent.exists():
            raise StoreError(f"{path}: the folder does not exist; create it or pick another path")
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            # a writer waits this long for another run's batch transaction to end
            conn.execute(f"PRAGMA busy_timeout={int(lock_seconds() * 1000)}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open as a SQLite store ({exc}); "
                             "check the path is a quoteline database") from None
        return conn

    @staticmethod
    def _open_pg(url: str) -> Any:
        import psycopg
        from psycopg.rows import dict_row

        try:
            return psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=10,
                                   options=f"-c lock_timeout={int(lock_seconds() * 1000)}")
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {_redact(url)}: "
                             f"{str(exc).strip()}; check the server is running and the URL") from None

    def close(self) -> None:
        """Close the connection."""
        if self.dialect == "sqlite":
            self._sq.close()
        else:
            self._pg.close()

    def set_time_limit(self, seconds: float, expired: Callable[[], bool]) -> None:
        """Stop statements that run too long: PostgreSQL's statement_timeout, or on SQLite a
        progress handler that aborts a statement once ``expired()`` says so."""
        if self.dialect == "postgresql":
            self.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        else:
            self._sq.set_progress_handler(lambda: int(expired()), 20_000)

    def changed_elsewhere(self) -> bool | None:
        """SQLite: whether another connection has committed a change since this one last asked
        (``PRAGMA data_version``; the first call: True, nothing being known before it).
        PostgreSQL: None (it keeps no such counter)."""
        if self.dialect != "sqlite":
            return None
        version = int(self._sq.execute("PRAGMA data_version").fetchone()[0])
        seen, self._data_version = self._data_version, version
        return seen != version

    def tune_for_reads(self, cache_mb: int, mmap_mb: int) -> None:
        """SQLite: a larger page cache and reads through a memory map of the file, for a
        connection that serves reads of a large store (the web server's); PostgreSQL keeps
        its own buffers. Not for ingest, whose memory is bounded by its batch instead."""
        if self.dialect == "sqlite":
            self._sq.execute(f"PRAGMA cache_size=-{max(0, int(cache_mb)) * 1024}")  # KiB
            self._sq.execute(f"PRAGMA mmap_size={max(0, int(mmap_mb)) * 1024 * 1024}")

    # ----------------------------------------------------------------- statements
    def _sql(self, sql: str) -> str:
        if self.dialect == "sqlite":
            return sql
        return sql.replace("%", "%%").replace("?", "%s")

    def _params(self, params: Sequence[Any]) -> Sequence[Any]:
        if self.dialect == "sqlite":
            return [_to_sqlite(_no_nul(p)) for p in params]
        return [_no_nul(p) for p in params]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query, as dicts."""
        try:
            if self.dialect == "sqlite":
                cur = self._sq.execute(sql, self._params(params))
                return [dict(r) for r in cur.fetchall()]
            with self._pg.cursor() as pcur:
                pcur.execute(self._sql(sql), self._params(params))
                return list(pcur.fetchall()) if pcur.description else []
        except (sqlite3.Error, _pg_error()) as exc:
            raise StoreError(f"store query failed: {exc}") from exc

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of a query as plain tuples (in the order of its columns): for reads of
        many small rows, where a dict a row costs more than the query."""
        try:
            if self.dialect == "sqlite":
                return [tuple(r) for r in self._sq.execute(sql, self._params(params)).fetchall()]
            with self._pg.cursor(row_factory=_tuple_row()) as pcur:
                pcur.execute(self._sql(sql), self._params(params))
                return list(pcur.fetchall()) if pcur.description else []
        except (sqlite3.Error, _pg_error()) as exc:
            raise StoreError(f"store query failed: {exc}") from exc

    def packed(self, sql: str, params: Sequence[Any], columns: Sequence[str]) -> list[list[Any]]:
        """All rows of a query of many small rows, as lists of ``columns`` (integers and text:
        no floats, which would come back rounded to 15 digits), in no promised order.

        On SQLite the rows come back packed in one JSON array, in one step of the statement.
        Each step lets go of the interpreter lock, and while another thread holds it each takes
        its turn again: 1,000 rows of a speaker's index beside one busy thread read in 780 ms,
        packed in 13 ms (alone: 0.98 and 0.40 ms; bench/web_parts.py). A web server process runs
        several threads, so its reads of a speaker's index or of a search's candidates are
        packed. PostgreSQL's driver reads a whole result at once.
        """
        if self.dialect != "sqlite":
            return [list(r) for r in self.tuples(sql, params)]
        wrapped = (f"SELECT json_group_array(json_array({', '.join(columns)})) AS j"
                   f" FROM ({sql}) AS packed")
        try:
            raw = self._sq.execute(wrapped, self._params(params)).fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "no such function" not in str(exc):  # a SQLite built without JSON
                raise StoreError(f"store query failed: {exc}") from exc
            return [list(r) for r in self.tuples(sql, params)]
        except sqlite3.Error as exc:
            raise StoreError(f"store query failed: {exc}") from exc
        rows: list[list[Any]] = json.loads(raw) if raw else []
        return rows

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[Row]:
        """Rows of a query, fetched in chunks (for exports of any size)."""
        try:
            yield from self._stream(sql, params, size)
        except (sqlite3.Error, _pg_error()) as exc:
            raise StoreError(f"store query failed: {exc}; if the store was made by another "
                             "quoteline version, re-ingest into a new store") from exc

    def _stream(self, sql: str, params: Sequence[Any], size: int) -> Iterator[Row]:
        if self.dialect == "sqlite":
            cur = self._sq.execute(sql, self._params(params))
            while chunk := cur.fetchmany(size):
                yield from (dict(r) for r in chunk)
            return
        self._streams += 1
        with self._pg.cursor(name=f"ql_stream_{self._streams}", withhold=True) as pcur:
            pcur.itersize = size
            pcur.execute(self._sql(sql), self._params(params))
            yield from pcur

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.one(sql, params)
        return next(iter(row.values())) if row else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement."""
        self.query(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each parameter row."""
        try:
            if self.dialect == "sqlite":
                self._sq.executemany(sql, (self._params(r) for r in rows))
                return
            with self._pg.cursor() as pcur:
                pcur.executemany(self._sql(sql), [self._params(r) for r in rows])
        except (sqlite3.Error, _pg_error()) as exc:
            raise StoreError(f"store write failed: {exc}") from exc

    def script(self, sql: str) -> None:
        """Run a multi-statement script (no parameters) inside the current transaction."""
        if self.dialect == "sqlite":
            for stmt in split_sqlite_script(sql):
                self._sq.execute(stmt)
        else:
            with self._pg.cursor() as pcur:
                pcur.execute(sql.encode())

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Bulk-insert rows (COPY on PostgreSQL, executemany on SQLite)."""
        if self.dialect == "sqlite":
            marks = ", ".join("?" for _ in columns)
            self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        with self._pg.cursor() as pcur, pcur.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(self._params(row))

    def pending(self, table: str, index: str) -> str:
        """``table`` read through its partial index ``index`` of rows left to do. SQLite's
        planner has no statistics for an empty partial index and may walk a whole table (or
        another index) instead; PostgreSQL's planner picks the small index by itself."""
        return f"{table} INDEXED BY {index}" if self.dialect == "sqlite" else table

    # ----------------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; nested calls join the outer one."""
        if self._depth:
            yield
            return
        self._depth += 1
        try:
            if self.dialect == "sqlite":
                yield from self._sqlite_tx()
            else:
                with self._pg.transaction():
                    yield
        finally:
            self._depth -= 1

    def _sqlite_tx(self) -> Iterator[None]:
        self._sq.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._sq.execute("ROLLBACK")
            raise
        self._sq.execute("COMMIT")


def split_sqlite_script(sql: str) -> list[str]:
    """Statements of a script, keeping trigger bodies (BEGIN ... END;) whole."""
    out: list[str] = []
    buf = ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _pg_error() -> type[Exception]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return sqlite3.Error
    return psycopg.Error


def _tuple_row() -> Any:
    from psycopg.rows import tuple_row

    return tuple_row


def _redact(url: str) -> str:
    """The URL without its password."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"
