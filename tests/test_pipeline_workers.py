"""extract_many with helper processes: the same results, in input order, as one process."""

from __future__ import annotations

from quoteline.models import Article, Extraction, Skip
from quoteline.nlp.pipeline import extract_many


def _articles() -> list[Article]:
    arts = []
    for i in range(23):
        if i % 7 == 3:
            arts.append(Article(text="   ", id=f"a{i}"))  # a skip, in the middle of a task
        else:
            arts.append(Article(
                text=f'"We will need {i} more weeks," Mayor Ana Ruiz{i} said on Tuesday. '
                     f"She said the bridge number {i} would reopen.",
                id=f"a{i}", published=None))
    return arts


def _summary(results: list[Extraction | Skip]) -> list[tuple[str, str, tuple[str, ...]]]:
    out = []
    for r in results:
        if isinstance(r, Skip):
            out.append(("skip", r.article_id or "", (r.reason,)))
        else:
            out.append(("ok", r.article.id or "", tuple(f"{q.text}|{q.speaker}" for q in r.quotes)))
    return out


def test_two_and_three_workers_match_one_in_order() -> None:
    arts = _articles()
    one = _summary(list(extract_many(arts, workers=1)))
    assert [s[1] for s in one] == [a.id for a in arts]
    assert sum(1 for s in one if s[0] == "skip") == 3
    assert all(s[2] for s in one if s[0] == "ok"), "every good article has quotes"
    for workers in (2, 3):
        assert _summary(list(extract_many(arts, workers=workers))) == one


def test_helpers_get_only_their_share_near_the_end() -> None:
    from quoteline.nlp.workers import _to_helper
    assert [_to_helper(p, 1, 50, False) for p in range(5)] == [True, True, True, False, False]
    # Near the end, one helper beside this process: the helper's queue stays under half of the
    # tasks left, so neither process waits on the other's queue at the end.
    assert _to_helper(0, 1, 1, True) and not _to_helper(1, 1, 1, True)
    assert _to_helper(1, 1, 2, True) and not _to_helper(2, 1, 2, True)
    assert _to_helper(2, 3, 1, True) and not _to_helper(3, 3, 1, True)
