"""``ingest``: sources in, articles + quotes + speakers + clusters + skips out, resumably.

Every batch of results is written in one transaction (articles, quotes, speakers, clusters and
skips together), so a killed run loses at most the batch in flight, and a re-run skips every
article already stored (by input identity + content hash) and carries on.

Nothing of the store is loaded up front: identities, copies, near copies, speakers and
clusters are looked up by index for the articles in hand. Inside each batch transaction the
link lock is taken first and every lookup is made again, so a run beside another one (or
beside ``serve`` storing articles) writes what one run after the other would have.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from quoteline.corpus.fingerprint import (
    NEAR_JACCARD,
    NearIndex,
    article_shingles,
    content_hash,
    jaccard,
    minhash,
)
from quoteline.corpus.linking import LinkStep
from quoteline.ingest import SourceOptions, read
from quoteline.link.primary import is_transcript, primary_extraction
from quoteline.link.sources import is_wire, outlet_of
from quoteline.link.speech_text import speech_extraction
from quoteline.link.types import QuoteRecord
from quoteline.models import Article, Extraction, Skip
from quoteline.store import NewArticle, Store

# An extract step takes Articles and Skips and gives one result for each, in order (a Skip
# passes through as itself), as extract_many does.
ExtractFn = Callable[[Iterable[Article | Skip]], Iterable[Extraction | Skip]]
DEFAULT_BATCH = 64


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did."""

    read: int = 0  # inputs read: articles and unreadable inputs
    stored: int = 0  # new original articles
    copies: int = 0  # identical or near-identical copies of stored articles
    already: int = 0  # already in the store (nothing added)
    quotes: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # things worth telling (how to link better)

    @property
    def exit_code(self) -> int:
        """0 when everything was stored, 3 when something was skipped."""
        return 3 if self.skipped else 0

    def summary(self) -> str:
        """One line for people."""
        line = (f"{self.read} read: {self.stored} stored, {self.copies} copies, "
                f"{self.already} already stored, {self.quotes} quotes, {self.skipped} skipped")
        if self.skipped:
            line += f" [{self.reasons_text()}]; details: quoteline skips"
        return line

    def reasons_text(self) -> str:
        """Every skip reason with its count, the most frequent first."""
        return ", ".join(f"{r} ({n})" for r, n in self.reasons.most_common())


@dataclass(frozen=True, slots=True)
class _Copy:
    article: Article
    ident: str
    content_hash: str


def ingest(sources: Iterable[str] | Iterable[Article | Skip], store: Store, *,
           workers: int = 1, model: str | None = None, options: SourceOptions | None = None,
           extract: ExtractFn | None = None, batch_size: int = DEFAULT_BATCH,
           alias_file: Path | None = None,
           progress: Callable[[IngestReport], None] | None = None,
           primary: bool = False, speaker: str | None = None) -> IngestReport:
    """Ingest sources (a list of paths, globs, URLs, ``-``) or Articles into ``store``.

    ``primary``: the inputs are primary sources (transcripts, speech texts, statements) of
    ``speaker``: every sentence is that speaker's utterance and its cluster's reference.
    """
    stream: Iterable[Article | Skip]
    if isinstance(sources, list | tuple) and all(isinstance(s, str) for s in sources):
        stream = read([str(s) for s in sources], options)
    else:  # Articles (and Skips), consumed lazily: a generator of millions is fine
        stream = (s for s in sources if not isinstance(s, str))
    if primary:
        stream = (replace(a, primary=True, speaker=speaker or a.speaker)
                  if isinstance(a, Article) else a for a in stream)
    if extract is None:
        extract = _default_extract(model, workers)
    linking = LinkStep(store, alias_file)
    run = _Run(store, linking, options or SourceOptions(), batch_size, progress)
    if linking.note:
        run.report.notes.append(linking.note)
    return run.go(stream, extract)


def _default_extract(model: str | None, workers: int) -> ExtractFn:
    def run(articles: Iterable[Article | Skip]) -> Iterator[Extraction | Skip]:
        """extract_many with the run's model and workers."""
        from quoteline.nlp.pipeline import extract_many

        return extract_many(articles, model=model, workers=workers)

    return run


class _Run:
    """One ingest run: a feeder that filters inputs, and a writer that commits in batches."""

    def __init__(self, store: Store, linking: LinkStep, opts: SourceOptions, batch_size: int,
                 progress: Callable[[IngestReport], None] | None) -> None:
        self.store, self.linking, self.batch_size = store, linking, max(1, batch_size)
        self.max_chars = opts.max_bytes
        self.progress = progress
        self.report = IngestReport()
        self.near = NearIndex(store)
        self.near.catch_up()
        # Inputs read but not committed yet (extracting, or waiting as copies): the store
        # answers for everything committed, these for the rest. Bounded by the read-ahead.
        self.flying: set[tuple[str, str]] = set()
        self.flying_texts: set[str] = set()
        # Identical copies wait here, by input position, for their turn.
        self.side: deque[tuple[int, _Copy]] = deque()
        self.sent: deque[tuple[int, str, str]] = deque()  # (position, hash, ident) extracting
        self.lock = threading.Lock()  # the feeder may run on a pool's thread

    # ------------------------------------------------------------ feeding
    def feed(self, items: Iterable[Article | Skip]) -> Iterator[Article | Skip]:
        """Articles that need extraction, and Skips (which extraction passes through)."""
        for pos, item in enumerate(items):
            article = self._triage(pos, item)
            if article is not None:
                yield article

    def _triage(self, pos: int, item: Article | Skip) -> Article | Skip | None:
        with self.lock:
            self.report.read += 1
        if not isinstance(item, Skip) and len(item.text) > self.max_chars:
            item = Skip(source=item.source or item.id or "?", reason="too large",
                        article_id=item.id, detail=f"{len(item.text)} characters")
        if isinstance(item, Skip):
            self.sent.append((pos, "", ""))
            return item
        h = content_hash(item.text)
        ident = item.id or item.url or item.source or h
        if (ident, h) in self.flying or self.store.has_article(ident, h):
            with self.lock:
                self.report.already += 1
            return None
        self.flying.add((ident, h))
        if h in self.flying_texts or self.store.original_of(h) is not None:
            self.side.append((pos, _Copy(item, ident, h)))
            return None
        self.flying_texts.add(h)
        self.sent.append((pos, h, ident))
        return item

    # ------------------------------------------------------------ writing
    def go(self, items: Iterable[Article | Skip], extract: ExtractFn) -> IngestReport:
        """Run to the end; the report."""
        batch: list[tuple[Extraction | Skip | _Copy, str, str]] = []
        for result in extract(self.feed(items)):
            pos, h, ident = self.sent.popleft()
            batch += self._side_before(pos)
            batch.append((result, h, ident))
            if len(batch) >= self.batch_size:
                self._commit(batch)
                batch = []
        batch += self._side_before(None)
        self._commit(batch)
        return self.report

    def _side_before(self, pos: int | None) -> list[tuple[_Copy, str, str]]:
        out: list[tuple[_Copy, str, str]] = []
        while self.side and (pos is None or self.side[0][0] < pos):
            out.append((self.side.popleft()[1], "", ""))
        return out

    def _commit(self, batch: list[tuple[Extraction | Skip | _Copy, str, str]]) -> None:
        if not batch:
            return
        batch = [(_as_primary(i) if isinstance(i, Extraction) else i, h, ident)
                 for i, h, ident in batch]
        with self.store.transaction():
            # The link lock first, then speakers: lock and read what this batch's names can
            # match, in one go.
            self.linking.prepare(item for item, _, _ in batch if isinstance(item, Extraction))
            for item, h, ident in batch:
                if isinstance(item, Skip):
                    self._skip(item)
                elif isinstance(item, _Copy):
                    self._copy(item)
                elif self._fresh(item, h, ident):
                    # One linker call per article, never per batch: the linker then sees the
                    # same sequence of calls however the run was cut, so a resumed run ends
                    # with the same clusters as an unbroken one.
                    self.linking.link(self._article(item, h, ident))
        for item, h, ident in batch:  # committed: the store answers for these now
            if isinstance(item, _Copy):
                self.flying.discard((item.ident, item.content_hash))
            elif h:
                self.flying.discard((ident, h))
                self.flying_texts.discard(h)
        if self.progress:
            self.progress(self.report)

    def _fresh(self, ext: Extraction, h: str, ident: str) -> bool:
        """Whether an extracted article is still new, now that the batch holds the lock:
        another run may have stored it, or its text, since it was read."""
        if self.store.has_article(ident, h):
            self.report.already += 1
            return False
        if self.store.original_of(h) is not None:
            self._copy(_Copy(ext.article, ident, h))
            return False
        return True

    def _skip(self, skip: Skip) -> None:
        self.store.add_skip(skip)
        with self.lock:
            self.report.skipped += 1
            self.report.reasons[skip.reason] += 1

    def _copy(self, item: _Copy) -> None:
        if self.store.has_article(item.ident, item.content_hash):  # another run stored it
            self.report.already += 1
            return
        found = self.store.existing_articles([item.content_hash]).get(item.content_hash)
        if not found:  # its original was skipped, so this copy is unusable for the same reason
            self._skip(Skip(source=item.article.source or item.ident, article_id=item.article.id,
                            reason="copy of an input that was skipped"))
            return
        self.store.add_article(NewArticle(item.article, item.ident, item.content_hash, b"",
                                          copy_of=found[0][0], copy_kind="identical"))
        self.report.copies += 1

    def _article(self, ext: Extraction, h: str, ident: str) -> list[QuoteRecord]:
        art = ext.article
        art = replace(art, outlet=outlet_of(art)) if not art.outlet else art
        grams = article_shingles(art.text)
        sig = minhash(grams)
        copy_of = self._near_copy(sig, grams)
        sids = self.linking.speaker_ids(ext)
        wire = is_wire(art) or (not art.primary and is_transcript(art.text))
        new = NewArticle(art, ident, h, sig, copy_of=copy_of,
                         copy_kind="near" if copy_of else None, quotes=ext.quotes, is_wire=wire)
        row, qids = self.store.add_article(new, sids)
        if copy_of is None:
            self.near.add(row, sig)
            self.report.stored += 1
        else:
            self.report.copies += 1
        self.report.quotes += len(qids)
        if art.source:
            self.store.clear_skips(art.source)
        return self.linking.units(row, art, ext.quotes, qids, sids, is_wire=wire)

    def _near_copy(self, sig: bytes, grams: set[int]) -> int | None:
        for cand in self.near.candidates(sig):
            text = self.store.article_text(cand)
            if text is not None and jaccard(grams, article_shingles(text)) >= NEAR_JACCARD:
                return cand
        return None


def _as_primary(ext: Extraction) -> Extraction:
    """A primary source's (or a stamped transcript's) sentences in place of extracted quotes.

    A transcript recognised by its time-stamped turns is an independent record of what was
    said, as faithful as a wire copy, not the speaker's own text: it is not marked primary.
    A page that gives a speech or statement in full is (``link.speech_text``).
    """
    art = ext.article
    if not art.primary and not is_transcript(art.text):
        return speech_extraction(ext)
    return primary_extraction(art)
