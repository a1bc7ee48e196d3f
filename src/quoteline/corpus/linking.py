"""The linking step: corpus-level speaker ids and unit clusters, kept in step with the store.

It is the only place that talks to ``quoteline.link``; ingest calls ``speaker_id`` for each
new quote, ``save_speakers`` before writing them, ``units`` to cut the stored quotes of an
article into utterance units, and ``link`` once per article.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from quoteline.link.linker import Linker
from quoteline.link.semantic import Semantic, load_semantic, semantic_hint
from quoteline.link.speakers import SpeakerRecord, SpeakerResolver
from quoteline.link.types import QuoteRecord
from quoteline.link.units import marked_stretches, quote_units
from quoteline.models import Article, Quote
from quoteline.store import Store

_HINTED: set[str] = set()


class LinkStep:
    """Speaker resolution and incremental unit linking over one store."""

    def __init__(self, store: Store, alias_file: Path | None = None,
                 semantic: Semantic | bool | None = True) -> None:
        self.store = store
        self.resolver = SpeakerResolver(alias_file=alias_file)
        self.resolver.load(
            SpeakerRecord(sid, name, set(aliases), set(titles), is_body)
            for sid, name, is_body, aliases, titles in store.speaker_rows()
        )
        self.resolver.changed()  # what was just loaded is already stored
        model = load_semantic() if semantic is True else (semantic or None)
        _hint_once(model)
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

    def units(self, article_row: int, article: Article, quotes: Sequence[Quote],
              quote_ids: Sequence[int], speaker_ids: Sequence[int | None], *,
              is_wire: bool = False, outlet: str | None = None) -> list[QuoteRecord]:
        """Cut an article's stored quotes into units, store them, and their linker records."""
        out: list[QuoteRecord] = []
        stretches = marked_stretches(article.text)
        seen: set[tuple[int, int]] = set()
        for quote, qid, sid in zip(quotes, quote_ids, speaker_ids, strict=True):
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


def _hint_once(model: Semantic | None) -> None:
    """Say once per process how to enable semantic linking when it is not installed."""
    hint = semantic_hint() if model is None else None
    if hint and hint not in _HINTED:
        _HINTED.add(hint)
        print(f"note: {hint}", file=sys.stderr)
