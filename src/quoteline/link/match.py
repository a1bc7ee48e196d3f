"""Verification and classification: word alignment of a rendering against another."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz.distance import Indel, LCSseq, Levenshtein

from quoteline.link.normalize import leading_words
from quoteline.link.types import DiffOp, RenderingKind, Severity

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
# ... or, for a short sentence with a phrase reworded ("crossed the line" for "was out of
# line"), when most of its words still align in order and two content words are shared.
CLOSE_COVER = 0.7
CLOSE_WORDS = 6
CLOSE_SHARED = 2
MINOR_EDITS = 2  # an altered rendering this few words from the reference is a minor change
NAME_VARIANT_LEN = 6  # names this long that differ in one letter are spellings of one name


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether two renderings are the same utterance, and how strongly."""

    score: float  # 0..2: above 1 for aligned copies/excerpts, below 1 for rewordings
    strong: bool  # an aligned copy or excerpt, not only a rewording
    exact: bool = False  # one is a word-for-word copy or contiguous run of the other
    matched: int = 0  # words aligned in order
    cover: float = 0.0  # share of the shorter rendering's words aligned


def verify(a: Words, b: Words, ca: frozenset[str], cb: frozenset[str]) -> Verdict | None:
    """A verdict when ``a`` and ``b`` render the same utterance, else None."""
    short = min(len(a), len(b))
    if short == 0:
        return None
    matched = LCSseq.similarity(a, b)
    cover = matched / short
    if cover >= STRONG_COVER and (matched >= MIN_STRONG_WORDS or matched == len(a) == len(b)):
        exact = matched == short and (is_excerpt(a, (b,)) if len(a) >= len(b) else is_excerpt(b, (a,)))
        return Verdict(1.0 + cover, True, exact, matched, cover)
    shared = len(ca & cb)
    close = cover >= CLOSE_COVER and matched >= CLOSE_WORDS and shared >= CLOSE_SHARED
    if shared < REWORD_SHARED and not close:
        return None
    overlap = shared / min(len(ca), len(cb))
    ratio = 2 * matched / (len(a) + len(b))
    if close or (overlap >= REWORD_OVERLAP and ratio >= REWORD_RATIO):
        return Verdict(min(0.99, (overlap + ratio) / 2), False, False, matched, cover)
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


def one_word_swapped(ref: Words, words: Words, min_words: int = MIN_STRONG_WORDS) -> bool:
    """Whether ``words`` (at least ``min_words``) is a run of ``ref`` with one word swapped."""
    n = len(words)
    if n < min_words:
        return False
    return any(sum(a != b for a, b in zip(ref[i:i + n], words, strict=True)) == 1
               for i in range(len(ref) - n + 1))


def spread_within(ref: Words, words: Words, run: int) -> bool:
    """Whether ``words`` occur in ``ref`` in order within a run of at most ``run`` words."""
    if not words:
        return False
    for start, word in enumerate(ref):
        if word != words[0]:
            continue
        i = 1
        for at in range(start + 1, min(len(ref), start + run)):
            if i == len(words):
                break
            i += ref[at] == words[i]
        if i == len(words):
            return True
    return False


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


def excerpt_of(ref: Words, pieces: tuple[Words, ...], cut: bool = False) -> bool:
    """``is_excerpt``, or with ``cut`` (the rendering's text stops mid-word: a page cut off)
    also when its last word is the start of the reference's word there ("challe")."""
    if is_excerpt(ref, pieces):
        return True
    if not cut or not pieces or not pieces[-1]:
        return False
    head, last = pieces[-1][:-1], pieces[-1][-1]
    return any(is_excerpt(ref, (*pieces[:-1], (*head, word)))
               for word in dict.fromkeys(ref) if len(word) > len(last) and word.startswith(last))


def classify(
    ref: Words, words: Words, pieces: tuple[Words, ...], cut: bool = False
) -> tuple[RenderingKind, float, tuple[DiffOp, ...]]:
    """Kind, similarity and diff of ``words`` against the reference ``ref``.

    ``pieces`` are the rendering's words split where it shows an ellipsis: an excerpt is a
    run of the reference's words, or several runs in order where it marks the cuts; any other
    difference (a dropped "not", a changed or added word) makes the rendering altered. A
    leading so/and/but that one side has and the other lacks is not a difference, nor a last
    word cut off by the end of a page (``cut``).
    """
    if words == ref:
        return "verbatim", 1.0, (("=", " ".join(ref)),)
    similarity = Indel.normalized_similarity(ref, words)
    if excerpt_of(ref, pieces, cut):
        return "excerpt", similarity, diff(ref, words)
    bare_ref, bare = unlead(ref), unlead(words)
    if bare == bare_ref:
        return "verbatim", 1.0, (("=", " ".join(ref)),)
    if bare != words and excerpt_of(bare_ref, (bare, *pieces[1:]) if len(pieces) > 1 else (bare,),
                                    cut):
        return "excerpt", similarity, diff(ref, words)
    return "altered", similarity, diff(ref, words)


def unlead(words: Words) -> Words:
    """``words`` without a leading so/and/but (which never makes a rendering different)."""
    return words[1:] if len(words) > 1 and words[0] in leading_words() else words


def severity(diff_ops: tuple[DiffOp, ...]) -> Severity:
    """``minor`` when at most MINOR_EDITS words are changed, added or dropped inside the run of
    the reference the rendering covers (words cut at its ends make an excerpt, not a change),
    else ``major``; from the word diff ``classify`` made."""
    ops = list(diff_ops)
    while ops and ops[0][0] == "-":
        ops.pop(0)
    while ops and ops[-1][0] == "-":
        ops.pop()
    added = sum(len(w.split()) for op, w in ops if op == "+")
    dropped = sum(len(w.split()) for op, w in ops if op == "-")
    return "minor" if max(added, dropped) <= MINOR_EDITS else "major"


def unify_names(words: Words, ref: Words, names: frozenset[str]) -> Words:
    """``words`` with each name (a word in ``names``) spelt as the reference spells it when the
    two differ in one letter ("zelensky" / "zelenskyy"): spelling variants are not changes."""
    if not names:
        return words
    ref_set = set(ref)
    out = list(words)
    for i, w in enumerate(words):
        if w in ref_set or w not in names or len(w) < NAME_VARIANT_LEN:
            continue
        near = [r for r in ref_set if r in names and Levenshtein.distance(w, r, score_cutoff=1) <= 1]
        if len(near) == 1:
            out[i] = near[0]
    return tuple(out)
