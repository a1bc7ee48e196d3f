"""What the store hands back: plain frozen records with a JSON form (for CLI and web)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from quoteline.models import Article, Quote, parse_date


def iso(value: Any) -> str | None:
    """An ISO date string from a date, an ISO string or None."""
    day = parse_date(value) if value is not None else None
    return day.isoformat() if day else None


@dataclass(frozen=True, slots=True)
class QuoteHit:
    """One stored quote with its article's metadata (a search hit or a timeline row)."""

    quote_id: int
    article_id: str | None  # the input id
    url: str | None
    outlet: str | None
    published: dt.date | None
    start: int
    end: int
    text: str
    kind: str
    speaker: str | None
    speaker_id: int | None
    speaker_name: str | None  # the corpus-level speaker's canonical name
    speaker_title: str | None
    cue: str | None
    said_on: dt.date | None
    said_on_basis: str | None
    confidence: float | None
    cluster: int | None
    rendering: str | None
    similarity: float | None = None
    diff: list[Any] | None = None
    title: str | None = None
    score: float | None = None
    article_row: int | None = None  # the article's store id (what /articles/{id} takes)
    act: str = "speech"  # speech, or thought (a belief, intention or stance ascribed)
    rule: str | None = None  # the extraction rule that found it (None: stored before rules)
    # A cluster's renderings are utterance units of quotes: the unit, how far an altered one
    # strays (minor, major), and the name an outlet gave when it is not the cluster's speaker.
    unit_id: int | None = None
    severity: str | None = None
    attributed_to: str | None = None

    @property
    def when(self) -> dt.date | None:
        """When it was said: said_on, else the article's publication date."""
        return self.said_on or self.published

    def to_dict(self) -> dict[str, Any]:
        """The documented export form of a quote (dates as ISO strings)."""
        return {
            "quote_id": self.quote_id, "article_id": self.article_id, "url": self.url,
            "outlet": self.outlet, "published": iso(self.published), "title": self.title,
            "start": self.start, "end": self.end, "text": self.text, "kind": self.kind,
            "speaker": self.speaker, "speaker_id": self.speaker_id,
            "speaker_name": self.speaker_name, "speaker_title": self.speaker_title,
            "cue": self.cue, "said_on": iso(self.said_on), "said_on_basis": self.said_on_basis,
            "confidence": self.confidence, "cluster": self.cluster, "rendering": self.rendering,
            "similarity": self.similarity, "diff": self.diff, "score": self.score,
            "article_row": self.article_row, "act": self.act, "rule": self.rule,
            "unit_id": self.unit_id, "severity": self.severity,
            "attributed_to": self.attributed_to,
        }


@dataclass(frozen=True, slots=True)
class SpeakerInfo:
    """One corpus-level speaker: canonical name, aliases, titles and how many quotes."""

    speaker_id: int
    name: str
    title: str | None
    aliases: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    quotes: int = 0
    statements: int = 0  # distinct clusters among the quotes (0: not counted)

    @property
    def other_names(self) -> tuple[str, ...]:
        """The aliases that are not the canonical name itself (what "also called" lists)."""
        own = self.name.casefold()
        return tuple(a for a in self.aliases if a.casefold() != own)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"speaker_id": self.speaker_id, "name": self.name, "title": self.title,
                "aliases": list(self.aliases), "titles": list(self.titles), "quotes": self.quotes,
                "statements": self.statements}


@dataclass(frozen=True, slots=True)
class ClusterView:
    """One cluster: its reference and every rendering (reference first, then by date)."""

    cluster_id: int
    reference_quote_id: int | None
    speaker_id: int | None
    first_outlet: str | None
    first_published: dt.date | None
    renderings: tuple[QuoteHit, ...] = ()  # one per utterance unit (the unit's span and text)
    misattributed: bool = False  # some outlet gave these words to another speaker
    first_article: str | None = None  # input id of the first report

    @property
    def altered(self) -> int:
        """How many renderings are flagged altered."""
        return sum(r.rendering == "altered" for r in self.renderings)

    @property
    def first_quote_id(self) -> int | None:
        """The earliest rendering from the outlet that reported it first (its quote id)."""
        dated = [r for r in self.renderings if r.published is not None]
        same = [r for r in dated if r.outlet == self.first_outlet] or dated
        if not same:
            return None
        return min(same, key=lambda r: (r.published or dt.date.max, r.quote_id)).quote_id

    @property
    def speaker_name(self) -> str | None:
        """Who said it: the reference rendering's speaker (corpus name, else as written)."""
        for r in self.renderings:
            if r.speaker_name or r.speaker:
                return r.speaker_name or r.speaker
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"cluster": self.cluster_id, "reference_quote_id": self.reference_quote_id,
                "speaker_id": self.speaker_id, "speaker_name": self.speaker_name,
                "first_outlet": self.first_outlet,
                "first_published": iso(self.first_published), "first_article": self.first_article,
                "size": len(self.renderings), "altered": self.altered,
                "misattributed": self.misattributed, "first_quote_id": self.first_quote_id,
                "renderings": [r.to_dict() for r in self.renderings]}


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of a search and how many quotes match in all.

    ``total`` is exact when ``exact``; otherwise at least that many match (counting stops
    there, so a search costs the same on a store of any size). ``problem`` says why a request
    was not searched at all (a query with no word to look for, dates the wrong way round).
    """

    hits: tuple[QuoteHit, ...]
    total: int
    exact: bool = True
    problem: str | None = None

    def describe(self) -> str:
        """"1 match", "12 matches", "1,000 or more matches"."""
        more = "" if self.exact else " or more"
        return f"{self.total:,}{more} match{'' if self.total == 1 and self.exact else 'es'}"


@dataclass(frozen=True, slots=True)
class QuoteDetail:
    """One quote with where it sits in its article."""

    hit: QuoteHit
    article_row: int
    article_text: str
    cue_start: int | None
    cue_end: int | None


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    """One stored article with its quotes (in text order)."""

    row: int
    input_id: str | None
    url: str | None
    title: str | None
    outlet: str | None
    author: str | None
    published: dt.date | None
    text: str
    copy_of: int | None
    copy_kind: str | None
    quotes: tuple[QuoteHit, ...] = field(default_factory=tuple)
    cues: tuple[tuple[int, int, int], ...] = ()  # (quote id, start, end) of each quote's cue

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (each quote with its cue's span)."""
        spans = {q: (s, e) for q, s, e in self.cues}
        return {"id": self.row, "input_id": self.input_id, "url": self.url, "title": self.title,
                "outlet": self.outlet, "author": self.author, "published": iso(self.published),
                "copy_of": self.copy_of, "copy_kind": self.copy_kind, "text": self.text,
                "quotes": [{**q.to_dict(), "cue_span": list(spans.get(q.quote_id, ())) or None}
                           for q in self.quotes]}


@dataclass(frozen=True, slots=True)
class SkipRow:
    """One recorded skip."""

    source: str
    reason: str
    article_id: str | None
    detail: str | None
    skipped_at: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"source": self.source, "reason": self.reason, "article_id": self.article_id,
                "detail": self.detail, "skipped_at": self.skipped_at}


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts for a summary: articles (originals and copies), quotes, speakers, clusters."""

    articles: int
    copies: int
    quotes: int
    speakers: int
    clusters: int
    altered: int
    skips: int

    def to_dict(self) -> dict[str, int]:
        """Plain-JSON form."""
        return {"articles": self.articles, "copies": self.copies, "quotes": self.quotes,
                "speakers": self.speakers, "clusters": self.clusters, "altered": self.altered,
                "skips": self.skips}




@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """One cluster in a list: who said it, its reference words, and how far it spread."""

    cluster_id: int
    reference_quote_id: int | None
    reference_text: str | None
    kind: str | None  # the reference rendering's kind (direct, mixed, indirect)
    speaker_id: int | None
    speaker_name: str | None
    first_outlet: str | None
    first_published: dt.date | None
    size: int  # renderings (reports)
    altered: int  # renderings flagged altered
    outlets: int = 0  # distinct outlets among the renderings (0: not counted)
    misattributed: int = 0  # renderings that give the words to someone else

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"cluster": self.cluster_id, "reference_quote_id": self.reference_quote_id,
                "reference_text": self.reference_text, "kind": self.kind,
                "speaker_id": self.speaker_id, "speaker_name": self.speaker_name,
                "first_outlet": self.first_outlet, "first_published": iso(self.first_published),
                "size": self.size, "altered": self.altered, "outlets": self.outlets,
                "misattributed": self.misattributed}


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One article in a list (no text)."""

    row: int  # store id
    input_id: str | None
    title: str | None
    outlet: str | None
    published: dt.date | None
    url: str | None
    quotes: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"id": self.row, "input_id": self.input_id, "title": self.title,
                "outlet": self.outlet, "published": iso(self.published), "url": self.url,
                "quotes": self.quotes}


@dataclass(frozen=True, slots=True)
class OutletSummary:
    """One outlet: its original articles and quotes, the statements it reported first, and
    the renderings in its articles that are flagged altered."""

    name: str
    articles: int
    quotes: int
    first_published: dt.date | None
    last_published: dt.date | None
    first_reports: int = 0
    altered: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"outlet": self.name, "articles": self.articles, "quotes": self.quotes,
                "first_published": iso(self.first_published),
                "last_published": iso(self.last_published), "first_reports": self.first_reports,
                "altered": self.altered}


@dataclass(frozen=True, slots=True)
class SpeakerRank:
    """A speaker in the ranked list: quotes (reports) and statements (distinct clusters)."""

    speaker_id: int
    name: str
    title: str | None
    quotes: int
    statements: int
    person: bool  # a named person (not a body, group, pronoun or description)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"speaker_id": self.speaker_id, "name": self.name, "title": self.title,
                "quotes": self.quotes, "statements": self.statements, "person": self.person}


T = TypeVar("T", ClusterSummary, ArticleSummary, OutletSummary, SpeakerRank)


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """One page of a browse list and how many rows there are in all (``exact`` false: at
    least ``total``, counting stopped there)."""

    items: tuple[T, ...]
    total: int
    exact: bool = True


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement (a cluster: the same words, however many outlets reported them), with
    the rendering shown for it and the others folded under it."""

    cluster_id: int | None  # None: a quote that is in no cluster
    lead: QuoteHit  # the rendering shown (the best match, or the speaker's first)
    renderings: tuple[QuoteHit, ...]  # every rendering read (first report first), capped
    reports: int  # renderings in all
    outlets: int  # distinct outlets among them
    altered: int
    first_outlet: str | None
    first_published: dt.date | None
    misattributed: int = 0

    @property
    def said_once(self) -> bool:
        """True when the words were reported more than once (one statement, many reports)."""
        return self.reports > 1

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: the statement, its lead rendering and the renderings read."""
        return {"statement": self.cluster_id, "reports": self.reports, "outlets": self.outlets,
                "altered": self.altered, "misattributed": self.misattributed,
                "first_outlet": self.first_outlet, "first_published": iso(self.first_published),
                "quote": self.lead.to_dict(), "renderings": [r.to_dict() for r in self.renderings]}


@dataclass(frozen=True, slots=True)
class StatementResult:
    """One page of statements and how many there are (as SearchResult, by statement)."""

    statements: tuple[Statement, ...]
    total: int
    exact: bool = True
    problem: str | None = None
    days: tuple[tuple[dt.date, int], ...] = ()  # a speaker's: statements by first day
    counts: tuple[int, int] | None = None  # a speaker's: (quotes, statements) in all

    def describe(self) -> str:
        """"1 statement", "12 statements", "1,000 or more statements"."""
        more = "" if self.exact else " or more"
        return f"{self.total:,}{more} statement{'' if self.total == 1 and self.exact else 's'}"


@dataclass(frozen=True, slots=True)
class Overview:
    """What a store holds, in brief: counts, the most quoted people, the statements reported
    most widely, and the latest renderings flagged altered or misattributed."""

    stats: StoreStats
    top_speakers: tuple[SpeakerInfo, ...]
    clusters: tuple[ClusterSummary, ...]  # the largest clusters (reported more than once)
    altered: tuple[QuoteHit, ...]  # the latest renderings flagged altered
    misattributed: tuple[QuoteHit, ...] = ()  # the latest renderings given to someone else

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"stats": self.stats.to_dict(),
                "top_speakers": [s.to_dict() for s in self.top_speakers],
                "clusters": [c.to_dict() for c in self.clusters],
                "altered": [h.to_dict() for h in self.altered],
                "misattributed": [h.to_dict() for h in self.misattributed]}


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article ready to write: its identity, fingerprint, copy status and quotes."""

    article: Article
    ident: str
    content_hash: str
    minhash: bytes
    copy_of: int | None = None
    copy_kind: str | None = None  # "identical" | "near"
    quotes: tuple[Quote, ...] = field(default_factory=tuple)
    is_wire: bool = False  # a wire agency's copy (AP, Reuters, ...)


def json_or_none(value: Any) -> str | None:
    """Compact JSON text, or None for None."""
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
