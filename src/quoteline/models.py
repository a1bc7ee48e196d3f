"""Frozen records that flow through quoteline: articles in, quotes out."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

QuoteKind = Literal["direct", "mixed", "indirect"]
KINDS: tuple[QuoteKind, ...] = ("direct", "mixed", "indirect")

# The rule that produced a quote (docs/extraction.md describes each one).
Rule = Literal[
    # a cue's content (nlp/attribution.py)
    "complement", "asked_if", "quoted_object", "interrupted", "as_clause", "naming",
    "stance_object", "prep_object", "passive", "according_to", "headline_colon", "hearsay",
    # a stance carried by a noun or an adjective (nlp/nominal.py)
    "stance_adjective", "owned_noun", "light_verb_noun", "claim_noun",
    # a quotation whose cue is not in a content clause (nlp/uncued.py)
    "beside_cue", "colon", "dash", "continuation", "neighbour",
    # what the page's layout attributes (nlp/layouts.py)
    "answer", "post", "standalone",
]
RULES: tuple[Rule, ...] = get_args(Rule)

# What a quote reports: words someone said or wrote ("speech"), or a belief, intention or
# stance the article ascribes to them ("thought"). Readers see statements by default.
Act = Literal["speech", "thought"]
ACTS: tuple[Act, ...] = get_args(Act)
# What a reader asks to see: statements only (the default everywhere), or thoughts too.
ActChoice = Literal["speech", "all"]
ACT_CHOICES: tuple[ActChoice, ...] = get_args(ActChoice)


def shown_acts(choice: ActChoice) -> frozenset[Act]:
    """The acts that ``--acts CHOICE`` shows: ``speech`` alone, or every act for ``all``."""
    return frozenset(ACTS) if choice == "all" else frozenset({"speech"})


@dataclass(frozen=True, slots=True)
class Span:
    """A [start, end) range of code points in an article's text, with the text it covers."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        return cls(start, end, text[start:end])


@dataclass(frozen=True, slots=True)
class Article:
    """One news article: its text and what is known about where it came from."""

    text: str
    id: str | None = None
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    outlet: str | None = None
    author: str | None = None
    source: str | None = None  # where it was read from: a path, URL or "path:line"
    primary: bool = False  # a primary source (transcript, speech text, statement): all speech
    speaker: str | None = None  # whose words a primary source holds

    def __post_init__(self) -> None:
        # A string ("2022-11-16") or a datetime becomes a date here, where the mistake is made,
        # not a failed extraction later; an unreadable one is refused with ValueError.
        if self.published is not None and type(self.published) is not dt.date:
            object.__setattr__(self, "published", _published(self.published))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (dates as ISO strings)."""
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@dataclass(frozen=True, slots=True)
class Quote:
    """One attributed statement: what was said, by whom, and when."""

    start: int
    end: int
    text: str
    kind: QuoteKind
    cue: Span | None
    source: Span | None
    speaker: str | None
    speaker_title: str | None = None
    said_on: dt.date | None = None
    said_on_basis: str | None = None  # the words that justified said_on
    confidence: float = 0.5
    parts: tuple[Span, ...] = ()  # fragments of a quote split around its cue
    article_id: str | None = None
    extractor: str = ""  # "quoteline X.Y.Z"
    model: str = ""  # "spacy-pipeline-name X.Y.Z"
    rule: Rule | None = None  # the extraction rule that found it (None: read from a store)
    act: Act = "speech"  # a statement, or a thought (belief, intention, stance) ascribed

    def to_dict(self) -> dict[str, Any]:
        """The documented JSONL form of a quote."""
        return {
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "cue": self.cue.to_dict() if self.cue else None,
            "source": self.source.to_dict() if self.source else None,
            "speaker": self.speaker,
            "speaker_title": self.speaker_title,
            "said_on": self.said_on.isoformat() if self.said_on else None,
            "said_on_basis": self.said_on_basis,
            "confidence": round(self.confidence, 3),
            "rule": self.rule,
            "act": self.act,
            "parts": [p.to_dict() for p in self.parts],
            "extractor": self.extractor,
            "model": self.model,
        }


@dataclass(frozen=True, slots=True)
class Skip:
    """An input that could not be used, and why; recorded, never fatal to a batch."""

    source: str
    reason: str
    article_id: str | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Extraction:
    """The quotes found in one article."""

    article: Article
    quotes: tuple[Quote, ...] = field(default_factory=tuple)


def parse_date(value: str | dt.date | dt.datetime | None) -> dt.date | None:
    """A date from an ISO string (date or datetime), a date, or None; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _published(value: object) -> dt.date | None:
    """``Article.published`` from what a caller passed: an ISO string, a datetime or a date."""
    if isinstance(value, str | dt.date):
        try:
            return parse_date(value)
        except ValueError as exc:
            raise ValueError(f"Article(published=...): {exc}; pass a datetime.date or "
                             "a string such as '2022-11-16'") from None
    raise TypeError(f"Article(published=...) must be a datetime.date or an ISO date string "
                    f"such as '2022-11-16', not {type(value).__name__}")
