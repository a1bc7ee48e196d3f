"""Linking quality: pairwise link precision/recall/F1 and flag (altered) precision/recall."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 with the counts behind them."""

    tp: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        """tp / predicted (1.0 when nothing was predicted)."""
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """tp / actual (1.0 when there was nothing to find)."""
        return self.tp / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} (tp={self.tp})"


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(gold: Mapping[K, Hashable], predicted: Mapping[K, Hashable]) -> Scores:
    """Pairwise link scores over the items of ``gold``: a pair is linked when labels agree.

    An item missing from ``predicted`` counts as a singleton (it links to nothing).
    Counts come from the contingency table, so a million items cost no more than a pass.
    """
    missing = object()
    pred = {k: predicted.get(k, missing) for k in gold}
    pred = {k: (("missing", k) if v is missing else ("label", v)) for k, v in pred.items()}
    joint = Counter((gold[k], pred[k]) for k in gold)
    tp = sum(_pairs(n) for n in joint.values())
    actual = sum(_pairs(n) for n in Counter(gold.values()).values())
    found = sum(_pairs(n) for n in Counter(pred.values()).values())
    return Scores(tp, found, actual)


def flags(gold: Mapping[K, bool], predicted: Mapping[K, bool]) -> Scores:
    """Precision/recall of a yes/no flag (e.g. altered) over the items of ``gold``."""
    tp = sum(1 for k, g in gold.items() if g and predicted.get(k, False))
    found = sum(1 for k in gold if predicted.get(k, False))
    actual = sum(1 for g in gold.values() if g)
    return Scores(tp, found, actual)
