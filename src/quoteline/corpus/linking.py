"""The linking step: corpus-level speaker ids and quote clusters, kept in step with the store.

It is the only place that talks to ``quoteline.link``; ingest calls ``speaker_id`` for each
new quote, ``save_speakers`` before writing them, and ``link`` once per committed batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from quoteline.link.linker import Linker
from quoteline.link.speakers import SpeakerRecord, SpeakerResolver
from quoteline.link.types import QuoteRecord
from quoteline.models import Quote
from quoteline.store import Store


class LinkStep:
    """Speaker resolution and incremental quote linking over one store."""

    def __init__(self, store: Store, alias_file: Path | None = None) -> None:
        self.store = store
        self.resolver = SpeakerResolver(alias_file=alias_file)
        self.resolver.load(
            SpeakerRecord(sid, name, set(aliases), set(titles), is_body)
            for sid, name, is_body, aliases, titles in store.speaker_rows()
        )
        self.resolver.changed()  # what was just loaded is already stored
        self.linker = Linker()
        self.written: dict[int, tuple[Any, ...]] = {}  # renderings known to be in the store
        unlinked: list[QuoteRecord] = []
        linked: list[tuple[QuoteRecord, int]] = []
        for rec, cluster in store.quote_records():
            if cluster is None:
                unlinked.append(rec)
            else:
                linked.append((rec, cluster))
        self.linker.load(linked)
        if unlinked:  # quotes stored without a cluster (e.g. bulk-loaded): link them now
            with store.transaction():
                self.link(unlinked)

    def speaker_id(self, quote: Quote) -> int | None:
        """The corpus-level speaker id for a quote's speaker (None when unattributed)."""
        if not quote.speaker or not quote.speaker.strip():
            return None
        try:
            sid, _created = self.resolver.resolve(quote.speaker, quote.speaker_title)
        except ValueError:  # "the", a pronoun left over: not a name, so no corpus speaker
            return None
        return sid

    def save_speakers(self) -> None:
        """Write speakers created or changed since the last call."""
        for rec in self.resolver.changed():
            self.store.save_speaker(rec.speaker_id, rec.name, rec.titles, rec.aliases,
                                    rec.is_body)

    def link(self, records: Iterable[QuoteRecord]) -> None:
        """Add new quotes to clusters and write every cluster that changed."""
        batch = list(records)
        if batch:
            self.store.apply_link_update(self.linker.add(batch), self.written)
