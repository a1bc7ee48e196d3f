"""Public extraction API: ``extract`` for one text, ``extract_many`` for batches."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from multiprocessing.pool import AsyncResult

from spacy.language import Language
from spacy.tokens import Doc

from quoteline import __version__
from quoteline.models import Article, Extraction, Quote, Skip, parse_date
from quoteline.nlp.engine import quotes_in_doc
from quoteline.nlp.loader import load_nlp, model_label

EXTRACTOR = f"quoteline {__version__}"
# Articles longer than this are cut into pieces for the parser (spaCy's memory grows with length).
MAX_CHARS = 1_000_000
DEFAULT_BATCH = 16
PARALLEL_TASK = 4  # articles per task sent to a worker process


def extract(
    text: str,
    published: str | dt.date | None = None,
    *,
    model: str | None = None,
    article_id: str | None = None,
) -> list[Quote]:
    """Every quotation in ``text``, attributed and dated against ``published``."""
    nlp = load_nlp(model)
    pub = parse_date(published)
    if not text or not text.strip():
        return []
    doc = _parse(nlp, text)
    return _stamp(quotes_in_doc(doc, pub), nlp, article_id)


def extract_many(
    articles: Iterable[Article | Skip | str],
    *,
    model: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    workers: int = 1,
) -> Iterator[Extraction | Skip]:
    """Extract from many articles, in input order; a bad article yields a Skip, never an error.

    A ``Skip`` in the input (an input the reader could not use) passes through in its place.
    ``workers`` counts the processes that extract, this one included: with 2, one helper
    process starts beside this one.
    """
    items = (a if isinstance(a, Article | Skip) else Article(text=a) for a in articles)
    if workers <= 1:
        yield from _extract_batches(items, model, batch_size)
        return
    yield from _extract_parallel(items, model, batch_size, workers)


def _parse(nlp: Language, text: str) -> Doc:
    if len(text) <= MAX_CHARS:
        return nlp(text)
    # Very long inputs: parse in paragraph-aligned pieces and join, so offsets stay exact.
    docs = list(nlp.pipe(_pieces(text)))
    return Doc.from_docs(docs, ensure_whitespace=False)


def _pieces(text: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = min(len(text), start + MAX_CHARS)
        if end < len(text):
            cut = text.rfind("\n", start + MAX_CHARS // 2, end)
            end = cut + 1 if cut > 0 else end
        yield text[start:end]
        start = end


def _stamp(quotes: list[Quote], nlp: Language, article_id: str | None) -> list[Quote]:
    label = model_label(nlp)
    return [replace(q, extractor=EXTRACTOR, model=label, article_id=article_id) for q in quotes]


def _skip_reason(article: Article) -> str | None:
    if not isinstance(article.text, str):
        return "text is not a string"
    if not article.text.strip():
        return "empty text"
    return None


def _extract_batches(
    items: Iterable[Article | Skip], model: str | None, batch_size: int
) -> Iterator[Extraction | Skip]:
    nlp = load_nlp(model)
    it = iter(items)
    while batch := list(islice(it, batch_size)):
        yield from _extract_batch(nlp, batch)


def _extract_batch(nlp: Language, batch: list[Article | Skip]) -> Iterator[Extraction | Skip]:
    good: list[Article] = []
    results: dict[int, Extraction | Skip] = {}
    for i, art in enumerate(batch):
        if isinstance(art, Skip):
            results[i] = art
            continue
        reason = _skip_reason(art)
        if reason:
            results[i] = Skip(source=art.source or art.id or "?", reason=reason, article_id=art.id)
        else:
            good.append(art)
    short = [a for a in good if len(a.text) <= MAX_CHARS]
    docs = dict(zip((id(a) for a in short), nlp.pipe(a.text for a in short), strict=True))
    for i, art in enumerate(batch):
        if i in results:
            yield results[i]
            continue
        assert isinstance(art, Article)
        yield _one(nlp, art, docs.get(id(art)))


def _one(nlp: Language, art: Article, doc: Doc | None) -> Extraction | Skip:
    try:
        doc = doc if doc is not None else _parse(nlp, art.text)
        quotes = _stamp(quotes_in_doc(doc, art.published), nlp, art.id)
    except Exception as exc:  # a bad article is a recorded skip, never a crashed batch
        return Skip(
            source=art.source or art.id or "?",
            reason=f"extraction failed: {type(exc).__name__}",
            article_id=art.id,
            detail=str(exc)[:500],
        )
    return Extraction(article=art, quotes=tuple(quotes))


# ---------------------------------------------------------------- worker processes
_WORKER_MODEL: str | None = None


def _init_worker(model: str | None) -> None:
    global _WORKER_MODEL
    _WORKER_MODEL = model
    load_nlp(model)  # once per process


def _work(batch: list[Article | Skip]) -> list[tuple[Quote, ...] | Skip]:
    # Only the quotes travel back: the parent still holds the articles and their text.
    out: list[tuple[Quote, ...] | Skip] = []
    for res in _extract_batch(load_nlp(_WORKER_MODEL), batch):
        out.append(res if isinstance(res, Skip) else res.quotes)
    return out


def _extract_parallel(
    items: Iterable[Article | Skip], model: str | None, batch_size: int, workers: int
) -> Iterator[Extraction | Skip]:
    """``workers`` processes: this one, whose model is already loaded, and ``workers - 1`` helpers.

    This process parses a task whenever the helpers have enough queued, so it is never idle
    while they start and load their model, and half the text never crosses a pipe.
    """
    nlp = load_nlp(model)  # fails fast, here, when no model is installed
    ctx = mp.get_context("spawn")
    it = iter(items)
    # Small tasks keep every process busy up to the end of the input.
    task = max(1, min(batch_size, PARALLEL_TASK))
    batches = iter(lambda: list(islice(it, task)), [])
    helpers = workers - 1
    # A few tasks read ahead, so that the end of the input is seen coming: there the helpers
    # get only their share of what is left, and no process waits on another's queue.
    ahead: deque[list[Article | Skip]] = deque(islice(batches, 3 * workers))
    with ctx.Pool(helpers, initializer=_init_worker, initargs=(model,)) as pool:
        # Results leave in input order; at most a bounded number of tasks wait in the window.
        window: deque[_Pending] = deque()
        while ahead:
            batch = ahead.popleft()
            ahead.extend(islice(batches, 1))
            pending = sum(1 for p in window if not p.ready())
            if _to_helper(pending, helpers, len(ahead) + 1, len(ahead) < 3 * workers):
                window.append(_Pending(batch, pool.apply_async(_work, (batch,))))
            else:
                window.append(_Pending(batch, list(_extract_batch(nlp, batch))))
            while window and (window[0].ready() or len(window) > 8 * workers):
                yield from window.popleft().results()
        while window:
            yield from window.popleft().results()


def _to_helper(pending: int, helpers: int, left: int, ending: bool) -> bool:
    """Whether the next task goes to a helper: while each has under three queued and, near the
    end of the input, while the helpers' queued tasks are under their share of what is left."""
    if pending >= 3 * helpers:
        return False
    return not ending or pending * (helpers + 1) < (left + pending) * helpers


class _Pending:
    """One task's results: computed here (a list) or in a helper process (an AsyncResult)."""

    def __init__(self, batch: list[Article | Skip],
                 result: list[Extraction | Skip] | AsyncResult[list[tuple[Quote, ...] | Skip]]
                 ) -> None:
        self.batch, self.result = batch, result

    def ready(self) -> bool:
        return isinstance(self.result, list) or self.result.ready()

    def results(self) -> Iterator[Extraction | Skip]:
        if isinstance(self.result, list):
            yield from self.result
            return
        for art, res in zip(self.batch, self.result.get(), strict=True):
            if isinstance(res, Skip):
                yield res
            else:
                assert isinstance(art, Article)  # a Skip input comes back as itself
                yield Extraction(article=art, quotes=res)
