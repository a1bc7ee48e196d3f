"""The acts stage: tell statements (``speech``) from ascribed thoughts (``thought``).

A quotation in marks renders someone's words, and so does a quote tied to its speaker by a
colon, a dash or a layout. A cue's content is a statement when the cue is a verb of saying,
reporting or judging and the content is a clause ("said that ...", "warned the plan would
fail"). Beliefs and intentions ("believes", "plans to"), a cue's noun-phrase object ("posted
profits", "blamed her mother") and a to-infinitive ("vowed to play", "urged them to leave")
are what someone thinks, wants or stands for: PolNeAR annotates them, news readers do not
take them for statements.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from quoteline.models import Act, Rule
from quoteline.nlp.attribution import lemma
from quoteline.nlp.candidates import Candidate, DocView
from quoteline.nlp.labels import CueClass
from quoteline.nlp.lexicon import ask_verbs, thought_verbs, wh_words
from quoteline.nlp.options import ExtractOptions

WORD_RE = re.compile(r"\w+")

SPEECH_CLASSES: frozenset[CueClass] = frozenset({"speech", "report", "direct", "attitude"})
# Rules whose content is a statement whatever the cue word: "the claim that ...",
# "according to X, ...", "Clinton: ...", "said: ...", "asked if ...".
SPEECH_RULES: frozenset[Rule] = frozenset(
    {"claim_noun", "according_to", "headline_colon", "quoted_object", "asked_if"})


def act_of(view: DocView, c: Candidate, opts: ExtractOptions) -> Act:
    """``speech`` for words someone said or wrote, ``thought`` for a belief, an intention or
    a stance the article ascribes to them (the statements stage has set ``c.kind``)."""
    if c.how != "cue" or c.kind == "direct" or c.rule in SPEECH_RULES:
        return "speech"
    if c.kind == "mixed" and _quoted_words(view, c) >= opts.min_speech_words:
        return "speech"  # "urged them to “return to work and settle it later”": their words
    if c.cue_class not in SPEECH_CLASSES or c.np_object or c.infinitive:
        return "thought"
    cue = c.cue_tok
    if cue is not None and (lemma(cue) in thought_verbs() or _negated(cue)):
        return "thought"  # "realised that ...", "did not say whether ..."
    if cue is not None and lemma(cue) not in ask_verbs() and _question(view, c):
        return "thought"  # "explained why ...": a topic, not what was said
    return "speech"


def _quoted_words(view: DocView, c: Candidate) -> int:
    """Words inside the quotation marks that lie in the candidate."""
    spans = (view.quotes[i].inner for i in view.within(c.start, c.end + 1))
    return sum(len(WORD_RE.findall(view.text[s:e])) for s, e in spans)


def _negated(cue: Token) -> bool:
    """"did not say", "never claimed": no statement was made."""
    return any(t.dep_ == "neg" for t in cue.children)


def _question(view: DocView, c: Candidate) -> bool:
    """True when the content is an indirect question: it opens with a question word ("why",
    "whether") that hangs from the content's own head (not "when X comes, we will act")."""
    ts, te = view.tokens_of(c.start, c.end)
    toks = [t for t in view.doc[ts:te] if not (t.is_punct or t.is_space)]
    if not toks or toks[0].lower_ not in wh_words():
        return False
    heads = [t for t in toks if not ts <= t.head.i < te or t.head.i == t.i]
    return len(heads) == 1 and toks[0].head.i == heads[0].i
