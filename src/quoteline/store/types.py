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

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"cluster": self.cluster_id, "reference_quote_id": self.reference_quote_id,
                "speaker_id": self.speaker_id, "first_outlet": self.first_outlet,
                "first_published": iso(self.first_published), "first_article": self.first_article,
                "size": len(self.renderings), "altered": self.altered,
                "misattributed": self.misattributed,
                "renderings": [r.to_dict() for r in self.renderings]}


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
