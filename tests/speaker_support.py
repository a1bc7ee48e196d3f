"""Helpers for the speaker tests (imported; holds no tests): articles of made-up quotes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from quoteline.corpus import ingest
from quoteline.corpus.ingest import IngestReport
from quoteline.models import Article, Extraction, Quote, Span
from quoteline.store import Store


def said(art_id: str, *pairs: tuple[str, str], outlet: str = "Daily Planet",
         day: int = 1) -> Extraction:
    """An article of sentences ``"WORDS," SPEAKER said.`` with the quotes in it."""
    text, quotes = "", []
    for speaker, words in pairs:
        start = len(text) + 1
        text += f'"{words}," {speaker} said. '
        src = text.index(speaker, start + len(words))
        quotes.append(Quote(start=start, end=start + len(words), text=words, kind="direct",
                            cue=Span(src + len(speaker) + 1, src + len(speaker) + 5, "said"),
                            source=Span(src, src + len(speaker), speaker), speaker=speaker,
                            confidence=0.9, article_id=art_id, extractor="test", model="test"))
    art = Article(text=text.strip(), id=art_id, outlet=outlet, published=dt.date(2024, 1, day))
    return Extraction(art, tuple(quotes))


def replay(extractions: Iterable[Extraction]) -> dict[str, Extraction]:
    """Extractions by article id."""
    return {e.article.id or "": e for e in extractions}


def ingest_extracted(store: Store, exts: list[Extraction], *, alias_file: Path | None = None,
                     batch_size: int = 64,
                     known: dict[str, Extraction] | None = None) -> IngestReport:
    """Ingest the articles of ``exts``, their quotes as given (``known``: by id, for copies)."""
    by_id = known or replay(exts)

    def extract(articles: Iterable[Article]) -> Iterator[Extraction]:
        """The given extraction of each article."""
        for a in articles:
            yield by_id[a.id or ""]

    return ingest([e.article for e in exts], store, extract=extract, alias_file=alias_file,
                  batch_size=batch_size)


def speaker_names(store: Store) -> dict[tuple[str | None, int, int], str | None]:
    """(article id, start, end) -> corpus speaker name, for every stored quote."""
    return {(h.article_id, h.start, h.end): h.speaker_name for h in store.quotes()}


def speaker_groups(store: Store) -> set[frozenset[tuple[str | None, int]]]:
    """The quotes of each corpus speaker, by natural keys (independent of ids)."""
    groups: dict[int, set[tuple[str | None, int]]] = {}
    for h in store.quotes():
        if h.speaker_id is not None:
            groups.setdefault(h.speaker_id, set()).add((h.article_id, h.start))
    return {frozenset(g) for g in groups.values()}
