"""``quoteline eval``: extract from gold documents and score the result against the gold."""

from __future__ import annotations

import json
import time

import click

from quoteline.cli.common import echo_skip, model_option
from quoteline.errors import UsageError
from quoteline.evaluate import keep_acts, load_docs, predict, score, table, write_docs
from quoteline.models import ACT_CHOICES, ActChoice


@click.command("eval")
@click.argument("gold", metavar="GOLD.jsonl")
@click.option("--predictions", "pred_out", metavar="OUT.jsonl",
              help="Also write the predictions, in the gold schema, to this file.")
@click.option("--score-only", "pred_in", metavar="PRED.jsonl",
              help="Score this predictions file instead of running extraction.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0, min_open=True), default=0.5,
              show_default=True, help="Lenient token-overlap threshold.")
@click.option("--strict", is_flag=True, help="Exact matching on raw offsets (no trimming).")
@click.option("--one-to-one", is_flag=True, help="No split/merge groups: 1:1 matching only.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for extraction (each loads the model once).")
@click.option("--acts", type=click.Choice(ACT_CHOICES), default="speech", show_default=True,
              help="What is scored: statements only, or all (beliefs, intentions and stances "
                   "too, as PolNeAR annotates them).")
@model_option
@click.pass_context
def eval_(ctx: click.Context, gold: str, pred_out: str | None, pred_in: str | None,
          as_json: bool, threshold: float, strict: bool, one_to_one: bool, workers: int,
          acts: ActChoice, model: str | None) -> None:
    """Extract quotes from every document of GOLD.jsonl and score them against its gold.

    \b
    Prints the metrics of the reference scorer (exact and lenient P/R/F1, speaker
    accuracy, speaker name, end-to-end, by kind), then said_on accuracy and speaker accuracy
    per kind. --acts chooses the predicted quotes scored (and written by --predictions):
    statements (the default), or all, with thoughts too.
    With --json the same figures come as one JSON object ("extra" holds our additions).
    Exit codes: 0 done, 2 usage or unreadable input, 3 scored but some documents were skipped.

    \b
    Examples:
      quoteline eval gold.jsonl --predictions out.jsonl
      quoteline eval polnear-dev.jsonl --acts all --workers 2
      quoteline eval gold.jsonl --score-only out.jsonl --json
    """
    if pred_in and pred_out:
        raise UsageError("--score-only reads predictions and --predictions writes them; "
                         "give one or the other")
    gold_docs = load_docs(gold, gold=True)
    n_skipped = 0
    if pred_in:
        preds = keep_acts(load_docs(pred_in, gold=False), acts)
    else:
        started = time.perf_counter()
        preds, skips = predict(gold_docs, model=model, workers=workers)
        preds = keep_acts(preds, acts)
        for skip in skips:
            echo_skip(skip)
        n_skipped = len(skips)
        click.echo(f"extracted from {len(gold_docs)} document(s) in "
                   f"{time.perf_counter() - started:.1f} s", err=True)
        if pred_out:
            write_docs(pred_out, preds)
    res = score(gold_docs, preds, threshold=threshold, strict=strict, one_to_one=one_to_one)
    click.echo(json.dumps(res, indent=1) if as_json else table(res))
    if n_skipped:
        click.echo(f"{n_skipped} document(s) skipped (scored as predicting nothing); "
                   "see the messages above", err=True)
        ctx.exit(3)
