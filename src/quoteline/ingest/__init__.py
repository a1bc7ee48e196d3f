"""The one reader: text, HTML, JSONL(.gz), WARC(.gz), URLs and feeds to Articles or Skips."""

from quoteline.ingest.options import FetchOptions, SourceOptions
from quoteline.ingest.sources import count_inputs, expand, read, read_bytes

__all__ = ["FetchOptions", "SourceOptions", "count_inputs", "expand", "read", "read_bytes"]
