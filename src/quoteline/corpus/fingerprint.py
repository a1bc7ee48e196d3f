"""Article fingerprints: a content hash for identical copies, MinHash LSH for near-identical ones.

The MinHash and LSH machinery is the linker's (``quoteline.link.lsh``): one implementation
for quotes and articles alike. An article's signature is stored as NUM_PERM big-endian 32-bit
values; an empty signature (a store from before this scheme, see migration 0003) is
recomputed from the article's text when the store's band table catches up.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache

import numpy as np

from quoteline.link.lsh import Bands, Signer, WordHasher, shingles
from quoteline.store import Store
from quoteline.store.link_index import link_lock

_WORD = re.compile(r"\w+", re.UNICODE)
NUM_PERM = 64  # the Signer's minimum; only the first BANDS * ROWS values make band keys
BANDS, ROWS = 8, 4  # 8 bands of 4 rows: pairs with Jaccard 0.8 become candidates 98% of the time
NEAR_JACCARD = 0.8  # word 3-shingle overlap that makes a candidate a near-identical copy
SIG_BYTES = NUM_PERM * 4
_SEED = 20240601  # fixed: signatures must be stable across runs


def content_hash(text: str) -> str:
    """SHA-256 of the text with whitespace runs folded (re-wrapped copies hash the same)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@cache
def _tools() -> tuple[Signer, Bands, WordHasher]:
    return Signer(NUM_PERM, _SEED), Bands(BANDS, ROWS, salt=_SEED), WordHasher()


def article_shingles(text: str) -> set[int]:
    """32-bit hashes of the word 3-grams of ``text`` (case-folded)."""
    hasher = _tools()[2]
    words = [hasher(w) for w in _WORD.findall(text.casefold())]
    flat, _ = shingles([words])
    return set(flat.tolist())


def minhash(hashes: set[int]) -> bytes:
    """A MinHash signature (NUM_PERM 32-bit values) of a set of shingle hashes; b"" if empty."""
    if not hashes:
        return b""
    sig = _tools()[0].sign([sorted(hashes)])[0]
    return bytes(sig.astype(">u4").tobytes())


def jaccard(a: set[int], b: set[int]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def estimate(a: bytes, b: bytes) -> float:
    """Jaccard estimated from two MinHash signatures (share of equal values)."""
    x = np.frombuffer(a, dtype=">u4")
    y = np.frombuffer(b, dtype=">u4")
    return float((x == y).mean())


class NearIndex:
    """MinHash LSH over the store's original articles: candidates for near-identical copies.

    The band table lives in the store (``article_bands``), read by the bands of the article
    in hand, so nothing is loaded up front.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def catch_up(self, chunk: int = 500) -> int:
        """File originals that have no band rows yet (stores from before version 7; an empty
        signature, from before the shared MinHash scheme, is recomputed from the text)."""
        done = 0
        while True:
            with self.store.transaction():
                link_lock(self.store.db)
                rows = self.store.unbanded_articles(chunk)
                for row, sig in rows:
                    if not sig:
                        sig = minhash(article_shingles(self.store.article_text(row) or ""))
                        self.store.set_fingerprint(row, sig)
                    self.add(row, sig)
            if not rows:
                return done
            done += len(rows)

    def add(self, article_row: int, sig: bytes) -> None:
        """Index an original article by its signature (one without a signature is noted)."""
        self.store.file_article_bands(article_row, bands(sig) if len(sig) == SIG_BYTES else [])

    def candidates(self, sig: bytes, min_estimate: float = NEAR_JACCARD - 0.2) -> list[int]:
        """Stored originals sharing a band with ``sig`` whose estimated Jaccard is high enough.

        The signature estimate is cheap; only these candidates get the exact (text) check.
        """
        if len(sig) != SIG_BYTES:
            return []
        scored = [(estimate(sig, other), row) for row, other in self.store.near_articles(bands(sig))
                  if len(other) == SIG_BYTES]
        return [row for est, row in sorted(scored, key=lambda t: (-t[0], t[1]))
                if est >= min_estimate]


def bands(sig: bytes) -> list[int]:
    """The LSH band keys of an article signature."""
    values = np.frombuffer(sig, dtype=">u4").astype(np.uint32)[None, :]
    return _tools()[1].keys(values)[0]
