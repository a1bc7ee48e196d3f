"""The quality gate: extraction over the seed and PolNeAR dev stays above the pinned floors."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from quoteline.errors import InputError
from quoteline.evaluate import load_docs, reference_view, score
from quoteline.evaluate.gate import GoldSet, SetResult, check, load_floors, metric, run_set

FLOORS = load_floors()
FLOOR_CASES = [(s.name, name) for s in FLOORS for name in s.floors]


# ---------------------------------------------------------------- the gate's own logic (fast)
def test_floors_file_names_the_issue_targets() -> None:
    sets = {s.name: s for s in FLOORS}
    assert set(sets) == {"seed", "polnear-dev", "realnews-dev"}
    # PolNeAR annotates beliefs and intentions too; the others are scored on statements
    assert [sets[n].acts for n in ("seed", "polnear-dev", "realnews-dev")] == ["speech", "all",
                                                                             "speech"]
    assert sets["seed"].floors["lenient.r"] == 1.0
    assert sets["seed"].floors["extra.lenient.said_on.correct"] == 6
    assert sets["seed"].floors["lenient.p"] >= 0.90 and sets["seed"].floors["lenient.speaker_acc"] >= 0.95
    assert sets["polnear-dev"].floors["lenient.by_kind.direct.f1"] >= 0.90
    assert sets["polnear-dev"].floors["lenient.speaker_acc"] >= 0.90
    assert sets["polnear-dev"].floors["lenient.f1"] >= 0.76
    real = sets["realnews-dev"].floors
    assert real["lenient.p"] >= 0.88 and real["lenient.r"] >= 0.85
    assert real["lenient.speaker_name_acc"] >= 0.92 and real["extra.lenient.said_on.correct"] >= 15
    for s in FLOORS:
        assert s.floors and all(v > 0 for v in s.floors.values())


def test_every_floor_names_a_real_metric(shared_dir: Path) -> None:
    for s in FLOORS:
        gold = load_docs(shared_dir / s.gold)
        perfect = score(gold, copy.deepcopy(gold))
        assert check(perfect, s.floors) == [], s.name  # perfect predictions pass every floor
        empty = score(gold, [])
        assert len(check(empty, s.floors)) == len(s.floors), s.name  # nothing passes none


def test_check_reports_missing_and_low_values() -> None:
    res = {"lenient": {"f1": 0.5, "by_kind": {"direct": {"f1": None}}}}
    assert metric(res, "lenient.f1") == 0.5
    assert metric(res, "lenient.by_kind.direct.f1") is None
    msgs = check(res, {"lenient.f1": 0.75, "lenient.by_kind.direct.f1": 0.9, "lenient.p": 0.1})
    assert len(msgs) == 3
    assert "0.5000, below the floor 0.75" in msgs[0] and "missing" in msgs[1]
    assert check(res, {"lenient.f1": 0.5}) == []


# ---------------------------------------------------------------- the gate itself (slow)
@pytest.fixture(scope="module")
def gate_results(shared_dir: Path) -> dict[str, SetResult]:
    """Extraction over every gold set, once for all floor checks."""
    return {s.name: run_set(s, shared_dir) for s in FLOORS}


def _set(name: str) -> GoldSet:
    return next(s for s in FLOORS if s.name == name)


@pytest.mark.quality
@pytest.mark.parametrize(("set_name", "floor_name"), FLOOR_CASES,
                         ids=[f"{a}:{b}" for a, b in FLOOR_CASES])
def test_floor(gate_results: dict[str, SetResult], set_name: str, floor_name: str) -> None:
    res = gate_results[set_name].result
    floor = _set(set_name).floors[floor_name]
    value = metric(res, floor_name)
    assert value is not None, f"{set_name}: no metric {floor_name}"
    assert value + 1e-9 >= floor, (
        f"{set_name}: {floor_name} = {value:.4f} fell below its floor {floor:g} "
        f"(exact F1 {res['exact']['f1']:.3f}, lenient P/R/F1 {res['lenient']['p']:.3f}/"
        f"{res['lenient']['r']:.3f}/{res['lenient']['f1']:.3f})")


@pytest.mark.quality
def test_gate_agrees_with_reference_scorer(gate_results: dict[str, SetResult],
                                           shared_dir: Path) -> None:
    """The figures the gate pins are the reference scorer's figures on the same predictions."""
    spec = importlib.util.spec_from_file_location("reference_score",
                                                  shared_dir / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    ref: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    for name, r in gate_results.items():
        gold = load_docs(shared_dir / _set(name).gold)
        assert reference_view(r.result) == ref.score(gold, copy.deepcopy(r.predictions)), name


def test_floors_with_an_unknown_act_choice_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "floors.json"
    bad.write_text('{"sets": {"x": {"gold": "g.jsonl", "acts": "dreams", "floors": {"lenient.p": 1}}}}')
    with pytest.raises(InputError, match="acts"):
        load_floors(bad)
