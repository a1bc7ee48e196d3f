"""``ExtractOptions``: every threshold and confidence table of the extraction stages, frozen."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from quoteline.models import QuoteKind
from quoteline.nlp.labels import How
from quoteline.nlp.scoring import Features, rule_score

Scorer = Callable[[Features, "ExtractOptions"], float]


def _table(**values: float) -> Any:
    return field(default_factory=lambda: MappingProxyType(dict(values)))


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How the stages decide: pass one to ``extract(..., options=...)``; the defaults are the
    tuned rules. Change one with ``dataclasses.replace(ExtractOptions(), min_speech_words=5)``."""

    # uncued quotations
    min_speech_words: int = 4  # words for a quotation with no cue in its content to be speech
    title_words: int = 8  # a quotation of capitalised words shorter than this is a title
    work_cue_chars: int = 30  # characters before a quotation searched for "the film", "titled"
    cue_reach: int = 12  # tokens between a quotation and a speech cue beside it
    short_quote_reach: int = 2  # ... for a quotation too short to be speech on its own
    continuation_lookback: int = 8  # earlier quotes tried for the one a quotation continues
    continuation_gap_words: int = 3  # words allowed between a quote and its continuation
    continuation_breaks: int = 2  # line breaks allowed there when words are between too
    # cue contents
    piece_words: int = 3  # words for each half of an interrupted clause to stand alone
    headline_words: int = 6  # longest name before a headline colon ("Clinton: ...")
    headline_content_tokens: int = 3  # shortest statement after a headline colon
    label_words: int = 3  # longest capitalised line label ("SANDERS: ...")
    # speakers
    pronoun_reach: int = 1200  # characters back to a subject that "he"/"she" can refer to
    body_words: int = 3  # longest "the company" mention resolved to the last organisation
    # confidence: scorer(features, options); the tables below feed the default scorer
    how_confidence: Mapping[How, float] = _table(
        cue=0.9, colon=0.85, dash=0.85, continuation=0.75, neighbour=0.7, layout=0.7)
    class_factor: Mapping[str, float] = _table(
        speech=1.0, report=0.85, belief=0.7, intent=0.6, attitude=0.6)
    other_class_factor: float = 0.6  # a cue class missing from class_factor
    kind_factor: Mapping[QuoteKind, float] = _table(direct=1.0, mixed=0.95, indirect=0.85)
    unresolved_factor: float = 0.6  # no speaker resolved
    scorer: Scorer = rule_score

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping) and not isinstance(value, MappingProxyType):
                object.__setattr__(self, f.name, MappingProxyType(dict(value)))  # truly frozen

    def __reduce__(self) -> tuple[Any, ...]:
        # Worker processes get the options by pickle, which cannot copy a MappingProxyType.
        values = [getattr(self, f.name) for f in dataclasses.fields(self)]
        return (ExtractOptions, tuple(dict(v) if isinstance(v, Mapping) else v for v in values))
