"""The linking step: corpus-level speaker ids and unit clusters, kept in step with the store.

It is the only place that talks to ``quoteline.link``; ingest calls ``prepare`` first in each
batch transaction (it takes the link lock, forgets what the linker read in earlier batches,
and locks and reads the speakers the batch's names can match), then ``speaker_ids`` for each
new article, ``units`` to cut its stored quotes into utterance units, and ``link`` once per
article. The linker reads what it needs from the store's lookup tables and writes its
changes back in the same transaction (``quoteline.store.link_index``), so nothing of the
store is held between batches and two runs at once link as if one ran after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from quoteline.corpus.speakers import SpeakerStep
from quoteline.link.linker import Linker
from quoteline.link.semantic import Semantic, load_semantic, semantic_hint
from quoteline.link.types import QuoteRecord
from quoteline.link.units import marked_stretches, quote_units
from quoteline.models import Article, Extraction, Quote
from quoteline.store import Store
from quoteline.store import link_index as li

T = TypeVar("T")
CATCH_UP = 500  # clusters, quotes or units put in order per transaction by ``catch_up``


class LinkStep:
    """Speaker resolution and incremental unit linking over one store."""

    def __init__(self, store: Store, alias_file: Path | None = None,
                 semantic: Semantic | bool | None = True,
                 analysis_cache: int | None = None) -> None:
        self.store = store
        self.speakers = SpeakerStep(store, alias_file)
        model = load_semantic() if semantic is True else (semantic or None)
        # Why reworded quotes are matched on words alone, for the caller to tell people.
        self.note = semantic_hint() if model is None else None
        self.index = li.LinkIndex(store.db)
        # ``analysis_cache``: texts whose analysis is kept (default: the setting); a run that
        # reads each cluster once (``load``) keeps few.
        self.linker = Linker(semantic=model, source=self.index, cache_size=analysis_cache)
        self.catch_up()

    def begin(self) -> None:
        """Take the link lock and forget what earlier batches read (first in a transaction)."""
        li.link_lock(self.store.db)
        self.linker.begin()
        self.index.forget()

    def prepare(self, extractions: Iterable[Extraction]) -> None:
        """Get ready for a batch of articles (call first inside its transaction)."""
        self.begin()
        self.speakers.prepare(
            ([(q.speaker, q.speaker_title) for q in ext.quotes], ext.article.outlet)
            for ext in extractions)

    def speaker_ids(self, ext: Extraction) -> list[int | None]:
        """The corpus-level speaker id of each quote of an article (None: unattributed)."""
        return self._resolving(lambda: self.speakers.article(ext.quotes, ext.article.outlet))

    def speaker_id(self, quote: Quote) -> int | None:
        """The corpus-level speaker id for one quote's speaker (None when unattributed)."""
        return self._resolving(lambda: self.speakers.quote(quote))

    def _resolving(self, resolve: Callable[[], T]) -> T:
        """Resolve speakers; when that merged two, the linker forgets what it read (its units
        named the old id), so that where a batch was cut never matters."""
        before = self.speakers.index.last_merge
        out = resolve()
        if self.speakers.index.last_merge != before:
            self.linker.begin()
            self.index.forget()
        return out

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
        """Add new units to clusters and write every cluster that changed, with the lookup
        rows (inside the batch's transaction, after ``prepare`` or ``begin``)."""
        batch = list(records)
        if batch:
            self.store.apply_link_update(self.linker.add(batch), self.index.stored)
            self.index.save(self.linker.take_changes())

    # ------------------------------------------------------------ what others left to do
    def catch_up(self) -> None:
        """Put in order what older versions and bulk loads stored: file clusters that have no
        lookup rows yet, cut quotes stored without units, and link units without a cluster.
        Each step goes a chunk per transaction (resumable, bounded memory)."""
        while self._in_batch(self._index_some):
            pass
        after = 0 if li.meta(self.store.db, "cut_quotes") else -1
        while after >= 0:
            after = self._in_batch(partial(self._cut_after, after))
        while self._in_batch(self._link_some):
            pass

    def _in_batch(self, work: Callable[[], T]) -> T:
        with self.store.transaction():
            self.begin()
            return work()

    def _index_some(self) -> bool:
        clusters = li.unindexed_clusters(self.store.db, CATCH_UP)
        if clusters:
            self.linker.index(clusters)
            self.index.save(self.linker.take_changes())
        return bool(clusters)

    def _link_some(self) -> bool:
        units = li.pending_units(self.store.db, CATCH_UP)
        self.link(units)
        return bool(units)

    def _cut_after(self, after: int) -> int:
        """Cut the next chunk of quotes stored without units (after quote id ``after``) into
        units, left for linking; the last quote id done, or -1 when none were left."""
        rows = list(self.store.quotes_without_units(after, CATCH_UP))
        for article_row, qid, quote in rows:
            self.store.add_units(article_row, qid, quote_units(quote))
        if not rows:
            li.set_meta(self.store.db, "cut_quotes", 0)
            return -1
        return rows[-1][1]
