"""Linking patterns seen on real news, each with invented test text: cut-off pages, references,
fragments and scare quotes, composites, rewordings, speech texts without quotation marks."""

from __future__ import annotations

import datetime as dt

from quoteline.link import ClusterInfo, QuoteRecord, link_quotes

D = dt.date
DAY = D(2025, 6, 3)
SEAWALL = ("We cannot and should not start the seawall unless the money for its upkeep is set "
           "aside for those unexpected winters.")


def rec(qid: int, text: str, speaker: int | None = 1, day: D | None = DAY,
        article: str | None = None, **kw: object) -> QuoteRecord:
    """A unit of article ``article`` (default: its own), published on ``day``."""
    return QuoteRecord(qid, text, speaker, article or f"a{qid}", day,  # type: ignore[arg-type]
                       outlet=f"Outlet {qid}", **kw)


def only(clusters: dict[int, ClusterInfo], qid: int) -> ClusterInfo:
    """The one cluster holding unit ``qid``."""
    [info] = [c for c in clusters.values() if any(r.quote_id == qid for r in c.renderings)]
    return info


def kinds(info: ClusterInfo) -> dict[int, str]:
    """Unit id -> rendering kind."""
    return {r.quote_id: r.kind for r in info.renderings}


# ---------------------------------------------------------------- pages cut off mid-word
def test_a_rendering_cut_off_mid_word_by_the_end_of_its_page_is_an_excerpt() -> None:
    cut = SEAWALL[: SEAWALL.index("winters") + 3]  # "... for those unexpected win"
    info = only(link_quotes([rec(1, SEAWALL), rec(2, SEAWALL), rec(3, cut)]), 3)
    assert kinds(info)[3] == "excerpt" and info.altered == 0
    changed = cut.replace("upkeep", "repairs")
    info = only(link_quotes([rec(1, SEAWALL), rec(2, SEAWALL), rec(3, changed)]), 3)
    assert kinds(info)[3] == "altered"  # the cut forgives the last word only


def test_a_cut_off_primary_source_gives_way_to_the_copy_that_completes_it() -> None:
    cut = SEAWALL[: SEAWALL.index("winters") + 3]
    speech = rec(1, cut, is_transcript=True)
    info = only(link_quotes([speech, rec(2, SEAWALL), rec(3, SEAWALL, day=D(2025, 6, 4))]), 1)
    assert info.reference_id == 2
    assert kinds(info) == {1: "excerpt", 2: "reference", 3: "verbatim"}
    whole = only(link_quotes([rec(1, SEAWALL, is_transcript=True), rec(2, SEAWALL)]), 1)
    assert whole.reference_id == 1


# ---------------------------------------------------------------- the reference
def test_between_two_wordings_as_well_supported_the_first_reported_is_the_reference() -> None:
    short = "I am leaving because with such a demanding post comes duty."
    longer = "I am leaving because with such a demanding post comes a heavy duty."
    units = [rec(1, short), rec(2, short, day=None), rec(3, longer), rec(4, longer, day=None)]
    info = only(link_quotes(units), 1)
    assert info.reference_id == 1  # same day, same support: the earlier report, not the longer
    assert kinds(info) == {1: "reference", 2: "verbatim", 3: "altered", 4: "altered"}
