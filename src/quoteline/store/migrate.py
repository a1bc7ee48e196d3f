"""Numbered, versioned schema migrations: ``migrations/<dialect>/NNNN_name.sql``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources

from quoteline.errors import StoreError
from quoteline.store.db import Db

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_PG_LOCK = 7_216_540  # advisory lock id: one migrator at a time per PostgreSQL database


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step."""

    version: int
    name: str
    sql: str


def migrations(dialect: str) -> list[Migration]:
    """Every migration shipped for ``dialect``, in version order."""
    folder = resources.files("quoteline.store") / "migrations" / dialect
    found: list[Migration] = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda mig: mig.version)


def latest_version(dialect: str) -> int:
    """The schema version this code writes."""
    steps = migrations(dialect)
    return steps[-1].version if steps else 0


def current_version(db: Db) -> int:
    """The version the store is at (0 for an empty database)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    return int(db.scalar("SELECT coalesce(max(version), 0) AS v FROM schema_version") or 0)


def migrate(db: Db) -> list[int]:
    """Apply every pending migration, each in its own transaction; the versions applied."""
    have = current_version(db)
    newest = latest_version(db.dialect)
    if have > newest:
        raise StoreError(
            f"the store is at schema version {have}, newer than this quoteline ({newest}); "
            "upgrade quoteline (pip install -U quoteline)"
        )
    done = {int(r["version"]) for r in db.query("SELECT version FROM schema_version")}
    applied: list[int] = []
    for step in migrations(db.dialect):
        # any shipped step not applied yet, not only newer ones: steps made on two branches
        # at once land in either order
        if step.version not in done and _apply(db, step):
            applied.append(step.version)
    return applied


def _apply(db: Db, step: Migration) -> bool:
    with db.transaction():
        if db.dialect == "postgresql":
            db.execute("SELECT pg_advisory_xact_lock(?)", (_PG_LOCK,))
        # Re-check inside the transaction: another process may have migrated meanwhile.
        if db.scalar("SELECT 1 AS x FROM schema_version WHERE version = ?", (step.version,)):
            return False
        db.script(step.sql)
        db.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
            (step.version, step.name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        )
    return True
