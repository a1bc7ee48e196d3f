"""The incremental linker: stored quotes in (``load``), new quotes assigned to clusters (``add``).

Rules, in short (docs for the store engineer):

* Every quote belongs to exactly one cluster; a quote that matches nothing is a size-1 cluster.
* Candidates come from two LSH stages (word 3-shingles; content words blocked per speaker);
  each candidate cluster is verified by word alignment against the candidate quote and the
  cluster's fullest rendering (``match.verify``). Short fragments ("deeply troubling") are
  matched by scanning the same speaker's clusters instead (``fragments``).
* Speakers: two different known ``speaker_id`` never share a cluster. A quote with an unknown
  speaker (None) joins a known speaker's cluster only on a strong (copy or excerpt) match.
* Merges: when a new quote strongly matches several clusters (a full quote arriving after two
  disjoint excerpts), they merge into the one with the **lowest id**; the other ids are listed
  in ``LinkUpdate.removed`` (only ids that existed before the call) and their quotes now belong
  to the survivor, which is returned whole in ``LinkUpdate.clusters``.
* Cluster ids are allocated from ``max(loaded ids) + 1`` upwards and never reused by a Linker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from quoteline.link.candidates import (
    BandIndex,
    Bands,
    Signer,
    WordHasher,
    shingles,
    speaker_blocks,
)
from quoteline.link.fragments import FragmentIndex, is_fragment
from quoteline.link.match import Verdict, Words, classify, contains, verify
from quoteline.link.normalize import content_words, quoted_words_only, split_ellipses, tokens
from quoteline.link.types import ClusterInfo, LinkUpdate, QuoteRecord, Rendering

CHUNK = 20_000  # quotes featurized at once: bounds the memory band keys take
MEMO_MIN_SIZE = 8  # clusters this big keep their renderings between adds
MAX_TARGETS = 3  # quotes per candidate cluster checked by alignment
_LATEST = dt.date.max


@dataclass(frozen=True, slots=True)
class Analysis:
    """A rendering's normalized words, content-word stems, and its words split at ellipses."""

    words: Words
    content: frozenset[str]
    pieces: tuple[Words, ...]


def analyse(text: str) -> Analysis:
    """Normalize ``text`` for linking (of a mixed quote, only its quoted fragments count)."""
    text = quoted_words_only(text)
    words = tokens(text)
    parts = split_ellipses(text)
    pieces = (words,) if len(parts) == 1 else tuple(tokens(p) for p in parts)
    return Analysis(words, content_words(words), pieces)


@dataclass(slots=True)
class _Cluster:
    members: list[int]
    speaker: int | None
    longest: int
    longest_len: int


class Linker:
    """Assigns quotes to clusters of renderings of one utterance, incrementally."""

    def __init__(self, *, num_perm: int = 64, seed: int = 1, cache_size: int = 1 << 17) -> None:
        if num_perm < 64:
            raise ValueError("num_perm must be at least 64 (16 bands of 4 rows)")
        self._signer = Signer(num_perm, seed)
        self._word_bands = Bands(16, 4, salt=seed * 7 + 1)  # Jaccard threshold ~0.5
        self._content_bands = Bands(16, 2, salt=seed * 7 + 2)  # ~0.25, per speaker
        self._word_index = BandIndex()
        self._content_index = BandIndex()
        self._hash = WordHasher()
        self._an = lru_cache(maxsize=cache_size)(analyse)
        self._records: dict[int, QuoteRecord] = {}
        self._cluster_of: dict[int, int] = {}
        self._clusters: dict[int, _Cluster] = {}
        self._next_id = 1
        self._pending: list[QuoteRecord] = []
        self._fragments = FragmentIndex()
        # quote id -> (reference id, rendering) for members of big clusters, so that a cluster
        # growing one quote at a time is not re-classified whole on every add.
        self._rendered: dict[int, tuple[int, Rendering]] = {}

    def __len__(self) -> int:
        return len(self._records)

    # ------------------------------------------------------------------ public API
    def load(self, existing: Iterable[tuple[QuoteRecord, int | None]]) -> None:
        """Index stored quotes with their stored cluster ids (no re-linking).

        A quote stored without a cluster id (None) is kept aside and linked by the next ``add``.
        """
        it = iter(existing)
        while batch := list(islice(it, CHUNK)):
            self._pending.extend(rec for rec, cid in batch if cid is None)
            chunk = [(rec, cid) for rec, cid in batch if cid is not None]
            keys = self.features([rec for rec, _ in chunk])
            for (rec, cid), (wk, ck) in zip(chunk, keys, strict=True):
                fresh = cid not in self._clusters
                self._attach(rec, cid)
                self._index(rec.quote_id, wk, ck, extend=fresh)
                self._next_id = max(self._next_id, cid + 1)

    def add(self, new: Iterable[QuoteRecord]) -> LinkUpdate:
        """Link new quotes; return every cluster they touched, whole, and merged-away ids."""
        pending, self._pending = self._pending, []
        fresh = {r.quote_id: r for r in (*pending, *new) if r.quote_id not in self._records}
        order = sorted(fresh.values(), key=self._order_key)
        touched: set[int] = set()
        removed: set[int] = set()
        first_new = self._next_id
        for start in range(0, len(order), CHUNK):
            chunk = order[start : start + CHUNK]
            for rec, (wk, ck) in zip(chunk, self.features(chunk), strict=True):
                self._place(rec, wk, ck, touched, removed)
        clusters = {cid: self.info(cid) for cid in sorted(touched)}
        return LinkUpdate(clusters=clusters, removed={c for c in removed if c < first_new})

    def block_keys(self, records: list[QuoteRecord]) -> list[list[tuple[int, int]]]:
        """Per quote, every (stage, key) through which it can meet another quote.

        Quotes that share no key, even transitively, never influence each other's clusters,
        so linking each connected block alone gives the single-run result (the Spark job).
        Stage 0/1: word and content LSH band keys; 2: the known speaker (fragment scans).
        """
        out = []
        for rec, (wk, ck) in zip(records, self.features(records), strict=True):
            keys = [(0, k) for k in wk] + [(1, k) for k in ck]
            if rec.speaker_id is not None:
                keys.append((2, rec.speaker_id))
            out.append(keys)
        return out

    def cluster_of(self, quote_id: int) -> int | None:
        """The cluster id of a known quote, or None."""
        return self._cluster_of.get(quote_id)

    def cluster_ids(self) -> list[int]:
        """Every cluster id, ascending."""
        return sorted(self._clusters)

    def info(self, cluster_id: int) -> ClusterInfo:
        """One cluster, whole: reference, first report and every rendering classified."""
        cluster = self._clusters[cluster_id]
        members = [self._records[q] for q in cluster.members]
        ref = self._reference(members)
        first = min(_reports(members), key=_date_key)
        ref_an = self._an(ref.text)
        memo = len(members) >= MEMO_MIN_SIZE
        renderings = [self._render_memo(ref, ref_an, m) if memo else self._render(ref, ref_an, m)
                      for m in sorted(members, key=_date_key)]
        return ClusterInfo(
            cluster_id=cluster_id,
            reference_id=ref.quote_id,
            first_outlet=first.outlet,
            first_published=first.published,
            speaker_id=cluster.speaker,
            renderings=tuple(renderings),
        )

    # ------------------------------------------------------------------ features
    def _order_key(self, rec: QuoteRecord) -> tuple[int, dt.date, int]:
        # Fullest first, so excerpts and copies find the full quote already placed.
        return (-len(self._an(rec.text).words), rec.published or _LATEST, rec.quote_id)

    def features(self, recs: list[QuoteRecord]) -> list[tuple[list[int], list[int]]]:
        h = self._hash
        ans = [self._an(r.text) for r in recs]
        flat, counts = shingles([[h(w) for w in a.words] for a in ans])
        contents = [[h(c) for c in a.content] for a in ans]
        wkeys = self._word_bands.keys(self._signer.sign_flat(flat, counts))
        blocks = speaker_blocks([r.speaker_id for r in recs])
        ckeys = self._content_bands.keys(self._signer.sign(contents), blocks)
        return [
            (wk if n else [], ck if c else [])
            for wk, ck, n, c in zip(wkeys, ckeys, counts.tolist(), contents, strict=True)
        ]

    def _index(self, quote_id: int, wk: list[int], ck: list[int], *, extend: bool) -> None:
        self._word_index.insert(wk, quote_id, extend=extend)
        self._content_index.insert(ck, quote_id, extend=extend)

    # ------------------------------------------------------------------ placing one quote
    def _place(
        self, rec: QuoteRecord, wk: list[int], ck: list[int], touched: set[int], removed: set[int]
    ) -> None:
        an = self._an(rec.text)
        candidates = self._word_index.query(wk) | self._content_index.query(ck)
        matches = self._verify(rec, an, candidates)
        if not matches or not is_fragment(an.words, an.content):
            matches += self._fragment_matches(rec.speaker_id, an)
        if matches:
            cid = self._join(rec.speaker_id, matches, touched, removed)
        else:
            cid = self._next_id
            self._next_id += 1
        extend = cid not in self._clusters
        self._attach(rec, cid)
        self._index(rec.quote_id, wk, ck, extend=extend)
        touched.add(cid)

    def _verify(self, rec: QuoteRecord, an: Analysis, candidates: set[int]) -> list[tuple[Verdict, int]]:
        by_cluster: dict[int, list[int]] = {}
        for qid in sorted(candidates):
            targets = by_cluster.setdefault(self._cluster_of[qid], [])
            if len(targets) < MAX_TARGETS:
                targets.append(qid)
        found: list[tuple[Verdict, int]] = []
        for cid, targets in by_cluster.items():
            cluster = self._clusters[cid]
            verdict = self._best(an, [cluster.longest, *targets])
            if verdict and _speakers_agree(rec.speaker_id, cluster.speaker, verdict.strong):
                found.append((verdict, cid))
        found.sort(key=lambda vc: (-vc[0].score, vc[1]))
        return found

    def _fragment_matches(self, speaker: int | None, an: Analysis) -> list[tuple[Verdict, int]]:
        """Clusters of the same known speaker that a short fragment belongs to, or whose
        fragments this quote contains: LSH cannot see a two-word excerpt of a long quote."""
        if speaker is None:
            return []
        if is_fragment(an.words, an.content):
            home = self._fragments.home(speaker, an.pieces, an.content, self._longest)
            return [(Verdict(1.5, True), home)] if home is not None else []
        inside = self._fragments.inside(speaker, an.words, an.content, self._longest)
        return [(Verdict(1.5, True), cid) for cid in inside]

    def _longest(self, cid: int) -> tuple[Words, frozenset[str]] | None:
        cluster = self._clusters.get(cid)
        if cluster is None:
            return None
        an = self._an(self._records[cluster.longest].text)
        return an.words, an.content

    def _best(self, an: Analysis, targets: list[int]) -> Verdict | None:
        best: Verdict | None = None
        for qid in dict.fromkeys(targets):
            other = self._an(self._records[qid].text)
            verdict = verify(an.words, other.words, an.content, other.content)
            if verdict and (best is None or verdict.score > best.score):
                best = verdict
        return best

    def _join(
        self,
        speaker: int | None,
        matches: list[tuple[Verdict, int]],
        touched: set[int],
        removed: set[int],
    ) -> int:
        group = [matches[0][1]]
        known = speaker if speaker is not None else self._clusters[group[0]].speaker
        for verdict, cid in matches[1:]:
            if cid in group:
                continue
            other = self._clusters[cid].speaker
            if verdict.strong and (other is None or known is None or other == known):
                group.append(cid)
                known = known if known is not None else other
        survivor = min(group)
        for cid in group:
            if cid != survivor:
                self._merge(survivor, cid)
                removed.add(cid)
                touched.discard(cid)
        return survivor

    def _merge(self, survivor: int, gone: int) -> None:
        into, old = self._clusters[survivor], self._clusters.pop(gone)
        for qid in old.members:
            self._cluster_of[qid] = survivor
        into.members.extend(old.members)
        if into.speaker is None:
            into.speaker = old.speaker
        if old.longest_len > into.longest_len:
            into.longest, into.longest_len = old.longest, old.longest_len

    def _attach(self, rec: QuoteRecord, cid: int) -> None:
        an = self._an(rec.text)
        size = len(an.words)
        self._records[rec.quote_id] = rec
        self._cluster_of[rec.quote_id] = cid
        cluster = self._clusters.get(cid)
        if cluster is None:
            self._clusters[cid] = _Cluster([rec.quote_id], rec.speaker_id, rec.quote_id, size)
            self._fragments.register(rec.speaker_id, cid, is_fragment(an.words, an.content))
            return
        cluster.members.append(rec.quote_id)
        if cluster.speaker is None:
            cluster.speaker = rec.speaker_id
        if size > cluster.longest_len:
            cluster.longest, cluster.longest_len = rec.quote_id, size

    # ------------------------------------------------------------------ reference and renderings
    def _reference(self, members: list[QuoteRecord]) -> QuoteRecord:
        """Transcript if any; else the earliest report (fullest among equals).

        When a later rendering contains the earliest one as an excerpt, the earliest of those
        fuller renderings serves instead: an excerpt cannot be the yardstick for the full quote.
        """
        transcripts = [m for m in members if m.is_transcript]
        quoted = [m for m in members if m.quote_kind != "indirect"]
        pool = transcripts or quoted or members
        ref = min(pool, key=self._ref_key)
        ref_words = self._an(ref.text).words
        fuller = [
            m
            for m in pool
            if len(self._an(m.text).words) > len(ref_words) and contains(self._an(m.text).words, ref_words)
        ]
        return min(fuller, key=self._ref_key) if fuller else ref

    def _ref_key(self, rec: QuoteRecord) -> tuple[dt.date, int, int]:
        return (rec.published or _LATEST, -len(self._an(rec.text).words), rec.quote_id)

    def _render_memo(self, ref: QuoteRecord, ref_an: Analysis, rec: QuoteRecord) -> Rendering:
        known = self._rendered.get(rec.quote_id)
        if known is not None and known[0] == ref.quote_id:
            return known[1]
        rendering = self._render(ref, ref_an, rec)
        self._rendered[rec.quote_id] = (ref.quote_id, rendering)
        return rendering

    def _render(self, ref: QuoteRecord, ref_an: Analysis, rec: QuoteRecord) -> Rendering:
        if rec.quote_id == ref.quote_id:
            return Rendering(rec.quote_id, "reference", 1.0)
        an = self._an(rec.text)
        kind, similarity, ops = classify(ref_an.words, an.words, an.pieces)
        if kind == "altered" and rec.quote_kind == "indirect":
            kind = "paraphrase"
        return Rendering(rec.quote_id, kind, round(similarity, 4), ops)


def _speakers_agree(quote: int | None, cluster: int | None, strong: bool) -> bool:
    if quote is not None and cluster is not None:
        return quote == cluster
    if quote is None and cluster is None:
        return True
    return strong  # an unknown speaker joins a known one only on a copy or excerpt


def _date_key(rec: QuoteRecord) -> tuple[dt.date, int]:
    return (rec.published or _LATEST, rec.quote_id)


def _reports(members: list[QuoteRecord]) -> list[QuoteRecord]:
    outlets = [m for m in members if not m.is_transcript]
    return outlets or members


def link_quotes(records: Iterable[QuoteRecord], **options: int) -> dict[int, ClusterInfo]:
    """Link a whole set of quotes at once: cluster id -> cluster (options go to ``Linker``)."""
    return Linker(**options).add(records).clusters


def iter_clusters(linker: Linker) -> Iterator[ClusterInfo]:
    """Every cluster a linker holds, in id order."""
    for cid in linker.cluster_ids():
        yield linker.info(cid)
