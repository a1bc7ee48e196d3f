"""Corpus verbs: ingest, skips, search, speaker, cluster, export, load (thin over the library)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from quoteline.cli.common import model_option
from quoteline.errors import QuotelineError
from quoteline.models import KINDS, parse_date
from quoteline.store import QuoteHit, Store, default_url, open_store

F = TypeVar("F", bound=Callable[..., object])
FIELDS = ("id", "text", "url", "title", "published", "outlet", "author")


def db_option(f: F) -> F:
    """--db URL (default $QUOTELINE_DB or sqlite:///quoteline.db)."""
    return click.option("--db", "db_url", metavar="URL", default=None,
                        help="Store URL: sqlite:///FILE (default: $QUOTELINE_DB or "
                             "sqlite:///quoteline.db) or postgresql://USER@HOST:PORT/DB.")(f)


def _open(db_url: str | None) -> Store:
    return open_store(db_url or default_url())


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
@click.option("--timeout", type=float, default=15.0, show_default=True,
              help="Seconds before a network fetch gives up.")
@click.option("--show", is_flag=True,
              help="Afterwards, show what the store holds: top speakers, clusters, altered quotes.")
@click.option("--primary", is_flag=True,
              help="The inputs are primary sources (transcripts, speech texts, statements): "
                   "every sentence is the speaker's, and the reference for its quotes.")
@click.option("--speaker", "primary_speaker", metavar="NAME", default=None,
              help="Whose words a --primary input holds (Q&A transcripts: the answerer).")
@_field_options
@model_option
def ingest(sources: tuple[str, ...], db_url: str | None, workers: int, alias_file: Path | None,
           timeout: float, show: bool, primary: bool, primary_speaker: str | None,
           model: str | None, **fields: str | None) -> None:
    """Ingest SOURCE... into the store: extract, resolve speakers and link quotes.

    \b
    SOURCE: a text or HTML file, a folder (recursive), a glob, - (stdin), a JSONL(.gz)
    file of articles, a WARC(.gz) file (CC-NEWS), an http(s) URL or an RSS/Atom feed URL.
    Re-running is safe: what is already stored is not added again, and an interrupted
    run carries on where it stopped. Exit codes: 0 done, 3 done with skips.

    \b
    Examples:
      quoteline ingest samples/articles.jsonl --show
      quoteline ingest 'news/**/*.html' --db postgresql://me@localhost/quotes --workers 2
      quoteline ingest https://example.com/feed.xml
      quoteline ingest --primary --speaker "Jane Doe" speech.txt
    """
    from quoteline.corpus import ingest as run_ingest
    from quoteline.ingest.fetch import FetchOptions
    from quoteline.ingest.sources import SourceOptions

    remap = {k.removeprefix("field_"): v for k, v in fields.items() if v}
    opts = SourceOptions(fields=remap, fetch=FetchOptions(timeout=timeout))
    with _open(db_url) as store, _progress() as tick:
        if primary_speaker and not primary:
            raise click.UsageError("--speaker names the speaker of a --primary source; add --primary")
        report = run_ingest(list(sources), store, workers=workers, model=model, options=opts,
                            alias_file=alias_file, progress=tick, primary=primary,
                            speaker=primary_speaker)
        if show:
            _overview(store)
    click.echo(f"ingest: {report.summary()}", err=True)
    click.get_current_context().exit(report.exit_code)


class _progress:
    """A rich progress line on a terminal (stderr); nothing otherwise."""

    def __enter__(self) -> Callable[[Any], None] | None:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("ingesting")

        def tick(report: Any) -> None:
            """Show the running counts."""
            self.bar.update(task, description=f"ingesting: {report.summary().split(' [')[0]}")

        return tick

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "bar"):
            self.bar.stop()


def _overview(store: Store, n: int = 5) -> None:
    """Top speakers, the largest clusters and the altered renderings, as tables."""
    st = store.stats()
    click.echo(f"{st.articles} articles ({st.copies} copies), {st.quotes} quotes, "
               f"{st.speakers} speakers, {st.clusters} multi-outlet clusters, "
               f"{st.altered} altered renderings")
    _table(({"speaker": s.name, "quotes": s.quotes} for s in store.top_speakers(n)),
           ["speaker", "quotes"], "top speakers")
    clusters = [r for r in store.clusters(min_size=2)][:n]
    _table(clusters, ["cluster", "speaker", "size", "altered", "first_outlet",
                      "reference_text"], "largest clusters")
    altered = [{"cluster": c["cluster"], "outlet": h.outlet, "text": h.text,
                "diff": _diff_text(h.diff)}
               for c in store.clusters(altered_only=True) for h in _renderings(store, c)
               if h.rendering == "altered"][: n * 2]
    _table(altered, ["cluster", "outlet", "text", "diff"], "altered quotes")


def _renderings(store: Store, row: dict[str, Any]) -> tuple[QuoteHit, ...]:
    view = store.cluster(int(row["cluster"]))
    return view.renderings if view else ()


# ---------------------------------------------------------------------- output helpers
def _emit(rows: Iterable[dict[str, Any]], fmt: str, columns: list[str],
          table_title: str | None = None) -> int:
    """Write rows as jsonl, csv or a table on stdout; how many."""
    n = 0
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            n += 1
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})
            n += 1
    else:
        n = _table(rows, columns, table_title)
    return n


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def _table(rows: Iterable[dict[str, Any]], columns: list[str], title: str | None) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title) if title else None, show_lines=True)
    for col in columns:
        table.add_column(col, overflow="fold")
    n = 0
    for row in rows:
        table.add_row(*(escape("" if row.get(c) is None else str(_cell(row.get(c))))
                        for c in columns))
        n += 1
    Console().print(table)
    return n


def _format_option(choices: tuple[str, ...], default: str) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=True, help="Output format.")


QUOTE_TABLE = ["quote_id", "when", "speaker", "text", "outlet", "cluster", "rendering"]
QUOTE_CSV = ["article_id", "url", "outlet", "published", "start", "end", "text", "kind",
             "speaker", "speaker_id", "cue", "said_on", "cluster", "rendering", "quote_id",
             "speaker_name", "speaker_title", "confidence", "similarity", "diff", "score"]


def _quote_rows(hits: Iterable[QuoteHit], fmt: str) -> Iterator[dict[str, Any]]:
    for hit in hits:
        row = hit.to_dict()
        if fmt == "table":
            when = hit.when
            row["when"] = when.isoformat() if when else ""
            row["speaker"] = hit.speaker_name or hit.speaker
        yield row


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
    with _open(db_url) as store:
        rows = [s.to_dict() for s in store.skips(limit)]
    n = _emit(rows, fmt, ["source", "reason", "article_id", "detail", "skipped_at"])
    if fmt == "table":
        click.echo(f"{n} skip(s)", err=True)


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
@_format_option(("table", "jsonl", "csv"), "table")
def search(query: str, db_url: str | None, speaker: str | None, date_from: str | None,
           date_to: str | None, outlet: str | None, kind: str | None,
           min_confidence: float | None, limit: int, fmt: str) -> None:
    """Ranked full-text search over stored quotes.

    \b
    QUERY: words (all must match), "a phrase", word* (prefix), a OR b, -word (exclude).
    Examples:
      quoteline search 'bridge "next year"' --speaker Smith --from 2024-01-01
      quoteline search inflation --format jsonl
      quoteline search "peace talks" --min-confidence 0.7
    """
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    with _open(db_url) as store:
        hits = store.search(query, speaker=speaker, date_from=start, date_to=end,
                            outlet=outlet, kind=kind, min_confidence=min_confidence, limit=limit)
    cols = QUOTE_TABLE if fmt == "table" else QUOTE_CSV
    n = _emit(_quote_rows(hits, fmt), fmt, cols)
    if fmt == "table":
        click.echo(f"{n} quote(s)", err=True)


@click.command()
@click.argument("name")
@db_option
@_format_option(("table", "jsonl", "csv"), "table")
def speaker(name: str, db_url: str | None, fmt: str) -> None:
    """Everything a speaker said, oldest first (by date said, else date published).

    \b
    Examples:
      quoteline speaker "Mark Milley"
      quoteline speaker Milley --format jsonl
    """
    with _open(db_url) as store:
        found = store.find_speakers(name)
        if not found:
            raise QuotelineError(f"no speaker called {name!r} in the store; try a surname, or "
                                 f"quoteline search --speaker {name!r}")
        for info in found:
            title = f"{info.name} ({', '.join(info.titles)})" if info.titles else info.name
            rows = _quote_rows(store.timeline(info.speaker_id), fmt)
            cols = ["when", "text", "outlet", "article_id", "cluster", "rendering"]
            _emit(rows, fmt, cols if fmt == "table" else QUOTE_CSV,
                  table_title=f"{title}: {info.quotes} quote(s); also called "
                              f"{', '.join(info.aliases) or '-'}")


@click.command()
@click.argument("cluster_id", type=int)
@db_option
@_format_option(("table", "json"), "table")
def cluster(cluster_id: int, db_url: str | None, fmt: str) -> None:
    """All renderings of one quote cluster with word diffs; altered ones are flagged.

    \b
    Example:
      quoteline cluster 12 --db sqlite:///samples.db
    """
    with _open(db_url) as store:
        view = store.cluster(cluster_id)
        units = store.cluster_units(cluster_id)
    if view is None:
        raise QuotelineError(f"no cluster {cluster_id}; list clusters with "
                             "quoteline export clusters")
    if fmt == "json":
        click.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=1, default=str))
        return
    rows = []
    for unit in units:
        flag = "ALTERED " if unit["rendering"] == "altered" else ""
        severity = f" ({unit['severity']})" if unit["severity"] else ""
        rows.append({"quote_id": unit["quote_id"],
                     "rendering": flag + (unit["rendering"] or "") + severity,
                     "outlet": unit["outlet"], "published": unit["published"],
                     "text": unit["text"], "attributed_to": unit["attributed_to"] or "",
                     "diff": _diff_text(unit["diff"]) if unit["rendering"] != "reference" else ""})
    misattributed = "; MISATTRIBUTED by some outlets" if view.misattributed else ""
    _emit(rows, "table", ["quote_id", "rendering", "outlet", "published", "text",
                          "attributed_to", "diff"],
          table_title=f"cluster {view.cluster_id}: first reported by {view.first_outlet or '?'} "
                      f"on {view.first_published or '?'}; {view.altered} altered"
                      f"{misattributed}")


def _diff_text(diff: list[Any] | None) -> str:
    """A diff as text: [-removed-] {+added+}, kept words plain."""
    out = []
    for op, words in diff or []:
        out.append(words if op == "=" else f"[-{words}-]" if op == "-" else f"{{+{words}+}}")
    return " ".join(out)


@click.command()
@click.argument("what", type=click.Choice(["quotes", "renderings", "speakers", "clusters"]))
@db_option
@_format_option(("jsonl", "csv", "parquet"), "jsonl")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of stdout (needed for parquet; default WHAT.parquet).")
@click.option("--flag", type=click.Choice(["altered", "misattributed"]), default=None,
              help="Renderings or clusters: only clusters with this flag.")
def export(what: str, db_url: str | None, fmt: str, output: Path | None,
           flag: str | None) -> None:
    """Export quotes, renderings, speakers or clusters as JSONL, CSV or Parquet.

    \b
    renderings: one row per utterance unit (a sentence of a quote) with its cluster,
    rendering (reference, verbatim, excerpt, altered, paraphrase), severity, diff,
    similarity and attributed_to (the speaker an outlet named, when it is not the
    cluster's: a misattribution).
    Examples:
      quoteline export quotes > quotes.jsonl
      quoteline export renderings --format jsonl > renderings.jsonl
      quoteline export renderings --flag misattributed --format csv > misattributed.csv
      quoteline export clusters --format csv > clusters.csv
      quoteline export quotes --format parquet --output quotes.parquet
    """
    from quoteline.corpus.export import export_rows, write_parquet

    if flag and what not in ("renderings", "clusters"):
        raise click.UsageError("--flag filters renderings or clusters")
    with _open(db_url) as store:
        rows, columns = export_rows(store, what, flag)
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
    """Bulk-load a folder of Parquet files (quotes/, skips/) written by the Spark job.

    \b
    Example:
      quoteline spark extract cc-news.warc.gz out/ && quoteline load out/ --db sqlite:///news.db
    """
    from quoteline.corpus.bulk import load_parquet

    with _open(db_url) as store:
        report = load_parquet(output, store, alias_file=alias_file)
    click.echo(f"load: {report.summary()}", err=True)

