"""Corpus speakers in a store: names resolved batch by batch, and merges forced or undone.

``SpeakerStep`` is what ingest uses: at the start of each batch transaction ``prepare`` locks
and reads the records the batch's names can match, then ``article`` resolves one article's
speakers. Memory stays bounded by the batch, not the store.

``force_merge``, ``undo_merge`` and ``speaker_merges`` are the library calls for fixing
speakers by hand (the alias file is the other way: it is applied on every ingest).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from pathlib import Path

from quoteline import settings
from quoteline.link.speaker_names import (
    BODY,
    INITIAL,
    PERSON,
    ParsedName,
    lookup_keys,
    parse_name,
    record_keys,
)
from quoteline.link.speakers import Mention, SpeakerResolver
from quoteline.models import Quote
from quoteline.store import Store
from quoteline.store import speakers as sp
from quoteline.store.speakers import SpeakerMerge

__all__ = ["SpeakerMerge", "SpeakerStep", "force_merge", "speaker_merges", "undo_merge"]


class SpeakerStep:
    """Speaker resolution against one store, batch by batch."""

    def __init__(self, store: Store, alias_file: Path | None = None) -> None:
        self.store = store
        self.index = sp.StoreSpeakerIndex(store.db, settings.get_int("speaker_cache_keys"))
        sp.backfill_keys(store.db)
        self.resolver = SpeakerResolver(alias_file=alias_file, index=self.index)
        self.apply_aliases()

    def prepare(self, articles: Iterable[tuple[Sequence[Mention], str | None]]) -> None:
        """Lock and read what these articles' speakers can match (first in a transaction)."""
        self.index.reset()
        parsed = [p for mentions, outlet in articles for name, _ in mentions
                  if (p := self._parse(name, outlet)) is not None]
        sp.lock(self.store.db, parsed)
        self.index.prefetch(k for p in parsed for k in lookup_keys(p))

    def _parse(self, name: str | None, outlet: str | None) -> ParsedName | None:
        if not name or not name.strip():
            return None
        try:
            return self.resolver.parse(name, outlet)
        except ValueError:
            return None

    def article(self, quotes: Sequence[Quote], outlet: str | None) -> list[int | None]:
        """The corpus speaker id of each quote of one article (None: unattributed)."""
        return self.resolver.resolve_article([(q.speaker, q.speaker_title) for q in quotes],
                                             outlet)

    def quote(self, quote: Quote) -> int | None:
        """The corpus speaker id of one quote, resolved on its own."""
        parsed = self._parse(quote.speaker, None)
        if parsed is None or quote.speaker is None:
            return None
        sp.lock(self.store.db, [parsed])
        return self.resolver.resolve(quote.speaker, quote.speaker_title)[0]

    # ------------------------------------------------------------ the alias files
    def apply_aliases(self) -> None:
        """Merge stored records that the alias table says are one (recorded, "alias")."""
        groups: dict[str, list[str]] = {}
        for alias, canonical in sorted(self.resolver.aliases.items()):
            groups.setdefault(canonical, []).append(alias)
        with self.store.transaction():
            self.index.reset()
            names = [n for c, aliases in groups.items() for n in (c, *aliases)]
            sp.lock(self.store.db, [p for n in names if (p := self._parse(n, None))])
            for canonical, aliases in groups.items():
                self._merge_named(canonical, aliases)

    def _merge_named(self, canonical: str, aliases: list[str]) -> None:
        target = self._parse(canonical, None)
        if target is None:
            return
        found = {a: self._exact(p) for a in aliases if (p := self._raw(a))}
        others = sorted({sid for ids in found.values() for sid in ids})
        keep = self._exact(target)
        if not keep and len(others) < 2:
            return
        into = keep[0] if keep else others[0]
        for alias, ids in sorted(found.items()):
            for sid in ids:
                if sid != into and sid in others:
                    self.index.merge(sid, into, "alias", f"alias file: {canonical} = {alias}")
                    others.remove(sid)
        if not keep:
            self.index.file(into, record_keys(target))

    def _raw(self, name: str) -> ParsedName | None:
        """An alias (normalized: lowercase) parsed as a name, not through the alias table."""
        try:
            return parse_name(string.capwords(name))
        except ValueError:
            return None

    def _exact(self, p: ParsedName) -> list[int]:
        """Records filed under exactly this name (never a person found by surname alone)."""
        if p.kind == BODY:
            return self.index.ids("o:" + p.surname)
        if p.kind == PERSON:
            return self.index.ids(f"p:{p.given}|{p.surname}")
        if p.kind == INITIAL:
            return self.index.ids(f"j:{p.given}|{p.surname}")
        return self.index.ids("b:" + p.surname)


def force_merge(store: Store, keep: int, drop: int, evidence: str = "merged by hand") -> int:
    """Fold speaker ``drop`` into ``keep``: its quotes, names and titles move; the merge id."""
    return sp.force_merge(store.db, keep, drop, evidence)


def undo_merge(store: Store, merge_id: int) -> int:
    """Split merge ``merge_id`` apart again (its quotes go back); the restored speaker's id."""
    return sp.undo_merge(store.db, merge_id)


def speaker_merges(store: Store, speaker_id: int | None = None) -> list[SpeakerMerge]:
    """Recorded speaker merges, oldest first (those touching ``speaker_id`` when given)."""
    return sp.speaker_merges(store.db, speaker_id)
