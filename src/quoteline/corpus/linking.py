"""The linking step: corpus-level speaker ids and unit clusters, kept in step with the store.

It is the only place that talks to ``quoteline.link``; ingest calls ``prepare`` first in each
batch transaction (it locks and reads the speakers the batch's names can match), then
``speaker_ids`` for each new article, ``units`` to cut its stored quotes into utterance units,
and ``link`` once per article.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from quoteline.corpus.speakers import SpeakerStep
from quoteline.link.linker import Linker
from quoteline.link.semantic import Semantic, load_semantic, semantic_hint
from quoteline.link.types import QuoteRecord
from quoteline.link.units import marked_stretches, quote_units
from quoteline.models import Article, Extraction, Quote
from quoteline.store import Store


class LinkStep:
    """Speaker resolution and incremental unit linking over one store."""

    def __init__(self, store: Store, alias_file: Path | None = None,
                 semantic: Semantic | bool | None = True) -> None:
        self.store = store
        self.speakers = SpeakerStep(store, alias_file)
        model = load_semantic() if semantic is True else (semantic or None)
        # Why reworded quotes are matched on words alone, for the caller to tell people.
        self.note = semantic_hint() if model is None else None
        self.linker = Linker(semantic=model)
        self.written: dict[int, tuple[Any, ...]] = {}  # renderings known to be in the store
        unlinked: list[QuoteRecord] = []
        linked: list[tuple[QuoteRecord, int]] = []
        for rec, cluster in store.unit_records():
            if cluster is None:
                unlinked.append(rec)
            else:
                linked.append((rec, cluster))
        self.linker.load(linked)
        with store.transaction():
            unlinked += self._cut_stored_quotes()  # a store from before units: cut them now
            if unlinked:  # units stored without a cluster (e.g. bulk-loaded): link them now
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

    def units(self, article_row: int, article: Article, quotes: Sequence[Quote],
              quote_ids: Sequence[int], speaker_ids: Sequence[int | None], *,
              is_wire: bool = False, outlet: str | None = None) -> list[QuoteRecord]:
        """Cut an article's stored statements into units, store them, and their linker records
        (thoughts are not linked: a belief ascribed to someone is no words anyone printed)."""
        out: list[QuoteRecord] = []
        stretches = marked_stretches(article.text)
        seen: set[tuple[int, int]] = set()
        for quote, qid, sid in zip(quotes, quote_ids, speaker_ids, strict=True):
            if quote.act != "speech":
                continue
            units = [u for u in quote_units(quote, stretches) if (u.start, u.end) not in seen]
            seen.update((u.start, u.end) for u in units)
            for uid, unit in zip(self.store.add_units(article_row, qid, units), units,
                                 strict=True):
                out.append(QuoteRecord(
                    quote_id=uid, text=unit.text, speaker_id=sid, article_id=article.id,
                    published=article.published, said_on=quote.said_on,
                    outlet=outlet or article.outlet, is_transcript=article.primary,
                    quote_kind="direct" if unit.quoted else "indirect", is_wire=is_wire))
        return out

    def link(self, records: Iterable[QuoteRecord]) -> None:
        """Add new units to clusters and write every cluster that changed."""
        batch = list(records)
        if batch:
            self.store.apply_link_update(self.linker.add(batch), self.written)

    def _cut_stored_quotes(self) -> list[QuoteRecord]:
        cut = []
        for article_row, qid, quote in self.store.quotes_without_units():
            ids = self.store.add_units(article_row, qid, quote_units(quote))
            cut += ids
        return [self.store.unit_record(uid) for uid in cut]
