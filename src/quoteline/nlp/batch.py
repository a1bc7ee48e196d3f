"""Parse articles in bounded pieces and run the stages over them: the work of one process."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from quoteline.models import Article, Extraction, Quote, Skip, Span
from quoteline.nlp.engine import quotes_in_doc
from quoteline.nlp.loader import model_label
from quoteline.nlp.options import ExtractOptions
from quoteline.settings import get_int
from quoteline.version import __version__

EXTRACTOR = f"quoteline {__version__}"
SENTENCE_END = re.compile(r"[.!?\n]")
PIECE_END = re.compile(r"[.!?][\"'”’»)\]]*\s")  # the end of a sentence, with its closing marks
DOUBLE_MARKS = re.compile(r"[\"“”„«»]")
T = TypeVar("T")


def parse(nlp: Language, text: str) -> Doc:
    """The parsed text: in one piece when short, else in bounded pieces joined into one Doc.

    The parser's memory grows with the text it holds at once, and the rules' time with the
    length of a sentence, so a long article is cut at paragraph, sentence or word boundaries
    (``parse_piece_chars``), and a stretch with no sentence end (``max_sentence_chars``) is cut
    at a word boundary. Offsets stay exact: the pieces join back into the same text."""
    if not needs_pieces(text):
        return nlp(text)
    parts = [(p, _no_prose(p)) for p in pieces(text)]
    prose = [p for p, skip in parts if not skip]
    parsed = iter([doc for group in _groups(prose, len) for doc in _pipe(nlp, group)])
    docs = [_unparsed(nlp, p) if skip else next(parsed) for p, skip in parts]
    return Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]


def _pipe(nlp: Language, texts: list[str]) -> Iterator[Doc]:
    for doc in nlp.pipe(texts):
        doc.tensor = doc.tensor[:0].copy()  # the rules never read it; a long text's is large
        yield doc


def _no_prose(piece: str) -> bool:
    """A piece cut out of a stretch with no sentence end, line break or quotation mark (a
    run of words thousands of characters long): no sentence to parse and no quote to find."""
    longest = get_int("max_sentence_chars")
    return (len(piece) > longest // 2 and SENTENCE_END.search(piece) is None
            and DOUBLE_MARKS.search(piece) is None)


def _unparsed(nlp: Language, piece: str) -> Doc:
    """The piece as one unparsed sentence (its words, text and offsets kept; every word hangs
    from the first, so it stays one sentence no longer than the piece), and the parser's time
    goes to the prose around it."""
    made = nlp.make_doc(piece)
    words, spaces = [t.text for t in made], [bool(t.whitespace_) for t in made]
    return Doc(nlp.vocab, words=words, spaces=spaces, heads=[0] * len(words),
               deps=["ROOT", *["dep"] * (len(words) - 1)])


def needs_pieces(text: str) -> bool:
    """True when ``text`` is too long to parse at once, or holds an overlong sentence."""
    longest = get_int("max_sentence_chars")
    if len(text) > get_int("parse_piece_chars"):
        return True
    return len(text) > longest and max(map(len, SENTENCE_END.split(text))) > longest


def quotes_in_text(nlp: Language, text: str, published: dt.date | None,
                   opts: ExtractOptions) -> list[Quote]:
    """The quotes of one article's text. A text over ``extract_window_chars`` is extracted
    window by window (cut like the parser's pieces), so memory stays bounded at any length;
    offsets are shifted back to the whole text."""
    window = get_int("extract_window_chars")
    if len(text) <= window:
        return quotes_in_doc(parse(nlp, text), published, opts)
    out: list[Quote] = []
    offset = 0
    for part in cut_text(text, window, window):
        out += [shift(q, offset) for q in quotes_in_doc(parse(nlp, part), published, opts)]
        offset += len(part)
    return out


def shift(q: Quote, by: int) -> Quote:
    """``q`` with every offset moved ``by`` characters on."""
    def moved(span: Span | None) -> Span | None:
        return Span(span.start + by, span.end + by, span.text) if span is not None else None

    return replace(q, start=q.start + by, end=q.end + by, cue=moved(q.cue),
                   source=moved(q.source), parts=tuple(Span(p.start + by, p.end + by, p.text)
                                                       for p in q.parts))


def pieces(text: str) -> Iterator[str]:
    """``text`` cut into pieces of at most ``parse_piece_chars`` characters, none holding a
    stretch of over ``max_sentence_chars`` without a sentence end; they join back to ``text``."""
    return cut_text(text, get_int("parse_piece_chars"), get_int("max_sentence_chars"))


def cut_text(text: str, size: int, longest: int) -> Iterator[str]:
    """``text`` cut into pieces of at most ``size`` characters (after a paragraph, else a
    sentence, else a space), none holding a stretch of over ``longest`` characters without a
    sentence end; the pieces join back to ``text``."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        run = _overlong_run(text, start, end, longest)
        if run == start:  # cut the stretch itself at a word boundary
            end = _cut(text, start, min(len(text), start + longest), word_only=True)
        elif run is not None:  # end the piece where the stretch begins, after a sentence end
            end = run
        elif end < len(text):
            end = _cut(text, start + size // 2, end, word_only=False)
        yield text[start:end]
        start = end


def _overlong_run(text: str, start: int, end: int, longest: int) -> int | None:
    """Where the first stretch of over ``longest`` characters with no sentence end begins, when
    it begins in [start, end)."""
    stop = min(len(text), end + longest + 1)
    at = start
    for m in SENTENCE_END.finditer(text, start, stop):
        if m.start() - at > longest:
            return at
        at = m.end()
        if at >= end:
            return None
    return at if stop - at > longest else None


def _cut(text: str, lo: int, hi: int, word_only: bool) -> int:
    """The best place to end a piece in (lo, hi]: after a line break, else after a sentence,
    else after a space, else at ``hi``."""
    if not word_only:
        nl = text.rfind("\n", lo, hi)
        if nl > lo:
            return nl + 1
        ends = [m.end() for m in PIECE_END.finditer(text, lo, hi)]
        if ends:
            return ends[-1]
    space = max(text.rfind(" ", lo, hi), text.rfind("\t", lo, hi))
    return space + 1 if space > lo else hi


def _groups(items: Iterable[T], size_of: Callable[[T], int]) -> Iterator[list[T]]:
    """``items`` gathered, in order, into parser calls of at most ``parse_piece_chars``
    characters in all (one item alone may be up to that long)."""
    size = get_int("parse_piece_chars")
    group: list[T] = []
    total = 0
    for item in items:
        n = size_of(item)
        if group and total + n > size:
            yield group
            group, total = [], 0
        group.append(item)
        total += n
    if group:
        yield group


def stamp(quotes: list[Quote], nlp: Language, article_id: str | None) -> list[Quote]:
    """The quotes with the extractor, the model and the article id recorded."""
    label = model_label(nlp)
    return [replace(q, extractor=EXTRACTOR, model=label, article_id=article_id) for q in quotes]


def _skip_reason(article: Article) -> str | None:
    if not isinstance(article.text, str):
        return "text is not a string"
    if not article.text.strip():
        return "empty text"
    return None


def extract_batch(nlp: Language, batch: list[Article | Skip],
                  opts: ExtractOptions) -> Iterator[Extraction | Skip]:
    """One result per input, in order: an Extraction, or a Skip for a bad or skipped article."""
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
    docs = _parse_whole(nlp, [a for a in good if not needs_pieces(a.text)])
    for i, art in enumerate(batch):
        if i in results:
            yield results[i]
            continue
        assert isinstance(art, Article)
        yield _one(nlp, art, docs.get(id(art)), opts)


def _parse_whole(nlp: Language, articles: list[Article]) -> dict[int, Doc]:
    """Short articles parsed together, in parser calls of a bounded number of characters."""
    docs: dict[int, Doc] = {}
    for group in _groups(articles, lambda a: len(a.text)):
        docs.update(zip((id(a) for a in group), nlp.pipe(a.text for a in group), strict=True))
    return docs


def _one(nlp: Language, art: Article, doc: Doc | None, opts: ExtractOptions) -> Extraction | Skip:
    try:
        if doc is not None:
            found = quotes_in_doc(doc, art.published, opts)
        else:
            found = quotes_in_text(nlp, art.text, art.published, opts)
        quotes = stamp(found, nlp, art.id)
    except Exception as exc:  # a bad article is a recorded skip, never a crashed batch
        return Skip(
            source=art.source or art.id or "?",
            reason=f"extraction failed: {type(exc).__name__}",
            article_id=art.id,
            detail=str(exc)[:500],
        )
    return Extraction(article=art, quotes=tuple(quotes))
