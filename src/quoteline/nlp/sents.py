"""Sentence and entity lookups cached on the Doc (spaCy recomputes ``Token.sent`` per call)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

_KEY = "quoteline.sent_starts"
_ENTS = "quoteline.ents"
_ENT_STARTS = "quoteline.ent_starts"


def _starts(doc: Doc) -> list[int]:
    starts = doc.user_data.get(_KEY)
    if starts is None:
        starts = [s.start for s in doc.sents]
        doc.user_data[_KEY] = starts
    return starts


def sentence(tok: Token) -> Span:
    """The sentence holding ``tok`` (cached boundaries)."""
    doc = tok.doc
    starts = _starts(doc)
    k = bisect.bisect_right(starts, tok.i) - 1
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[starts[k] : end]


def entities(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, computed once."""
    ents = doc.user_data.get(_ENTS)
    if ents is None:
        ents = tuple(doc.ents)
        doc.user_data[_ENTS] = ents
    return ents


def _ent_starts(doc: Doc) -> list[int]:
    starts = doc.user_data.get(_ENT_STARTS)
    if starts is None:
        starts = [e.start for e in entities(doc)]
        doc.user_data[_ENT_STARTS] = starts
    return starts


def entities_in(span: Span) -> list[Span]:
    """The entities inside ``span`` (a bisect over the cached entities, not a document scan)."""
    ents = entities(span.doc)
    starts = _ent_starts(span.doc)
    lo = bisect.bisect_left(starts, span.start)
    hi = bisect.bisect_left(starts, span.end)
    return [e for e in ents[lo:hi] if e.end <= span.end]


def entity_at(doc: Doc, i: int) -> Span | None:
    """The entity that holds token ``i`` (entities never overlap), or None."""
    k = bisect.bisect_right(_ent_starts(doc), i) - 1
    if k >= 0:
        ent = entities(doc)[k]
        if ent.start <= i < ent.end:
            return ent
    return None


def entities_from(doc: Doc, i: int) -> Iterator[Span]:
    """The entities that start at token ``i`` or later, in text order."""
    ents = entities(doc)
    for k in range(bisect.bisect_left(_ent_starts(doc), i), len(ents)):
        yield ents[k]
