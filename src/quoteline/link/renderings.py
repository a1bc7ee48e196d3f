"""The reference of a cluster and how every member renders it (labels a fact-checker can defend).

The reference is the most authoritative rendering: a primary source (an official transcript,
speech text or statement) before a wire copy before other reports; among equals the earliest,
fullest. Reported speech is never the reference while a quoted rendering exists, and it is
never ``altered``: it does not claim to give the speaker's words, so it is a ``paraphrase``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from quoteline.link.match import Words, classify, is_excerpt, severity, unify_names
from quoteline.link.types import QuoteRecord, Rendering

PRIMARY, WIRE, REPORT, REPORTED = 3, 2, 1, 0
FULL_SHARE = 0.6  # a rendering with this share of the fullest one's words is a full rendering
_LATEST = dt.date.max


@dataclass(frozen=True, slots=True)
class Analysis:
    """A rendering's normalized words, content-word stems, its words split at ellipses, and
    the normalized forms of its capitalized words (names, for spelling variants)."""

    words: Words
    content: frozenset[str]
    pieces: tuple[Words, ...]
    names: frozenset[str] = frozenset()


Analyse = Callable[[str], Analysis]


def authority(rec: QuoteRecord) -> int:
    """How authoritative a rendering is: primary > wire > report > reported speech."""
    if rec.quote_kind == "indirect":
        return REPORTED
    if rec.is_transcript:
        return PRIMARY
    return WIRE if rec.is_wire else REPORT


def ref_key(rec: QuoteRecord, an: Analyse, full: int = 0) -> tuple[int, bool, dt.date, int, int]:
    """Sort key of reference candidates: most authoritative, a full rendering (at least
    ``full`` words), earliest, fullest, lowest id."""
    size = len(an(rec.text).words)
    return (-authority(rec), size < full, rec.published or _LATEST, -size, rec.quote_id)


def reference(members: list[QuoteRecord], an: Analyse) -> QuoteRecord:
    """The reference rendering of a cluster's members.

    A partial rendering (a phrase of the sentence) is not the reference while a full one of
    the same authority exists. When a fuller quoted rendering holds the chosen one as a
    contiguous run, the fuller one serves instead (an excerpt cannot be the yardstick of the
    whole sentence), unless the chosen one is a primary source, which is whole by definition.
    """
    quoted = [len(an(m.text).words) for m in members if authority(m) > REPORTED]
    full = int(FULL_SHARE * max(quoted)) if quoted else 0
    ref = min(members, key=lambda m: ref_key(m, an, full))
    if authority(ref) == PRIMARY:
        return ref
    ref_words = an(ref.text).words
    fuller = [m for m in members if authority(m) > REPORTED
              and len(an(m.text).words) > len(ref_words)
              and is_excerpt(an(m.text).words, (ref_words,))]
    return min(fuller, key=lambda m: ref_key(m, an, full)) if fuller else ref


def render(ref: QuoteRecord, ref_an: Analysis, rec: QuoteRecord, an: Analysis,
           speaker: int | None) -> Rendering:
    """How ``rec`` renders the reference ``ref`` in a cluster of ``speaker``."""
    named = rec.speaker_id if rec.speaker_id not in (None, speaker) else None
    if rec.quote_id == ref.quote_id:
        return Rendering(rec.quote_id, "reference", 1.0, attributed_to=named)
    words = unify_names(an.words, ref_an.words, an.names | ref_an.names)
    pieces = an.pieces if words == an.words else (words,)
    kind, similarity, ops = classify(ref_an.words, words, pieces)
    if rec.quote_kind == "indirect" and kind != "verbatim":
        return Rendering(rec.quote_id, "paraphrase", round(similarity, 4), ops, attributed_to=named)
    grade = severity(ref_an.words, words) if kind == "altered" else None
    return Rendering(rec.quote_id, kind, round(similarity, 4), ops, grade, named)
