"""A made-up corpus for the store-backed linking tests (imported; holds no tests).

Utterances by a dozen people, each reported in several articles: verbatim, excerpts, short
fragments, a word changed, by an unnamed source, given to the wrong person, two sentences
at once, and two disjoint excerpts before the full sentence (so clusters merge). Articles
carry one to three quotes of different utterances, dated near the utterance.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from quoteline.models import Article, Extraction, Quote, Span
from quoteline.store import Store

PEOPLE = ["Ann Lindqvist", "Omar Haddad", "Rosa Okafor", "Ivan Brennan", "Lena Moreau",
          "Kofi Takeda", "Mira Novak", "Tariq Serrano", "Noor Castillo", "Pavel Ferreira",
          "Greta Halvorsen", "Samir Achebe"]
OUTLETS = ["Herald", "Gazette", "AP", "Courier", "Tribune", "Reuters", "Chronicle", "Post"]
_CONTENT = ("bridge budget pension harbour council school hospital road tax tariff river "
           "farmers nurses teachers contract audit housing rail station airport water "
           "energy grid wages prices market jobs factory mine port ferry tunnel library "
           "museum stadium police court prison border army navy climate flood drought "
           "storm fire forest coast island valley city village region nation")
_VERBS = ("build protect fund repair close open cut raise lower review delay finish save "
         "support oppose reform defend replace expand rebuild")
_GLUE = "we will not the and for every our this that next year by all of to in"
CONTENT, VERBS, GLUE = _CONTENT.split(), _VERBS.split(), _GLUE.split()


def sentence(rng: random.Random, n: int) -> str:
    """A made-up sentence of ``n`` words, content and function words mixed."""
    words = []
    for i in range(n):
        pool = VERBS if i % 4 == 1 else CONTENT if i % 2 == 0 else GLUE
        words.append(rng.choice(pool))
    return " ".join(words).capitalize() + "."


def renderings(rng: random.Random, text: str) -> list[tuple[str, str]]:
    """(kind, words) of one utterance's reports, in the order the articles carry them."""
    words = text.rstrip(".").split()
    out = [("full", text)]
    for _ in range(rng.randint(0, 5)):
        roll = rng.random()
        if roll < 0.3:
            out.append(("full", text))
        elif roll < 0.5 and len(words) >= 10:
            size = rng.randint(5, len(words) - 2)
            at = rng.randint(0, len(words) - size)
            out.append(("excerpt", " ".join(words[at:at + size])))
        elif roll < 0.65:
            at = rng.randrange(0, len(words) - 3, 2)
            out.append(("fragment", " ".join(words[at:at + 3])))
        elif roll < 0.8:
            changed = list(words)
            changed[rng.randrange(len(changed))] = rng.choice(CONTENT)
            out.append(("altered", " ".join(changed).capitalize() + "."))
        elif roll < 0.9:
            out.append(("anonymous", text))
        else:
            out.append(("wrong", text))
    if len(words) >= 16 and rng.random() < 0.3:  # two halves first: the full one merges them
        half = len(words) // 2
        out[:1] = [("excerpt", " ".join(words[:half - 1])), ("excerpt", " ".join(words[half:])),
                   ("full", text)]
    return out


def utterances(seed: int, n: int) -> Iterator[tuple[str, str, dt.date, list[tuple[str, str]]]]:
    """(speaker, text, day, renderings) of ``n`` utterances."""
    rng = random.Random(seed)
    day0 = dt.date(2024, 1, 1)
    for i in range(n):
        text = sentence(rng, rng.randint(6, 22))
        if rng.random() < 0.2:
            text += " " + sentence(rng, rng.randint(6, 12))
        yield (rng.choice(PEOPLE), text, day0 + dt.timedelta(days=rng.randrange(200) + i // 3),
               renderings(rng, text))


def _quote(text: str, start: int, words: str, speaker: str | None, art_id: str) -> Quote:
    end = start + len(words)
    src = text.find(speaker, end) if speaker else -1
    return Quote(start=start, end=end, text=words, kind="direct",
                 cue=Span(end + 2, end + 6, "said") if speaker else None,
                 source=Span(src, src + len(speaker), speaker) if speaker else None,
                 speaker=speaker, confidence=0.9, article_id=art_id, extractor="test",
                 model="test")


def article(art_id: str, items: list[tuple[str | None, str]], day: dt.date,
            outlet: str) -> Extraction:
    """An article of paragraphs ``"WORDS," SPEAKER said.`` (or ``... a source said``)."""
    text, quotes = "", []
    for speaker, words in items:
        start = len(text) + 1
        text += f'"{words}," {speaker or "a source"} said.\n\n'
        quotes.append(_quote(text, start, words, speaker, art_id))
    art = Article(text=text.strip(), id=art_id, outlet=outlet, published=day)
    return Extraction(art, tuple(quotes))


def corpus(seed: int = 5, n: int = 150) -> list[Extraction]:
    """The articles, in the order they are ingested."""
    rng = random.Random(seed + 1)
    pending: list[tuple[dt.date, str | None, str]] = []
    for speaker, _, day, reports in utterances(seed, n):
        for k, (kind, words) in enumerate(reports):
            who: str | None = speaker
            if kind == "anonymous":
                who = None
            elif kind == "wrong":
                who = rng.choice([p for p in PEOPLE if p != speaker])
            pending.append((day + dt.timedelta(days=k + rng.randrange(3)), who, words))
    out: list[Extraction] = []
    i = 0
    while pending:
        take = min(len(pending), rng.randint(1, 3))
        group, pending = pending[:take], pending[take:]
        out.append(article(f"n{i}", [(w, t) for _, w, t in group], group[0][0],
                           rng.choice(OUTLETS)))
        i += 1
    return out


def stored_clusters(store: Store) -> dict[int, dict[str, Any]]:
    """cluster id -> its row and every unit's rendering, as stored."""
    out: dict[int, dict[str, Any]] = {}
    for r in store.db.query("SELECT id, reference_quote_id, speaker_id, first_outlet, "
                            "first_published, first_article, size, altered, misattributed "
                            "FROM clusters ORDER BY id"):
        out[int(r["id"])] = {**r, "first_published": str(r["first_published"] or ""),
                             "units": {}}
    for r in store.db.query("SELECT id, cluster_id, rendering, severity, similarity, diff, "
                            "attributed_to FROM units ORDER BY id"):
        out[int(r["cluster_id"])]["units"][int(r["id"])] = (
            r["rendering"], r["severity"], round(float(r["similarity"]), 3), r["diff"],
            r["attributed_to"])
    return out


def memberships(store: Store) -> set[frozenset[tuple[str | None, int, int]]]:
    """The clusters as sets of units named by (article input id, start, end): independent of ids."""
    groups: dict[int, set[tuple[str | None, int, int]]] = {}
    for r in store.db.query("SELECT u.cluster_id, a.input_id, u.start_char, u.end_char FROM "
                            "units u JOIN articles a ON a.id = u.article_id"):
        groups.setdefault(int(r["cluster_id"]), set()).add(
            (r["input_id"], int(r["start_char"]), int(r["end_char"])))
    return {frozenset(g) for g in groups.values()}
