"""Candidate generation: MinHash signatures computed in bulk with numpy, and banded LSH tables.

Signatures use datasketch's ``affine32`` scheme with its own permutation parameters, so a row
of ``Signer.sign`` equals ``datasketch.MinHash(num_perm, seed, hashfunc=...)`` fed the same
element hashes; computing many at once in numpy is what makes a million quotes affordable.
Two stages share the machinery: word 3-shingles of the normalized text (near-duplicates) and
content-word unigrams blocked per speaker at a low threshold (rewordings and excerpts).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import chain

import numpy as np
from datasketch import MinHash
from numpy.typing import NDArray

U32 = np.uint32
U64 = np.uint64
_MAX_ROWS = 1 << 18  # element rows per numpy chunk: bounds memory at ~rows * num_perm * 4 bytes
_NO_SPEAKER = 0x9E3779B97F4A7C15  # block key for quotes whose speaker is unknown


def fmix32(h: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer (the pre-mix datasketch applies), element-wise."""
    h = h ^ (h >> U32(16))
    h = h * U32(0x85EBCA6B)
    h = h ^ (h >> U32(13))
    h = h * U32(0xC2B2AE35)
    return h ^ (h >> U32(16))


class WordHasher:
    """crc32 of words, cached: a corpus has far fewer distinct words than word occurrences."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self._cache: dict[str, int] = {}
        self.limit = limit  # words kept (setting link_word_cache); later ones are hashed anew

    def __call__(self, word: str) -> int:
        """The 32-bit hash of ``word``."""
        h = self._cache.get(word)
        if h is None:
            h = zlib.crc32(word.encode("utf-8"))
            if len(self._cache) < self.limit:
                self._cache[word] = h
        return h


Flat = tuple[NDArray[np.uint32], NDArray[np.int64]]  # all elements, and how many per set


def flatten(sets: Sequence[Sequence[int]]) -> Flat:
    """Many sets of 32-bit hashes as one array plus per-set counts."""
    counts = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    flat = np.fromiter(chain.from_iterable(sets), dtype=U32, count=int(counts.sum()))
    return flat, counts


def shingles(quotes: Sequence[Sequence[int]], size: int = 3) -> Flat:
    """Hashes of the ``size``-word shingles of many quotes (word hashes in), in one pass.

    A quote shorter than ``size`` words makes one shingle; an empty quote makes none.
    """
    padded = [[*q, *([0] * (size - len(q)))] if 0 < len(q) < size else q for q in quotes]
    flat, lengths = flatten(padded)
    counts = np.maximum(lengths - (size - 1), 0)
    if len(flat) < size:
        return np.zeros(0, dtype=U32), counts
    span = len(flat) - size + 1
    mixed = np.zeros(span, dtype=U32)
    for k in range(size):
        mixed = mixed * U32(0x01000193) + fmix32(flat[k : k + span])
    starts = np.cumsum(lengths) - lengths
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return mixed[np.repeat(starts, counts) + within], counts


class Signer:
    """Bulk MinHash signatures (datasketch affine32 permutations) for sets of 32-bit hashes."""

    def __init__(self, num_perm: int = 64, seed: int = 1) -> None:
        perms = MinHash(num_perm=num_perm, seed=seed).permutations
        self.num_perm = num_perm
        self.a: NDArray[np.uint32] = np.asarray(perms[0], dtype=U32)
        self.b: NDArray[np.uint32] = np.asarray(perms[1], dtype=U32)

    def sign(self, sets: Sequence[Sequence[int]]) -> NDArray[np.uint32]:
        """An (n, num_perm) signature matrix; an empty set gets the all-max signature."""
        return self.sign_flat(*flatten(sets))

    def sign_flat(self, flat: NDArray[np.uint32], counts: NDArray[np.int64]) -> NDArray[np.uint32]:
        """Signatures of sets given flat (see ``flatten``), in chunks that bound memory."""
        out = np.full((len(counts), self.num_perm), np.iinfo(U32).max, dtype=U32)
        ends = np.cumsum(counts)
        start = 0
        while start < len(counts):
            base = int(ends[start] - counts[start])
            stop = max(start + 1, int(np.searchsorted(ends, base + _MAX_ROWS, side="right")))
            chunk = flat[base : int(ends[stop - 1])]
            self._sign_chunk(chunk, counts[start:stop], out[start:stop])
            start = stop
        return out

    def _sign_chunk(
        self, flat: NDArray[np.uint32], counts: NDArray[np.int64], out: NDArray[np.uint32]
    ) -> None:
        nonempty = counts > 0
        if not nonempty.any():
            return
        phv = fmix32(flat)[:, None] * self.a[None, :] + self.b[None, :]
        offsets = (np.cumsum(counts) - counts)[nonempty]
        out[nonempty] = np.minimum.reduceat(phv, offsets, axis=0)


class Bands:
    """Turns signatures into LSH band keys: ``bands`` keys of ``rows`` hash values each."""

    def __init__(self, bands: int, rows: int, salt: int) -> None:
        rng = np.random.default_rng(salt)
        self.bands, self.rows = bands, rows
        self._mult = rng.integers(1, 1 << 62, size=rows, dtype=np.int64).astype(U64) | U64(1)
        self._band_salt = rng.integers(1, 1 << 62, size=bands, dtype=np.int64).astype(U64)

    def keys(self, sig: NDArray[np.uint32], blocks: NDArray[np.uint64] | None = None) -> list[list[int]]:
        """Band keys per signature row, salted per band and, when given, per block (speaker)."""
        width = self.bands * self.rows
        parts = sig[:, :width].astype(U64).reshape(len(sig), self.bands, self.rows)
        keys = (parts * self._mult[None, None, :]).sum(axis=2, dtype=U64) ^ self._band_salt[None, :]
        if blocks is not None:
            keys = keys ^ (blocks[:, None] * U64(0xBF58476D1CE4E5B9))
        return keys.tolist()  # type: ignore[no-any-return]


def speaker_blocks(speakers: Sequence[int | None]) -> NDArray[np.uint64]:
    """Per-quote block salts for ``Bands.keys``: one per speaker id, one more for unknown."""
    vals = [_NO_SPEAKER if s is None else (s * 2 + 1) & 0xFFFFFFFFFFFFFFFF for s in speakers]
    return np.asarray(vals, dtype=U64)


class BandIndex:
    """LSH hash tables: band key -> up to ``cap`` quote ids (an int when there is just one)."""

    def __init__(self, cap: int = 4) -> None:
        self.cap = cap
        self._table: dict[int, int | list[int]] = {}

    def __len__(self) -> int:
        return len(self._table)

    def query(self, keys: Sequence[int]) -> set[int]:
        """Quote ids sharing at least one band key with ``keys``."""
        found: set[int] = set()
        table = self._table
        for key in keys:
            hit = table.get(key)
            if hit is None:
                continue
            if isinstance(hit, int):
                found.add(hit)
            else:
                found.update(hit)
        return found

    def insert(self, keys: Sequence[int], quote_id: int, *, extend: bool,
               log: list[int] | None = None) -> None:
        """Index ``quote_id`` under unused keys; with ``extend``, under used keys too.

        ``log`` collects the keys it was filed under (what a store-backed table must add).
        """
        table = self._table
        for key in keys:
            hit = table.get(key)
            if hit is None:
                table[key] = quote_id
            elif not extend:
                continue
            elif isinstance(hit, int):
                table[key] = [hit, quote_id]
            elif len(hit) < self.cap:
                hit.append(quote_id)
            else:
                continue
            if log is not None:
                log.append(key)

    def fill(self, rows: dict[int, list[int]]) -> None:
        """Take in stored rows: key -> the ids filed under it (a store-backed table's read)."""
        for key, ids in rows.items():
            self._table[key] = ids[0] if len(ids) == 1 else list(ids[: self.cap])
