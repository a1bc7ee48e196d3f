"""Confidence: one function of a candidate's features, the seam for a trained scorer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quoteline.models import QuoteKind, Rule
from quoteline.nlp.labels import CueClass, How

if TYPE_CHECKING:
    from quoteline.nlp.options import ExtractOptions


@dataclass(frozen=True, slots=True)
class Features:
    """What a scorer sees of one candidate quote."""

    rule: Rule
    how: How
    cue_class: CueClass
    kind: QuoteKind
    has_speaker: bool  # a speaker was resolved
    has_cue: bool  # a cue word (or colon, dash) ties the quote to its source
    words: int  # words in the quote


def rule_score(f: Features, opts: ExtractOptions) -> float:
    """The hand-set score: how the quote was attributed x cue class x kind, lowered when no
    speaker was resolved (the tables are fields of ``ExtractOptions``)."""
    conf = opts.how_confidence[f.how] * opts.class_factor.get(f.cue_class, opts.other_class_factor)
    conf *= opts.kind_factor[f.kind]
    if not f.has_speaker:
        conf *= opts.unresolved_factor
    return conf
