"""Public extraction API: ``extract`` for one text, ``extract_many`` for batches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice

from quoteline.models import Article, Extraction, Quote, Skip, parse_date
from quoteline.nlp.batch import EXTRACTOR, extract_batch, quotes_in_text, stamp
from quoteline.nlp.loader import load_nlp
from quoteline.nlp.options import ExtractOptions
from quoteline.nlp.workers import check_can_start_helpers, extract_parallel

__all__ = ["DEFAULT_BATCH", "EXTRACTOR", "ExtractOptions", "extract", "extract_many"]

DEFAULT_BATCH = 16


def extract(
    text: str,
    published: str | dt.date | None = None,
    *,
    model: str | None = None,
    article_id: str | None = None,
    options: ExtractOptions | None = None,
) -> list[Quote]:
    """Every quotation in ``text``, attributed and dated against ``published``."""
    nlp = load_nlp(model)
    pub = parse_date(published)
    if not text or not text.strip():
        return []
    return stamp(quotes_in_text(nlp, text, pub, options or ExtractOptions()), nlp, article_id)


def extract_many(
    articles: Iterable[Article | Skip | str],
    *,
    model: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    workers: int = 1,
    options: ExtractOptions | None = None,
) -> Iterator[Extraction | Skip]:
    """Extract from many articles, in input order; a bad article yields a Skip, never an error.

    A ``Skip`` in the input (an input the reader could not use) passes through in its place.
    ``workers`` counts the processes that extract, this one included: with 2, one helper
    process starts beside this one. Helpers re-run a calling script's top level, so from a
    script, call this under ``if __name__ == "__main__":``; without it, a UsageError says so.
    """
    opts = options or ExtractOptions()
    items = (a if isinstance(a, Article | Skip) else Article(text=a) for a in articles)
    if workers <= 1:
        return _extract_batches(items, model, batch_size, opts)
    check_can_start_helpers(workers)  # here, at the call, not at the first result
    return extract_parallel(items, model, batch_size, workers, opts)


def _extract_batches(items: Iterable[Article | Skip], model: str | None, batch_size: int,
                     opts: ExtractOptions) -> Iterator[Extraction | Skip]:
    nlp = load_nlp(model)
    it = iter(items)
    while batch := list(islice(it, batch_size)):
        yield from extract_batch(nlp, batch, opts)
