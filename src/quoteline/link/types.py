"""The contract between the store and the linker: what goes in, what comes out.

The store keeps quotes with integer ids. Linking is incremental: the store loads what it
already has into a ``Linker`` (``Linker.load``), then hands it each batch of new quotes
(``Linker.add``) and writes back every cluster the update touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

# "paraphrase" only for renderings the extractor marked indirect (QuoteRecord.quote_kind):
# reported speech is not a claim to the speaker's words, so it is never flagged altered.
RenderingKind = Literal["reference", "verbatim", "excerpt", "altered", "paraphrase"]
# A run of words kept ("="), removed from ("-") or added to ("+") the reference.
DiffOp = tuple[Literal["=", "-", "+"], str]


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    """One stored quote, as the linker sees it."""

    quote_id: int
    text: str
    speaker_id: int | None  # corpus-level speaker (after speaker resolution); None = unknown
    article_id: str | None = None
    published: dt.date | None = None
    said_on: dt.date | None = None
    outlet: str | None = None
    is_transcript: bool = False  # an official transcript becomes the reference when present
    quote_kind: str | None = None  # "direct" | "mixed" | "indirect" (Quote.kind); None = direct


@dataclass(frozen=True, slots=True)
class Rendering:
    """How one quote renders its cluster's reference."""

    quote_id: int
    kind: RenderingKind
    similarity: float  # 0..1 against the reference
    diff: tuple[DiffOp, ...] = ()


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """One utterance across articles: its reference rendering and every rendering."""

    cluster_id: int
    reference_id: int
    first_outlet: str | None
    first_published: dt.date | None
    speaker_id: int | None
    renderings: tuple[Rendering, ...] = ()

    @property
    def altered(self) -> int:
        """How many renderings are altered."""
        return sum(r.kind == "altered" for r in self.renderings)


@dataclass(slots=True)
class LinkUpdate:
    """What one ``Linker.add`` changed: every touched cluster, whole, and merged-away ids."""

    clusters: dict[int, ClusterInfo] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)  # cluster ids merged into others
