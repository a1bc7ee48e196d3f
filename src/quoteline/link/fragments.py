"""Short fragments ("deeply troubling") of a speaker's longer quotes.

Two or three quoted words share too little with the full quote for MinHash to propose the
pair, so fragments are matched by a direct scan of the same speaker's clusters: a fragment
joins the cluster whose fullest rendering contains it word for word (each ellipsis-separated
piece contiguous, in order); a longer quote absorbs the speaker's fragment clusters it contains.
"""

from __future__ import annotations

from collections.abc import Callable

from quoteline.link.match import Words, is_excerpt

MAX_FRAGMENT_WORDS = 6  # quotes this short are matched by scanning, not by LSH
MIN_FRAGMENT_CONTENT = 2  # content words a fragment needs: "we will not" says too little
MIN_PHRASE_WORDS = 3  # ... unless this many words hold it in one sentence only (is_phrase)
SCAN_LIMIT = 2000  # a speaker's most recent clusters scanned per fragment

# cluster id -> (words, content-word stems) of its fullest rendering; None when merged away
Lookup = Callable[[int], tuple[Words, frozenset[str]] | None]


def is_phrase(words: Words, content: frozenset[str]) -> bool:
    """Whether a quote is a short phrase with a single content word ("out of line"): it
    belongs to a speaker's sentence only where no other sentence of theirs holds it."""
    return MIN_PHRASE_WORDS <= len(words) <= MAX_FRAGMENT_WORDS and len(content) == 1


def is_scare(words: Words, content: frozenset[str]) -> bool:
    """Whether a quote is a scare-quoted word or two with one content word ("wrong", "some
    pain"): like a phrase, it belongs to a speaker's sentence only where no other holds it,
    and only to one said near its date."""
    return 0 < len(words) < MIN_PHRASE_WORDS and len(content) == 1


def is_short(words: Words, content: frozenset[str]) -> bool:
    """Whether a quote is registered among its speaker's short clusters: a fragment, a phrase
    or a scare-quoted word (a longer quote that holds one may take it in)."""
    return is_fragment(words, content) or is_phrase(words, content) or is_scare(words, content)


def is_fragment(words: Words, content: frozenset[str]) -> bool:
    """Whether a quote is short enough to be matched as a fragment, and says enough."""
    return len(words) <= MAX_FRAGMENT_WORDS and len(content) >= MIN_FRAGMENT_CONTENT


# speaker, fragments only -> that speaker's latest registered cluster ids, oldest first
Loader = Callable[[int, bool], list[int]]


class FragmentIndex:
    """Per known speaker: every cluster id, and the ids of clusters that are fragments.

    With a ``loader`` (a store-backed linker), a speaker's lists are read on first use: only
    the latest ``scan_limit`` ids, which is all that any scan looks at. ``pruned`` then lists
    what ``inside`` dropped, for the store to drop too.
    """

    def __init__(self, scan_limit: int = SCAN_LIMIT, loader: Loader | None = None) -> None:
        self.scan_limit = scan_limit
        self.loader = loader
        self._clusters: dict[int, list[int]] = {}
        self._short: dict[int, list[int]] = {}
        self._full: set[int] = set()  # speakers whose loaded fragment list may have older ids
        self.pruned: list[tuple[int, list[int], int | None]] = []

    def _ids(self, speaker: int, short: bool) -> list[int]:
        table = self._short if short else self._clusters
        ids = table.get(speaker)
        if ids is None:
            ids = table[speaker] = self.loader(speaker, short) if self.loader else []
            if short and len(ids) >= self.scan_limit:
                self._full.add(speaker)
        return ids

    def register(self, speaker: int | None, cluster_id: int, fragment: bool) -> None:
        """Note a new cluster of ``speaker``; ``fragment``: its first quote is a fragment."""
        if speaker is None:
            return
        self._ids(speaker, False).append(cluster_id)
        if fragment:
            self._ids(speaker, True).append(cluster_id)

    def recent(self, speaker: int, limit: int) -> list[int]:
        """The ids of ``speaker``'s ``limit`` most recent clusters (some may be merged away)."""
        return self._ids(speaker, False)[-limit:]

    def home(
        self, speaker: int, pieces: tuple[Words, ...], content: frozenset[str], longest: Lookup
    ) -> int | None:
        """The most recent cluster of ``speaker`` whose fullest rendering holds the fragment."""
        found = self.homes(speaker, pieces, content, longest, 1)
        return found[0] if found else None

    def homes(self, speaker: int, pieces: tuple[Words, ...], content: frozenset[str],
              longest: Lookup, limit: int) -> list[int]:
        """Up to ``limit`` of ``speaker``'s clusters whose fullest rendering holds the
        fragment, most recent first."""
        size = sum(map(len, pieces))
        out: list[int] = []
        for cid in reversed(self._ids(speaker, False)[-self.scan_limit :]):
            found = longest(cid)
            if found is None or len(found[0]) <= size or not content <= found[1]:
                continue  # the subset test is cheap and rules out almost every cluster
            if cid not in out and is_excerpt(found[0], pieces):
                out.append(cid)
                if len(out) == limit:
                    break
        return out

    def inside(self, speaker: int, words: Words, content: frozenset[str], longest: Lookup) -> list[int]:
        """Recent fragment clusters of ``speaker`` that ``words`` contains (stale ids dropped)."""
        ids = self._ids(speaker, True)
        if not ids:
            return []
        window = ids[-self.scan_limit :]
        found, alive = [], []
        for cid in window:
            frag = longest(cid)
            if frag is None or len(frag[0]) > MAX_FRAGMENT_WORDS:
                continue
            alive.append(cid)
            if len(frag[0]) < len(words) and frag[1] <= content and is_excerpt(words, (frag[0],)):
                found.append(cid)
        if self.loader is not None and (len(alive) < len(window) or len(window) < len(ids)
                                        or speaker in self._full):
            kept = set(alive)
            self.pruned.append((speaker, [c for c in window if c not in kept], window[0]))
            self._full.discard(speaker)
        self._short[speaker] = alive
        return found
