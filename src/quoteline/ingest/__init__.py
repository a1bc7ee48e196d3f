"""Readers that turn inputs into Articles (or Skips with reasons)."""

from quoteline.ingest.basic import read_articles, read_jsonl_articles

__all__ = ["read_articles", "read_jsonl_articles"]
