"""Cross-article linking: the same utterance across outlets, and speakers across the corpus.

Incremental use, as the store does it::

    resolver = SpeakerResolver(alias_file)            # in memory; the store's index is
    speaker_id, created = resolver.resolve(q.speaker, q.speaker_title)  # corpus.speakers
    ids = resolver.resolve_article([(q.speaker, q.speaker_title) for q in quotes], outlet)

    units = quote_units(quote, marked_stretches(article.text))  # sentences of a quote
    linker = Linker(semantic=load_semantic())         # None without quoteline[semantic]
    linker.load(store.unit_records())                 # (QuoteRecord, cluster_id | None)
    update = linker.add(new_records)                  # one QuoteRecord per unit
    # write update.clusters (every touched cluster, whole); drop update.removed

One shot: ``link_quotes(records) -> {cluster_id: ClusterInfo}``.
"""

from __future__ import annotations

from quoteline.link.linker import Linker, link_quotes
from quoteline.link.speakers import SpeakerRecord, SpeakerResolver
from quoteline.link.types import ClusterInfo, DiffOp, LinkUpdate, QuoteRecord, Rendering

__all__ = [
    "ClusterInfo",
    "DiffOp",
    "LinkUpdate",
    "Linker",
    "QuoteRecord",
    "Rendering",
    "SpeakerRecord",
    "SpeakerResolver",
    "link_quotes",
]
