"""What the stages pass along: candidate quotes, and one document's geometry and working state."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from quoteline.models import Act, QuoteKind, Rule
from quoteline.nlp.attribution import Attribution
from quoteline.nlp.dates import DateHit
from quoteline.nlp.labels import CueClass, How
from quoteline.nlp.quotemarks import QuoteSpan
from quoteline.nlp.speakers import Person


@dataclass(slots=True)
class Candidate:
    """A quote on its way through the stages: found, then attributed, dated, typed, scored."""

    start: int
    end: int
    cue: tuple[int, int] | None  # char span
    cue_tok: Token | None
    source: tuple[int, int] | None  # token range
    how: How
    rule: Rule
    cue_class: CueClass = "speech"
    np_object: bool = False  # the content is a noun phrase the cue is about ("posted profits")
    infinitive: bool = False  # the content is a to-infinitive ("vowed to play")
    inherit: Candidate | None = None  # continuation of this earlier quote
    neighbour: tuple[int, int] | None = None  # token range of the sentence naming the speaker
    speaker: str | None = None
    title: str | None = None
    person: Person | None = None
    said: DateHit | None = None
    own_date: DateHit | None = None  # the date the layout gives (a post's signature line)
    verbatim: bool = False  # words rendered as said, without quotation marks (a Q&A answer)
    kind: QuoteKind | None = None  # set by the statements stage
    act: Act = "speech"  # set by the acts stage
    confidence: float = 0.0  # set by the score stage


def root(c: Candidate) -> Candidate:
    """The candidate whose speaker and date ``c`` continues (``c`` itself when it has its own)."""
    while c.inherit is not None:
        c = c.inherit
    return c


class DocView:
    """Char/token geometry of one Doc, computed once; the quote marks once they are found."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.starts = [t.idx for t in doc]
        self.set_quotes([], [])

    def set_quotes(self, quotes: list[QuoteSpan], markup: list[tuple[int, int]]) -> None:
        """Record the quote spans (in text order, never overlapping) and the markup tags."""
        self.quotes = quotes
        self.quote_tokens = [self.tokens_of(*q.inner) for q in quotes]
        self.quoted = frozenset(i for s, e in self.quote_tokens for i in range(s, e))
        self.opens = [q.open for q in quotes]
        self.closes = [q.close for q in quotes]
        tags = [self.tokens_of(s, e) for s, e in markup]
        self.markup = frozenset(i for s, e in tags for i in range(s, e))

    def tokens_of(self, start: int, end: int) -> tuple[int, int]:
        """Token range covering chars [start, end)."""
        return bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)

    def chars_of(self, start: int, end: int) -> tuple[int, int]:
        """Char range of tokens [start, end)."""
        last = self.doc[end - 1]
        return self.doc[start].idx, last.idx + len(last.text)

    def in_quote(self, char: int) -> QuoteSpan | None:
        """The quote span whose marks enclose ``char``."""
        k = bisect.bisect_right(self.opens, char) - 1
        if k >= 0 and self.quotes[k].open <= char <= self.quotes[k].close:
            return self.quotes[k]
        return None

    def touching(self, start: int, end: int) -> range:
        """Indices of the quotes that overlap chars [start, end], marks included
        (``open < end`` and ``start <= close``): a bisect, since quotes never overlap."""
        return range(bisect.bisect_left(self.closes, start), bisect.bisect_left(self.opens, end))

    def within(self, start: int, end: int) -> range:
        """Indices of the quotes whose marks lie inside [start, end) (``start <= open``,
        ``close < end``)."""
        return range(bisect.bisect_left(self.opens, start), bisect.bisect_left(self.closes, end))

    def opens_between(self, lo: int, hi: int) -> bool:
        """True when a quote opens strictly between chars ``lo`` and ``hi``."""
        k = bisect.bisect_right(self.opens, lo)
        return k < len(self.opens) and self.opens[k] < hi


@dataclass(slots=True)
class DocState:
    """One document as the stages work on it: its geometry, and what earlier stages found."""

    view: DocView
    published: dt.date | None
    attributions: list[Attribution] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # quote spans that a cue's content took


class EarlierQuotes:
    """Candidates that a later quote can continue, by end offset (a bisect, not a scan)."""

    CONTINUABLE = frozenset({"cue", "colon", "dash", "continuation"})

    def __init__(self, cands: list[Candidate]) -> None:
        self._keys: list[tuple[int, int]] = []
        self._cands: list[Candidate] = []
        for c in cands:
            self.add(c)

    def add(self, c: Candidate) -> None:
        """Remember ``c``."""
        # Latest end first; among equal ends, the one added first (a stable sort's order).
        key = (c.end, -len(self._keys))
        k = bisect.bisect_left(self._keys, key)
        self._keys.insert(k, key)
        self._cands.insert(k, c)

    def latest(self, before: int, n: int, loose: bool = True) -> list[Candidate]:
        """Up to ``n`` candidates ending at or before char ``before``, the latest end first;
        with ``loose``, only those a quote after a gap can continue (not a neighbour's: the
        speaker there was only guessed from the sentence before)."""
        k = bisect.bisect_right(self._keys, (before, 1))
        found = self._cands[max(0, k - n) : k][::-1]
        return [c for c in found if c.how in self.CONTINUABLE] if loose else found
