"""Verification and classification: word alignment of a rendering against another."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz.distance import Indel, LCSseq

from quoteline.link.types import DiffOp, RenderingKind

Words = tuple[str, ...]

# Same utterance when most words of the shorter rendering align in order (an excerpt or a
# copy) ...
STRONG_COVER = 0.8
MIN_STRONG_WORDS = 4
# ... or, for a reworded rendering, when most content words are shared and the word
# alignment still covers a fair part of both.
REWORD_OVERLAP = 0.5
REWORD_SHARED = 3
REWORD_RATIO = 0.4


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether two renderings are the same utterance, and how strongly."""

    score: float  # 0..2: above 1 for aligned copies/excerpts, below 1 for rewordings
    strong: bool  # an aligned copy or excerpt, not only a rewording


def verify(a: Words, b: Words, ca: frozenset[str], cb: frozenset[str]) -> Verdict | None:
    """A verdict when ``a`` and ``b`` render the same utterance, else None."""
    short = min(len(a), len(b))
    if short == 0:
        return None
    matched = LCSseq.similarity(a, b)
    cover = matched / short
    if cover >= STRONG_COVER and (matched >= MIN_STRONG_WORDS or matched == len(a) == len(b)):
        return Verdict(1.0 + cover, True)
    shared = len(ca & cb)
    if shared < REWORD_SHARED:
        return None
    overlap = shared / min(len(ca), len(cb))
    ratio = 2 * matched / (len(a) + len(b))
    if overlap >= REWORD_OVERLAP and ratio >= REWORD_RATIO:
        return Verdict(min(0.99, (overlap + ratio) / 2), False)
    return None


def contains(big: Words, small: Words) -> bool:
    """Whether every word of ``small`` appears, in order, in ``big``."""
    return len(small) <= len(big) and LCSseq.similarity(big, small) == len(small)


def diff(ref: Words, words: Words) -> tuple[DiffOp, ...]:
    """Word-level diff of ``words`` against ``ref``, as runs of kept, removed and added words."""
    ops: list[DiffOp] = []
    matcher = SequenceMatcher(None, ref, words, autojunk=False)  # longest runs first: readable
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "delete", "replace") and i2 > i1:
            ops.append(("=" if tag == "equal" else "-", " ".join(ref[i1:i2])))
        if tag in ("insert", "replace") and j2 > j1:
            ops.append(("+", " ".join(words[j1:j2])))
    return tuple(ops)


def find(ref: Words, piece: Words, start: int) -> int:
    """Where ``piece`` occurs contiguously in ``ref`` at or after ``start``, or -1."""
    n = len(piece)
    first = piece[0]
    for i in range(start, len(ref) - n + 1):
        if ref[i] == first and ref[i : i + n] == piece:
            return i
    return -1


def is_excerpt(ref: Words, pieces: tuple[Words, ...]) -> bool:
    """Whether the pieces (a rendering split at its ellipses) occur in ``ref``, in order."""
    at = 0
    for piece in pieces:
        if not piece:
            continue
        found = find(ref, piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return at > 0


def classify(
    ref: Words, words: Words, pieces: tuple[Words, ...]
) -> tuple[RenderingKind, float, tuple[DiffOp, ...]]:
    """Kind, similarity and diff of ``words`` against the reference ``ref``.

    ``pieces`` are the rendering's words split where it shows an ellipsis: an excerpt is a
    run of the reference's words, or several runs in order where it marks the cuts; any other
    difference (a dropped "not", a changed or added word) makes the rendering altered.
    """
    if words == ref:
        return "verbatim", 1.0, (("=", " ".join(ref)),)
    similarity = Indel.normalized_similarity(ref, words)
    kind: RenderingKind = "excerpt" if is_excerpt(ref, pieces) else "altered"
    return kind, similarity, diff(ref, words)
