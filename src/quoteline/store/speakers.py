"""The store's speaker index: records read by key for the batch at hand, merges recorded.

Nothing here loads every speaker. A batch reads the ``speaker_keys`` rows of the keys its
names can match (``prefetch``), and every change is written through at once, inside the
batch's transaction, so the store is the only state: a run cut anywhere, resumed after a
kill, or running beside another one reads exactly what an unbroken run would have.

Concurrency: on SQLite the batch transaction holds the one write lock (``BEGIN IMMEDIATE``)
while it resolves; on PostgreSQL the batch first takes transaction-level advisory locks on
its names' lock keys (sorted, so two batches never deadlock). Ids come from the store: a
sequence on PostgreSQL, and on SQLite one more than any id used before (merged ids included,
so an undone merge gets its id back).
"""

from __future__ import annotations

import hashlib
import json
from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from quoteline.errors import UsageError
from quoteline.link.speaker_names import PERSON, ParsedName, lock_keys, match_key
from quoteline.link.speakers import SpeakerRecord, derived_keys
from quoteline.store.db import Db

CHUNK = 500  # keys or ids per IN (...) list
_LOCK_SPACE = 0x5350  # advisory lock namespace of speaker keys ("SP")
_LOCK_BUCKETS = 1 << 24
_PARTIAL = ("b:", "j:")  # keys of surname-only and initial records


@dataclass(frozen=True, slots=True)
class SpeakerMerge:
    """One recorded merge: ``loser`` folded into ``survivor`` (None: the survivor itself was
    a surname-only record that turned out to be a fully named person)."""

    merge_id: int
    survivor_id: int
    loser_id: int | None
    loser_name: str
    kind: str  # absorbed | alias | forced | loaded (a Spark speaker named as a stored one)
    evidence: str
    merged_at: str
    undone_at: str | None
    quotes: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"merge_id": self.merge_id, "survivor_id": self.survivor_id,
                "loser_id": self.loser_id, "loser_name": self.loser_name, "kind": self.kind,
                "evidence": self.evidence, "merged_at": self.merged_at,
                "undone_at": self.undone_at, "quotes": self.quotes}


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _marks(items: Sequence[Any]) -> str:
    return ", ".join("?" for _ in items)


def _now() -> str:
    from quoteline.store.write import now

    return now()


def lock(db: Db, parsed: Iterable[ParsedName]) -> None:
    """Take the write locks of these names' records (PostgreSQL; SQLite has one writer)."""
    if db.dialect != "postgresql":
        return
    buckets = set()
    for p in parsed:
        for key in lock_keys(p):
            digest = hashlib.blake2b(key.encode(), digest_size=4).digest()
            buckets.add(int.from_bytes(digest) % _LOCK_BUCKETS)
    for bucket in sorted(buckets):
        db.execute("SELECT pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))",
                   (_LOCK_SPACE, bucket))


class StoreSpeakerIndex:
    """A ``SpeakerIndex`` over the store, caching what the current batch read (bounded)."""

    def __init__(self, db: Db, cache_limit: int = 100_000) -> None:
        self.db = db
        self.limit = cache_limit
        self._ids: dict[str, list[int]] = {}
        self._recs: dict[int, SpeakerRecord] = {}
        self._noted: set[tuple[int, str]] = set()
        self._apart: dict[tuple[int, int], bool] = {}
        self.last_merge: int | None = None  # id of the latest merge recorded

    def reset(self) -> None:
        """Forget what was read: call at the start of each batch transaction."""
        self._ids.clear()
        self._recs.clear()
        self._noted.clear()
        self._apart.clear()

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the records filed under ``keys`` in a few queries."""
        if len(self._ids) + len(self._recs) + len(self._noted) > self.limit:
            self.reset()
        missing = [k for k in dict.fromkeys(keys) if k not in self._ids]
        for chunk in _chunks(missing):
            for key in chunk:
                self._ids[key] = []
            # in the primary key's order, so that the planner reads the keys asked for only
            for r in self.db.query(f"SELECT key, speaker_id FROM speaker_keys WHERE key IN "
                                   f"({_marks(chunk)}) ORDER BY key, speaker_id", chunk):
                self._ids[r["key"]].append(int(r["speaker_id"]))
        self._load(sorted({sid for k in missing for sid in self._ids[k]}))

    def _load(self, ids: Sequence[int]) -> None:
        wanted = [sid for sid in ids if sid not in self._recs]
        for chunk in _chunks(wanted):
            for r in self.db.query(f"SELECT id, name, kind, given_key, surname_key, is_body "
                                   f"FROM speakers WHERE id IN ({_marks(chunk)})", chunk):
                self._recs[int(r["id"])] = SpeakerRecord(
                    int(r["id"]), r["name"], is_body=bool(r["is_body"]), kind=r["kind"] or "",
                    given=r["given_key"], surname=r["surname_key"] or "")
            for r in self.db.query(f"SELECT speaker_id, title FROM speaker_titles WHERE "
                                   f"speaker_id IN ({_marks(chunk)})", chunk):
                self._recs[int(r["speaker_id"])].titles.add(r["title"])

    # ------------------------------------------------------------ SpeakerIndex
    def ids(self, key: str) -> list[int]:
        """Ids filed under ``key``, smallest first."""
        if key not in self._ids:
            self.prefetch([key])
        return list(self._ids[key])

    def record(self, sid: int) -> SpeakerRecord:
        """The record ``sid`` (aliases not loaded)."""
        if sid not in self._recs:
            self._load([sid])
        return self._recs[sid]

    def create(self, parsed: ParsedName, keys: set[str]) -> int:
        """A new record, its id drawn from the store."""
        sid = allocate(self.db, parsed)
        self._recs[sid] = SpeakerRecord(sid, parsed.display, is_body=parsed.is_body,
                                        kind=parsed.kind, given=parsed.given,
                                        surname=parsed.surname)
        self.file(sid, keys)
        self._alias(sid, parsed.display)
        return sid

    def become(self, sid: int, parsed: ParsedName, keys: set[str], evidence: str) -> None:
        """Partial record ``sid`` is the person ``parsed``; recorded as a merge."""
        rec = self.record(sid)
        old = self._keys_of(sid)
        state = {**_rec_state(rec), "keys": sorted(old),
                 "aliases": sorted(_names(self.db, "speaker_aliases", "alias", sid)),
                 "titles": sorted(rec.titles)}
        self.last_merge = self._record_merge(sid, None, "absorbed", evidence, state)
        self._unfile(sid, {k for k in old if k.startswith(_PARTIAL)})
        self.db.execute("UPDATE speakers SET name = ?, name_key = ?, kind = ?, given_key = ?, "
                        "surname_key = ?, is_body = ? WHERE id = ?",
                        (parsed.display, match_key(parsed.display), parsed.kind, parsed.given,
                         parsed.surname, int(parsed.is_body), sid))
        rec.name, rec.kind, rec.given, rec.surname = (parsed.display, parsed.kind, parsed.given,
                                                      parsed.surname)
        self.file(sid, keys)
        self._alias(sid, parsed.display)

    def merge(self, loser: int, survivor: int, kind: str, evidence: str) -> None:
        """Fold ``loser`` into ``survivor``: names, titles, keys and quotes move; recorded."""
        into = self.record(survivor)
        old = self._keys_of(loser)
        keys = {k for k in old if not k.startswith(_PARTIAL)} if into.kind == PERSON else old
        state = {**_rec_state(self.record(loser)), "keys": sorted(old),
                 **_moved(self.db, loser, survivor, keys)}
        self.last_merge = self._record_merge(survivor, loser, kind, evidence, state)
        move_quotes(self.db, "speaker_id = ?", (loser,), loser, survivor)
        self.db.execute("UPDATE clusters SET speaker_id = ? WHERE speaker_id = ?",
                        (survivor, loser))
        _copy_names(self.db, loser, survivor)
        self._unfile(loser, old)
        self.file(survivor, set(state["added_keys"]))
        delete_speaker(self.db, loser)
        into.titles |= set(state["titles"])
        self._recs.pop(loser, None)

    def note(self, sid: int, name: str, titles: set[str]) -> None:
        """``sid`` was called ``name`` with ``titles``: add what is new."""
        if (sid, name) not in self._noted:
            self._alias(sid, name)
        rec = self.record(sid)
        new = sorted(titles - rec.titles)
        if not new:
            return
        self.db.executemany("INSERT INTO speaker_titles (speaker_id, title) VALUES (?, ?) "
                            "ON CONFLICT DO NOTHING", [(sid, t) for t in new])
        self.db.execute("UPDATE speakers SET title = ? WHERE id = ? AND "
                        "(title IS NULL OR title > ?)", (new[0], sid, new[0]))
        rec.titles.update(new)

    def distinct(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` were split apart by undoing a merge."""
        pair = (min(a, b), max(a, b))
        if pair not in self._apart:
            self._apart[pair] = bool(self.db.scalar(
                "SELECT 1 AS x FROM speaker_distinct WHERE a = ? AND b = ?", pair))
        return self._apart[pair]

    # ------------------------------------------------------------ internals
    def _alias(self, sid: int, name: str) -> None:
        self._noted.add((sid, name))
        self.db.execute("INSERT INTO speaker_aliases (speaker_id, alias, alias_key) "
                        "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (sid, name, match_key(name)))

    def _keys_of(self, sid: int) -> set[str]:
        return {r["key"] for r in self.db.query(
            "SELECT key FROM speaker_keys WHERE speaker_id = ?", (sid,))}

    def file(self, sid: int, keys: set[str]) -> None:
        """File record ``sid`` under ``keys`` too."""
        self.db.executemany("INSERT INTO speaker_keys (key, speaker_id) VALUES (?, ?) "
                            "ON CONFLICT DO NOTHING", [(k, sid) for k in sorted(keys)])
        for key in keys:
            ids = self._ids.get(key)
            if ids is not None and sid not in ids:
                insort(ids, sid)

    def _unfile(self, sid: int, keys: set[str]) -> None:
        self.db.executemany("DELETE FROM speaker_keys WHERE key = ? AND speaker_id = ?",
                            [(k, sid) for k in sorted(keys)])
        for key in keys:
            ids = self._ids.get(key)
            if ids is not None and sid in ids:
                ids.remove(sid)

    def _record_merge(self, survivor: int, loser: int | None, kind: str, evidence: str,
                      state: dict[str, Any]) -> int:
        row = self.db.one(
            "INSERT INTO speaker_merges (survivor_id, loser_id, kind, evidence, state, merged_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (survivor, loser, kind, evidence, json.dumps(state, ensure_ascii=False), _now()))
        assert row is not None
        mid = int(row["id"])
        self.db.execute("INSERT INTO speaker_merge_quotes (merge_id, quote_id) "
                        "SELECT ?, id FROM quotes WHERE speaker_id = ?",
                        (mid, loser if loser is not None else survivor))
        return mid


def _rec_state(rec: SpeakerRecord) -> dict[str, Any]:
    return {"name": rec.name, "kind": rec.kind, "given": rec.given, "surname": rec.surname,
            "is_body": rec.is_body}


def _names(db: Db, table: str, column: str, sid: int) -> set[str]:
    return {r[column] for r in db.query(f"SELECT {column} FROM {table} WHERE speaker_id = ?",
                                        (sid,))}


def _moved(db: Db, loser: int, survivor: int, keys: set[str]) -> dict[str, list[Any]]:
    """What a merge takes from ``loser`` and adds to ``survivor`` (what undoing takes back)."""
    aliases, titles = (_names(db, "speaker_aliases", "alias", loser),
                       _names(db, "speaker_titles", "title", loser))
    return {"aliases": sorted(aliases), "titles": sorted(titles),
            "added_aliases": sorted(aliases - _names(db, "speaker_aliases", "alias", survivor)),
            "added_titles": sorted(titles - _names(db, "speaker_titles", "title", survivor)),
            "added_keys": sorted(keys - {r["key"] for r in db.query(
                "SELECT key FROM speaker_keys WHERE speaker_id = ?", (survivor,))}),
            "clusters": [int(r["id"]) for r in db.query(
                "SELECT id FROM clusters WHERE speaker_id = ?", (loser,))]}


def _copy_names(db: Db, loser: int, survivor: int) -> None:
    db.execute("INSERT INTO speaker_aliases (speaker_id, alias, alias_key) SELECT ?, alias, "
               "alias_key FROM speaker_aliases WHERE speaker_id = ? ON CONFLICT DO NOTHING",
               (survivor, loser))
    db.execute("INSERT INTO speaker_titles (speaker_id, title) SELECT ?, title FROM "
               "speaker_titles WHERE speaker_id = ? ON CONFLICT DO NOTHING", (survivor, loser))


def move_quotes(db: Db, where: str, params: Sequence[Any], old: int, new: int) -> None:
    """Give the quotes ``WHERE where`` (all of speaker ``old``) to speaker ``new``."""
    # The search facets start with the speaker token ("s12 kdirect o..."): swap it too.
    db.execute(f"UPDATE quotes SET speaker_id = ?, facets = ? || substr(facets, ?) "
               f"WHERE {where}", (new, f"s{new}", len(f"s{old}") + 1, *params))


def delete_speaker(db: Db, sid: int) -> None:
    """Remove a speaker row and everything filed under it (its quotes have moved)."""
    for table in ("speaker_keys", "speaker_aliases", "speaker_titles"):
        db.execute(f"DELETE FROM {table} WHERE speaker_id = ?", (sid,))
    db.execute("DELETE FROM speakers WHERE id = ?", (sid,))


_COLS = "name, title, name_key, is_body, kind, given_key, surname_key, keyed"


def _values(parsed: ParsedName) -> tuple[Any, ...]:
    return (parsed.display, None, match_key(parsed.display), int(parsed.is_body), parsed.kind,
            parsed.given, parsed.surname, 1)


def allocate(db: Db, parsed: ParsedName, sid: int | None = None) -> int:
    """Insert a speaker row for ``parsed`` (with id ``sid``, else a new one); its id."""
    marks = _marks(_COLS.split(", "))
    if sid is not None:
        db.execute(f"INSERT INTO speakers (id, {_COLS}) VALUES (?, {marks})",
                   (sid, *_values(parsed)))
        return sid
    if db.dialect == "sqlite":
        # One more than any id ever used, merged-away ones included, so none is reused.
        row = db.one(f"INSERT INTO speakers (id, {_COLS}) VALUES ((SELECT max(coalesce(("
                     f"SELECT max(id) FROM speakers), 0), coalesce((SELECT max(loser_id) FROM "
                     f"speaker_merges), 0)) + 1), {marks}) RETURNING id", _values(parsed))
        assert row is not None
        return int(row["id"])
    for _ in range(3):  # the sequence may lag behind ids written by hand (save_speaker)
        row = db.one(f"INSERT INTO speakers ({_COLS}) VALUES ({marks}) ON CONFLICT (id) "
                     f"DO NOTHING RETURNING id", _values(parsed))
        if row is not None:
            return int(row["id"])
        db.execute("SELECT setval('speakers_id_seq', greatest((SELECT max(id) FROM speakers), "
                   "(SELECT last_value FROM speakers_id_seq)))")
    raise UsageError("could not draw a new speaker id; check speakers_id_seq")


# ------------------------------------------------------------------ keys of older stores
def backfill_keys(db: Db) -> int:
    """File speakers written without keys (older stores, ``save_speaker``); how many."""
    done = 0
    while True:
        with db.transaction():
            rows = db.query(f"SELECT id, name, is_body FROM {db.pending('speakers', 'speakers_unkeyed')}"
                            " WHERE keyed = 0 "
                            "ORDER BY id LIMIT ?", (CHUNK,))
            if not rows:
                return done
            ids = [int(r["id"]) for r in rows]
            aliases: dict[int, list[str]] = {sid: [] for sid in ids}
            for r in db.query(f"SELECT speaker_id, alias FROM speaker_aliases WHERE speaker_id "
                              f"IN ({_marks(ids)})", ids):
                aliases[int(r["speaker_id"])].append(r["alias"])
            for r in rows:
                _backfill_one(db, int(r["id"]), r["name"], aliases[int(r["id"])],
                              bool(r["is_body"]))
            done += len(rows)


def _backfill_one(db: Db, sid: int, name: str, aliases: list[str], is_body: bool) -> None:
    try:
        parsed, keys = derived_keys(name, aliases, is_body)
    except ValueError:  # a name that names no one: kept, never matched
        db.execute("UPDATE speakers SET keyed = 1 WHERE id = ?", (sid,))
        return
    db.execute("UPDATE speakers SET kind = ?, given_key = ?, surname_key = ?, name_key = ?, "
               "is_body = ?, keyed = 1 WHERE id = ?",
               (parsed.kind, parsed.given, parsed.surname, match_key(name),
                int(parsed.is_body), sid))
    db.executemany("INSERT INTO speaker_keys (key, speaker_id) VALUES (?, ?) "
                   "ON CONFLICT DO NOTHING", [(k, sid) for k in sorted(keys)])
    db.executemany("UPDATE speaker_aliases SET alias_key = ? WHERE speaker_id = ? AND alias = ?",
                   [(match_key(a), sid, a) for a in aliases])


# ------------------------------------------------------------------ merges by hand
def _exists(db: Db, sid: int) -> bool:
    return bool(db.scalar("SELECT 1 AS x FROM speakers WHERE id = ?", (sid,)))


def _parsed_of(db: Db, sid: int) -> ParsedName:
    rec = StoreSpeakerIndex(db).record(sid)
    return ParsedName(rec.name, rec.surname, rec.given, (), rec.is_body)


def force_merge(db: Db, keep: int, drop: int, evidence: str = "merged by hand") -> int:
    """Fold speaker ``drop`` into ``keep`` (quotes, names, titles); the merge id."""
    if keep == drop:
        raise UsageError(f"speaker {keep} cannot be merged into itself; give two speaker ids")
    with db.transaction():
        for sid in (keep, drop):
            if not _exists(db, sid):
                raise UsageError(f"no speaker {sid}; find speaker ids with `quoteline speaker NAME`")
        lock(db, [_parsed_of(db, keep), _parsed_of(db, drop)])
        index = StoreSpeakerIndex(db)
        index.merge(drop, keep, "forced", evidence)
        db.execute("DELETE FROM speaker_distinct WHERE a = ? AND b = ?",
                   (min(keep, drop), max(keep, drop)))
        assert index.last_merge is not None
        return index.last_merge


def undo_merge(db: Db, merge_id: int) -> int:
    """Split a recorded merge apart again; the id of the speaker brought back.

    The merged record comes back (with its old id, or a new one when it was a surname-only
    record that became a person), with its names, titles and the quotes that moved; the two
    are then kept apart, so resolving names never merges them again.
    """
    with db.transaction():
        m = db.one("SELECT id, survivor_id, loser_id, state, undone_at FROM speaker_merges "
                   "WHERE id = ?", (merge_id,))
        if m is None:
            raise UsageError(f"no speaker merge {merge_id}; list them with speaker_merges()")
        if m["undone_at"]:
            raise UsageError(f"speaker merge {merge_id} was undone already")
        survivor = int(m["survivor_id"])
        if not _exists(db, survivor):
            raise UsageError(f"speaker {survivor} was merged into another since; "
                             "undo that merge first")
        state = json.loads(m["state"])
        parsed = ParsedName(state["name"], state["surname"] or "", state["given"], (),
                            bool(state["is_body"]))
        lock(db, [parsed, _parsed_of(db, survivor)])
        loser = m["loser_id"]
        restored = allocate(db, parsed, int(loser) if loser is not None else None)
        db.execute("UPDATE speakers SET kind = ? WHERE id = ?", (state["kind"], restored))
        _restore(db, state, survivor, restored, absorbed=loser is None)
        move_quotes(db, "id IN (SELECT quote_id FROM speaker_merge_quotes WHERE merge_id = ?) "
                    "AND speaker_id = ?", (merge_id, survivor), survivor, restored)
        db.execute("INSERT INTO speaker_distinct (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   (min(survivor, restored), max(survivor, restored)))
        db.execute("UPDATE speaker_merges SET undone_at = ? WHERE id = ?", (_now(), merge_id))
        return restored


def _restore(db: Db, state: dict[str, Any], survivor: int, restored: int, *,
             absorbed: bool) -> None:
    """Give ``restored`` back its keys, names and titles, and take them from ``survivor``."""
    keys = set(state["keys"])
    added = set() if absorbed else set(state["added_keys"])  # an absorbed record kept its own
    aliases = set(state["aliases"]) | {state["name"]}
    name = db.scalar("SELECT name FROM speakers WHERE id = ?", (survivor,))
    taken = aliases - {name} if absorbed else set(state["added_aliases"])
    db.executemany("DELETE FROM speaker_keys WHERE key = ? AND speaker_id = ?",
                   [(k, survivor) for k in sorted(added)])
    db.executemany("DELETE FROM speaker_aliases WHERE alias = ? AND speaker_id = ?",
                   [(a, survivor) for a in sorted(taken)])
    if not absorbed:
        db.executemany("DELETE FROM speaker_titles WHERE title = ? AND speaker_id = ?",
                       [(t, survivor) for t in state["added_titles"]])
        db.executemany("UPDATE clusters SET speaker_id = ? WHERE id = ? AND speaker_id = ?",
                       [(restored, c, survivor) for c in state["clusters"]])
    db.executemany("INSERT INTO speaker_keys (key, speaker_id) VALUES (?, ?) "
                   "ON CONFLICT DO NOTHING", [(k, restored) for k in sorted(keys)])
    db.executemany("INSERT INTO speaker_aliases (speaker_id, alias, alias_key) VALUES (?, ?, ?) "
                   "ON CONFLICT DO NOTHING", [(restored, a, match_key(a)) for a in sorted(aliases)])
    db.executemany("INSERT INTO speaker_titles (speaker_id, title) VALUES (?, ?) "
                   "ON CONFLICT DO NOTHING", [(restored, t) for t in state["titles"]])


def speaker_merges(db: Db, speaker_id: int | None = None) -> list[SpeakerMerge]:
    """Recorded merges, oldest first (only those touching ``speaker_id`` when given)."""
    where, params = ("WHERE m.survivor_id = ? OR m.loser_id = ?", (speaker_id, speaker_id)) \
        if speaker_id is not None else ("", ())
    rows = db.query(f"SELECT m.id, m.survivor_id, m.loser_id, m.kind, m.evidence, m.state, "
                    f"m.merged_at, m.undone_at, (SELECT count(*) FROM speaker_merge_quotes q "
                    f"WHERE q.merge_id = m.id) AS n FROM speaker_merges m {where} ORDER BY m.id",
                    params)
    return [SpeakerMerge(int(r["id"]), int(r["survivor_id"]),
                         int(r["loser_id"]) if r["loser_id"] is not None else None,
                         json.loads(r["state"])["name"], r["kind"], r["evidence"], r["merged_at"],
                         r["undone_at"], int(r["n"])) for r in rows]
