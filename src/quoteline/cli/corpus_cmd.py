"""Corpus verbs: ingest, skips, search, speaker, cluster, export, load (thin over the library)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from quoteline.cli.common import (
    acts_option,
    db_option,
    model_option,
    open_existing,
    open_or_create,
    progress,
    store_name,
)
from quoteline.errors import QuotelineError, UsageError
from quoteline.models import KINDS, ActChoice, parse_date
from quoteline.search import Filters, SearchRequest

F = TypeVar("F", bound=Callable[..., object])
FIELDS = ("id", "text", "url", "title", "published", "outlet", "author")


def _date(value: str | None, flag: str) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=flag) from None


# ---------------------------------------------------------------------- ingest
def _field_options(f: F) -> F:
    for name in reversed(FIELDS):
        f = click.option(f"--field-{name}", f"field_{name}", metavar="KEY", default=None,
                         help=f"JSONL key holding the article's {name} (default: {name}).")(f)
    return f


@click.command()
@click.argument("sources", nargs=-1, required=True)
@db_option
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Extraction worker processes (each loads the model once).")
@click.option("--aliases", "alias_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=None, help="Speaker alias file (canonical = alias; ...).")
@click.option("--timeout", type=click.FloatRange(0.1), default=None,
              help="Seconds a network fetch may take in all (default: fetch_timeout, 15).")
@click.option("--published", metavar="YYYY-MM-DD", default=None,
              help="Publication date for text and HTML inputs that carry none.")
@click.option("--show", is_flag=True,
              help="Afterwards, show what the store holds: top speakers, clusters, altered quotes.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (it shows only on a terminal).")
@click.option("--primary", is_flag=True,
              help="The inputs are primary sources (transcripts, speech texts, statements): "
                   "every sentence is the speaker's, and the reference for its quotes.")
@click.option("--speaker", "primary_speaker", metavar="NAME", default=None,
              help="Whose words a --primary input holds (Q&A transcripts: the answerer).")
@_field_options
@model_option
def ingest(sources: tuple[str, ...], db_url: str | None, workers: int, alias_file: Path | None,
           timeout: float | None, published: str | None, show: bool, quiet: bool,
           primary: bool, primary_speaker: str | None, model: str | None,
           **fields: str | None) -> None:
    """Ingest SOURCE... into the store: extract, resolve speakers and link quotes.

    \b
    SOURCE: a text or HTML file, a folder (recursive), a glob, - (stdin), a JSONL(.gz)
    file of articles, a WARC(.gz) file (CC-NEWS), an http(s) URL or an RSS/Atom feed URL.
    Re-running is safe: what is already stored is not added again, and an interrupted
    run carries on where it stopped. On a terminal a progress bar shows counts, rate and
    the time left (--quiet hides it). Exit codes: 0 done, 3 done with skips.

    \b
    Examples:
      quoteline ingest samples/articles.jsonl --show
      quoteline ingest 'news/**/*.html' --db postgresql://me@localhost/quotes --workers 2
      quoteline ingest https://example.com/feed.xml --quiet
      quoteline ingest story.txt --published 2022-11-16
      quoteline ingest --primary --speaker "Jane Doe" speech.txt
    """
    from quoteline.cli.tables import print_overview
    from quoteline.corpus import ingest as run_ingest
    from quoteline.ingest import FetchOptions, SourceOptions, count_inputs

    remap = {k.removeprefix("field_"): v for k, v in fields.items() if v}
    if primary_speaker and not primary:
        raise click.UsageError("--speaker names the speaker of a --primary source; add --primary")
    fetch = FetchOptions() if timeout is None else FetchOptions(timeout=timeout)
    opts = SourceOptions(fields=remap, published=_date(published, "--published"), fetch=fetch)
    total = None if quiet else count_inputs(list(sources))
    with open_or_create(db_url) as store:
        with progress("ingesting", total, quiet=quiet) as bar:
            def tick(report: Any) -> None:
                """Show the running counts."""
                bar.update(report.read, note=f"{report.stored} stored, {report.quotes} "
                                             f"quotes, {report.skipped} skipped")

            report = run_ingest(list(sources), store, workers=workers, model=model,
                                options=opts, alias_file=alias_file, progress=tick,
                                primary=primary, speaker=primary_speaker)
        if show:
            print_overview(store.overview())
    for note in [] if quiet else report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"ingest: {report.summary()}", err=True)
    click.get_current_context().exit(report.exit_code)


# ---------------------------------------------------------------------- output helpers
def _emit(rows: Iterable[dict[str, Any]], fmt: str, columns: list[str]) -> int:
    """Write rows as jsonl or csv (guarded cells, see corpus.export) on stdout; how many."""
    from quoteline.corpus.export import write_csv

    if fmt == "csv":
        return write_csv(rows, columns, sys.stdout)
    n = 0
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def _format_option(choices: tuple[str, ...], default: str) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=True, help="Output format.")


def _nothing(what: str, url: str) -> None:
    """The one line an empty table result prints."""
    click.echo(f"{what} in {store_name(url)}", err=True)


# ---------------------------------------------------------------------- verbs
@click.command()
@db_option
@click.option("--limit", type=click.IntRange(1), default=None, help="Show at most N.")
@_format_option(("table", "jsonl", "csv"), "table")
def skips(db_url: str | None, limit: int | None, fmt: str) -> None:
    """List inputs that were skipped, newest first, with reasons.

    \b
    Examples:
      quoteline skips --db sqlite:///news.db
      quoteline skips --format jsonl > skips.jsonl
    """
    from quoteline.cli.tables import print_rows
    from quoteline.corpus.export import SKIP_COLUMNS

    with open_existing(db_url) as store:
        rows = [s.to_dict() for s in store.skips(limit)]
        url = store.url
    if fmt != "table":
        _emit(rows, fmt, SKIP_COLUMNS)
    elif not rows:
        _nothing("no skips recorded", url)
    else:
        print_rows(rows, SKIP_COLUMNS, wide="detail")
        click.echo(f"{len(rows)} skip(s)", err=True)


@click.command()
@click.argument("query", default="")
@db_option
@click.option("--speaker", default=None, help="Only quotes by this speaker (name or alias).")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Said on or after this date.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Said on or before this date.")
@click.option("--outlet", default=None, help="Only this outlet.")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Only this kind of quote.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, metavar="0..1",
              help="Only quotes extracted with at least this confidence.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@acts_option
@_format_option(("table", "jsonl", "csv"), "table")
def search(query: str, db_url: str | None, speaker: str | None, date_from: str | None,
           date_to: str | None, outlet: str | None, kind: str | None,
           min_confidence: float | None, limit: int, acts: ActChoice, fmt: str) -> None:
    """Ranked full-text search over stored quotes.

    \b
    QUERY: words (all must match), "a phrase", word* (prefix), a OR b, -word (exclude).
    CSV cells that a spreadsheet would run as a formula are prefixed with '.
    Examples:
      quoteline search 'bridge "next year"' --speaker Smith --from 2024-01-01
      quoteline search inflation --format jsonl
      quoteline search "peace talks" --min-confidence 0.7 --format csv > talks.csv
      quoteline search sanctions --acts all   # beliefs, intentions and stances too
    """
    from quoteline.cli.tables import print_quotes
    from quoteline.corpus.export import SEARCH_COLUMNS, search_row

    filters = Filters(speaker, _date(date_from, "--from"), _date(date_to, "--to"), outlet, kind,
                      min_confidence=min_confidence, acts=acts)
    with open_existing(db_url) as store:
        result = store.search_page(SearchRequest(query, filters, limit))
        badges = store.altered_elsewhere(result.hits)
        url = store.url
    if result.problem:
        raise UsageError(result.problem)
    if fmt != "table":
        _emit((search_row(h, badges[h.quote_id]) for h in result.hits), fmt, SEARCH_COLUMNS)
    elif not result.hits:
        _nothing(f"no quotes match {query!r}" if query else "no quotes match", url)
    else:
        print_quotes(result.hits)
        click.echo(f"{len(result.hits)} quote(s) shown; {result.describe()} in all", err=True)


@click.command()
@click.argument("name")
@db_option
@acts_option
@_format_option(("table", "jsonl", "csv"), "table")
def speaker(name: str, db_url: str | None, acts: ActChoice, fmt: str) -> None:
    """Everything a speaker said, oldest first (by date said, else date published).

    \b
    Examples:
      quoteline speaker "Mark Milley"
      quoteline speaker Milley --format jsonl
      quoteline speaker Milley --acts all   # what he believes or plans, too
    """
    from quoteline.cli.tables import print_quotes
    from quoteline.corpus.export import SEARCH_COLUMNS, search_row

    with open_existing(db_url) as store:
        found = store.find_speakers(name)
        if not found:
            raise QuotelineError(f"no speaker called {name!r} in {store_name(store.url)}; try "
                                 f"a surname, or quoteline search --speaker {name!r}")
        timelines = [(info, store.timeline(info.speaker_id, acts=acts)) for info in found]
    for info, hits in timelines:
        if fmt != "table":
            _emit((search_row(h) for h in hits), fmt, SEARCH_COLUMNS)
            continue
        title = f"{info.name} ({', '.join(info.titles)})" if info.titles else info.name
        also = f"; also called {', '.join(info.other_names)}" if info.other_names else ""
        print_quotes(hits, speaker=False,
                     title=f"{title}: {info.quotes} quote{'' if info.quotes == 1 else 's'}{also}")


@click.command()
@click.argument("cluster_id", type=int)
@db_option
@acts_option
@_format_option(("table", "json"), "table")
def cluster(cluster_id: int, db_url: str | None, acts: ActChoice, fmt: str) -> None:
    """All renderings of one quote cluster; a word diff where a rendering's words differ.

    \b
    Examples:
      quoteline cluster 12 --db sqlite:///samples.db
      quoteline cluster 12 --acts all
    """
    from quoteline.cli.tables import print_cluster

    with open_existing(db_url) as store:
        view = store.cluster(cluster_id, acts)
        units = store.cluster_units(cluster_id)
    if view is None:
        raise QuotelineError(f"no cluster {cluster_id}; list clusters with "
                             "quoteline export clusters")
    if fmt == "json":
        click.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=1, default=str))
        return
    print_cluster(view, units)


@click.command()
@click.argument("what", type=click.Choice(["quotes", "renderings", "speakers", "clusters"]))
@db_option
@_format_option(("jsonl", "csv", "parquet"), "jsonl")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of stdout (needed for parquet; default WHAT.parquet).")
@click.option("--flag", type=click.Choice(["altered", "misattributed"]), default=None,
              help="Renderings or clusters: only clusters with this flag.")
@acts_option
def export(what: str, db_url: str | None, fmt: str, output: Path | None,
           flag: str | None, acts: ActChoice) -> None:
    """Export quotes, renderings, speakers or clusters as JSONL, CSV or Parquet.

    \b
    renderings: one row per utterance unit (a sentence of a quote) with its cluster,
    rendering (reference, verbatim, excerpt, altered, paraphrase), severity, diff,
    similarity and attributed_to (the speaker an outlet named, when it is not the
    cluster's: a misattribution).
    CSV cells that a spreadsheet would run as a formula are prefixed with '.
    Examples:
      quoteline export quotes > quotes.jsonl
      quoteline export renderings --format jsonl > renderings.jsonl
      quoteline export renderings --flag misattributed --format csv > misattributed.csv
      quoteline export clusters --format csv > clusters.csv
      quoteline export quotes --format parquet --output quotes.parquet
      quoteline export quotes --acts all > everything.jsonl
    """
    from quoteline.corpus.export import export_rows, require_parquet, write_parquet

    if flag and what not in ("renderings", "clusters"):
        raise click.UsageError("--flag filters renderings or clusters")
    if fmt == "parquet":
        require_parquet()  # before anything else: no work is done that cannot be written
    with open_existing(db_url) as store:
        rows, columns = export_rows(store, what, flag, acts=acts)
        if fmt == "parquet":
            n = write_parquet(rows, columns, output or Path(f"{what}.parquet"))
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                saved, sys.stdout = sys.stdout, fh
                try:
                    n = _emit(rows, fmt, columns)
                finally:
                    sys.stdout = saved
        else:
            n = _emit(rows, fmt, columns)
    click.echo(f"exported {n} {what}", err=True)


@click.command()
@click.argument("output", type=click.Path(exists=True, file_okay=False, path_type=Path))
@db_option
@click.option("--aliases", "alias_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=None, help="Speaker alias file.")
def load(output: Path, db_url: str | None, alias_file: Path | None) -> None:
    """Bulk-load a folder of Parquet files written by the Spark job.

    Output of `spark link` keeps Spark's work: its speakers, their quotes and
    clusters (with renderings and diffs) are stored as Spark computed them, with
    nothing linked again; --aliases then joins speakers (a recorded merge), and a
    later ingest links new articles into the loaded clusters. Output of `spark
    extract` (quotes/, skips/) is linked here, as ingest does. Loading the same
    output twice adds nothing; PostgreSQL is loaded with COPY.

    \b
    Examples:
      quoteline spark extract cc-news.warc.gz out/ && quoteline load out/ --db sqlite:///news.db
      quoteline spark link out/quotes linked/ && quoteline load linked/ --db postgresql://u@h/news
      quoteline load linked/ --db sqlite:///news.db --aliases aliases.txt
    """
    from quoteline.corpus.bulk import load_parquet

    with open_or_create(db_url) as store:
        report = load_parquet(output, store, alias_file=alias_file)
    click.echo(f"load: {report.summary()}", err=True)
