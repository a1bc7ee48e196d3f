"""Article fingerprints: a content hash for identical copies, MinHash LSH for near-identical ones."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
NUM_PERM = 32
BANDS, ROWS = 8, 4  # 8 bands of 4 rows: pairs with Jaccard 0.8 become candidates 98% of the time
NEAR_JACCARD = 0.8  # word 3-shingle overlap that makes a candidate a near-identical copy
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240601)  # fixed: signatures must be stable across runs
_A = _rng.integers(1, 1 << 32, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 1 << 32, NUM_PERM, dtype=np.uint64)


def content_hash(text: str) -> str:
    """SHA-256 of the text with whitespace runs folded (re-wrapped copies hash the same)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def shingles(text: str, n: int = 3) -> set[int]:
    """Stable 32-bit hashes of the word n-grams of ``text`` (case-folded)."""
    words = _WORD.findall(text.casefold())
    if len(words) < n:
        words += [""] * (n - len(words))
    grams = (" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "big")
            for g in grams}


def minhash(hashes: Iterable[int]) -> bytes:
    """A MinHash signature (NUM_PERM 32-bit values) of a set of 32-bit shingle hashes."""
    x = np.fromiter(hashes, dtype=np.uint64)
    if x.size == 0:
        return b""
    values = ((x[:, None] * _A[None, :]) % _PRIME + _B[None, :]) % _PRIME
    return bytes((values.min(axis=0) & np.uint64(0xFFFFFFFF)).astype(">u4").tobytes())


def jaccard(a: set[int], b: set[int]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


class NearIndex:
    """MinHash LSH over original articles: candidates for near-identical copies."""

    def __init__(self) -> None:
        self._bands: list[defaultdict[bytes, list[int]]] = [defaultdict(list)
                                                            for _ in range(BANDS)]
        self._sigs: dict[int, bytes] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def add(self, article_row: int, sig: bytes) -> None:
        """Index an original article by its signature."""
        if len(sig) != NUM_PERM * 4:
            return
        self._sigs[article_row] = sig
        for i, key in enumerate(_bands(sig)):
            self._bands[i][key].append(article_row)

    def candidates(self, sig: bytes, min_estimate: float = NEAR_JACCARD - 0.2) -> list[int]:
        """Indexed articles sharing a band with ``sig`` whose estimated Jaccard is high enough.

        The signature estimate is cheap; only these candidates get the exact (text) check.
        """
        if len(sig) != NUM_PERM * 4:
            return []
        seen: set[int] = set()
        for i, key in enumerate(_bands(sig)):
            seen.update(self._bands[i].get(key, ()))
        scored = [(estimate(sig, self._sigs[row]), row) for row in seen]
        return [row for est, row in sorted(scored, key=lambda t: (-t[0], t[1]))
                if est >= min_estimate]


def estimate(a: bytes, b: bytes) -> float:
    """Jaccard estimated from two MinHash signatures (share of equal values)."""
    same = sum(a[i:i + 4] == b[i:i + 4] for i in range(0, NUM_PERM * 4, 4))
    return same / NUM_PERM


def _bands(sig: bytes) -> list[bytes]:
    width = ROWS * 4
    return [sig[i * width:(i + 1) * width] for i in range(BANDS)]
