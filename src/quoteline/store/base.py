"""``Store``: the one API over a SQLite or PostgreSQL quote store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

from quoteline.errors import StoreError, UsageError
from quoteline.link.types import LinkUpdate, QuoteRecord
from quoteline.link.units import Unit
from quoteline.models import ActChoice, Quote, Skip
from quoteline.search import Filters, SearchRequest
from quoteline.store import (
    article_index,
    browse,
    link_index,
    queries,
    reads,
    speakers,
    statements,
    units,
    write,
)
from quoteline.store.db import Db, Row, _redact, default_url, parse_url
from quoteline.store.migrate import migrate
from quoteline.store.speakers import SpeakerMerge
from quoteline.store.types import (
    ArticleDetail,
    ArticleSummary,
    ClusterSummary,
    ClusterView,
    Listing,
    NewArticle,
    OutletSummary,
    Overview,
    QuoteDetail,
    QuoteHit,
    SearchResult,
    SkipRow,
    SpeakerInfo,
    SpeakerRank,
    StatementResult,
    StoreStats,
)


class Store(AbstractContextManager["Store"]):
    """A quote store (SQLite or PostgreSQL, chosen by URL), migrated on open."""

    def __init__(self, url: str | None = None, *, migrate_schema: bool = True,
                 create: bool = True) -> None:
        self.url = url or default_url()
        if not create:
            refuse_missing(self.url)
        self.db = Db(self.url)
        if not create and not has_schema(self.db):
            self.db.close()
            raise UsageError(missing_message(self.url, "it holds no quoteline store"))
        if migrate_schema:
            migrate(self.db)

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.db.dialect

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction (everything inside commits together or not at all)."""
        return self.db.transaction()

    # ------------------------------------------------------------ writing
    def add_article(self, new: NewArticle,
                    speaker_ids: Iterable[int | None] = ()) -> tuple[int, list[int]]:
        """Write an article and its quotes (with resolved speaker ids); (article id, quote ids)."""
        ids = list(speaker_ids) or [None] * len(new.quotes)
        with self.transaction():
            row = write.insert_article(self.db, new)
            return row, [write.insert_quote(self.db, row, q, sid, new.article.outlet)
                         for q, sid in zip(new.quotes, ids, strict=True)]

    def has_article(self, ident: str, content_hash: str) -> bool:
        """Whether this input (identity and text) is stored (an indexed lookup)."""
        return article_index.has_article(self.db, ident, content_hash)

    def original_of(self, content_hash: str) -> int | None:
        """The store id of the original article with this text, if one is stored."""
        return article_index.original_of(self.db, content_hash)

    def add_quote(self, article_row: int, quote: Quote, speaker_id: int | None = None,
                  outlet: str | None = None) -> int:
        """Write one quote of a stored article (``outlet``: the article's); its id. The next
        ingest cuts it into units and links it."""
        link_index.set_meta(self.db, "cut_quotes", 1)
        return write.insert_quote(self.db, article_row, quote, speaker_id, outlet)

    def save_speaker(self, speaker_id: int, name: str, titles: Iterable[str] = (),
                     aliases: Iterable[str] = (), is_body: bool = False) -> None:
        """Create or update a speaker with its aliases and titles (``name`` is an alias too)."""
        write.save_speaker(self.db, speaker_id, name, titles, aliases, is_body)

    def apply_link_update(self, update: LinkUpdate,
                          written: dict[int, tuple[Any, ...]] | None = None) -> None:
        """Write the clusters a ``Linker.add`` touched (``written``: renderings known stored;
        a store-backed linker's lookup rows are written by ``quoteline.store.link_index``)."""
        with self.transaction():
            write.apply_link_update(self.db, update, written)

    def add_skip(self, skip: Skip) -> None:
        """Record a skipped input with its reason."""
        write.add_skip(self.db, skip)

    def clear_skips(self, source: str) -> None:
        """Forget the skips of a source that has now been stored."""
        write.clear_skips(self.db, source)

    def existing_articles(self, hashes: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
        """content hash -> [(store id, ident)] for stored articles with those hashes."""
        return write.existing_articles(self.db, hashes)

    def near_articles(self, band_keys: Sequence[int]) -> list[tuple[int, bytes]]:
        """(store id, MinHash) of the originals filed under any of these LSH band keys."""
        return article_index.near_articles(self.db, band_keys)

    def file_article_bands(self, article_row: int, band_keys: Sequence[int]) -> None:
        """File an original article under its LSH band keys (near-copy candidates)."""
        article_index.file_bands(self.db, article_row, band_keys)

    def unbanded_articles(self, limit: int = 500) -> list[tuple[int, bytes]]:
        """(store id, MinHash) of originals not filed under their bands yet (older stores)."""
        return article_index.unbanded(self.db, limit)

    def set_fingerprint(self, article_row: int, minhash: bytes) -> None:
        """Replace an article's stored MinHash signature (recomputed by a newer scheme)."""
        self.db.execute("UPDATE articles SET minhash = ? WHERE id = ?", (minhash, article_row))

    def article_text(self, article_row: int) -> str | None:
        """The stored text of an article (by store id)."""
        text = self.db.scalar("SELECT text FROM articles WHERE id = ?", (article_row,))
        return str(text) if text is not None else None

    def add_units(self, article_row: int, quote_id: int, units: Sequence[Unit]) -> list[int]:
        """Write the utterance units of a stored quote; their ids."""
        return write.insert_units(self.db, article_row, quote_id, units)

    def unit_records(self) -> Iterator[tuple[QuoteRecord, int | None]]:
        """Stored units with cluster ids, for ``Linker.load``."""
        return write.unit_records(self.db)

    def unit_record(self, unit_id: int) -> QuoteRecord:
        """One stored unit as the linker sees it."""
        row = self.db.one(write.RECORD_SQL + " WHERE u.id = ?", (unit_id,))
        if row is None:
            raise StoreError(f"no unit {unit_id} in the store")
        return write.unit_record(row)

    def quotes_without_units(self, after: int = 0,
                             limit: int = 500) -> Iterator[tuple[int, int, Quote]]:
        """(article row, quote id, quote) of up to ``limit`` quotes after id ``after`` not yet
        cut into units (an older store, ``add_quote``)."""
        return write.quotes_without_units(self.db, after, limit)

    def speaker_rows(self) -> list[tuple[int, str, bool, tuple[str, ...], tuple[str, ...]]]:
        """(speaker_id, name, is_body, aliases, titles) of every speaker (loads them all: for
        exports and tests; ingest looks speakers up by key instead)."""
        return write.speaker_rows(self.db)

    def speaker_merges(self, speaker_id: int | None = None) -> list[SpeakerMerge]:
        """Recorded speaker merges with their evidence, oldest first (``speaker_id``: only
        those it took part in); ``quoteline.corpus.undo_merge`` splits one apart again."""
        return speakers.speaker_merges(self.db, speaker_id)

    # ------------------------------------------------------------ reading
    def search(self, text: str = "", *, speaker: str | None = None,
               date_from: dt.date | None = None, date_to: dt.date | None = None,
               outlet: str | None = None, kind: str | None = None,
               cluster: int | None = None, min_confidence: float | None = None,
               speaker_id: int | None = None, limit: int = 20,
               offset: int = 0, flag: str | None = None,
               acts: ActChoice = "speech") -> list[QuoteHit]:
        """Ranked full-text search (see quoteline.search for the query language); ``speaker``
        is a name (every speaker called so), ``speaker_id`` one speaker, ``flag`` only quotes
        in clusters that are altered or misattributed; statements only unless
        ``acts="all"``."""
        filters = Filters(speaker, date_from, date_to, outlet, kind, cluster, min_confidence,
                          speaker_id, flag, acts)
        return self.run_search(SearchRequest(text, filters, limit, offset))

    def run_search(self, request: SearchRequest) -> list[QuoteHit]:
        """Search with a prepared SearchRequest; the hits alone (see ``search_page``)."""
        return list(queries.search(self.db, request).hits)

    def search_page(self, request: SearchRequest) -> SearchResult:
        """One page of a search, how many quotes match in all, and why nothing was searched
        when the request cannot be (``problem``: no word to look for, dates reversed)."""
        return queries.search(self.db, request)

    def latest_quotes(self, limit: int = 20, offset: int = 0,
                      acts: ActChoice = "speech") -> list[QuoteHit]:
        """The quotes (statements, or ``acts="all"``) stored last, newest first (instant at
        any store size)."""
        return reads.latest_quotes(self.db, limit, offset, acts)

    def quote(self, quote_id: int) -> QuoteDetail | None:
        """One quote with its article's store id, the article text and the cue's span."""
        return reads.quote_detail(self.db, quote_id)

    def article(self, article_row: int) -> ArticleDetail | None:
        """One article (by store id) with its quotes in text order."""
        return reads.article_detail(self.db, article_row)

    def altered_elsewhere(self, hits: Iterable[QuoteHit]) -> dict[int, int]:
        """quote id -> how many other renderings of its cluster are flagged altered."""
        return reads.altered_elsewhere(self.db, hits)

    def outlets(self, limit: int = 200) -> list[str]:
        """The outlets with the most articles, alphabetically."""
        return reads.outlets(self.db, limit)

    def overview(self, n: int = 5) -> Overview:
        """Counts, the most quoted people, the statements reported most widely and the latest
        renderings flagged altered or misattributed."""
        return browse.overview(self.db, n)

    # ------------------------------------------------------------ browsing
    def browse_clusters(self, flag: str | None = None, sort: str = "size", limit: int = 20,
                        offset: int = 0) -> Listing[ClusterSummary]:
        """Clusters reported more than once, largest (``sort="size"``) or newest (``"date"``)
        first; ``flag`` "altered" or "misattributed" keeps only those."""
        return browse.browse_clusters(self.db, flag, sort, limit, offset)

    def browse_articles(self, outlet: str | None = None, limit: int = 20,
                        offset: int = 0) -> Listing[ArticleSummary]:
        """Original articles, newest first (``outlet``: only that outlet's)."""
        return browse.browse_articles(self.db, outlet, limit, offset)

    def outlet_table(self) -> list[OutletSummary]:
        """Every outlet with its counts, most articles first (reads every article: cache it)."""
        return browse.outlet_table(self.db)

    def speaker_ranking(self) -> list[SpeakerRank]:
        """Every quoted speaker with quotes and statements, most quoted first (reads every
        quote's index entry: cache it)."""
        return browse.speaker_ranking(self.db)

    def speakers_named(self, prefix: str, limit: int = 20, offset: int = 0) -> list[int]:
        """Ids of the speakers whose name or an alias starts with ``prefix``, by name."""
        return browse.speakers_named(self.db, prefix, limit, offset)

    def titles_as_written(self, titles: dict[int, str]) -> dict[int, str]:
        """speaker id -> its title as the articles wrote it (``titles``: id -> stored title)."""
        return browse.titles_as_written(self.db, titles)

    def speaker_names(self, ids: Iterable[int]) -> dict[int, SpeakerInfo]:
        """id -> name and title of each speaker of ``ids`` (no counts)."""
        return browse.speaker_infos(self.db, list(ids))

    # ------------------------------------------------------------ statements
    def speaker_statements(self, speaker_id: int, *, date_from: dt.date | None = None,
                           date_to: dt.date | None = None, limit: int = 20,
                           offset: int = 0, acts: ActChoice = "speech",
                           index: statements.SpeakerIndex | None = None) -> StatementResult:
        """A speaker's statements (clusters of their quotes), latest first, each with its
        renderings folded under it; ``date_from``/``date_to`` on the day each was first said;
        thoughts too with ``acts="all"``; ``index``: the speaker's ``speaker_index``, when
        already read."""
        return statements.speaker_statements(self.db, speaker_id, date_from=date_from,
                                              date_to=date_to, limit=limit, offset=offset,
                                              acts=acts, index=index)

    def speaker_index(self, speaker_id: int,
                      acts: ActChoice = "speech") -> statements.SpeakerIndex:
        """Every statement of a speaker with the day it was first said, and the timeline."""
        return statements.speaker_index(self.db, speaker_id, acts)

    def changed_elsewhere(self) -> bool | None:
        """Whether another connection has changed the store since this one last asked (the
        first call: True); None where that cannot be told (PostgreSQL)."""
        return self.db.changed_elsewhere()

    def speaker_statement_days(self, speaker_id: int,
                               acts: ActChoice = "speech") -> list[tuple[dt.date, int]]:
        """(day, statements first said that day) for a speaker, oldest first."""
        return statements.speaker_statement_days(self.db, speaker_id, acts)

    def search_statements(self, request: SearchRequest) -> StatementResult:
        """A search grouped by statement (each statement once, at its best match's rank)."""
        return statements.search_statements(self.db, request)

    def find_speakers(self, name: str) -> list[SpeakerInfo]:
        """Speakers called ``name`` (canonical name, alias, or surname)."""
        found = (queries.speaker_info(self.db, i) for i in queries.speaker_ids(self.db, name))
        return [s for s in found if s is not None]

    def speaker(self, speaker_id: int, *, counts: bool = True) -> SpeakerInfo | None:
        """One speaker by id (``counts=False``: quotes and statements not counted)."""
        return queries.speaker_info(self.db, speaker_id, counts)

    def timeline(self, speaker_id: int, limit: int | None = None,
                 acts: ActChoice = "speech") -> list[QuoteHit]:
        """A speaker's quotes (statements, or ``acts="all"``), oldest first by said_on (else
        published)."""
        return queries.timeline(self.db, speaker_id, limit, acts)

    def speaker_quotes(self, speaker_id: int, *, date_from: dt.date | None = None,
                       date_to: dt.date | None = None, limit: int = 20,
                       offset: int = 0, acts: ActChoice = "speech") -> SearchResult:
        """A speaker's quotes (statements, or ``acts="all"``), newest first, optionally within
        dates, with their number."""
        return reads.speaker_quotes(self.db, speaker_id, date_from=date_from, date_to=date_to,
                                    limit=limit, offset=offset, acts=acts)

    def speaker_histogram(self, speaker_id: int) -> list[tuple[dt.date, int]]:
        """(day, quotes that day) for a speaker, oldest first (by said_on, else published)."""
        return reads.speaker_histogram(self.db, speaker_id)

    def top_speakers(self, limit: int = 10) -> list[SpeakerInfo]:
        """Speakers with the most quotes."""
        return queries.top_speakers(self.db, limit)

    def cluster(self, cluster_id: int, acts: ActChoice = "speech") -> ClusterView | None:
        """One cluster with its renderings (statements, or ``acts="all"``) and diffs."""
        return queries.cluster_view(self.db, cluster_id, acts)

    def clusters(self, *, altered_only: bool = False, min_size: int = 1,
                 flag: str | None = None, limit: int | None = None) -> Iterator[Row]:
        """Cluster summaries, largest first (``flag``: altered or misattributed only)."""
        return queries.iter_clusters(self.db, altered_only, min_size, flag, limit)

    def renderings(self, flag: str | None = None) -> Iterator[dict[str, Any]]:
        """Every utterance unit with its cluster, rendering, diff and attribution (for export;
        ``flag``: only units of clusters that are altered or misattributed)."""
        return units.iter_renderings(self.db, flag)

    def cluster_units(self, cluster_id: int) -> list[dict[str, Any]]:
        """A cluster's units as export rows, the reference first."""
        return units.cluster_units(self.db, cluster_id)

    def quotes(self, acts: ActChoice = "speech") -> Iterator[QuoteHit]:
        """Every stored quote (for export): statements, or ``acts="all"``."""
        return queries.iter_quotes(self.db, acts)

    def speakers(self) -> Iterator[SpeakerInfo]:
        """Every speaker (for export)."""
        return queries.iter_speakers(self.db)

    def skips(self, limit: int | None = None) -> list[SkipRow]:
        """Recorded skips, newest first."""
        return queries.skips(self.db, limit)

    def stats(self) -> StoreStats:
        """Counts of articles, copies, quotes, speakers, clusters, skips."""
        return queries.stats(self.db)


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open (and migrate) the store at ``url`` (default $QUOTELINE_DB or sqlite:///quoteline.db).

    With ``create=False`` a store that is not there is refused (UsageError naming the path)
    instead of being created empty: what every read-only caller wants.
    """
    return Store(url, create=create)


def missing_message(url: str, why: str = "") -> str:
    """"no store at PATH (why); how to make one" for a URL whose store is not there."""
    dialect, target = parse_url(url)
    where = target if dialect == "sqlite" else _redact(target)
    return (f"no quoteline store at {where}{f' ({why})' if why else ''}; build one with "
            f"`quoteline ingest FILE --db {url if dialect == 'sqlite' else where}`, or give "
            "--db sqlite:///PATH or --db postgresql://USER@HOST/DB for an existing one")


def refuse_missing(url: str) -> None:
    """UsageError when ``url`` names a SQLite file that does not exist (checked before
    connecting, since connecting would create it)."""
    dialect, target = parse_url(url)
    if dialect == "sqlite" and target != ":memory:" and not Path(target).is_file():
        raise UsageError(missing_message(url))


def has_schema(db: Db) -> bool:
    """True when the database holds a quoteline schema (without creating anything)."""
    if db.dialect == "sqlite":
        sql = "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    else:
        sql = "SELECT 1 AS x WHERE to_regclass('schema_version') IS NOT NULL"
    return bool(db.scalar(sql))
