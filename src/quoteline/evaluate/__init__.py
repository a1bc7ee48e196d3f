"""Evaluation against gold annotations: reading gold, alignment, metrics and the quality gate.

Agrees metric for metric with the reference scorer (../shared/eval/score.py) without
needing it at run time.
"""

from __future__ import annotations

from quoteline.evaluate.gold import (
    keep_acts,
    load_docs,
    predict,
    prediction_doc,
    quote_record,
    write_docs,
)
from quoteline.evaluate.report import reference_table, table
from quoteline.evaluate.scorer import reference_view, score

__all__ = [
    "keep_acts",
    "load_docs",
    "predict",
    "prediction_doc",
    "quote_record",
    "reference_table",
    "reference_view",
    "score",
    "table",
    "write_docs",
]
