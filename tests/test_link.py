"""The cross-article linker: normalization, candidates, verification, clusters, renderings."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteline.evaluate.link_gold import evaluate_gold, load_gold
from quoteline.evaluate.link_metrics import flags, pairwise
from quoteline.link import ClusterInfo, Linker, QuoteRecord, link_quotes
from quoteline.link.lsh import Signer, shingles
from quoteline.link.match import classify, is_excerpt
from quoteline.link.normalize import quoted_words_only, tokens

ROOT = Path(__file__).resolve().parents[1]
LINKING = ROOT / "tests" / "data" / "linking"
SAMPLES = ROOT / "samples"

FULL = (
    "We will not raise taxes on working families, and we will fight every cut "
    "to the pension fund this year."
)
OTHER = "The bridge on Route 9 will reopen in March once the inspectors have signed off."


def rec(
    qid: int,
    text: str,
    speaker: int | None = 1,
    day: int = 1,
    outlet: str | None = None,
    **kw: object,
) -> QuoteRecord:
    """A hand-built quote published on March ``day``, 2025."""
    return QuoteRecord(
        quote_id=qid,
        text=text,
        speaker_id=speaker,
        article_id=f"a{qid}",
        published=dt.date(2025, 3, day),
        outlet=outlet or f"Outlet {qid}",
        **kw,
    )


def cluster_of(clusters: dict[int, ClusterInfo], qid: int) -> ClusterInfo:
    """The cluster holding quote ``qid``."""
    found = [c for c in clusters.values() if any(r.quote_id == qid for r in c.renderings)]
    assert len(found) == 1, f"quote {qid} is in {len(found)} clusters"
    return found[0]


def kind_of(clusters: dict[int, ClusterInfo], qid: int) -> str:
    """The rendering kind of quote ``qid``."""
    info = cluster_of(clusters, qid)
    kinds = [str(r.kind) for r in info.renderings if r.quote_id == qid]
    return kinds[0]


# ---------------------------------------------------------------- normalization
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("We can't stop now.", "we cannot stop now"),
        ("I'm sure it's fine", "I am sure it is fine"),
        ("“We won’t back down,” she said", '"We will not back down," she said'),
        ("THEY'RE READY!!!", "they are ready"),
        ("We didn't — and we won't.", "We did not, and we will not"),
    ],
)
def test_case_punctuation_quotes_and_contractions_normalize_away(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)


def test_normalization_keeps_real_word_differences() -> None:
    assert tokens("We will raise taxes") != tokens("We will not raise taxes")
    assert tokens("the president's plan") == ("the", "presidents", "plan")


def test_mixed_quote_keeps_only_the_quoted_fragments() -> None:
    text = 'the operator\'s proposal "the best this port has made" in "a decade"'
    assert quoted_words_only(text) == "the best this port has made ... a decade"
    assert quoted_words_only("No quote marks here") == "No quote marks here"


# ---------------------------------------------------------------- candidates
def test_bulk_signatures_equal_datasketch_minhash() -> None:
    sets = [[1, 2, 3], [7], [], [5, 2, 99, 123456789]]
    sig = Signer(num_perm=64, seed=1).sign(sets)
    for row, values in zip(sig, sets, strict=True):
        mh = MinHash(num_perm=64, seed=1, hashfunc=lambda x: x)
        for v in values:
            mh.update(v)
        if values:
            assert row.tolist() == mh.hashvalues.tolist()
        else:
            assert set(row.tolist()) == {2**32 - 1}


def test_shingles_are_per_quote_and_batch_independent() -> None:
    quotes = [[1, 2, 3, 4, 5], [9], [], [4, 5, 6]]
    flat, counts = shingles(quotes)
    assert counts.tolist() == [3, 1, 0, 1]
    alone = [shingles([q])[0].tolist() for q in quotes]
    assert flat.tolist() == [h for part in alone for h in part]
    assert shingles([[3, 4, 5]])[0].tolist() == [alone[0][2]]


# ---------------------------------------------------------------- classification
def test_excerpt_must_be_contiguous_except_at_marked_cuts() -> None:
    ref = tokens(FULL)
    assert is_excerpt(ref, (tokens("we will fight every cut"),))
    assert is_excerpt(ref, (tokens("We will not raise taxes"), tokens("this year")))
    assert not is_excerpt(ref, (tokens("We will raise taxes"),))
    kind, _, diff = classify(ref, tokens("We will raise taxes"), (tokens("We will raise taxes"),))
    assert kind == "altered"
    assert ("-", "not") in diff


def test_diff_runs_show_changed_words() -> None:
    ref = tokens("the offer is the best in a decade")
    words = tokens("the offer is the worst in a decade")
    kind, similarity, diff = classify(ref, words, (words,))
    assert kind == "altered"
    assert diff == (("=", "the offer is the"), ("-", "best"), ("+", "worst"), ("=", "in a decade"))
    assert 0.5 < similarity < 1.0


# ---------------------------------------------------------------- linking
def test_verbatim_excerpt_and_altered_renderings_share_a_cluster() -> None:
    quotes = [
        rec(1, FULL, day=1),
        rec(2, FULL.upper(), day=2),
        rec(3, "we will fight every cut to the pension fund", day=2),
        rec(4, "We will not raise taxes on working families ... this year", day=3),
        rec(5, FULL.replace("fight", "oppose"), day=3),
        rec(6, "We will raise taxes on working families", day=4),
    ]
    clusters = link_quotes(quotes)
    assert len(clusters) == 1
    info = next(iter(clusters.values()))
    kinds = {r.quote_id: r.kind for r in info.renderings}
    assert kinds == {1: "reference", 2: "verbatim", 3: "excerpt", 4: "excerpt", 5: "altered", 6: "altered"}
    assert info.altered == 2
    assert info.reference_id == 1
    assert info.first_outlet == "Outlet 1"


def test_case_punctuation_and_contraction_only_differences_are_not_altered() -> None:
    quotes = [
        rec(1, "I cannot promise that we're going to win, but I am not going to quit."),
        rec(2, "“I can’t promise that we are going to win — but I’m not going to quit!”", day=2),
        rec(3, '"i CAN\'T promise that we are going to win, but i\'m NOT going to quit"', day=3),
    ]
    clusters = link_quotes(quotes)
    assert len(clusters) == 1
    assert [kind_of(clusters, q) for q in (2, 3)] == ["verbatim", "verbatim"]


def test_reworded_rendering_joins_by_the_fuzzy_stage() -> None:
    original = (
        "I gave this club everything I had, but the results did not come, and a coach "
        "who cannot win must have the courage to step aside."
    )
    back_translated = (
        "I gave everything to this club, but the results did not arrive, and a coach who "
        "does not win must find the courage to leave."
    )
    clusters = link_quotes([rec(1, original), rec(2, back_translated, day=2)])
    assert len(clusters) == 1
    assert kind_of(clusters, 2) == "altered"


def test_same_long_words_under_another_speaker_are_a_misattribution() -> None:
    clusters = link_quotes([rec(1, FULL, speaker=1), rec(2, FULL, speaker=2, day=2),
                            rec(3, FULL, speaker=1, day=3)])
    assert len(clusters) == 1
    info = next(iter(clusters.values()))
    assert info.speaker_id == 1 and info.misattributed
    assert {r.quote_id: r.attributed_to for r in info.renderings} == {1: None, 2: 2, 3: None}


def test_different_speakers_with_short_or_reworded_words_stay_apart() -> None:
    reworded = "We won't increase taxes on working people, and we'll resist each cut to the pension fund."
    clusters = link_quotes([rec(1, FULL, speaker=1), rec(2, reworded, speaker=2, day=2),
                            rec(3, "We will not raise the fares", speaker=2, day=2)])
    assert len(clusters) == 3
    assert not any(c.misattributed for c in clusters.values())


def test_unknown_speaker_joins_only_on_a_copy_or_excerpt() -> None:
    reworded = "We won't increase taxes on working people, and we'll resist each cut to the pension fund."
    clusters = link_quotes(
        [rec(1, FULL), rec(2, FULL, speaker=None, day=2), rec(3, reworded, speaker=None, day=3)]
    )
    assert cluster_of(clusters, 2) == cluster_of(clusters, 1)
    assert cluster_of(clusters, 3) != cluster_of(clusters, 1)
    assert cluster_of(clusters, 1).speaker_id == 1


def test_different_quotes_of_one_speaker_stay_apart() -> None:
    clusters = link_quotes([rec(1, FULL), rec(2, OTHER), rec(3, "We will not raise the fares.")])
    assert len(clusters) == 3
    for info in clusters.values():
        assert [r.kind for r in info.renderings] == ["reference"]


def test_every_quote_is_in_exactly_one_cluster() -> None:
    quotes = [rec(i, t, speaker=i % 3) for i, t in enumerate([FULL, OTHER, FULL, OTHER, "Hi."] * 3)]
    clusters = link_quotes(quotes)
    seen = [r.quote_id for c in clusters.values() for r in c.renderings]
    assert sorted(seen) == list(range(len(quotes)))
    for cid, info in clusters.items():
        assert info.cluster_id == cid
        assert sum(r.kind == "reference" for r in info.renderings) == 1


def test_incremental_add_joins_existing_clusters() -> None:
    first = Linker()
    stored = first.add([rec(1, FULL, day=1), rec(2, OTHER, day=1)])
    cid = cluster_of(stored.clusters, 1).cluster_id
    again = Linker()
    again.load((q, first.cluster_of(q.quote_id) or 0) for q in [rec(1, FULL), rec(2, OTHER)])
    update = again.add([rec(3, "we will fight every cut to the pension fund", day=5)])
    assert list(update.clusters) == [cid]
    assert {r.quote_id for r in update.clusters[cid].renderings} == {1, 3}
    assert update.removed == set()
    fresh = again.add([rec(4, "An entirely new statement about the harbour dredging plan.", day=6)])
    assert set(fresh.clusters).isdisjoint({cid, first.cluster_of(2)})


def test_adding_a_known_quote_again_changes_nothing() -> None:
    linker = Linker()
    linker.add([rec(1, FULL)])
    assert linker.add([rec(1, FULL)]).clusters == {}
    assert len(linker) == 1


def test_earlier_report_replaces_reference_and_first_outlet() -> None:
    linker = Linker()
    linker.add([rec(1, FULL, day=5, outlet="Late Gazette")])
    update = linker.add([rec(2, FULL.replace("fight", "oppose"), day=2, outlet="Early Wire")])
    info = next(iter(update.clusters.values()))
    assert info.reference_id == 2
    assert (info.first_outlet, info.first_published) == ("Early Wire", dt.date(2025, 3, 2))
    assert {r.quote_id: r.kind for r in info.renderings} == {2: "reference", 1: "altered"}


def test_earlier_excerpt_is_first_report_but_not_the_reference() -> None:
    clusters = link_quotes(
        [rec(1, "every cut to the pension fund", day=1, outlet="Scoop"), rec(2, FULL, day=2)]
    )
    info = next(iter(clusters.values()))
    assert info.reference_id == 2
    assert info.first_outlet == "Scoop"
    assert kind_of(clusters, 1) == "excerpt"


def test_transcript_is_the_reference_when_present() -> None:
    transcript = rec(3, FULL, day=9, is_transcript=True)
    clusters = link_quotes([rec(1, FULL.replace("fight", "oppose"), day=1), transcript])
    info = next(iter(clusters.values()))
    assert info.reference_id == 3
    assert kind_of(clusters, 1) == "altered"
    assert info.first_outlet == "Outlet 1"


def test_full_quote_merges_disjoint_excerpts_into_the_lowest_id() -> None:
    linker = Linker()
    a = linker.add([rec(1, "We will not raise taxes on working families")])
    b = linker.add([rec(2, "we will fight every cut to the pension fund this year")])
    ida, idb = next(iter(a.clusters)), next(iter(b.clusters))
    assert ida != idb
    merged = linker.add([rec(3, FULL, day=2)])
    assert merged.removed == {max(ida, idb)}
    assert list(merged.clusters) == [min(ida, idb)]
    assert {r.quote_id for r in merged.clusters[min(ida, idb)].renderings} == {1, 2, 3}


def test_indirect_rendering_is_a_paraphrase_never_altered() -> None:
    said = "taxes on working families would not rise and he would fight every pension cut"
    clusters = link_quotes([rec(1, FULL), rec(2, said, day=2, quote_kind="indirect")])
    assert len(clusters) == 1
    assert kind_of(clusters, 2) == "paraphrase"
    assert next(iter(clusters.values())).altered == 0


def test_quotes_loaded_without_a_cluster_are_linked_on_the_next_add() -> None:
    linker = Linker()
    linker.load([(rec(1, FULL), 7), (rec(2, FULL, day=2), None)])
    update = linker.add([])
    assert list(update.clusters) == [7]
    assert linker.cluster_of(2) == 7


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([FULL, OTHER, "Yes.", "we will fight every cut"]), max_size=12))
def test_linking_is_a_partition_for_any_input(texts: list[str]) -> None:
    quotes = [rec(i, t, speaker=1 + i % 2) for i, t in enumerate(texts)]
    clusters = link_quotes(quotes)
    ids = sorted(r.quote_id for c in clusters.values() for r in c.renderings)
    assert ids == list(range(len(texts)))
    for info in clusters.values():
        for r in info.renderings:  # another speaker named only as a recorded misattribution
            named = quotes[r.quote_id].speaker_id
            assert (named == info.speaker_id) == (r.attributed_to is None)
        assert info.reference_id in {r.quote_id for r in info.renderings}


# ---------------------------------------------------------------- metrics
def test_pairwise_scores_count_pairs() -> None:
    gold = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}
    pred = {1: 10, 2: 10, 3: 11, 4: 12, 5: 12}
    scores = pairwise(gold, pred)
    assert (scores.tp, scores.predicted, scores.actual) == (2, 2, 4)
    assert scores.precision == 1.0 and scores.recall == 0.5
    missing = pairwise(gold, {1: 10, 2: 10})
    assert (missing.tp, missing.predicted) == (1, 1)


def test_flag_scores() -> None:
    scores = flags({1: True, 2: True, 3: False}, {1: True, 3: True})
    assert (scores.tp, scores.predicted, scores.actual) == (1, 2, 2)
    assert scores.f1 == pytest.approx(0.5)


# ---------------------------------------------------------------- corpora
@pytest.mark.parametrize("corpus", [LINKING, SAMPLES], ids=["linking", "samples"])
def test_corpus_files_are_built_from_their_source(corpus: Path, tmp_path: Path) -> None:
    script = SAMPLES / "build_corpus.py"
    subprocess.run([sys.executable, str(script), str(corpus / "source.txt"), str(tmp_path)], check=True)
    for name in ("articles.jsonl", "gold.json"):
        assert (tmp_path / name).read_text() == (corpus / name).read_text(), f"rebuild {name}"
    articles = {json.loads(x)["id"]: json.loads(x) for x in (corpus / "articles.jsonl").open()}
    for g in load_gold(corpus / "gold.json"):
        assert articles[g.article_id]["text"][g.start : g.end] == g.text


def test_linking_corpus_shape() -> None:
    gold = load_gold(LINKING / "gold.json")
    articles = (LINKING / "articles.jsonl").read_text().splitlines()
    assert len(articles) >= 20
    assert len({g.cluster for g in gold}) >= 15
    assert {g.kind for g in gold} >= {"reference", "verbatim", "excerpt", "altered"}


@pytest.mark.parametrize("corpus", [LINKING, SAMPLES], ids=["linking", "samples"])
def test_gold_renderings_link_with_target_quality(corpus: Path) -> None:
    result = evaluate_gold(corpus)
    assert result.links.f1 >= 0.95, result.links
    assert result.altered.precision >= 0.9, result.altered
    assert result.altered.recall >= 0.9, result.altered


# ---------------------------------------------------------------- short fragments
PLANT = "What happened at the plant is deeply troubling, and we will find out who knew."


def test_short_fragment_joins_its_speakers_quote() -> None:
    clusters = link_quotes(
        [rec(1, PLANT), rec(2, "deeply troubling", day=2), rec(3, "deeply troubling", speaker=2)]
    )
    assert cluster_of(clusters, 2) == cluster_of(clusters, 1)
    assert kind_of(clusters, 2) == "excerpt"
    assert cluster_of(clusters, 3) != cluster_of(clusters, 1)


def test_fragment_reported_first_merges_when_the_full_quote_arrives() -> None:
    linker = Linker()
    early = linker.add([rec(1, "deeply troubling", day=1, outlet="Scoop")])
    late = linker.add([rec(2, PLANT, day=2)])
    (cid,) = early.clusters
    assert list(late.clusters) == [cid]
    info = late.clusters[cid]
    assert (info.reference_id, info.first_outlet) == (2, "Scoop")


def test_fragment_of_function_words_links_to_nothing() -> None:
    clusters = link_quotes([rec(1, PLANT), rec(2, "and we will", day=2)])
    assert len(clusters) == 2


def test_blocks_without_shared_keys_link_alone_as_they_do_together() -> None:
    quotes = [
        rec(1, PLANT, speaker=1),
        rec(2, "deeply troubling", speaker=1, day=2),
        rec(3, FULL, speaker=2),
        rec(4, "we will fight every cut to the pension fund", speaker=2, day=3),
        rec(5, OTHER, speaker=3),
    ]
    keys = Linker().block_keys(quotes)
    assert set(keys[0]) & set(keys[1])  # the fragment meets its quote through the speaker key
    assert not set(keys[0]) & set(keys[2])
    together = {frozenset(r.quote_id for r in c.renderings) for c in link_quotes(quotes).values()}
    alone = {
        frozenset(r.quote_id for r in c.renderings)
        for block in ([quotes[0], quotes[1]], [quotes[2], quotes[3]], [quotes[4]])
        for c in link_quotes(block).values()
    }
    assert together == alone == {frozenset({1, 2}), frozenset({3, 4}), frozenset({5})}


def test_big_cluster_grown_one_quote_at_a_time_equals_one_batch() -> None:
    # Renderings of a viral quote: copies, excerpts and rewordings, then a primary source that
    # takes over as the reference part-way, so remembered renderings must be redone.
    words = FULL.split()
    texts = [FULL, " ".join(words[:8]), FULL.replace("every", "each"), FULL.upper()]
    recs = [rec(i, texts[i % len(texts)], day=5 + i % 20) for i in range(1, 31)]
    recs.append(rec(31, FULL.replace("fight", "oppose"), day=1, is_transcript=True))
    batch = link_quotes(recs)
    grown = Linker()
    seen = []
    for r in recs:
        update = grown.add([r])
        seen.append(update.clusters[grown.cluster_of(1) or 0])
    before, last = seen[-2], seen[-1]
    whole = cluster_of(batch, 1)
    assert len(whole.renderings) == 31
    assert before.reference_id == 20  # the earliest full report that others agree with
    assert {r.kind for r in before.renderings} == {"reference", "verbatim", "excerpt", "altered"}
    assert last.reference_id == whole.reference_id == 31
    assert "verbatim" not in {r.kind for r in last.renderings}  # all redone against quote 31
    assert sorted(last.renderings, key=lambda x: x.quote_id) == sorted(
        whole.renderings, key=lambda x: x.quote_id)
