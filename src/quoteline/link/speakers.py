"""Speakers across the corpus: one record per real person or body, with aliases and titles.

"Gen. Mark A. Milley", "Mark Milley" and "Milley" resolve to one record when the surname is
unambiguous; "Zelensky"/"Zelenskyy" share a matching form; "Mark Miley" is Mark Milley (one
letter apart, everything else equal). "Michelle Obama" and "Barack Obama" stay apart, and a
bare "Obama" with two candidates (and no title or article that tells them apart) gets its own
record. A surname-only record becomes the person once a full name with that surname appears
("Trump" before "Donald Trump"), and that merge is recorded. An alias file (``canonical
name = alias; alias`` per line, ``#`` comments) fixes what the rules cannot know.

The resolver reads and writes records through a ``SpeakerIndex``: ``MemoryIndex`` here, or
the store's (``quoteline.store.speakers``), which looks records up by key, batch by batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from quoteline.link.speaker_names import (
    BODY,
    INITIAL,
    PERSON,
    SURNAME,
    ParsedName,
    body_prefix,
    canonical_title,
    clean,
    default_aliases,
    fuzzy_keys,
    norm,
    one_letter_apart,
    parse_name,
    read_alias_file,
    record_keys,
    same_body,
    titles_agree,
)

__all__ = ["MemoryIndex", "SpeakerIndex", "SpeakerRecord", "SpeakerResolver", "canonical_title",
           "derived_keys", "parse_name", "read_alias_file"]

Mention = tuple[str | None, str | None]  # (speaker name, speaker title) as extracted


@dataclass(slots=True)
class SpeakerRecord:
    """One real person or body: canonical name, every name seen for it, and titles."""

    speaker_id: int
    name: str
    aliases: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    is_body: bool = False
    kind: str = ""  # person | initial | surname | body ("" until parsed)
    given: str | None = None  # matching forms, as in ParsedName
    surname: str = ""


class SpeakerIndex(Protocol):
    """Where speaker records live, looked up by key (see ``speaker_names``)."""

    def ids(self, key: str) -> list[int]:
        """Ids of records filed under ``key``, smallest (oldest) first."""

    def record(self, sid: int) -> SpeakerRecord:
        """The record ``sid`` (its aliases may be left out)."""

    def create(self, parsed: ParsedName, keys: set[str]) -> int:
        """A new record for ``parsed`` filed under ``keys``; its id."""

    def become(self, sid: int, parsed: ParsedName, keys: set[str], evidence: str) -> None:
        """Record ``sid`` (a surname-only or initial record) is the person ``parsed``."""

    def merge(self, loser: int, survivor: int, kind: str, evidence: str) -> None:
        """Fold record ``loser`` into ``survivor``: names, titles, keys and quotes move."""

    def note(self, sid: int, name: str, titles: set[str]) -> None:
        """Record ``sid`` was named ``name``, with these titles."""

    def distinct(self, a: int, b: int) -> bool:
        """Whether records ``a`` and ``b`` were split apart by hand (never merge them)."""


def derived_keys(name: str, aliases: Iterable[str] = (),
                 is_body: bool = False) -> tuple[ParsedName, set[str]]:
    """The parsed name and keys of a stored record known only by its name and aliases."""
    parsed = parse_name(name)
    if is_body and not parsed.is_body:
        parsed = ParsedName(parsed.display, " ".join(norm(name).split()), None, parsed.titles,
                            is_body=True)
    keys = record_keys(parsed)
    for alias in aliases:
        try:
            other = parse_name(alias)
        except ValueError:
            continue
        if other.kind == parsed.kind and other.kind in (PERSON, BODY):
            keys |= record_keys(other)
    return parsed, keys


class MemoryIndex:
    """A ``SpeakerIndex`` in memory (tests, the gold-set evaluation, Spark's driver)."""

    def __init__(self) -> None:
        self._records: dict[int, SpeakerRecord] = {}
        self._keys: dict[str, set[int]] = {}
        self._rec_keys: dict[int, set[str]] = {}
        self._merged: dict[int, int] = {}  # loser -> survivor
        self._distinct: set[frozenset[int]] = set()
        self._changed: set[int] = set()
        self._next_id = 1

    def ids(self, key: str) -> list[int]:
        """Ids filed under ``key``, smallest first."""
        return sorted(self._keys.get(key, ()))

    def record(self, sid: int) -> SpeakerRecord:
        """The record ``sid``."""
        return self._records[sid]

    def create(self, parsed: ParsedName, keys: set[str]) -> int:
        """A new record; its id."""
        sid = self._next_id
        self._add(SpeakerRecord(sid, parsed.display, is_body=parsed.is_body, kind=parsed.kind,
                                given=parsed.given, surname=parsed.surname), keys)
        return sid

    def _add(self, rec: SpeakerRecord, keys: set[str]) -> None:
        self._records[rec.speaker_id] = rec
        self._next_id = max(self._next_id, rec.speaker_id + 1)
        self._file(rec.speaker_id, keys)

    def _file(self, sid: int, keys: set[str]) -> None:
        for key in keys:
            self._keys.setdefault(key, set()).add(sid)
        self._rec_keys.setdefault(sid, set()).update(keys)
        self._changed.add(sid)

    def _unfile(self, sid: int, keys: set[str]) -> None:
        for key in keys:
            self._keys.get(key, set()).discard(sid)
        self._rec_keys.get(sid, set()).difference_update(keys)

    def become(self, sid: int, parsed: ParsedName, keys: set[str], evidence: str) -> None:
        """A partial record becomes the person ``parsed``."""
        rec = self._records[sid]
        self._unfile(sid, {k for k in self._rec_keys.get(sid, set()) if k[0] in "bj"})
        if rec.name != parsed.display:
            rec.aliases.add(rec.name)
        rec.name, rec.kind, rec.given, rec.surname = (parsed.display, parsed.kind, parsed.given,
                                                      parsed.surname)
        self._file(sid, keys)

    def merge(self, loser: int, survivor: int, kind: str, evidence: str) -> None:
        """Fold ``loser`` into ``survivor``."""
        gone, into = self._records.pop(loser), self._records[survivor]
        into.aliases |= gone.aliases | {gone.name}
        into.aliases.discard(into.name)
        into.titles |= gone.titles
        keys = self._rec_keys.pop(loser, set())
        self._unfile(loser, keys)
        if into.kind == PERSON:
            keys = {k for k in keys if k[0] not in "bj"}
        self._file(survivor, keys)
        self._merged[loser] = survivor
        self._changed.discard(loser)

    def note(self, sid: int, name: str, titles: set[str]) -> None:
        """Add a name and titles to ``sid``."""
        rec = self._records[sid]
        before = (len(rec.aliases), len(rec.titles))
        if name != rec.name:
            rec.aliases.add(name)
        rec.titles |= titles
        if (len(rec.aliases), len(rec.titles)) != before:
            self._changed.add(sid)

    def distinct(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` must stay apart."""
        return frozenset((a, b)) in self._distinct

    def keep_apart(self, a: int, b: int) -> None:
        """Never merge ``a`` and ``b``."""
        self._distinct.add(frozenset((a, b)))

    def current(self, sid: int) -> int:
        """The id ``sid`` now lives under (itself unless it was merged into another)."""
        while sid in self._merged:
            sid = self._merged[sid]
        return sid

    def load(self, existing: Iterable[SpeakerRecord | StoredSpeaker]) -> None:
        """Learn known speakers (records or ``(id, name, title, aliases)`` rows)."""
        for item in existing:
            rec = item if isinstance(item, SpeakerRecord) else _from_row(item)
            parsed, keys = derived_keys(rec.name, rec.aliases, rec.is_body)
            rec.kind, rec.given, rec.surname = parsed.kind, parsed.given, parsed.surname
            rec.is_body = parsed.is_body
            self._add(rec, keys)

    def records(self) -> list[SpeakerRecord]:
        """Every record, by id."""
        return [self._records[k] for k in sorted(self._records)]

    def changed(self) -> list[SpeakerRecord]:
        """Records created or updated since the last call, by id."""
        out = [self._records[k] for k in sorted(self._changed) if k in self._records]
        self._changed.clear()
        return out


StoredSpeaker = tuple[int, str, str | None, Iterable[str]]


def _from_row(row: StoredSpeaker) -> SpeakerRecord:
    sid, name, title, aliases = row
    titles = {t for t in (canonical_title(title),) if t}
    return SpeakerRecord(sid, name, set(aliases), titles)


class SpeakerResolver:
    """Resolves speaker names to corpus-level speaker ids, creating records as needed."""

    def __init__(self, alias_file: Path | None = None, index: SpeakerIndex | None = None) -> None:
        self.aliases = dict(default_aliases())
        if alias_file:
            self.aliases.update(read_alias_file(alias_file))
        self.index: SpeakerIndex = index if index is not None else MemoryIndex()

    # ------------------------------------------------------------ the in-memory index
    def _memory(self) -> MemoryIndex:
        if not isinstance(self.index, MemoryIndex):
            raise TypeError("this resolver works on a store; read records from the store")
        return self.index

    def load(self, existing: Iterable[SpeakerRecord | StoredSpeaker]) -> None:
        """Learn known speakers (in-memory index only)."""
        self._memory().load(existing)

    def records(self) -> list[SpeakerRecord]:
        """Every speaker record, by id (in-memory index only)."""
        return self._memory().records()

    def changed(self) -> list[SpeakerRecord]:
        """Records created or updated since the last call (in-memory index only)."""
        return self._memory().changed()

    def get(self, speaker_id: int) -> SpeakerRecord:
        """The record of ``speaker_id``."""
        return self.index.record(speaker_id)

    def current(self, speaker_id: int) -> int:
        """Where ``speaker_id`` lives now (merged records live on in their survivor)."""
        return self._memory().current(speaker_id)

    # ------------------------------------------------------------ resolving
    def parse(self, name: str, outlet: str | None = None) -> ParsedName:
        """``name`` parsed after the alias table; ValueError when it names no one."""
        return parse_name(self.aliases.get(norm(name)) or name, outlet)

    def resolve(self, name: str, title: str | None = None,
                outlet: str | None = None) -> tuple[int, bool]:
        """The speaker id for ``name`` (with an optional title), and whether it was created."""
        return self._resolve(self.parse(name, outlet), name, title, [])

    def resolve_article(self, mentions: Sequence[Mention],
                        outlet: str | None = None) -> list[int | None]:
        """Speaker ids for the speakers of one article (None: no name).

        Full names go first, so that a misspelled surname in the same article ("Arden" in an
        article about Jacinda Ardern) can go to the person the article names in full.
        """
        parsed = [self._parse_or_none(name, outlet) for name, _ in mentions]
        out: list[int | None] = [None] * len(mentions)
        context: list[int] = []
        for rank in (0, 1, 2):
            for i, p in enumerate(parsed):
                if p is None or _RANK[p.kind] != rank:
                    continue
                name, title = mentions[i]
                sid = self._resolve(p, name or "", title, context)[0]
                out[i] = sid
                if p.kind == PERSON and sid not in context:
                    context.append(sid)
        return out

    def _parse_or_none(self, name: str | None, outlet: str | None) -> ParsedName | None:
        if not name or not name.strip():
            return None
        try:
            return self.parse(name, outlet)
        except ValueError:  # "the", digits: not a name, so no corpus speaker
            return None

    def _resolve(self, p: ParsedName, name: str, title: str | None,
                 context: list[int]) -> tuple[int, bool]:
        wanted = {t for t in (canonical_title(title), *p.titles) if t}
        if p.kind == BODY:
            sid, created = self._body(p)
        elif p.kind == PERSON:
            sid, created = self._person(p, wanted)
        else:
            sid, created = self._partial(p, wanted, context), False
            if sid < 0:
                sid, created = self.index.create(p, record_keys(p)), True
        self.index.note(sid, clean(name), wanted)
        return sid, created

    def _body(self, p: ParsedName) -> tuple[int, bool]:
        found = self.index.ids("o:" + p.surname)
        if found:
            return found[0], False
        prefix = body_prefix(p.surname)
        near = [s for s in self.index.ids(prefix) if self.index.record(s).kind == BODY
                and same_body(self.index.record(s).surname, p.surname)] if prefix else []
        if len(near) == 1:
            return near[0], False
        return self.index.create(p, record_keys(p)), True

    def _person(self, p: ParsedName, wanted: set[str]) -> tuple[int, bool]:
        found = self.index.ids(f"p:{p.given}|{p.surname}")
        if found:
            return found[0], False
        misspelled = self._misspelled(p, wanted)
        if misspelled is not None:
            return misspelled, False
        partials = self._absorbable(p, wanted)
        if not partials:
            return self.index.create(p, record_keys(p)), True
        sid = partials[0]
        why = f"the first person named {p.display!r} with this surname"
        self.index.become(sid, p, record_keys(p), why)
        for other in partials[1:]:
            self.index.merge(other, sid, "absorbed", why)
        return sid, False

    def _misspelled(self, p: ParsedName, wanted: set[str]) -> int | None:
        """The one person whose name differs from ``p`` by one letter of the surname."""
        found: set[int] = set()
        for key in fuzzy_keys(p):
            found.update(self.index.ids(key))
        hits = []
        for sid in sorted(found):
            rec = self.index.record(sid)
            if (rec.kind == PERSON and rec.given == p.given
                    and one_letter_apart(rec.surname, p.surname)
                    and titles_agree(rec.titles, wanted)):
                hits.append(sid)
        return hits[0] if len(hits) == 1 else None

    def _absorbable(self, p: ParsedName, wanted: set[str]) -> list[int]:
        """Surname-only and initial records that only this new person can be."""
        out: set[int] = set()
        if not self.index.ids("s:" + p.surname):
            out.update(self.index.ids("b:" + p.surname))
        initial = f"{(p.given or '?')[0]}|{p.surname}"
        if not self.index.ids("i:" + initial):
            out.update(self.index.ids("j:" + initial))
        return sorted(s for s in out if titles_agree(self.index.record(s).titles, wanted))

    def _partial(self, p: ParsedName, wanted: set[str], context: list[int]) -> int:
        """The record for a surname or initial-and-surname name; -1: create one."""
        initial = f"{p.given}|{p.surname}" if p.kind == INITIAL else None
        persons = self._by_title(self.index.ids(f"i:{initial}" if initial else "s:" + p.surname),
                                 wanted)
        partials = self.index.ids(f"j:{initial}" if initial else "b:" + p.surname)
        if len(persons) == 1:
            split = [s for s in partials if self.index.distinct(s, persons[0])]
            return split[0] if split else persons[0]
        if not persons and p.kind == SURNAME:
            # No one at all has this surname, but the article names someone in full whose
            # surname is one letter away: "Jacinda Ardern" ... "Arden said".
            near = [s for s in context
                    if one_letter_apart(self.index.record(s).surname, p.surname)]
            if len(near) == 1:
                return near[0]
        return partials[0] if partials else -1

    def _by_title(self, persons: list[int], wanted: set[str]) -> list[int]:
        """The persons a title points to ("President Obama"); none that it rules out."""
        persons = [s for s in persons if titles_agree(self.index.record(s).titles, wanted)]
        if len(persons) > 1 and wanted:
            return [s for s in persons if wanted & self.index.record(s).titles] or persons
        return persons


_RANK = {BODY: 0, PERSON: 0, INITIAL: 1, SURNAME: 2}
