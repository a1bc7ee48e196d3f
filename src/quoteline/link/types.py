"""The contract between the store and the linker: what goes in, what comes out.

The linker links utterance units (``quoteline.link.units``: the sentences of a quote); the
store keeps them with integer ids, and ``QuoteRecord.quote_id`` is that id (a unit id when
the store calls, any unique id for a caller linking whole quotes). Linking is incremental:
the store loads what it already has into a ``Linker`` (``Linker.load``), then hands it each
batch of new units (``Linker.add``) and writes back every cluster the update touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

# "paraphrase" only for renderings the extractor marked indirect (QuoteRecord.quote_kind):
# reported speech is not a claim to the speaker's words, so it is never flagged altered.
RenderingKind = Literal["reference", "verbatim", "excerpt", "altered", "paraphrase"]
Severity = Literal["minor", "major"]  # of an altered rendering: a word or two, or reworded
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
    is_transcript: bool = False  # a primary source (transcript, speech text): the reference
    quote_kind: str | None = None  # "direct" | "mixed" | "indirect" (Quote.kind); None = direct
    is_wire: bool = False  # a wire copy (AP, Reuters, ...): the reference after primary sources


@dataclass(frozen=True, slots=True)
class Rendering:
    """How one quote renders its cluster's reference."""

    quote_id: int
    kind: RenderingKind
    similarity: float  # 0..1 against the reference
    diff: tuple[DiffOp, ...] = ()
    severity: Severity | None = None  # altered renderings only
    attributed_to: int | None = None  # the speaker this outlet named, when not the cluster's


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """One utterance across articles: its reference rendering and every rendering."""

    cluster_id: int
    reference_id: int
    first_outlet: str | None
    first_published: dt.date | None
    speaker_id: int | None
    renderings: tuple[Rendering, ...] = ()
    first_article: str | None = None  # the article of the first report (its input id)

    @property
    def altered(self) -> int:
        """How many renderings are altered."""
        return sum(r.kind == "altered" for r in self.renderings)

    @property
    def misattributed(self) -> bool:
        """Whether some outlet gave these words to another speaker."""
        return any(r.attributed_to is not None for r in self.renderings)


@dataclass(slots=True)
class LinkUpdate:
    """What one ``Linker.add`` changed: every touched cluster, whole, and merged-away ids."""

    clusters: dict[int, ClusterInfo] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)  # cluster ids merged into others
