"""The linking quality gate: linking-dev through the whole product stays above pinned floors,
the gate's scorer agrees with the reference scorer, and quoteline's own corpora keep their
figures through utterance units."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import pytest

from quoteline.evaluate.linking import (
    check,
    corpus_set,
    link_gold_spans,
    load_linking_floors,
    load_rows,
    predict,
    quote_rows,
    score_linking,
    score_quote_links,
)

ROOT = Path(__file__).resolve().parents[1]
SETS = {s.name: s for s in load_linking_floors()}


def reference_scorer(shared_dir: Path) -> Any:
    """../shared/eval/score_linking.py as a module."""
    spec = importlib.util.spec_from_file_location("score_linking",
                                                  shared_dir / "eval" / "score_linking.py")
    assert spec is not None and spec.loader is not None
    mod: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def no_semantic() -> Any:
    """Linking as the default install does it (floors are pinned without the extra)."""
    old = os.environ.get("QUOTELINE_SEMANTIC")
    os.environ["QUOTELINE_SEMANTIC"] = "0"
    yield
    if old is None:
        del os.environ["QUOTELINE_SEMANTIC"]
    else:
        os.environ["QUOTELINE_SEMANTIC"] = old


def test_floors_name_the_issue_metrics() -> None:
    dev = SETS["linking-dev"]
    assert set(dev.floors) == {"found_rate", "link_f1", "altered_p", "altered_r"}
    assert all(0 < v <= 1 for v in dev.floors.values())


@pytest.fixture(scope="module")
def dev(shared_dir: Path, no_semantic: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """linking-dev documents, gold, and the product's renderings for them."""
    s = SETS["linking-dev"]
    docs, gold = load_rows(shared_dir / s.docs), load_rows(shared_dir / s.gold)
    return docs, gold, predict(docs)


@pytest.mark.quality
def test_linking_dev_floors(dev: tuple[list[Any], list[Any], list[Any]]) -> None:
    docs, gold, pred = dev
    res = score_linking(docs, gold, pred)
    assert check(res, SETS["linking-dev"].floors) == [], res


@pytest.mark.quality
def test_scorer_agrees_with_the_reference_scorer(dev: tuple[list[Any], list[Any], list[Any]],
                                                 shared_dir: Path) -> None:
    docs, gold, pred = dev
    ref = reference_scorer(shared_dir).score(docs, gold, pred)
    ours = score_linking(docs, gold, pred)
    assert ours == pytest.approx(ref)
    perfect = [{"article_id": g["doc"], "start": g["start"], "end": g["end"],
                "cluster": g["cluster"], "rendering": g["rendering"], "speaker": g["speaker"]}
               for g in gold]
    assert score_linking(docs, gold, perfect)["link_f1"] == 1.0


@pytest.mark.quality
def test_linking_alone_on_the_gold_spans(dev: tuple[list[Any], list[Any], list[Any]]) -> None:
    docs, gold, _ = dev
    res = score_linking(docs, gold, link_gold_spans(docs, gold))
    # what the linker does when extraction and attribution are right
    assert res["link_f1"] >= 0.80 and res["altered_p"] >= 0.70, res


# tests/data/linking was 0.992 before quotes carried acts: its gold links three quotes that are
# now thoughts, never linked ("ordered every household to ...", "urged parents to ...", a
# two-word scare quote after "called"), as the realnews annotation does not count them.
# samples was 0.939 (altered R 0.833) until a short sentence with a phrase reworded counted as
# a rewording (its back-translated two-sentence rendering).
@pytest.mark.parametrize(("corpus", "link_f1", "altered_r"),
                         [("tests/data/linking", 0.96, 1.0), ("samples", 0.99, 1.0)])
def test_own_corpora_keep_their_figures_through_units(corpus: str, link_f1: float,
                                                      altered_r: float, no_semantic: Any) -> None:
    docs, gold = corpus_set(ROOT / corpus)
    res = score_quote_links(docs, gold, quote_rows(predict(docs)))
    assert res["link_p"] == 1.0 and res["altered_p"] == 1.0, res
    assert res["link_f1"] >= link_f1 and res["altered_r"] >= altered_r, res
