"""The reference of a cluster and how every member renders it (labels a fact-checker can defend).

The reference is the most authoritative rendering: a primary source (an official transcript,
speech text or statement) before a wire copy before other reports; among equals a full one
(not a phrase of the sentence) that most other renderings agree with, then the earliest.
Reported speech is never the reference while a quoted rendering exists, and it is never
``altered``: it does not claim to give the speaker's words, so it is a ``paraphrase``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from quoteline.link.match import (
    Words,
    classify,
    excerpt_of,
    is_excerpt,
    severity,
    unify_names,
    unlead,
)
from quoteline.link.normalize import name_words, tokens
from quoteline.link.types import QuoteRecord, Rendering
from quoteline.link.units import is_sentence

PRIMARY, WIRE, REPORT, REPORTED = 3, 2, 1, 0
_CLAUSE_MARK = re.compile(r"\s*[\u2013\u2014;:,.]\s+|\s+-\s+")
FULL_SHARE = 0.6  # a rendering with this share of the fullest one's words is a full rendering
MAX_WORDINGS = 20  # distinct wordings of a cluster weighed for agreement
_LATEST = dt.date.max


@dataclass(frozen=True, slots=True)
class Analysis:
    """A rendering's normalized words, content-word stems, its words split at ellipses, and
    whether its text stops mid-word (no punctuation after the last word: maybe cut off)."""

    words: Words
    content: frozenset[str]
    pieces: tuple[Words, ...]
    cut: bool = False


Analyse = Callable[[str], Analysis]


def authority(rec: QuoteRecord) -> int:
    """How authoritative a rendering is: primary > wire > report > reported speech."""
    if rec.quote_kind == "indirect":
        return REPORTED
    if rec.is_transcript:
        return PRIMARY
    return WIRE if rec.is_wire else REPORT


RefKey = tuple[int, bool, int, dt.date, int, int]


def ref_key(rec: QuoteRecord, an: Analyse, full: int = 0,
            support: dict[Words, int] | None = None) -> RefKey:
    """Sort key of reference candidates: most authoritative; a full rendering (at least
    ``full`` words); the one most other renderings agree with word for word (``support``);
    earliest; fullest; lowest id."""
    words = an(rec.text).words
    backing = support.get(unlead(words), 0) if support else 0
    return (-authority(rec), len(words) < full, -backing, rec.published or _LATEST, rec.quote_id,
            -len(words))


def agreement(members: list[QuoteRecord], an: Analyse) -> dict[Words, int]:
    """For each distinct wording, how many quoted renderings are it or a run of it.

    A composite or translated rendering agrees with few others; the sentence as said agrees
    with its copies and excerpts. Distinct wordings are few, however large the cluster, and
    only the MAX_WORDINGS most common are weighed.
    """
    counts: dict[Words, int] = {}
    whole: set[Words] = set()  # wordings some outlet printed as a sentence of their own
    for m in members:
        if authority(m) > REPORTED:
            words = unlead(an(m.text).words)  # "And I know ..." agrees with "I know ..."
            counts[words] = counts.get(words, 0) + 1
            if is_sentence(m.text):
                whole.add(words)
    common = sorted(counts, key=lambda w: (-counts[w], -len(w)))[:MAX_WORDINGS]
    # a phrase inside a wording backs it; a whole sentence inside it does not (the wording
    # is then a composite of that sentence and more, not the sentence as said), but a
    # composite only one outlet printed backs the sentence: it printed those very words (one
    # that several printed alike is the utterance itself)
    return {w: sum(n for other, n in counts.items() if other == w or _backs(other, n, w, whole))
            for w in common}


def _backs(other: Words, printed: int, w: Words, whole: set[Words]) -> bool:
    """Whether wording ``other``, ``printed`` times, agrees with wording ``w`` (``agreement``)."""
    if len(other) < len(w):
        return other not in whole and is_excerpt(w, (other,))
    return printed == 1 and len(other) > len(w) and w in whole and is_excerpt(other, (w,))


def reference(members: list[QuoteRecord], an: Analyse) -> QuoteRecord:
    """The reference rendering of a cluster's members.

    A partial rendering (a phrase of the sentence) is not the reference while a full one of
    the same authority exists. When a fuller quoted rendering holds the chosen one as a
    contiguous run, the fuller one serves instead (an excerpt cannot be the yardstick of the
    whole sentence), unless the chosen one is a primary source, which is whole by definition
    except where the page cut its last word off.
    """
    quoted = [len(an(m.text).words) for m in members if authority(m) > REPORTED]
    support = agreement(members, an) if len(members) > 2 else None
    # "full" is measured against the fullest wording another rendering agrees with, when
    # there is one: a composite of two sentences, or a padded translation, is no yardstick
    backed = [len(w) for w, n in (support or {}).items() if n > 1]
    full = int(FULL_SHARE * max(backed or quoted)) if quoted else 0
    ref = min(members, key=lambda m: ref_key(m, an, full, support))
    fuller = [m for m in members if authority(m) > REPORTED and _completes(an, m, ref)]
    return min(fuller, key=lambda m: ref_key(m, an, full, support)) if fuller else ref


def _completes(an: Analyse, fuller: QuoteRecord, ref: QuoteRecord) -> bool:
    """Whether ``fuller`` holds all of ``ref`` and more: more words around it, or (``ref``
    cut off by the end of its page) the whole of its last word."""
    ref_an, words = an(ref.text), an(fuller.text).words
    ref_words = unlead(ref_an.words)
    if len(unlead(words)) < len(ref_words) or not ref_words:
        return False
    if is_excerpt(words, (ref_words,)):  # a whole sentence is its own yardstick
        return (authority(ref) != PRIMARY and len(unlead(words)) > len(ref_words)
                and not is_sentence(ref.text))
    return ref_an.cut and excerpt_of(words, (ref_words,), cut=True)


def render(ref: QuoteRecord, ref_an: Analysis, rec: QuoteRecord, an: Analysis,
           speaker: int | None) -> Rendering:
    """How ``rec`` renders the reference ``ref`` in a cluster of ``speaker``."""
    named = rec.speaker_id if rec.speaker_id not in (None, speaker) else None
    if rec.quote_id == ref.quote_id:
        return Rendering(rec.quote_id, "reference", 1.0, attributed_to=named)
    kind, similarity, ops = classify(ref_an.words, an.words, an.pieces, an.cut)
    if kind == "altered":  # a name spelt another way is no change: look again with names unified
        words = unify_names(an.words, ref_an.words, name_words(rec.text) | name_words(ref.text))
        if words != an.words:
            kind, similarity, ops = classify(ref_an.words, words, (words,))
    if kind == "altered" and _goes_on(ref, ref_an.words, rec.text):
        kind = "verbatim"  # the sentence word for word, and then more of what was said
    if rec.quote_kind == "indirect" and kind != "verbatim":
        return Rendering(rec.quote_id, "paraphrase", round(similarity, 4), ops, attributed_to=named)
    grade = severity(ops) if kind == "altered" else None
    return Rendering(rec.quote_id, kind, round(similarity, 4), ops, grade, named)


def _goes_on(ref: QuoteRecord, ref_words: Words, text: str) -> bool:
    """Whether ``text`` gives the reference, a whole sentence, word for word and goes on (or
    starts) past a clause mark: "... comes duty – the duty to know when ..." holds a sentence
    and the start of the next, which is no change to the sentence."""
    if not is_sentence(ref.text):
        return False
    target = unlead(ref_words)
    return any(target in (unlead(tokens(text[:m.start()])), unlead(tokens(text[m.end():])))
               for m in _CLAUSE_MARK.finditer(text))
