"""Speaker correctness of a matched pair, by source-span overlap or by normalized name."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from quoteline.evaluate.matching import TokenIndex, overlaps

# Word lists mirror the reference scorer (../shared/eval/score.py) so both agree exactly.
PRONOUNS = frozenset({
    "i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his",
    "she", "her", "it", "its", "they", "them", "their", "who", "whom",
    "which", "that", "this", "these", "those", "one", "someone", "somebody",
})
TITLES = frozenset({
    "the", "a", "an", "mr", "mrs", "ms", "miss", "dr", "prof", "professor",
    "sen", "senator", "rep", "representative", "gov", "governor", "president",
    "pres", "vice", "former", "secretary", "sec", "gen", "general", "lt", "col",
    "judge", "justice", "rev", "sir", "dame", "lord", "lady", "mayor",
    "chairman", "chairwoman", "chair", "prime", "minister", "u.s", "us",
    "democratic", "republican", "democrat", "candidate", "nominee", "gop",
    "presidential", "state", "attorney", "speaker", "leader", "sheriff",
    "chief", "ambassador", "mrs.", "mr.", "ceo",
})
_POSSESSIVE = re.compile(r"'s\b|'\B")
_NAME_TOKEN = re.compile(r"[\w.]+")


def norm_name(name: str | None) -> list[str]:
    """Lower-case name tokens without possessives, punctuation or leading titles and articles."""
    if not name:
        return []
    s = unicodedata.normalize("NFKC", str(name)).lower().replace("’", "'")
    s = _POSSESSIVE.sub(" ", s)
    toks = [t.strip(".") for t in _NAME_TOKEN.findall(s)]
    toks = [t for t in toks if t]
    while toks and toks[0] in TITLES:
        toks = toks[1:]
    return toks


def _is_pronoun(toks: list[str]) -> bool:
    return len(toks) == 1 and toks[0] in PRONOUNS


def names_match(pred: str | None, gold_names: list[str]) -> bool:
    """True when ``pred`` names one of ``gold_names`` (equal, or one is a suffix of the other)."""
    p = norm_name(pred)
    if not p or _is_pronoun(p):
        return False
    for g in gold_names:
        gt = norm_name(g)
        if not gt or _is_pronoun(gt):
            continue
        short, long_ = (p, gt) if len(p) <= len(gt) else (gt, p)
        if long_[len(long_) - len(short):] == short:
            return True
    return False


def has_speaker(q: dict[str, Any]) -> bool:
    """True when a quote names a source span or a speaker string."""
    return bool(q.get("source")) or bool(q.get("speaker"))


def speaker_correct(doc: TokenIndex, g: dict[str, Any], p: dict[str, Any]) -> bool:
    """Whether prediction ``p`` attributes gold quote ``g`` to the right speaker."""
    if not has_speaker(g):
        return not has_speaker(p)
    if g.get("source") and p.get("source") and overlaps(g["source"], p["source"]):
        return True
    names: list[Any] = [g.get("speaker"), *list(g.get("speaker_mentions") or [])]
    if g.get("source"):
        names.append(doc.text[g["source"][0]:g["source"][1]])
    return names_match(p.get("speaker"), [n for n in names if n])


def speaker_name_correct(g: dict[str, Any], p: dict[str, Any]) -> bool:
    """Whether the predicted name names the gold speaker (a pronoun or description never does)."""
    return names_match(p.get("speaker"), [g["speaker"]])
