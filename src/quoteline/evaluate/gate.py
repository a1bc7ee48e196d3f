"""The quality gate: extraction over gold sets must stay at or above pinned floors.

The floors live in ``floors.json`` next to this module; the gold data does not ship with
quoteline, so the caller names the directory that holds it (``../shared`` in development).

  python -m quoteline.evaluate.gate ../shared [--set seed] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from quoteline.errors import InputError, QuotelineError
from quoteline.evaluate.gold import keep_acts, load_docs, predict
from quoteline.evaluate.report import table
from quoteline.evaluate.scorer import score
from quoteline.models import ACT_CHOICES, ActChoice


@dataclass(frozen=True, slots=True)
class GoldSet:
    """One gold file and the floors its scores must reach."""

    name: str
    gold: str  # relative to the shared data directory
    floors: dict[str, float]
    acts: ActChoice = "speech"  # what is scored: statements, or "all" (PolNeAR: thoughts too)


@dataclass(slots=True)
class SetResult:
    """The scores of one gold set and the floors it missed."""

    gold_set: GoldSet
    result: dict[str, Any]
    predictions: list[dict[str, Any]]
    failures: list[str] = field(default_factory=list)


def load_floors(path: str | Path | None = None) -> list[GoldSet]:
    """The gold sets and floors from ``path`` (default: the floors.json shipped here)."""
    try:
        if path is None:
            raw = resources.files("quoteline.evaluate").joinpath("floors.json").read_text("utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = json.loads(raw)
        return [GoldSet(name, spec["gold"], {k: float(v) for k, v in spec["floors"].items()},
                        _acts(spec.get("acts", "speech")))
                for name, spec in data["sets"].items()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"cannot read the quality floors ({path or 'floors.json'}): {exc}; "
                         "it needs {\"sets\": {NAME: {\"gold\": PATH, \"floors\": {...}}}}"
                         ) from None


def _acts(value: str) -> ActChoice:
    for choice in ACT_CHOICES:
        if value == choice:
            return choice
    raise ValueError(f"acts is {value!r}, not one of {', '.join(ACT_CHOICES)}")


def metric(res: dict[str, Any], name: str) -> float | None:
    """The value at dotted path ``name`` in a score result (None when absent or n/a)."""
    node: Any = res
    for key in name.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, int | float) else None


def check(res: dict[str, Any], floors: dict[str, float]) -> list[str]:
    """One message per floor that ``res`` does not reach."""
    failures = []
    for name, floor in floors.items():
        value = metric(res, name)
        if value is None or value + 1e-9 < floor:
            shown = "missing" if value is None else f"{value:.4f}"
            failures.append(f"{name} = {shown}, below the floor {floor:g}")
    return failures


def run_set(gold_set: GoldSet, shared_dir: str | Path, *, model: str | None = None,
            workers: int = 1) -> SetResult:
    """Extract over one gold set, score the acts it names and check its floors."""
    gold = load_docs(Path(shared_dir) / gold_set.gold)
    preds, _skips = predict(gold, model=model, workers=workers)
    preds = keep_acts(preds, gold_set.acts)
    res = score(gold, preds)
    return SetResult(gold_set, res, preds, check(res, gold_set.floors))


def run_gate(shared_dir: str | Path, *, names: list[str] | None = None,
             model: str | None = None, workers: int = 1) -> list[SetResult]:
    """Every gold set (or those named), scored and checked against its floors."""
    sets = [s for s in load_floors() if not names or s.name in names]
    if names and len(sets) != len(set(names)):
        known = ", ".join(s.name for s in load_floors())
        raise InputError(f"unknown gold set in {names}; the floors name: {known}")
    return [run_set(s, shared_dir, model=model, workers=workers) for s in sets]


def main(argv: list[str] | None = None) -> int:
    """Print each set's scores and missed floors; 1 when any floor is missed."""
    ap = argparse.ArgumentParser(prog="python -m quoteline.evaluate.gate", description=__doc__)
    ap.add_argument("shared_dir", help="directory holding the gold files named in floors.json")
    ap.add_argument("--set", dest="names", action="append", help="only this gold set")
    ap.add_argument("--model", default=None)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    try:
        results = run_gate(args.shared_dir, names=args.names, model=args.model,
                           workers=args.workers)
    except QuotelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    for r in results:
        print(f"== {r.gold_set.name} ({r.gold_set.gold})\n{table(r.result)}\n")
        for msg in r.failures:
            print(f"FLOOR MISSED [{r.gold_set.name}] {msg}")
    missed = sum(len(r.failures) for r in results)
    print(f"quality gate: {'FAILED, ' + str(missed) + ' floor(s) missed' if missed else 'passed'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
