"""What a store-backed ``Linker`` reads from its store, and what it hands back to be written.

A ``Linker`` made with a ``LinkSource`` keeps nothing of the store between batches: at each
batch (``Linker.begin``) it forgets, and while it links it reads only what the units in hand
can reach: the LSH band rows of their keys, the clusters of the units found there, and the
recent clusters of their speakers (the fragment and reworded-unit scans). Every change it
makes to those tables comes back as ``IndexChanges`` (``Linker.take_changes``), written by
the store in the same transaction as the clusters. The tables hold exactly what the
in-memory linker holds (band rows capped as its band tables are, clusters registered per
speaker in order, each cluster's fullest unit and first speaker), so linking the same units
either way gives the same clusters (tests/test_link_index.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from quoteline.link.types import QuoteRecord


def day_of(rec: QuoteRecord) -> dt.date | None:
    """When the words were said: said_on, else the report's date."""
    return rec.said_on or rec.published


@dataclass(slots=True)
class Cluster:
    """One cluster as the linker holds it while linking: members, fullest unit, speakers, dates."""

    members: list[int]
    longest: int
    longest_len: int
    speakers: Counter[int] = field(default_factory=Counter)
    primary: int | None = None  # the speaker of a primary source in the cluster
    first: int | None = None  # the first known speaker (breaks ties)
    days: tuple[dt.date, dt.date] | None = None
    first_unit: int | None = None  # the units that named ``first`` and ``primary``
    primary_unit: int | None = None

    @property
    def speaker(self) -> int | None:
        """Whose utterance this is: a primary source's speaker, else the most named one."""
        if self.primary is not None:
            return self.primary
        if not self.speakers:
            return None
        top = max(self.speakers.values())
        if self.first is not None and self.speakers[self.first] == top:
            return self.first
        return min(s for s, n in self.speakers.items() if n == top)

    def note(self, rec: QuoteRecord) -> None:
        """Count ``rec``'s speaker and date in."""
        if rec.speaker_id is not None:
            self.speakers[rec.speaker_id] += 1
            if self.first is None:
                self.first, self.first_unit = rec.speaker_id, rec.quote_id
            if rec.is_transcript and self.primary is None:
                self.primary, self.primary_unit = rec.speaker_id, rec.quote_id
        day = day_of(rec)
        if day is not None:
            self.days = (min(self.days[0], day), max(self.days[1], day)) if self.days else (day, day)

    def absorb(self, other: Cluster) -> None:
        """Take in a cluster merged into this one."""
        self.members.extend(other.members)
        self.speakers.update(other.speakers)
        if self.primary is None:
            self.primary, self.primary_unit = other.primary, other.primary_unit
        if self.first is None:
            self.first, self.first_unit = other.first, other.first_unit
        if other.days:
            self.days = other.days if not self.days else (
                min(self.days[0], other.days[0]), max(self.days[1], other.days[1]))
        if other.longest_len > self.longest_len:
            self.longest, self.longest_len = other.longest, other.longest_len


# (cluster id, fullest unit, unit that named the first known speaker, a primary source's unit)
ClusterState = tuple[int, int | None, int | None]


@dataclass(frozen=True, slots=True)
class StoredCluster:
    """One cluster as stored: its units (ascending ids) and the linker's state of it."""

    cluster_id: int
    members: tuple[QuoteRecord, ...]
    longest: int | None  # None: not indexed yet (the fullest unit is then worked out)
    first_unit: int | None = None
    primary_unit: int | None = None


@dataclass(slots=True)
class IndexChanges:
    """What one batch of linking added to the store's lookup tables."""

    next_cluster: int
    bands: list[tuple[int, int, int]] = field(default_factory=list)  # (stage, key, unit id)
    registered: list[tuple[int, int, bool]] = field(default_factory=list)  # speaker, cluster, fragment
    # (speaker, clusters no longer counted as fragments, and every one older than this id)
    unflagged: list[tuple[int, list[int], int | None]] = field(default_factory=list)
    states: dict[int, ClusterState] = field(default_factory=dict)  # touched cluster -> state


class LinkSource(Protocol):
    """The store side of a store-backed linker (``quoteline.store.link_index.LinkIndex``)."""

    def bands(self, stage: int, keys: Sequence[int]) -> dict[int, list[int]]:
        """Unit ids filed under each of ``keys`` in LSH stage ``stage`` (keys without rows left out)."""
        ...

    def clusters_of(self, unit_ids: Sequence[int]) -> dict[int, int]:
        """unit id -> cluster id, for the linked units among ``unit_ids``."""
        ...

    def clusters(self, ids: Sequence[int]) -> list[StoredCluster]:
        """The clusters among ``ids`` that exist, whole."""
        ...

    def heads(self, ids: Sequence[int]) -> dict[int, str]:
        """cluster id -> the text of its fullest unit, for the clusters among ``ids`` that exist."""
        ...

    def registered(self, speaker: int, limit: int, fragments: bool) -> list[tuple[int, str | None]]:
        """The ``limit`` latest clusters ``speaker`` started (only fragment ones, with
        ``fragments``), oldest first, each with its fullest unit's text (None: merged away)."""
        ...

    def next_cluster(self) -> int:
        """The next free cluster id."""
        ...
