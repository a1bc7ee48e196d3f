"""Sentence and entity lookups cached on the Doc (spaCy recomputes ``Token.sent`` per call)."""

from __future__ import annotations

import bisect

from spacy.tokens import Doc, Span, Token

_KEY = "quoteline.sent_starts"
_ENTS = "quoteline.ents"


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
