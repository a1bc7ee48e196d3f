"""What the store hands back: plain frozen records with a JSON form (for CLI and web)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

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

    @property
    def other_names(self) -> tuple[str, ...]:
        """The aliases that are not the canonical name itself (what "also called" lists)."""
        own = self.name.casefold()
        return tuple(a for a in self.aliases if a.casefold() != own)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"speaker_id": self.speaker_id, "name": self.name, "title": self.title,
                "aliases": list(self.aliases), "titles": list(self.titles), "quotes": self.quotes}


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

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"id": self.row, "input_id": self.input_id, "url": self.url, "title": self.title,
                "outlet": self.outlet, "author": self.author, "published": iso(self.published),
                "copy_of": self.copy_of, "copy_kind": self.copy_kind, "text": self.text,
                "quotes": [q.to_dict() for q in self.quotes]}


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
class Overview:
    """What a store holds, in brief: counts, top speakers, largest clusters, latest altered."""

    stats: StoreStats
    top_speakers: tuple[SpeakerInfo, ...]
    clusters: tuple[dict[str, Any], ...]  # rows as Store.clusters() yields them
    altered: tuple[QuoteHit, ...]  # the latest renderings flagged altered

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"stats": self.stats.to_dict(),
                "top_speakers": [s.to_dict() for s in self.top_speakers],
                "clusters": list(self.clusters), "altered": [h.to_dict() for h in self.altered]}


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
