"""The incremental linker: stored units in (``load``), new units assigned to clusters (``add``).

Rules, in short (docs for the store engineer):

* Linking works on utterance units (``quoteline.link.units``: each sentence of a quote);
  every unit belongs to exactly one cluster; one that matches nothing is a size-1 cluster.
* Candidates come from two LSH stages (word 3-shingles; content words blocked per speaker);
  each candidate cluster is verified by word alignment against the candidate unit and the
  cluster's fullest rendering (``match.verify``). Short fragments ("deeply troubling") are
  matched by scanning the same speaker's clusters instead (``fragments``). Where the words
  alone are weak evidence, an optional semantic model decides (``semantic``).
* Speakers: a cluster is one utterance by one speaker. A unit of another known speaker joins
  it only when its words match strongly (a copy or long excerpt): that is a misattribution,
  recorded on the rendering (``attributed_to``), never a reason to split the utterance. A
  unit with an unknown speaker joins a known speaker's cluster only on a strong match.
* Dates: a reworded match must be close in time to the cluster; a strong but inexact one
  within a few months; only an exact copy or excerpt joins across years (the same phrases
  said again a year later are another utterance, a re-quote of the old one is not).
* Merges: when a new unit strongly matches several clusters whose fullest renderings it
  holds (a full sentence arriving after two disjoint excerpts), they merge into the one with
  the **lowest id**; the other ids are listed in ``LinkUpdate.removed`` (only ids that existed
  before the call) and their units now belong to the survivor, returned whole.
* Cluster ids are allocated from ``max(loaded ids) + 1`` upwards and never reused by a Linker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from quoteline.link.fragments import FragmentIndex, is_fragment, is_phrase, is_scare, is_short
from quoteline.link.lsh import (
    BandIndex,
    Bands,
    Signer,
    WordHasher,
    shingles,
    speaker_blocks,
)
from quoteline.link.match import (
    Verdict,
    Words,
    contains,
    one_word_swapped,
    spread_within,
    verify,
)
from quoteline.link.normalize import (
    content_words,
    drop_brackets,
    quoted_words_only,
    split_ellipses,
    tokens,
)
from quoteline.link.renderings import Analysis, reference, render
from quoteline.link.semantic import Semantic
from quoteline.link.state import Cluster, IndexChanges, LinkSource, StoredCluster, day_of
from quoteline.link.types import ClusterInfo, LinkUpdate, QuoteRecord, Rendering
from quoteline.link.units import is_sentence
from quoteline.settings import get_int

CHUNK = 20_000  # units featurized at once: bounds the memory band keys take
MEMO_MIN_SIZE = 8  # clusters this big keep their renderings between adds
MAX_TARGETS = 3  # units per candidate cluster checked by alignment
MISATTRIBUTED_MIN_WORDS = 8  # words that must align before a match overrides the speaker
MISATTRIBUTED_COVER = 0.9
MERGE_COVER = 0.85  # share of a cluster's fullest rendering a unit must hold to merge it in
SIBLING_SCAN = 64  # a cluster's most recent units looked at for another sentence of an article
# The semantic model is asked only where the words are weak evidence, not absent: a unit that
# matched nothing by its words, against clusters of its speaker near its date that share a
# good part of its content words. That keeps it to a small share of units (bench/ingest_speed).
NEAR_COVER = 0.8  # the verdict's cover for a short unit with one word swapped
SPREAD_RUN = 3  # a short unit's words may lie spread over this many times as many words
SEMANTIC_SCAN = 20  # a speaker's most recent clusters looked at for a reworded unit
UNNAMED_SCAN = 200  # ... for a unit whose speaker its outlet did not name (see _unnamed)
SEMANTIC_MIN_SHARED = 2  # content words a cluster must share with it to be embedded ...
SEMANTIC_OVERLAP = 0.4  # ... and this share of the smaller content-word set
SEMANTIC_CANDIDATES = 3  # of those, the ones sharing the most are compared by the model
_LATEST = dt.date.max


def analyse(text: str) -> Analysis:
    """Normalize ``text`` for linking (of a mixed quote, only its quoted fragments count;
    editorial insertions in brackets never count)."""
    text = drop_brackets(quoted_words_only(text))
    words = tokens(text)
    parts = split_ellipses(text)
    pieces = (words,) if len(parts) == 1 else tuple(tokens(p) for p in parts)
    return Analysis(words, content_words(words), pieces, text.rstrip()[-1:].isalnum())


@dataclass(frozen=True, slots=True)
class _Match:
    verdict: Verdict
    cluster: int


class Linker:
    """Assigns units to clusters of renderings of one utterance, incrementally.

    Without a ``source`` everything lives in memory (``load`` takes in stored units). With
    one (``quoteline.link.state.LinkSource``), the linker reads from the store only what the
    units in hand can reach, batch by batch (``begin``), and hands its changes to the lookup
    tables back (``take_changes``): memory stays bounded by the batch, not the store.
    """

    def __init__(self, *, num_perm: int = 64, seed: int = 1, cache_size: int | None = None,
                 semantic: Semantic | None = None, source: LinkSource | None = None) -> None:
        if num_perm < 64:
            raise ValueError("num_perm must be at least 64 (16 bands of 4 rows)")
        self._signer = Signer(num_perm, seed)
        self._word_bands = Bands(16, 4, salt=seed * 7 + 1)  # Jaccard threshold ~0.5
        self._content_bands = Bands(16, 2, salt=seed * 7 + 2)  # ~0.25, per speaker
        self._hash = WordHasher(get_int("link_word_cache"))
        self._an = lru_cache(maxsize=cache_size or get_int("link_analysis_cache"))(analyse)
        self._source = source
        self._named: dict[str, list[int]] = {}  # article -> speakers its units in this add name
        self._semantic = semantic
        self._reword_days = get_int("link_reword_days")
        self._inexact_days = get_int("link_inexact_days")
        self._cache_limit = get_int("link_cache_units")
        # unit id -> (reference id, speaker, rendering) for members of big clusters, so that a
        # cluster growing one unit at a time is not re-classified whole on every add.
        self._rendered: dict[int, tuple[int, int | None, int | None, Rendering]] = {}
        self._render_limit = get_int("link_render_cache")
        self._next_id = 1
        self._pending: list[QuoteRecord] = []
        self._phrases: list[tuple[int, int]] = []  # (unit, phrase cluster it holds), this add
        self._forget()

    def __len__(self) -> int:
        return len(self._records)

    def _forget(self) -> None:
        """Start with no state (in memory) or none read yet (store-backed)."""
        self._records: dict[int, QuoteRecord] = {}
        self._cluster_of: dict[int, int] = {}
        self._clusters: dict[int, Cluster] = {}
        self._word_index = BandIndex()
        self._content_index = BandIndex()
        loader = self._load_registry if self._source is not None else None
        self._fragments = FragmentIndex(loader=loader)
        self._heads: dict[int, str] = {}  # cluster id -> its fullest unit's text (read only)
        self._gone: set[int] = set()  # cluster ids the store no longer has
        self._fetched: tuple[set[int], set[int]] = (set(), set())  # band keys read, per stage
        self._changes = IndexChanges(self._next_id)

    # ------------------------------------------------------------------ public API
    def begin(self) -> None:
        """Store-backed: forget what was read and take the next cluster id from the store.

        Call at the start of each batch transaction, after taking the store's link lock:
        another process may have linked in between.
        """
        if self._source is not None:
            self._next_id = self._source.next_cluster()
            self._forget()

    def take_changes(self) -> IndexChanges:
        """Store-backed: what the adds since the last call changed in the lookup tables."""
        changes, self._changes = self._changes, IndexChanges(self._next_id)
        changes.next_cluster = self._next_id
        changes.unflagged, self._fragments.pruned = self._fragments.pruned, []
        return changes

    def load(self, existing: Iterable[tuple[QuoteRecord, int | None]]) -> None:
        """Index stored units with their stored cluster ids (no re-linking; in memory only).

        A unit stored without a cluster id (None) is kept aside and linked by the next ``add``.
        """
        if self._source is not None:
            raise ValueError("a store-backed Linker reads its state from the store")
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
        """Link new units; return every cluster they touched, whole, and merged-away ids."""
        if self._source is not None and len(self._records) + len(self._heads) > self._cache_limit:
            self._forget()  # what was read is in the store: read it again when needed
        pending, self._pending = self._pending, []
        fresh = {r.quote_id: r for r in (*pending, *new) if r.quote_id not in self._records}
        order = sorted(fresh.values(), key=self._order_key)
        self._named = _named_speakers(order)
        touched: set[int] = set()
        removed: set[int] = set()
        first_new = self._next_id
        for start in range(0, len(order), CHUNK):
            chunk = order[start : start + CHUNK]
            keys = self.features(chunk)
            self._prefetch(keys)
            for rec, (wk, ck) in zip(chunk, keys, strict=True):
                self._place(rec, wk, ck, touched, removed)
        self._take_phrases(touched, removed)
        clusters = {cid: self.info(cid) for cid in sorted(touched)}
        if self._source is not None:
            self._changes.states.update(
                (cid, (c.longest, c.first_unit, c.primary_unit))
                for cid in touched if (c := self._clusters[cid]))
        return LinkUpdate(clusters=clusters, removed={c for c in removed if c < first_new})

    def block_keys(self, records: list[QuoteRecord]) -> list[list[tuple[int, int]]]:
        """Per unit, every (stage, key) through which it can meet another unit.

        Units that share no key, even transitively, never influence each other's clusters,
        so linking each connected block alone gives the single-run result (the Spark job).
        Stage 0/1: word and content LSH band keys; 2: the known speaker (fragment scans and
        semantic candidates).
        """
        out = []
        named = _named_speakers(records)
        for rec, (wk, ck) in zip(records, self.features(records), strict=True):
            keys = [(0, k) for k in wk] + [(1, k) for k in ck]
            if rec.speaker_id is not None:
                keys.append((2, rec.speaker_id))
            elif rec.article_id is not None:  # scanned under its article's speakers (_unnamed)
                keys += [(2, s) for s in named.get(rec.article_id, [])]
            out.append(keys)
        return out

    def cluster_of(self, quote_id: int) -> int | None:
        """The cluster id of a known unit, or None."""
        return self._cluster_of.get(quote_id)

    def cluster_ids(self) -> list[int]:
        """Every cluster id (store-backed: every one read or made in this batch), ascending."""
        return sorted(self._clusters)

    def info(self, cluster_id: int) -> ClusterInfo:
        """One cluster, whole: reference, first report and every rendering classified."""
        cluster = self._clusters[cluster_id]
        # in id order, however the units arrived: ties among wordings break the same way
        members = [self._records[q] for q in sorted(cluster.members)]
        ref = reference(members, self._an)
        first = min(_reports(members), key=_date_key)
        speaker = cluster.speaker
        ref_an = self._an(ref.text)
        memo = len(members) >= MEMO_MIN_SIZE
        renderings = [self._render_memo(ref, ref_an, m, speaker) if memo
                      else render(ref, ref_an, m, self._an(m.text), speaker)
                      for m in sorted(members, key=_date_key)]
        return ClusterInfo(
            cluster_id=cluster_id,
            reference_id=ref.quote_id,
            first_outlet=first.outlet,
            first_published=first.published,
            speaker_id=speaker,
            renderings=tuple(renderings),
            first_article=first.article_id,
        )

    # ------------------------------------------------------------------ features
    def _order_key(self, rec: QuoteRecord) -> tuple[int, int, dt.date, int]:
        # Primary sources first, then fullest first, so excerpts and copies find the full
        # sentence already placed.
        return (-rec.is_transcript, -len(self._an(rec.text).words), rec.published or _LATEST,
                rec.quote_id)

    def features(self, recs: list[QuoteRecord]) -> list[tuple[list[int], list[int]]]:
        """Per record, its word-shingle and per-speaker content-word LSH band keys."""
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
        if self._source is None:
            self._word_index.insert(wk, quote_id, extend=extend)
            self._content_index.insert(ck, quote_id, extend=extend)
            return
        log: list[int] = []
        bands = self._changes.bands
        for stage, index, keys in ((0, self._word_index, wk), (1, self._content_index, ck)):
            index.insert(keys, quote_id, extend=extend, log=log)
            bands.extend((stage, key, quote_id) for key in log)
            log.clear()

    # ------------------------------------------------------------------ reading the store
    def _prefetch(self, keys: list[tuple[list[int], list[int]]]) -> None:
        """Store-backed: read the band rows of these units' keys, and the clusters found there."""
        if self._source is None:
            return
        found = self._fetch_bands(keys)
        unknown = sorted(q for q in found if q not in self._cluster_of)
        if unknown:
            self._load_clusters(self._source.clusters_of(unknown).values())

    def _fetch_bands(self, keys: list[tuple[list[int], list[int]]]) -> set[int]:
        """Read the band rows of these keys not read yet; the unit ids filed under any."""
        assert self._source is not None
        found: set[int] = set()
        for stage, index in ((0, self._word_index), (1, self._content_index)):
            wanted = {k for unit in keys for k in unit[stage]}
            new = sorted(wanted - self._fetched[stage])
            if new:
                index.fill(self._source.bands(stage, new))
                self._fetched[stage].update(new)
            found |= index.query(list(wanted))
        return found

    def index(self, clusters: Sequence[StoredCluster]) -> None:
        """Store-backed: file stored clusters that the lookup tables lack (an older store,
        bulk-loaded clusters) as ``load`` files them in memory, units in id order: their band
        rows, their speakers' cluster order and their state (see ``take_changes``)."""
        recs = [r for c in clusters for r in c.members]
        keys = self.features(recs)
        self._fetch_bands(keys)
        pairs = iter(zip(recs, keys, strict=True))
        for stored in clusters:
            cid = stored.cluster_id
            for i, (rec, (wk, ck)) in enumerate(islice(pairs, len(stored.members))):
                self._attach(rec, cid)
                self._index(rec.quote_id, wk, ck, extend=i == 0)
            c = self._clusters[cid]
            self._changes.states[cid] = (c.longest, c.first_unit, c.primary_unit)
            self._next_id = max(self._next_id, cid + 1)

    def _load_clusters(self, ids: Iterable[int]) -> None:
        """Store-backed: read these clusters whole (those not read yet and not gone)."""
        want = sorted({c for c in ids if c not in self._clusters and c not in self._gone})
        if not want or self._source is None:
            return
        for stored in self._source.clusters(want):
            self._adopt(stored)
        self._gone.update(c for c in want if c not in self._clusters)

    def _adopt(self, stored: StoredCluster) -> None:
        recs = {r.quote_id: r for r in stored.members}
        longest = stored.longest if stored.longest in recs else max(
            recs, key=lambda q: (len(self._an(recs[q].text).words), -q))
        cluster = Cluster(list(recs), longest, len(self._an(recs[longest].text).words))
        for rec in stored.members:
            cluster.note(rec)
        if stored.longest is not None:  # indexed: who was named first is the store's record
            first, primary = recs.get(stored.first_unit or 0), recs.get(stored.primary_unit or 0)
            cluster.first_unit = first.quote_id if first else None
            cluster.first = first.speaker_id if first else None
            cluster.primary_unit = primary.quote_id if primary else None
            cluster.primary = primary.speaker_id if primary else None
        cid = stored.cluster_id
        self._clusters[cid] = cluster
        self._heads.pop(cid, None)
        for qid, rec in recs.items():
            self._records[qid] = rec
            self._cluster_of[qid] = cid

    def _load_registry(self, speaker: int, fragments: bool) -> list[int]:
        """Store-backed: a speaker's latest clusters, with their fullest units' texts."""
        assert self._source is not None
        out = []
        for cid, text in self._source.registered(speaker, self._fragments.scan_limit, fragments):
            out.append(cid)
            if cid in self._clusters:
                continue
            if text is None:
                self._gone.add(cid)
            else:
                self._heads[cid] = text
        return out

    def _cluster(self, cid: int) -> Cluster | None:
        """A cluster by id (store-backed: read when not read yet); None when merged away."""
        cluster = self._clusters.get(cid)
        if cluster is None and self._source is not None and cid not in self._gone:
            self._load_clusters([cid])
            cluster = self._clusters.get(cid)
        return cluster

    # ------------------------------------------------------------------ placing one unit
    def _place(
        self, rec: QuoteRecord, wk: list[int], ck: list[int], touched: set[int], removed: set[int]
    ) -> None:
        an = self._an(rec.text)
        candidates = self._word_index.query(wk) | self._content_index.query(ck)
        matches, weak = self._verify(rec, an, candidates)
        if not matches or not is_fragment(an.words, an.content):
            matches += self._fragment_matches(rec, an)
        if not matches and rec.speaker_id is None:
            matches = self._unnamed(rec, an)
        if not matches and self._semantic is not None:
            matches = self._semantic_matches(rec, self._reword_candidates(rec, an, weak))
        if self._source is not None and matches:
            self._load_clusters(m.cluster for m in matches)
            matches = [m for m in matches if m.cluster in self._clusters]
        if matches:
            cid = self._join(rec, an, matches, removed, touched)
        else:
            cid = self._next_id
            self._next_id += 1
        extend = cid not in self._clusters
        self._attach(rec, cid)
        self._index(rec.quote_id, wk, ck, extend=extend)
        touched.add(cid)

    def _verify(self, rec: QuoteRecord, an: Analysis,
                candidates: set[int]) -> tuple[list[_Match], list[int]]:
        """Clusters the unit renders (best first), and clusters it may render in other words."""
        by_cluster: dict[int, list[int]] = {}
        for qid in sorted(candidates):
            owner = self._cluster_of.get(qid)
            if owner is None:  # store-backed: a unit whose cluster the store no longer has
                continue
            targets = by_cluster.setdefault(owner, [])
            if len(targets) < MAX_TARGETS:
                targets.append(qid)
        found: list[_Match] = []
        weak: list[int] = []
        for cid, targets in by_cluster.items():
            cluster = self._clusters[cid]
            verdict = self._best(an, [cluster.longest, *targets])
            if verdict and self._admits(rec, cluster, verdict) and not self._other_sentence(rec, cid):
                found.append(_Match(verdict, cid))
            elif verdict is None and self._may_reword(rec, cluster):
                weak.append(cid)
        found.sort(key=lambda m: (-m.verdict.score, m.cluster))
        return found, weak

    def _admits(self, rec: QuoteRecord, cluster: Cluster, verdict: Verdict) -> bool:
        """Whether speakers and dates allow ``rec`` into ``cluster`` on ``verdict``."""
        if not _speakers_agree(rec.speaker_id, cluster.speaker, verdict):
            return False
        gap = _gap(day_of(rec), cluster.days)
        if verdict.exact or gap is None:
            return True
        return gap <= (self._inexact_days if verdict.strong else self._reword_days)

    def _may_reword(self, rec: QuoteRecord, cluster: Cluster) -> bool:
        """Whether ``cluster`` is a candidate for a reworded rendering (same speaker, near date)."""
        speaker = cluster.speaker
        if rec.speaker_id is None or speaker != rec.speaker_id:
            return False
        gap = _gap(day_of(rec), cluster.days)
        return gap is None or gap <= self._reword_days

    def _reword_candidates(self, rec: QuoteRecord, an: Analysis, weak: list[int]) -> list[int]:
        """Clusters a reworded unit may render: those that shared LSH keys with it, and the
        speaker's most recent clusters near its date that share content words with it."""
        if rec.speaker_id is None or len(an.content) < SEMANTIC_MIN_SHARED:
            return []
        scored = []
        ids = list(dict.fromkeys([*weak, *self._fragments.recent(rec.speaker_id, SEMANTIC_SCAN)]))
        self._load_clusters(ids)  # store-backed: read the ones not read yet, in one go
        for cid in ids:
            cluster = self._clusters.get(cid)
            if cluster is None or not self._may_reword(rec, cluster):
                continue
            other = self._an(self._records[cluster.longest].text).content
            shared = len(an.content & other)
            # a known date near the cluster's is evidence too; undated, the words must say more
            need = SEMANTIC_OVERLAP if _gap(day_of(rec), cluster.days) is not None else 0.5
            if shared >= SEMANTIC_MIN_SHARED and shared >= need * min(len(an.content), len(other)):
                scored.append((-shared, cid))
        return [cid for _, cid in sorted(scored)[:SEMANTIC_CANDIDATES]]

    def _semantic_matches(self, rec: QuoteRecord, weak: list[int]) -> list[_Match]:
        if not weak:
            return []
        assert self._semantic is not None
        texts = [self._records[self._clusters[c].longest].text for c in weak]
        scores = self._semantic.similarities(rec.text, texts)
        best = [(s, c) for s, c in zip(scores, weak, strict=True) if s >= self._semantic.threshold]
        best.sort(key=lambda sc: (-sc[0], sc[1]))
        return [_Match(Verdict(min(0.99, s), False), c) for s, c in best[:1]]

    def _unnamed(self, rec: QuoteRecord, an: Analysis) -> list[_Match]:
        """Clusters of the speakers its article names elsewhere that a unit with no speaker
        renders word for word. Without a speaker it has no content-word LSH block of its own,
        and a rendering with a few words changed shares too few word shingles to be found."""
        found: list[_Match] = []
        for speaker in self._named.get(rec.article_id or "", []):
            for cid in dict.fromkeys(self._fragments.recent(speaker, UNNAMED_SCAN)):
                head = self._longest(cid)
                if head is None or len(an.content & head[1]) < 2:
                    continue  # merged away, or too little in common to align
                cluster = self._cluster(cid)  # store-backed: read whole only now
                if cluster is None:
                    continue
                verdict = self._best(an, [cluster.longest])
                if (verdict and verdict.strong and self._admits(rec, cluster, verdict)
                        and not self._other_sentence(rec, cid)):
                    found.append(_Match(verdict, cid))
        return sorted(found, key=lambda m: (-m.verdict.score, m.cluster))

    def _fragment_matches(self, rec: QuoteRecord, an: Analysis) -> list[_Match]:
        """Clusters of the same known speaker that a short fragment belongs to, or whose
        fragments this unit contains: LSH cannot see a two-word excerpt of a long quote."""
        speaker = rec.speaker_id
        if speaker is None:
            return []
        strong = Verdict(1.5, True, exact=True)
        if is_fragment(an.words, an.content):
            home = self._fragments.home(speaker, an.pieces, an.content, self._longest)
            if home is None:  # a word changed in a short sentence ("days" for "weeks")
                return self._near_fragment(rec, an) or self._spread_fragment(rec, an)
            return [_Match(strong, home)]
        scare = is_scare(an.words, an.content)
        if scare or is_phrase(an.words, an.content):  # "out of line": where it can be nothing else
            homes = self._fragments.homes(speaker, an.pieces, an.content, self._longest, 2)
            if len(homes) != 1 or (scare and not self._near_in_time(rec, homes[0])):
                return []
            return [_Match(strong, homes[0])]
        inside = self._fragments.inside(speaker, an.words, an.content, self._longest)
        out = []
        for cid in inside:
            head = self._longest(cid)
            if head is not None and is_fragment(*head):
                out.append(_Match(strong, cid))
            else:  # a phrase ("for some time") joins it only if no other sentence holds it
                self._phrases.append((rec.quote_id, cid))
        return out

    def _take_phrases(self, touched: set[int], removed: set[int]) -> None:
        """Phrase clusters ("for some time") reported before any sentence that holds them:
        once this add is placed, one that exactly one sentence of its speaker holds joins it
        (decided only now, so that two sentences of one article that both hold it keep it
        apart, as a phrase arriving after them would be)."""
        phrases, self._phrases = self._phrases, []
        for qid, pid in phrases:
            home, phrase = self._cluster_of.get(qid), self._cluster(pid)
            head = self._longest(pid)
            rec = self._records[qid]
            if home is None or phrase is None or head is None or home == pid or rec.speaker_id is None:
                continue
            words, content = head
            homes = self._fragments.homes(rec.speaker_id, (words,), content, self._longest, 2)
            if homes != [home] or (is_scare(words, content) and not self._near_in_time(rec, pid)):
                continue
            survivor, gone = min(home, pid), max(home, pid)
            self._merge(survivor, gone)
            removed.add(gone)
            touched.discard(gone)
            touched.add(survivor)

    def _near_in_time(self, rec: QuoteRecord, cid: int) -> bool:
        """Whether ``rec`` is dated near cluster ``cid``'s renderings (or either is undated)."""
        cluster = self._cluster(cid)
        if cluster is None:
            return False
        gap = _gap(day_of(rec), cluster.days)
        return gap is None or gap <= self._reword_days

    def _near_fragment(self, rec: QuoteRecord, an: Analysis) -> list[_Match]:
        """The speaker's recent cluster a short unit renders with one content word changed."""
        assert rec.speaker_id is not None
        for cid in reversed(self._fragments.recent(rec.speaker_id, UNNAMED_SCAN)):
            found = self._longest(cid)
            if found is None or len(an.content - found[1]) > 1:
                continue
            verdict = Verdict(1.0 + NEAR_COVER, True, False, len(an.words) - 1, NEAR_COVER)
            if not one_word_swapped(found[0], an.words):
                continue
            cluster = self._cluster(cid)  # store-backed: read whole only now
            if cluster is not None and self._admits(rec, cluster, verdict):
                return [_Match(verdict, cid)]
        return []

    def _spread_fragment(self, rec: QuoteRecord, an: Analysis) -> list[_Match]:
        """The one recent cluster of the speaker, said near the unit's date, whose fullest
        rendering holds a short unit's words in order with a few left out between them
        ("violence is poisonous" of "violence in all of its forms is poisonous")."""
        assert rec.speaker_id is not None
        homes: list[int] = []
        for cid in dict.fromkeys(reversed(self._fragments.recent(rec.speaker_id, UNNAMED_SCAN))):
            found = self._longest(cid)
            if found is None or not an.content <= found[1]:
                continue
            if spread_within(found[0], an.words, SPREAD_RUN * len(an.words)):
                homes.append(cid)
                if len(homes) > 1:
                    return []  # two sentences could hold it: it is neither's
        if not homes or not self._near_in_time(rec, homes[0]):
            return []
        return [_Match(Verdict(1.0 + NEAR_COVER, True, False, len(an.words), 1.0), homes[0])]

    def _longest(self, cid: int) -> tuple[Words, frozenset[str]] | None:
        """The words and content words of a cluster's fullest unit; None when merged away."""
        cluster = self._clusters.get(cid)
        if cluster is not None:
            text = self._records[cluster.longest].text
        elif self._source is None or cid in self._gone:
            return None
        elif (head := self._heads.get(cid)) is not None:
            text = head
        else:  # not among the speaker windows read: ask the store for this one
            found = self._source.heads([cid])
            if cid not in found:
                self._gone.add(cid)
                return None
            text = self._heads[cid] = found[cid]
        an = self._an(text)
        return an.words, an.content

    def _best(self, an: Analysis, targets: list[int]) -> Verdict | None:
        best: Verdict | None = None
        for qid in dict.fromkeys(targets):
            other = self._an(self._records[qid].text)
            verdict = verify(an.words, other.words, an.content, other.content)
            if verdict and (best is None or verdict.score > best.score):
                best = verdict
        return best

    def _join(self, rec: QuoteRecord, an: Analysis, matches: list[_Match], removed: set[int],
              touched: set[int]) -> int:
        """The cluster ``rec`` joins: the best match, merged with every other strongly matched
        cluster of the same speaker whose fullest rendering ``rec`` holds (nearly all of its
        words, in order), unless the two are different sentences (``_apart``)."""
        group = [matches[0].cluster]
        known = self._clusters[group[0]].speaker
        for m in matches[1:]:
            cluster = self._clusters[m.cluster]
            if m.cluster in group or not self._holds(an, cluster, m.verdict):
                continue
            other = cluster.speaker
            if ((other is None or known is None or other == known)
                    and not any(self._apart(c, m.cluster) for c in group)):
                group.append(m.cluster)
                known = known if known is not None else other
        survivor = min(group)
        for cid in group:
            if cid != survivor:
                self._merge(survivor, cid)
                removed.add(cid)
                touched.discard(cid)
        return survivor

    def _holds(self, an: Analysis, cluster: Cluster, verdict: Verdict) -> bool:
        """Whether a unit holds the cluster's fullest rendering: all of its words in order, or
        (a partial quote with a word changed: "no longer had enough") nearly all."""
        longest = self._an(self._records[cluster.longest].text).words
        if len(longest) >= len(an.words) or not verdict.strong:
            return False
        return verdict.cover >= MERGE_COVER or contains(an.words, longest)

    def _apart(self, a: int, b: int) -> bool:
        """Whether clusters ``a`` and ``b`` are different sentences: both hold a primary
        source's sentence, or one article put a whole sentence in each (a unit holding both
        is a composite of two sentences, no reason to merge them)."""
        ca, cb = self._clusters[a], self._clusters[b]
        if ca.primary is not None and cb.primary is not None:
            return True
        return any(self._other_sentence(self._records[q], b) for q in ca.members[-SIBLING_SCAN:])

    def _other_sentence(self, rec: QuoteRecord, cid: int) -> bool:
        """Whether cluster ``cid`` holds another whole sentence of ``rec``'s article: then
        ``rec``, itself a whole sentence, is a different utterance (an article that quotes a
        sentence around its cue or twice gives pieces or copies, not two sentences)."""
        if rec.article_id is None or not is_sentence(rec.text):
            return False
        an = self._an(rec.text)
        for qid in self._clusters[cid].members[-SIBLING_SCAN:]:
            other = self._records[qid]
            if (other.article_id == rec.article_id and qid != rec.quote_id
                    and is_sentence(other.text) and self._best(an, [qid]) is None):
                return True
        return False

    def _merge(self, survivor: int, gone: int) -> None:
        into, old = self._clusters[survivor], self._clusters.pop(gone)
        self._gone.add(gone)
        for qid in old.members:
            self._cluster_of[qid] = survivor
        into.absorb(old)

    def _attach(self, rec: QuoteRecord, cid: int) -> None:
        an = self._an(rec.text)
        size = len(an.words)
        self._records[rec.quote_id] = rec
        self._cluster_of[rec.quote_id] = cid
        cluster = self._clusters.get(cid)
        if cluster is None:
            cluster = self._clusters[cid] = Cluster([rec.quote_id], rec.quote_id, size)
            cluster.note(rec)
            fragment = is_short(an.words, an.content)
            self._fragments.register(rec.speaker_id, cid, fragment)
            if self._source is not None and rec.speaker_id is not None:
                self._changes.registered.append((rec.speaker_id, cid, fragment))
            return
        known = cluster.speaker
        cluster.members.append(rec.quote_id)
        cluster.note(rec)
        if size > cluster.longest_len:
            cluster.longest, cluster.longest_len = rec.quote_id, size
        if cluster.speaker is not None and cluster.speaker != known:
            # a cluster first reported with no speaker (or another) is this speaker's now:
            # their fragments (scanned by speaker, too short for LSH) must be able to find it
            longest = self._an(self._records[cluster.longest].text)
            self._fragments.register(cluster.speaker, cid, is_short(longest.words, longest.content))

    # ------------------------------------------------------------------ renderings
    def _render_memo(self, ref: QuoteRecord, ref_an: Analysis, rec: QuoteRecord,
                     speaker: int | None) -> Rendering:
        known = self._rendered.get(rec.quote_id)
        if (known is not None and known[0] == ref.quote_id and known[1] == speaker
                and known[2] == rec.speaker_id):
            return known[3]
        rendering = render(ref, ref_an, rec, self._an(rec.text), speaker)
        if len(self._rendered) >= self._render_limit:
            self._rendered.clear()  # a memo: what it forgets is worked out again
        self._rendered[rec.quote_id] = (ref.quote_id, speaker, rec.speaker_id, rendering)
        return rendering


def _named_speakers(records: Iterable[QuoteRecord]) -> dict[str, list[int]]:
    """Article id -> the speakers its units name, in order of first appearance."""
    named: dict[str, dict[int, None]] = {}
    for r in records:
        if r.article_id is not None and r.speaker_id is not None:
            named.setdefault(r.article_id, {})[r.speaker_id] = None
    return {a: list(s) for a, s in named.items()}


def _speakers_agree(unit: int | None, cluster: int | None, verdict: Verdict) -> bool:
    if unit is not None and cluster is not None and unit != cluster:
        # another speaker named for the same words: a misattribution, when the words match
        # so closely and at such length that they cannot be a coincidence
        return (verdict.strong and verdict.matched >= MISATTRIBUTED_MIN_WORDS
                and verdict.cover >= MISATTRIBUTED_COVER)
    if unit is None and cluster is not None:
        return verdict.strong  # an unknown speaker joins a known one only on a copy or excerpt
    return True


def _gap(day: dt.date | None, days: tuple[dt.date, dt.date] | None) -> int | None:
    """Days between ``day`` and the nearest end of a cluster's date range (None: unknown)."""
    if day is None or days is None:
        return None
    if days[0] <= day <= days[1]:
        return 0
    return min(abs((day - days[0]).days), abs((day - days[1]).days))


def _date_key(rec: QuoteRecord) -> tuple[dt.date, int]:
    return (rec.published or _LATEST, rec.quote_id)


def _reports(members: list[QuoteRecord]) -> list[QuoteRecord]:
    outlets = [m for m in members if not m.is_transcript]
    return outlets or members


def link_quotes(records: Iterable[QuoteRecord], **options: int) -> dict[int, ClusterInfo]:
    """Link a whole set of units at once: cluster id -> cluster (options go to ``Linker``)."""
    return Linker(**options).add(records).clusters  # type: ignore[arg-type]


def iter_clusters(linker: Linker) -> Iterator[ClusterInfo]:
    """Every cluster a linker holds, in id order."""
    for cid in linker.cluster_ids():
        yield linker.info(cid)
