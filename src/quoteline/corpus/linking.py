"""The linking step: corpus-level speaker ids and quote clusters, kept in step with the store.

It is the only place that talks to ``quoteline.link``; ingest calls ``prepare`` first in each
batch transaction (it locks and reads the speakers the batch's names can match), then
``speaker_ids`` for each new article, and ``link`` once per article.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from quoteline.corpus.speakers import SpeakerStep
from quoteline.link.linker import Linker
from quoteline.link.types import QuoteRecord
from quoteline.models import Extraction, Quote
from quoteline.store import Store


class LinkStep:
    """Speaker resolution and incremental quote linking over one store."""

    def __init__(self, store: Store, alias_file: Path | None = None) -> None:
        self.store = store
        self.speakers = SpeakerStep(store, alias_file)
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

    def prepare(self, extractions: Iterable[Extraction]) -> None:
        """Get ready for a batch of articles (call first inside its transaction)."""
        self.speakers.prepare(
            ([(q.speaker, q.speaker_title) for q in ext.quotes], ext.article.outlet)
            for ext in extractions)

    def speaker_ids(self, ext: Extraction) -> list[int | None]:
        """The corpus-level speaker id of each quote of an article (None: unattributed)."""
        return self.speakers.article(ext.quotes, ext.article.outlet)

    def speaker_id(self, quote: Quote) -> int | None:
        """The corpus-level speaker id for one quote's speaker (None when unattributed)."""
        return self.speakers.quote(quote)

    def save_speakers(self) -> None:
        """Nothing left to do: speakers are written to the store as they are resolved."""

    def link(self, records: Iterable[QuoteRecord]) -> None:
        """Add new quotes to clusters and write every cluster that changed."""
        batch = list(records)
        if batch:
            self.store.apply_link_update(self.linker.add(batch), self.written)
