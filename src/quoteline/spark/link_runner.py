"""Driver side of ``quoteline spark link``: corpus-scale clustering with the library's linker.

1. Quote ids: the input's ``quote_id`` column, else 1.. in (article_id, start, end) order.
2. Speakers: distinct (speaker, title) pairs, resolved on the driver by ``SpeakerResolver`` in
   order of first appearance (one call per distinct pair), then broadcast.
3. Blocks: every quote's LSH band keys (the linker's own features), computed in Spark;
   quotes sharing a key are joined, and connected components found by min-label propagation.
4. Quotes are partitioned by component, and one ``Linker`` links each partition's
   components together (see ``quoteline.spark.linking`` for why this equals one
   single-machine run); clusters get canonical ids.
5. OUTPUT/quotes holds every input quote with its ``speaker_id``, ``cluster_id`` and rendering
   (``rendering``, ``similarity``, ``diff``, ``severity``, ``attributed_to``), in article
   order, beside OUTPUT/clusters, renderings and speakers: ``quoteline load`` keeps them as
   they are (``quoteline.corpus.bulk_linked``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quoteline.spark.linking import (
    band_keys,
    cluster_row,
    link_block,
    quote_record,
    rendering_rows,
    resolve_speakers,
    speaker_row,
    star_edges,
)
from quoteline.spark.runner import check_output, write_table

LINK_TABLES = ("quotes", "clusters", "renderings", "speakers")
RECORD_COLUMNS = ("quote_id", "text", "speaker", "speaker_title", "article_id", "published",
                  "said_on", "outlet", "kind")
# What each quotes/ row carries of its rendering, so ``quoteline load`` keeps it in one pass.
RENDERING_COLUMNS = ("quote_id", "cluster_id", "kind AS rendering", "similarity", "diff",
                     "severity", "attributed_to")
# Up to this many distinct candidate edges, blocks are found on the driver (one collect).
MAX_DRIVER_EDGES = 2_000_000


@dataclass(frozen=True, slots=True)
class LinkSummary:
    """What one linking job wrote."""

    quotes: int
    clusters: int
    speakers: int
    rounds: int  # label-propagation rounds until the blocks were stable (0: on the driver)
    output: str


def with_quote_ids(quotes: Any) -> Any:
    """``quotes`` with a ``quote_id`` column: kept if present, else 1.. in a stable order."""
    if "quote_id" in quotes.columns:
        return quotes
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StructField, StructType

    ordered = quotes.orderBy(F.col("article_id").asc_nulls_first(), "start", "end", "text")
    schema = StructType([*ordered.schema.fields, StructField("quote_id", LongType(), False)])
    rows = ordered.rdd.zipWithIndex().map(lambda ri: (*ri[0], ri[1] + 1))
    return quotes.sparkSession.createDataFrame(rows, schema)


def components(edges: Any, parts: int) -> tuple[Any, int]:
    """(quote_id, smallest quote_id in its connected component) for every quote with an edge.

    Min-label propagation with pointer jumping (a label takes its own label's label), so the
    rounds grow with the log of a component's diameter. ``parts`` pins every shuffle's width:
    PySpark otherwise sizes a reduce by its input, and each round's union would widen it.
    """
    from pyspark import StorageLevel

    keep = StorageLevel.MEMORY_AND_DISK
    adj = edges.flatMap(lambda e: (e, (e[1], e[0]))).distinct(parts).persist(keep)
    labels = adj.reduceByKey(min, parts).map(lambda kv: (kv[0], min(kv))).persist(keep)
    rounds = 0
    while True:
        rounds += 1
        spread = adj.join(labels, parts).map(lambda kv: kv[1])
        hooked = labels.union(spread).reduceByKey(min, parts)
        jumped = (hooked.map(lambda kv: (kv[1], kv[0])).join(hooked, parts)
                  .map(lambda kv: kv[1]).persist(keep))
        changed = jumped.join(labels, parts).filter(lambda kv: kv[1][0] != kv[1][1]).count()
        labels.unpersist()  # ``jumped`` is cached now, so the previous round is not needed
        labels = jumped
        if changed == 0:
            break
    adj.unpersist()
    return labels, rounds


def driver_components(edges: list[tuple[int, int]]) -> dict[int, int]:
    """Union-find over collected edges: quote_id -> smallest quote_id in its component."""
    parent: dict[int, int] = {}

    def root(v: int) -> int:
        parent.setdefault(v, v)
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {v: root(v) for v in parent}


def blocks_of(spark: Any, edges: Any, parts: int, max_driver_edges: int) -> tuple[Any, int]:
    """Component labels: on the driver when the edges are few, else by label propagation."""
    from pyspark import StorageLevel

    edges = edges.distinct(parts).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        if edges.count() <= max_driver_edges:
            labels = driver_components(edges.collect())
            return spark.sparkContext.parallelize(list(labels.items()), parts), 0
        return components(edges, parts)
    finally:
        edges.unpersist()


def link_job(spark: Any, quotes_path: str, output: str, *, alias_file: Path | None = None,
             partitions: int | None = None, overwrite: bool = False,
             max_driver_edges: int = MAX_DRIVER_EDGES) -> LinkSummary:
    """Link the quotes in ``quotes_path`` (Parquet) and write OUTPUT/{quotes,clusters,...}."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    check_output(spark, output, LINK_TABLES, overwrite)
    quotes = with_quote_ids(spark.read.parquet(quotes_path)).persist(StorageLevel.MEMORY_AND_DISK)
    pairs = (quotes.where(F.col("speaker").isNotNull())
             .groupBy("speaker", "speaker_title").agg(F.min("quote_id").alias("first"))
             .orderBy("first"))
    ids, speaker_records = resolve_speakers(
        ((r["speaker"], r["speaker_title"]) for r in pairs.toLocalIterator()), alias_file)
    table = spark.sparkContext.broadcast(ids)
    cols = [c for c in RECORD_COLUMNS if c in quotes.columns]
    records = quotes.select(*cols).rdd.map(lambda r: quote_record(r.asDict(), table.value))
    records = records.persist(StorageLevel.MEMORY_AND_DISK)
    n_parts = partitions or max(records.getNumPartitions(), spark.sparkContext.defaultParallelism)
    edges = (records.mapPartitions(band_keys).groupByKey(n_parts)
             .flatMap(lambda kv: star_edges(kv[1])))
    labels, rounds = blocks_of(spark, edges, n_parts, max_driver_edges)
    blocks = (records.keyBy(lambda r: r.quote_id).leftOuterJoin(labels, n_parts)
              .map(lambda kv: (kv[1][1] if kv[1][1] is not None else kv[0], kv[1][0]))
              .partitionBy(n_parts)  # whole components per partition: one Linker runs them all
              .mapPartitions(lambda it: link_block(rec for _, rec in it))
              .persist(StorageLevel.MEMORY_AND_DISK))
    try:
        n_clusters = _write_outputs(spark, output, quotes, records, blocks, speaker_records,
                                    "overwrite" if overwrite else "errorifexists")
        n_quotes = records.count()
    finally:
        for rdd in (blocks, records, labels):
            rdd.unpersist()
        quotes.unpersist()
        table.unpersist()
    return LinkSummary(n_quotes, n_clusters, len(speaker_records), rounds, output)


def _article_order(quotes: Any) -> list[Any]:
    """quotes/ is written in article order, so that ``load`` reads each article's quotes
    together (a batch at a time) without sorting the output again."""
    from pyspark.sql import functions as F

    return [F.col("article_id").asc_nulls_first(),
            *(c for c in ("start", "end", "quote_id") if c in quotes.columns)]


def _write_outputs(spark: Any, output: str, quotes: Any, records: Any, blocks: Any,
                   speakers: list[Any], mode: str) -> int:
    from quoteline.spark import schema as S

    out = output.rstrip("/")
    clusters = spark.createDataFrame(blocks.map(cluster_row), S.cluster_schema())
    renderings = spark.createDataFrame(blocks.flatMap(rendering_rows), S.rendering_schema())
    speaker_ids = spark.createDataFrame(records.map(lambda r: (r.quote_id, r.speaker_id)),
                                        "quote_id long, speaker_id long")
    linked = (quotes.join(speaker_ids, "quote_id", "left")
              .join(renderings.selectExpr(*RENDERING_COLUMNS), "quote_id", "left")
              .orderBy(*_article_order(quotes)))
    speaker_df = spark.createDataFrame([speaker_row(s) for s in speakers], S.speaker_schema())
    for name, df in (("clusters", clusters), ("renderings", renderings), ("quotes", linked),
                     ("speakers", speaker_df)):
        write_table(df, f"{out}/{name}", mode)
    return int(spark.read.parquet(f"{out}/clusters").count())
