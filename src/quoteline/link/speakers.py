"""Speakers across the corpus: one record per real person or body, with aliases and titles.

"Gen. Mark A. Milley", "Mark Milley" and "Milley" resolve to one record when the surname is
unambiguous; "Michelle Obama" and "Barack Obama" stay apart, and a bare "Obama" with two
candidates (and no title that tells them apart) gets its own unmerged record. An alias file
(``canonical name = alias; alias`` per line, ``#`` comments) fixes what the rules get wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from quoteline.link.normalize import data_lines

_PUNCT = re.compile(r"[^\w\s'-]+")
_SPACE = re.compile(r"\s+")
MAX_OFFICE_WORDS = 3  # "Deputy Foreign Affairs Minister": office words before a title


@dataclass(slots=True)
class SpeakerRecord:
    """One real person or body: canonical name, every name seen for it, and titles."""

    speaker_id: int
    name: str
    aliases: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    is_body: bool = False


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A speaker name taken apart: matching key parts, titles found, and a display form."""

    display: str
    surname: str
    given: str | None = None
    titles: tuple[str, ...] = ()
    is_body: bool = False


def norm(name: str) -> str:
    """A lookup form of a name: lowercase, no punctuation but hyphens and apostrophes."""
    text = name.replace("\u2019", "'").lower()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip(" '-")


def _variants(line: str) -> tuple[str, list[str]]:
    head, _, tail = line.partition("=")
    return norm(head), [norm(v) for v in tail.split(";") if norm(v)]


@cache
def titles() -> dict[str, str]:
    """Title variant (normalized) -> canonical title, from data/titles.txt."""
    table: dict[str, str] = {}
    for line in data_lines("titles.txt"):
        canonical, variants = _variants(line)
        for variant in [canonical, *variants]:
            table[variant] = canonical
    return table


@cache
def _words(name: str) -> frozenset[str]:
    return frozenset(w for line in data_lines(name) for w in line.split())


def _strip_titles(words: list[str]) -> tuple[list[str], list[str]]:
    table, found = titles(), []
    longest = max(len(t.split()) for t in table)
    words = _drop_office(words, table)
    while len(words) > 1:
        for n in range(min(longest, len(words) - 1), 0, -1):
            title = table.get(" ".join(words[:n]).lower())
            if title is not None:
                found.append(title)
                words = words[n:]
                break
        else:
            break
    return words, found


def _drop_office(words: list[str], table: dict[str, str]) -> list[str]:
    """Drop the words naming an office before its title: "Commerce Secretary X" -> "Secretary X"."""
    for i in range(1, min(MAX_OFFICE_WORDS + 1, len(words) - 2)):
        if words[i] in table and words[0] not in table:
            return words[i:]
    return words


def parse_name(name: str) -> ParsedName:
    """Split a speaker name into titles, given name and surname (middle initials dropped)."""
    words = norm(name).split()
    if words and words[0] == "the":
        words = words[1:]
    if not words:
        raise ValueError(f"not a speaker name: {name!r}")
    rest, found = _strip_titles(words)
    display = _display(name, len(words) - len(rest))
    if any(w in _words("body_words.txt") for w in rest) or len(rest) > 5:
        return ParsedName(display, " ".join(rest), None, tuple(found), is_body=True)
    while len(rest) > 1 and rest[-1] in _words("name_suffixes.txt"):
        rest = rest[:-1]
    core = [w for i, w in enumerate(rest) if i in (0, len(rest) - 1) or len(w) > 1]
    cut = len(core) - 1
    while cut > 1 and core[cut - 1] in _words("name_particles.txt"):
        cut -= 1
    surname = " ".join(core[cut:]) if len(core) > 1 else core[0]
    given = core[0] if len(core) > 1 else None
    return ParsedName(display, surname, given, tuple(found))


def _display(name: str, dropped: int) -> str:
    """``name`` as written, less its first ``dropped`` normalized words (titles, "the")."""
    tokens = _SPACE.sub(" ", name.replace("\u2019", "'")).strip().split(" ")
    if tokens and tokens[0].lower() == "the":
        tokens = tokens[1:]
    count = 0
    while tokens and count < dropped:
        count += len(norm(tokens[0]).split())
        tokens = tokens[1:]
    return " ".join(tokens).strip(" ,") or name.strip()


def canonical_title(title: str | None) -> str | None:
    """A title in its canonical form ("Gen." -> "general"), or its normalized text."""
    if not title or not norm(title):
        return None
    text = norm(title)
    text = text[4:] if text.startswith("the ") else text
    return titles().get(text, text)


def read_alias_file(path: Path) -> dict[str, str]:
    """Alias (normalized) -> canonical name, from lines ``canonical name = alias; alias``."""
    table: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        head = line.partition("=")[0].strip()
        _, variants = _variants(line)
        for variant in variants:
            table[variant] = head
    return table


StoredSpeaker = tuple[int, str, str | None, Iterable[str]]


def _from_row(row: StoredSpeaker) -> SpeakerRecord:
    sid, name, title, aliases = row
    titles = {t for t in (canonical_title(title),) if t}
    return SpeakerRecord(sid, name, set(aliases), titles)


class SpeakerResolver:
    """Resolves speaker names to corpus-level speaker ids, creating records as needed."""

    def __init__(self, alias_file: Path | None = None) -> None:
        self._aliases = read_alias_file(alias_file) if alias_file else {}
        self._records: dict[int, SpeakerRecord] = {}
        self._by_name: dict[str, int] = {}  # normalized alias -> id
        self._by_key: dict[tuple[str, str], int] = {}  # (given, surname) -> person id
        self._by_surname: dict[str, set[int]] = {}  # surname -> ids of fully named persons
        self._bare: dict[str, int] = {}  # surname -> id of a surname-only record
        self._bodies: dict[str, int] = {}
        self._changed: set[int] = set()
        self._next_id = 1

    def load(self, existing: Iterable[SpeakerRecord | StoredSpeaker]) -> None:
        """Learn known speakers so that names resolve to their ids.

        Takes SpeakerRecords or the store's rows ``(speaker_id, name, title, aliases)``.
        """
        for item in existing:
            rec = item if isinstance(item, SpeakerRecord) else _from_row(item)
            self._records[rec.speaker_id] = rec
            self._next_id = max(self._next_id, rec.speaker_id + 1)
            for name in {rec.name, *rec.aliases}:
                self._register(rec.speaker_id, name)

    def records(self) -> list[SpeakerRecord]:
        """Every speaker record, by id."""
        return [self._records[k] for k in sorted(self._records)]

    def changed(self) -> list[SpeakerRecord]:
        """Records created or updated since the last call (what to persist), by id."""
        out = [self._records[k] for k in sorted(self._changed)]
        self._changed.clear()
        return out

    def get(self, speaker_id: int) -> SpeakerRecord:
        """The record of ``speaker_id``."""
        return self._records[speaker_id]

    def resolve(self, name: str, title: str | None = None) -> tuple[int, bool]:
        """The speaker id for ``name`` (with an optional title), and whether it was created."""
        canonical = self._aliases.get(norm(name))
        key = norm(canonical or name)
        # A one-word name is never looked up as seen before: its meaning depends on who else
        # shares the surname by now.
        sid = self._by_name.get(key) if " " in key else None
        created = False
        if sid is None:
            sid, created = self._lookup(parse_name(canonical or name), canonical_title(title))
        self._note(sid, name, canonical_title(title))
        return sid, created

    # ------------------------------------------------------------------ internals
    def _lookup(self, parsed: ParsedName, title: str | None) -> tuple[int, bool]:
        if parsed.is_body:
            return self._find_body(parsed)
        if parsed.given is None:
            return self._find_surname(parsed, title)
        return self._find_person(parsed)

    def _find_body(self, parsed: ParsedName) -> tuple[int, bool]:
        sid = self._bodies.get(parsed.surname)
        if sid is not None:
            return sid, False
        return self._create(parsed.display, parsed, is_body=True), True

    def _find_person(self, parsed: ParsedName) -> tuple[int, bool]:
        assert parsed.given is not None
        sid = self._by_key.get((parsed.given, parsed.surname))
        if sid is not None:
            return sid, False
        bare = self._bare.get(parsed.surname)
        if bare is not None and not self._by_surname.get(parsed.surname):
            # The surname-only record was this person all along: name it in full.
            del self._bare[parsed.surname]
            self._records[bare].name = parsed.display
            self._register(bare, parsed.display)
            return bare, False
        return self._create(parsed.display, parsed), True

    def _find_surname(self, parsed: ParsedName, title: str | None) -> tuple[int, bool]:
        persons = sorted(self._by_surname.get(parsed.surname, ()))
        wanted = {t for t in (title, *parsed.titles) if t}
        if len(persons) > 1 and wanted:
            persons = [p for p in persons if wanted & self._records[p].titles] or persons
        if len(persons) == 1:
            return persons[0], False
        sid = self._bare.get(parsed.surname)
        if sid is not None:
            return sid, False
        return self._create(parsed.display, parsed), True

    def _create(self, name: str, parsed: ParsedName, *, is_body: bool = False) -> int:
        sid = self._next_id
        self._next_id += 1
        self._records[sid] = SpeakerRecord(sid, name, is_body=is_body)
        self._register(sid, name)
        return sid

    def _register(self, sid: int, name: str) -> None:
        parsed = parse_name(name)
        if " " in norm(name):
            self._by_name.setdefault(norm(name), sid)
        if parsed.is_body:
            self._bodies.setdefault(parsed.surname, sid)
        elif parsed.given is None:
            self._bare.setdefault(parsed.surname, sid)
        else:
            self._by_key.setdefault((parsed.given, parsed.surname), sid)
            self._by_surname.setdefault(parsed.surname, set()).add(sid)
        self._changed.add(sid)

    def _note(self, sid: int, name: str, title: str | None) -> None:
        rec = self._records[sid]
        before = (len(rec.aliases), len(rec.titles))
        cleaned = _SPACE.sub(" ", name).strip()
        if cleaned != rec.name:
            rec.aliases.add(cleaned)
            if " " in norm(cleaned):
                self._by_name.setdefault(norm(cleaned), sid)
        rec.titles.update(t for t in (title, *parse_name(name).titles) if t)
        if (len(rec.aliases), len(rec.titles)) != before:
            self._changed.add(sid)
