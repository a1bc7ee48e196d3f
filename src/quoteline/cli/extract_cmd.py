"""``quoteline extract``: quotes from any source ``ingest`` reads, without a store."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import click

from quoteline.cli.common import acts_option, echo_skip, model_option, progress
from quoteline.ingest import SourceOptions, count_inputs, read
from quoteline.models import ActChoice, Article, Extraction, Quote, Skip, parse_date, shown_acts
from quoteline.nlp.pipeline import extract_many


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--published", metavar="YYYY-MM-DD",
              help="Publication date for text and HTML input without one (JSONL rows carry "
                   "their own).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "table"]), default="jsonl",
              show_default=True, help="jsonl: one quote a line; json: one array; table: for people.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (each loads the model once).")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, metavar="0..1",
              help="Only quotes extracted with at least this confidence.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (it shows only on a terminal).")
@acts_option
@model_option
@click.pass_context
def extract(ctx: click.Context, paths: tuple[str, ...], published: str | None, fmt: str,
            workers: int, min_confidence: float, quiet: bool, acts: ActChoice,
            model: str | None) -> None:
    """Extract quotes from PATH... (files, folders, globs, URLs, or - for stdin).

    \b
    PATH: a text or HTML file, a folder (read recursively), a JSONL(.gz) file of
    articles (fields id, text, published, url), a WARC(.gz) file, or an http(s) URL.
    Output offsets are code points into the article text. On a terminal a progress bar
    on stderr shows counts, rate and the time left (--quiet hides it; nothing on a pipe).
    Exit codes: 0 done, 2 usage error, 3 done but some inputs were skipped.

    \b
    Examples:
      quoteline extract story.txt --published 2022-11-16 --format table
      quoteline extract page.html news/ --format json
      cat story.txt | quoteline extract - --format json
      quoteline extract articles.jsonl > quotes.jsonl
      quoteline extract articles.jsonl --min-confidence 0.7 --workers 2
      quoteline extract news/ --quiet > quotes.jsonl
      quoteline extract story.txt --acts all    # beliefs and intentions too
    """
    try:
        day = parse_date(published)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--published") from None
    inputs = read(list(paths), SourceOptions(published=day))
    with progress("extracting", quiet=quiet) as bar:
        if bar.shown:  # counting reads the inputs' sizes: only for a bar someone sees
            bar.total = count_inputs(list(paths))
        skipped = _run(inputs, fmt, workers, model, min_confidence, acts, bar)
    if skipped:
        click.echo(f"{skipped} input(s) skipped; see the messages above", err=True)
        ctx.exit(3)


def _run(inputs: Iterable[Article | Skip], fmt: str, workers: int, model: str | None,
         min_confidence: float = 0.0, acts: ActChoice = "speech",
         bar: progress | None = None) -> int:
    skips = found = 0
    results: list[Quote] = []
    for n, res in enumerate(extract_many(inputs, model=model, workers=workers), 1):
        if isinstance(res, Skip):
            skips += 1
            echo_skip(res)
        else:
            quotes = _quotes(res, min_confidence, acts)
            found += len(quotes)
            if fmt == "jsonl":
                for q in quotes:
                    sys.stdout.write(json.dumps(q.to_dict(), ensure_ascii=False) + "\n")
            else:
                results.extend(quotes)
        if bar is not None:
            bar.update(n, note=f"{found} quotes, {skips} skipped")
    if fmt == "json":
        json.dump([q.to_dict() for q in results], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif fmt == "table":
        _table(results)
    return skips


def _quotes(res: Extraction, min_confidence: float, acts: ActChoice) -> list[Quote]:
    shown = shown_acts(acts)
    return [q for q in res.quotes if q.confidence >= min_confidence and q.act in shown]


def _table(quotes: list[Quote]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=True)
    for col in ("article", "speaker", "kind", "said on", "quote", "conf"):
        table.add_column(col)
    for q in quotes:
        who = q.speaker or "?"
        if q.speaker_title:
            who += f"\n({q.speaker_title})"
        table.add_row(escape(q.article_id or ""), escape(who), q.kind,
                      q.said_on.isoformat() if q.said_on else "", escape(q.text),
                      f"{q.confidence:.2f}")
    Console().print(table)
