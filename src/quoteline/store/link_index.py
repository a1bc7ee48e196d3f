"""The linker's lookup tables in the store: LSH band rows, per-speaker cluster order, cluster
state, read batch by batch (``LinkIndex`` is the ``quoteline.link.state.LinkSource``).

Tables (migration 0007): ``unit_bands (stage, band, unit_id)`` keyed by band hash,
``speaker_clusters (speaker_id, cluster_id, fragment)``, the columns ``clusters.longest_unit,
first_unit, primary_unit`` and the counter ``link_meta.next_cluster``. Band keys are unsigned
64-bit hashes; both backends store them as signed 64-bit integers.

Concurrency: every batch that links takes the link lock first in its transaction
(``link_lock``: PostgreSQL's transaction-level advisory lock; on SQLite the batch's
``BEGIN IMMEDIATE`` is the lock), then reads the current state, so two runs at once link as
if one ran after the other, batch by batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from quoteline.link.state import IndexChanges, StoredCluster
from quoteline.link.types import QuoteRecord
from quoteline.store.db import Db
from quoteline.store.write import RECORD_COLS, RECORD_FROM, RECORD_SQL, Written, unit_record

CHUNK = 500  # values per IN (...) list on SQLite
_PG_CHUNK = 20_000  # values per = ANY(?) array on PostgreSQL
LINK_LOCK = 7_216_541  # advisory lock id: one batch links at a time per PostgreSQL database
_RENDER_COLS = ", u.rendering, u.severity, u.similarity, u.diff, u.attributed_to"
_TOP = 1 << 63


def signed(key: int) -> int:
    """An unsigned 64-bit band key as the signed integer both backends store."""
    return key - (1 << 64) if key >= _TOP else key


def unsigned(value: int) -> int:
    """A stored band key back as the linker's unsigned key."""
    return value + (1 << 64) if value < 0 else value


def link_lock(db: Db) -> None:
    """Take the link lock for the rest of the transaction (PostgreSQL; SQLite's writer lock
    is the transaction itself). Every batch that links or writes clusters takes it first."""
    if db.dialect == "postgresql":
        db.execute("SELECT pg_advisory_xact_lock(?)", (LINK_LOCK,))


def where_in(db: Db, column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """(SQL condition, parameters) selecting rows whose ``column`` is one of ``values``, in
    chunks (an IN list on SQLite, an array on PostgreSQL)."""
    if db.dialect == "postgresql":
        for i in range(0, len(values), _PG_CHUNK):
            yield f"{column} = ANY(?)", [list(values[i:i + _PG_CHUNK])]
        return
    for i in range(0, len(values), CHUNK):
        chunk = list(values[i:i + CHUNK])
        yield f"{column} IN ({', '.join('?' for _ in chunk)})", chunk


def meta(db: Db, name: str, default: int = 0) -> int:
    """A counter or flag of ``link_meta``."""
    value = db.scalar("SELECT value FROM link_meta WHERE name = ?", (name,))
    return default if value is None else int(value)


def set_meta(db: Db, name: str, value: int) -> None:
    """Set a counter or flag of ``link_meta``."""
    db.execute("INSERT INTO link_meta (name, value) VALUES (?, ?) ON CONFLICT (name) "
               "DO UPDATE SET value = excluded.value", (name, value))


def stored_rendering(r: dict[str, Any]) -> tuple[Any, ...]:
    """A unit row's rendering columns as ``apply_link_update`` compares them."""
    diff = tuple(tuple(op) for op in json.loads(r["diff"])) if r["diff"] else ()
    similarity = round(float(r["similarity"]), 4) if r["similarity"] is not None else None
    return (r["cluster_id"], r["rendering"], r["severity"], similarity, diff, r["attributed_to"])


class LinkIndex:
    """The store side of a store-backed ``Linker``: reads by key, writes what it changed.

    ``stored`` holds the rendering columns of the units read in this batch, so that writing a
    grown cluster rewrites only the units whose rendering changed.
    """

    def __init__(self, db: Db) -> None:
        self.db = db
        self.stored: Written = {}

    def forget(self) -> None:
        """Drop what was read (at the start of each batch)."""
        self.stored.clear()

    # ------------------------------------------------------------ LinkSource
    def bands(self, stage: int, keys: Sequence[int]) -> dict[int, list[int]]:
        """Unit ids filed under each key of LSH stage ``stage``."""
        out: dict[int, list[int]] = {}
        for cond, params in where_in(self.db, "band", [signed(k) for k in keys]):
            for r in self.db.query(f"SELECT band, unit_id FROM unit_bands WHERE stage = ? AND "
                                   f"{cond} ORDER BY band, unit_id", [stage, *params]):
                out.setdefault(unsigned(int(r["band"])), []).append(int(r["unit_id"]))
        return out

    def clusters_of(self, unit_ids: Sequence[int]) -> dict[int, int]:
        """unit id -> cluster id of the linked units among ``unit_ids``."""
        out: dict[int, int] = {}
        for cond, params in where_in(self.db, "id", list(unit_ids)):
            for r in self.db.query(f"SELECT id, cluster_id FROM units WHERE {cond} AND "
                                   "cluster_id IS NOT NULL", params):
                out[int(r["id"])] = int(r["cluster_id"])
        return out

    def clusters(self, ids: Sequence[int]) -> list[StoredCluster]:
        """The clusters among ``ids``, whole (members in id order)."""
        states: dict[int, dict[str, Any]] = {}
        members: dict[int, list[QuoteRecord]] = {}
        for cond, params in where_in(self.db, "id", list(ids)):
            for r in self.db.query(f"SELECT id, longest_unit, first_unit, primary_unit FROM "
                                   f"clusters WHERE {cond}", params):
                states[int(r["id"])] = r
        for cond, params in where_in(self.db, "u.cluster_id", sorted(states)):
            for r in self.db.query(f"SELECT {RECORD_COLS}{_RENDER_COLS}{RECORD_FROM} WHERE {cond}"
                                   " ORDER BY u.id", params):
                members.setdefault(int(r["cluster_id"]), []).append(unit_record(r))
                self.stored[int(r["id"])] = stored_rendering(r)
        return [StoredCluster(cid, tuple(members[cid]), _int(s["longest_unit"]),
                              _int(s["first_unit"]), _int(s["primary_unit"]))
                for cid, s in sorted(states.items()) if cid in members]

    def heads(self, ids: Sequence[int]) -> dict[int, str]:
        """cluster id -> its fullest unit's text."""
        out: dict[int, str] = {}
        for cond, params in where_in(self.db, "c.id", list(ids)):
            for r in self.db.query(f"SELECT c.id, u.text FROM clusters c JOIN units u ON "
                                   f"u.id = c.longest_unit WHERE {cond}", params):
                out[int(r["id"])] = r["text"]
        return out

    def registered(self, speaker: int, limit: int, fragments: bool) -> list[tuple[int, str | None]]:
        """``speaker``'s latest clusters (fragment ones only, with ``fragments``), oldest first,
        each with its fullest unit's text (None: merged away)."""
        only = " AND s.fragment = 1" if fragments else ""
        rows = self.db.query(
            "SELECT s.cluster_id, u.text FROM speaker_clusters s LEFT JOIN clusters c ON "
            "c.id = s.cluster_id LEFT JOIN units u ON u.id = c.longest_unit WHERE "
            f"s.speaker_id = ?{only} ORDER BY s.cluster_id DESC LIMIT ?", (speaker, limit))
        return [(int(r["cluster_id"]), r["text"]) for r in reversed(rows)]

    def next_cluster(self) -> int:
        """The next free cluster id."""
        return meta(self.db, "next_cluster", 1)

    # ------------------------------------------------------------ writing
    def save(self, changes: IndexChanges) -> None:
        """Write what a batch of linking changed (after its clusters: ``apply_link_update``)."""
        db = self.db
        db.executemany("INSERT INTO unit_bands (stage, band, unit_id) VALUES (?, ?, ?) "
                       "ON CONFLICT DO NOTHING",
                       [(st, signed(k), u) for st, k, u in changes.bands])
        db.executemany("INSERT INTO speaker_clusters (speaker_id, cluster_id, fragment) "
                       "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       [(s, c, int(f)) for s, c, f in changes.registered])
        for speaker, dead, older in changes.unflagged:
            self._unflag(speaker, dead, older)
        db.executemany("UPDATE clusters SET longest_unit = ?, first_unit = ?, primary_unit = ? "
                       "WHERE id = ?", [(*s, cid) for cid, s in sorted(changes.states.items())])
        if changes.next_cluster > self.next_cluster():
            set_meta(db, "next_cluster", changes.next_cluster)

    def _unflag(self, speaker: int, dead: list[int], older: int | None) -> None:
        """Clusters that no longer count as ``speaker``'s fragments (see FragmentIndex.inside)."""
        base = "UPDATE speaker_clusters SET fragment = 0 WHERE speaker_id = ? AND fragment = 1"
        if older is not None:
            self.db.execute(f"{base} AND cluster_id < ?", (speaker, older))
        for cond, params in where_in(self.db, "cluster_id", dead):
            self.db.execute(f"{base} AND {cond}", [speaker, *params])


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def unindexed_clusters(db: Db, limit: int) -> list[StoredCluster]:
    """Up to ``limit`` clusters stored without the linker's state (an older store, clusters
    bulk-loaded), lowest ids first, whole; clusters without units are dropped."""
    while ids := [int(r["id"]) for r in db.query(
            f"SELECT id FROM {db.pending('clusters', 'clusters_unindexed')} WHERE longest_unit "
            "IS NULL ORDER BY id LIMIT ?", (limit,))]:
        found = LinkIndex(db).clusters(ids)
        empty = sorted(set(ids) - {c.cluster_id for c in found})
        for cond, params in where_in(db, "id", empty):
            db.execute(f"DELETE FROM clusters WHERE {cond}", params)
        if found:
            return found
    return []


def pending_units(db: Db, limit: int) -> list[QuoteRecord]:
    """Up to ``limit`` units stored without a cluster (bulk-loaded), lowest ids first."""
    return [unit_record(r) for r in db.query(
        f"{RECORD_SQL} WHERE u.cluster_id IS NULL ORDER BY u.id LIMIT ?", (limit,))]
