"""Driver side of ``quoteline spark extract``: read inputs through Spark, extract, write Parquet.

pyspark objects are typed ``Any`` here: pyspark's stubs are partial and this module only wires
DataFrames together; the work itself is in ``quoteline.spark.worker``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from typing import Any

from quoteline.errors import ModelNotFoundError, QuotelineError, UsageError
from quoteline.ingest.options import DEFAULT_FIELDS, SourceOptions
from quoteline.models import parse_date
from quoteline.spark import require_pyspark
from quoteline.spark.worker import (
    QUOTE,
    SKIP,
    extract_partition,
    from_file,
    from_json_line,
    from_record,
    from_warc,
    safely,
)

INPUT_FORMATS = ("jsonl", "parquet", "warc", "text")
EXTRACT_TABLES = ("quotes", "speakers", "skips")
JAVA_HINT = (
    "Spark needs Java 17 or newer and none was found; install a JDK (for example "
    "apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
)


@dataclass(frozen=True, slots=True)
class ExtractSummary:
    """What one extraction job wrote."""

    quotes: int
    skips: int
    speakers: int
    output: str


def spark_session(master: str | None = None, app: str = "quoteline",
                  conf: dict[str, str] | None = None) -> Any:
    """A SparkSession: ``master`` if given, else spark-submit's, else local[*]."""
    require_pyspark()
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ
    if not under_submit and not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise QuotelineError(JAVA_HINT)
    if not under_submit and (master is None or master.startswith("local")):
        # Local workers must run this very interpreter (the one with quoteline and the model).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    if master is None or master.startswith("local"):
        builder = builder.config("spark.ui.enabled", "false")
        builder = builder.config("spark.sql.shuffle.partitions", "8")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: say why and what to do
        raise QuotelineError(f"could not start Spark ({exc}); {JAVA_HINT}") from None
    spark.sparkContext.setLogLevel("WARN")
    return spark


def read_inputs(spark: Any, path: str, fmt: str, published: str | None = None,
                opts: SourceOptions | None = None) -> Any:
    """An RDD of ``Article | Skip`` from ``path`` (local, HDFS, S3, ...) in format ``fmt``.

    Every format is read by the library's readers (``quoteline.ingest``) with ``opts``, made
    here on the driver, so executors read with the driver's limits and give the skips that
    ``quoteline extract`` and ``ingest`` give.
    """
    opts = opts or SourceOptions(published=parse_date(published))
    if fmt == "jsonl":
        return _jsonl(spark, path, opts)
    if fmt == "parquet":
        from pyspark.sql import functions as F

        df = spark.read.parquet(path)
        cols = [c for c in DEFAULT_FIELDS.values() if c in df.columns]
        df = df.select(*cols, F.col("_metadata.file_path").alias("__file"))
        return df.rdd.flatMap(lambda r: safely(r["__file"], from_record, r.asDict(), r["__file"],
                                               opts))
    if fmt in ("text", "warc"):
        read = from_file if fmt == "text" else from_warc
        df = spark.read.format("binaryFile").load(path).select("path", "content")
        return df.rdd.flatMap(lambda r: safely(r[0], read, r[0], r[1], opts))
    raise UsageError(f"unknown input format {fmt!r}; use one of {', '.join(INPUT_FORMATS)}")


def _jsonl(spark: Any, path: str, opts: SourceOptions) -> Any:
    """JSONL lines: plain files split by Spark's text reader; gzip files whole, by the library.

    A gzip file cannot be split anyway, and read by the library a truncated one gives its
    lines and then a skip (Spark's own gzip reading fails the task), and a gzip bomb stops at
    ``max_inflated_bytes``.
    """
    from pyspark.sql import functions as F

    files = [r[0] for r in spark.read.format("binaryFile").load(path).select("path").collect()]
    parts = []
    gz = [f for f in files if f.lower().endswith(".gz")]
    plain = [f for f in files if not f.lower().endswith(".gz")]
    if gz:
        df = spark.read.format("binaryFile").load(gz).select("path", "content")
        parts.append(df.rdd.flatMap(lambda r: safely(r[0], from_file, r[0], r[1], opts)))
    if plain:
        # As bytes: Spark keeps each line's raw bytes, so invalid UTF-8 becomes a skip, as it
        # does locally, instead of text with replacement characters.
        df = spark.read.text(plain).select(F.col("value").cast("binary"),
                                           F.col("_metadata.file_path").alias("f"))
        parts.append(df.rdd.flatMap(lambda r: safely(r[1], from_json_line, bytes(r[0]), r[1],
                                                     opts)))
    return spark.sparkContext.union(parts) if parts else spark.sparkContext.emptyRDD()


def extract_job(
    spark: Any, input_path: str, output: str, *, fmt: str = "jsonl",
    partitions: int | None = None, model: str | None = None, batch_size: int = 16,
    published: str | None = None, overwrite: bool = False,
) -> ExtractSummary:
    """Extract quotes from ``input_path`` and write OUTPUT/{quotes,speakers,skips} as Parquet."""
    from pyspark import StorageLevel

    from quoteline.spark.schema import tagged_schema

    check_output(spark, output, EXTRACT_TABLES, overwrite)
    items = read_inputs(spark, input_path, fmt, published)
    if partitions is None and fmt == "warc":  # one WARC file is one task until spread out
        partitions = spark.sparkContext.defaultParallelism * 4
    if partitions:
        items = items.repartition(partitions)
    tagged = items.mapPartitions(lambda it: extract_partition(it, model, batch_size))
    df = spark.createDataFrame(tagged, tagged_schema()).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        quotes = df.where(df.kind == QUOTE).select(f"{QUOTE}.*")
        skips = df.where(df.kind == SKIP).select(f"{SKIP}.*")
        speakers = speaker_table(quotes)
        mode = "overwrite" if overwrite else "errorifexists"
        tables = dict(zip(EXTRACT_TABLES, (quotes, speakers, skips), strict=True))
        for name, table in tables.items():
            write_table(table, f"{output.rstrip('/')}/{name}", mode)
        counts = dict(df.groupBy("kind").count().collect())
        n_speakers = spark.read.parquet(f"{output.rstrip('/')}/speakers").count()
    finally:
        df.unpersist()
    return ExtractSummary(counts.get(QUOTE, 0), counts.get(SKIP, 0), n_speakers, output)


def speaker_table(quotes: Any) -> Any:
    """One row per speaker name: how often, where and when they were quoted."""
    from pyspark.sql import functions as F

    when = F.coalesce(F.col("said_on"), F.col("published"))
    return (
        quotes.where(F.col("speaker").isNotNull())
        .groupBy("speaker")
        .agg(
            F.count(F.lit(1)).alias("quotes"),
            F.countDistinct("article_id").alias("articles"),
            F.countDistinct("outlet").alias("outlets"),
            F.mode("speaker_title").alias("speaker_title"),
            F.min(when).alias("first_said"),
            F.max(when).alias("last_said"),
        )
    )


def check_output(spark: Any, output: str, tables: tuple[str, ...], overwrite: bool) -> None:
    """Fail before any work when OUTPUT already holds one of ``tables`` (unless overwrite)."""
    if overwrite:
        return
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    for name in tables:
        path = jvm.org.apache.hadoop.fs.Path(f"{output.rstrip('/')}/{name}")
        if path.getFileSystem(conf).exists(path):
            raise UsageError(f"{path} already exists; pass --overwrite or choose another OUTPUT")


def write_table(df: Any, path: str, mode: str) -> None:
    """Write ``df`` as Parquet; an existing OUTPUT is a usage error unless mode is overwrite."""
    from pyspark.errors import AnalysisException

    try:
        df.write.mode(mode).parquet(path)
    except AnalysisException as exc:
        if "already exists" in str(exc).lower() or "PATH_ALREADY_EXISTS" in str(exc):
            raise UsageError(f"{path} already exists; pass --overwrite or choose another OUTPUT") \
                from None
        raise
    except Exception as exc:  # a task failed: surface a missing model as the library says it
        found = _MODEL_ERROR.search(str(exc))
        if found:
            raise ModelNotFoundError(f"on an executor: {found.group(1)}") from None
        raise


_MODEL_ERROR = re.compile(r"ModelNotFoundError: (.+)")
