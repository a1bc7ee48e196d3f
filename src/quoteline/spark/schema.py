"""Spark schemas of the Parquet output, in the column order of ``quoteline.spark.worker``."""

from __future__ import annotations

from typing import Any

from quoteline.spark.worker import QUOTE, QUOTE_FIELDS, SKIP, SKIP_FIELDS


def _types() -> Any:
    from pyspark.sql import types

    return types


def span_type() -> Any:
    """struct<start:int, end:int, text:string>: a cue, source or part span."""
    t = _types()
    return t.StructType([
        t.StructField("start", t.IntegerType(), False),
        t.StructField("end", t.IntegerType(), False),
        t.StructField("text", t.StringType(), True),
    ])


def quote_schema() -> Any:
    """One row per quote: the JSONL fields of ``quoteline extract`` plus url, outlet, published."""
    t = _types()
    types = {
        "start": t.IntegerType(), "end": t.IntegerType(), "cue": span_type(),
        "source": span_type(), "said_on": t.DateType(), "confidence": t.DoubleType(),
        "parts": t.ArrayType(span_type(), False), "published": t.DateType(),
    }
    return t.StructType(
        [t.StructField(name, types.get(name, t.StringType()), True) for name in QUOTE_FIELDS]
    )


def skip_schema() -> Any:
    """One row per skipped input: source, reason, detail, article_id."""
    t = _types()
    return t.StructType([t.StructField(name, t.StringType(), True) for name in SKIP_FIELDS])


def tagged_schema() -> Any:
    """What a partition yields: kind ('quote' | 'skip') and the one matching row."""
    t = _types()
    return t.StructType([
        t.StructField("kind", t.StringType(), False),
        t.StructField(QUOTE, quote_schema(), True),
        t.StructField(SKIP, skip_schema(), True),
    ])


def cluster_schema() -> Any:
    """One row per cluster (ids canonical: the smallest quote_id in the cluster)."""
    t = _types()
    return t.StructType([
        t.StructField("cluster_id", t.LongType(), False),
        t.StructField("reference_id", t.LongType(), False),
        t.StructField("first_outlet", t.StringType(), True),
        t.StructField("first_published", t.DateType(), True),
        t.StructField("speaker_id", t.LongType(), True),
        t.StructField("size", t.IntegerType(), False),
        t.StructField("altered", t.IntegerType(), False),
        t.StructField("misattributed", t.BooleanType(), False),
        t.StructField("first_article", t.StringType(), True),
    ])


def rendering_schema() -> Any:
    """One row per quote: its cluster, how it renders the reference, the word diff, how much an
    altered one changed (minor | major), and the speaker another outlet named (misattributed)."""
    t = _types()
    op = t.StructType([t.StructField("op", t.StringType(), False),
                       t.StructField("text", t.StringType(), False)])
    return t.StructType([
        t.StructField("quote_id", t.LongType(), False),
        t.StructField("cluster_id", t.LongType(), False),
        t.StructField("kind", t.StringType(), False),
        t.StructField("similarity", t.DoubleType(), False),
        t.StructField("diff", t.ArrayType(op, False), False),
        t.StructField("severity", t.StringType(), True),
        t.StructField("attributed_to", t.LongType(), True),
    ])


def speaker_schema() -> Any:
    """One row per corpus speaker (SpeakerResolver records)."""
    t = _types()
    return t.StructType([
        t.StructField("speaker_id", t.LongType(), False),
        t.StructField("name", t.StringType(), False),
        t.StructField("aliases", t.ArrayType(t.StringType(), False), False),
        t.StructField("titles", t.ArrayType(t.StringType(), False), False),
        t.StructField("is_body", t.BooleanType(), False),
    ])
