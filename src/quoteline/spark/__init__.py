"""Apache Spark adapters: extraction and linking at corpus scale (``quoteline[spark]``).

pyspark is imported lazily: importing this package never needs it; running a job does.
The per-partition work lives in ``quoteline.spark.worker`` and is plain Python over the
library (``extract_many``, ``article_from_record``), so it is the same code a single
machine runs.
"""

from __future__ import annotations

import importlib.util

from quoteline.errors import MissingExtraError


def require_pyspark() -> None:
    """Raise MissingExtraError (with the pip command) when pyspark is not installed."""
    if importlib.util.find_spec("pyspark") is None:
        raise MissingExtraError("pyspark", "spark")


__all__ = ["require_pyspark"]
