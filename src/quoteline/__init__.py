"""quoteline: who said what, when, in the news."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quoteline.errors import QuotelineError
from quoteline.models import Article, Extraction, Quote, Skip, Span
from quoteline.nlp.options import ExtractOptions
from quoteline.version import __version__

if TYPE_CHECKING:  # imported lazily below: importing quoteline must not import spaCy
    from quoteline.nlp.pipeline import extract, extract_many

__all__ = [
    "Article",
    "ExtractOptions",
    "Extraction",
    "Quote",
    "QuotelineError",
    "Skip",
    "Span",
    "__version__",
    "extract",
    "extract_many",
]


def __getattr__(name: str) -> object:
    # Lazy: importing quoteline must not import spaCy (the CLI's --help stays instant).
    if name in ("extract", "extract_many"):
        from quoteline.nlp import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'quoteline' has no attribute {name!r}")
