"""``quoteline spark``: extraction and linking on Apache Spark (needs ``quoteline[spark]``).

Also the spark-submit application: ``spark-submit .../quoteline/spark/job.py extract IN OUT``.
"""

from __future__ import annotations

from pathlib import Path

import click

from quoteline.cli.common import model_option
from quoteline.models import parse_date

MASTER_HELP = ("Spark master URL (local[4], spark://host:7077, yarn, k8s://...); "
               "default: spark-submit's, else local[*].")


@click.group()
def spark() -> None:
    """Run extraction and linking on Apache Spark (pip install 'quoteline[spark]').

    \b
    Examples:
      quoteline spark extract articles.jsonl out/ --master 'local[4]'
      quoteline spark extract 's3a://bucket/cc-news/*.warc.gz' s3a://bucket/out --input-format warc
      quoteline spark link out/quotes out/links
    """


@spark.command("extract")
@click.argument("input_path", metavar="INPUT")
@click.argument("output", metavar="OUTPUT")
@click.option("--input-format", "fmt", type=click.Choice(["jsonl", "parquet", "warc", "text"]),
              default="jsonl", show_default=True,
              help="jsonl/parquet: one article a row (id, text, published, url, outlet); "
                   "text: one article a file; warc: HTML responses in WARC(.gz) files.")
@click.option("--partitions", type=click.IntRange(1), default=None,
              help="Repartition the articles into N tasks before extraction.")
@click.option("--master", default=None, metavar="URL", help=MASTER_HELP)
@click.option("--batch-size", type=click.IntRange(1, 1024), default=16, show_default=True,
              help="Articles per spaCy batch inside a partition.")
@click.option("--published", metavar="YYYY-MM-DD",
              help="Publication date for text and HTML input that carries none.")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT's tables if they exist.")
@model_option
@click.pass_context
def extract(ctx: click.Context, input_path: str, output: str, fmt: str, partitions: int | None,
            master: str | None, batch_size: int, published: str | None, overwrite: bool,
            model: str | None) -> None:
    """Extract quotes from INPUT (local, hdfs:// or s3a:// paths, globs) into OUTPUT (Parquet).

    \b
    Writes OUTPUT/quotes (the fields of `quoteline extract` plus url, outlet,
    published), OUTPUT/speakers and OUTPUT/skips (source, reason, detail).
    Exit codes: 0 done, 1 fatal, 2 usage, 3 done but some inputs were skipped.

    \b
    Examples:
      quoteline spark extract articles.jsonl out/ --partitions 8
      quoteline spark extract 's3a://bucket/cc-news/*.warc.gz' out/ --input-format warc --master yarn
    """
    from quoteline.spark.runner import extract_job, spark_session

    try:
        parse_date(published)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--published") from None
    session = spark_session(master, app="quoteline extract")
    summary = extract_job(session, input_path, output, fmt=fmt, partitions=partitions,
                          model=model, batch_size=batch_size, published=published,
                          overwrite=overwrite)
    click.echo(f"{summary.quotes} quote(s), {summary.speakers} speaker(s), {summary.skips} "
               f"skip(s) written to {summary.output}", err=True)
    if summary.skips:
        click.echo(f"{summary.skips} input(s) skipped; see {output.rstrip('/')}/skips", err=True)
        ctx.exit(3)


@spark.command("link")
@click.argument("quotes_path", metavar="QUOTES_PARQUET")
@click.argument("output", metavar="OUTPUT")
@click.option("--master", default=None, metavar="URL", help=MASTER_HELP)
@click.option("--partitions", type=click.IntRange(1), default=None,
              help="Shuffle partitions for blocking and linking (default: the parallelism).")
@click.option("--aliases", "alias_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=None, help="Speaker alias file (canonical = alias; ...).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT's tables if they exist.")
@click.option("--max-driver-edges", type=click.IntRange(0), default=2_000_000, show_default=True,
              help="Find blocks on the driver up to this many candidate edges, else in Spark.")
def link(quotes_path: str, output: str, master: str | None, partitions: int | None,
         alias_file: Path | None, overwrite: bool, max_driver_edges: int) -> None:
    """Link quotes across articles: the clusters single-machine linking makes, at scale.

    \b
    QUOTES_PARQUET is the quotes table of `quoteline spark extract` (OUTPUT/quotes).
    Writes OUTPUT/quotes (input + quote_id, speaker_id, cluster_id), OUTPUT/clusters,
    OUTPUT/renderings (kind, similarity, word diff per quote) and OUTPUT/speakers.
    Cluster ids are canonical: the smallest quote_id in the cluster.

    \b
    Example:
      quoteline spark link out/quotes linked/ --partitions 16
    """
    from quoteline.spark.link_runner import link_job
    from quoteline.spark.runner import spark_session

    session = spark_session(master, app="quoteline link")
    summary = link_job(session, quotes_path, output, alias_file=alias_file,
                       partitions=partitions, overwrite=overwrite,
                       max_driver_edges=max_driver_edges)
    click.echo(f"{summary.quotes} quote(s) in {summary.clusters} cluster(s), "
               f"{summary.speakers} speaker(s), {summary.rounds} propagation round(s); "
               f"written to {summary.output}", err=True)
