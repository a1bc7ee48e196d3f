"""Gold linking corpora (articles.jsonl + gold.json, see samples/build_corpus.py) and scoring.

Used by the tests and by anyone checking the linker on a corpus with known clusters:
``evaluate_gold`` links the gold renderings directly (no extraction); ``evaluate_extracted``
scores clusters of extracted quotes, matched to gold renderings by span overlap.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quoteline.evaluate.link_metrics import Scores, flags, pairwise
from quoteline.link.linker import link_quotes
from quoteline.link.speakers import SpeakerResolver
from quoteline.link.types import ClusterInfo, QuoteRecord
from quoteline.models import parse_date

MIN_OVERLAP = 0.5  # share of a gold rendering's span an extracted quote must cover to match it


@dataclass(frozen=True, slots=True)
class GoldRendering:
    """One rendering of a gold cluster, located in its article."""

    cluster: str
    article_id: str
    start: int
    end: int
    text: str
    kind: str
    speaker: str
    speaker_as_written: str | None = None

    @property
    def altered(self) -> bool:
        """Whether the gold marks this rendering altered."""
        return self.kind == "altered"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Pairwise link scores and altered-flag scores on one corpus."""

    links: Scores
    altered: Scores


def load_gold(path: Path) -> list[GoldRendering]:
    """Every rendering in a gold.json, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        GoldRendering(cluster=c["id"], speaker=c["speaker"], **r)
        for c in data["clusters"]
        for r in c["renderings"]
    ]


def load_articles(path: Path) -> dict[str, dict[str, Any]]:
    """Articles of a JSONL file by id."""
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return {row["id"]: row for row in rows}


def gold_records(
    gold: list[GoldRendering], articles: Mapping[str, Mapping[str, Any]], resolver: SpeakerResolver
) -> list[QuoteRecord]:
    """QuoteRecords for the gold renderings (quote_id = position), speakers resolved by name."""
    out = []
    for i, g in enumerate(gold):
        art = articles[g.article_id]
        speaker, _ = resolver.resolve(g.speaker_as_written or g.speaker)
        kind = "indirect" if g.kind == "paraphrase" else "direct"
        out.append(_record(i, g.text, speaker, art, kind))
    return out


def _record(qid: int, text: str, speaker: int | None, art: Mapping[str, Any], kind: str) -> QuoteRecord:
    published: dt.date | None = parse_date(art.get("published"))
    return QuoteRecord(qid, text, speaker, art["id"], published, None, art.get("outlet"), False, kind)


def score(
    gold: list[GoldRendering], clusters: Iterable[ClusterInfo], matched: Mapping[int, int]
) -> Evaluation:
    """Scores of ``clusters`` against ``gold``; ``matched`` maps gold index -> quote id."""
    label: dict[int, int] = {}
    altered: dict[int, bool] = {}
    for info in clusters:
        for r in info.renderings:
            label[r.quote_id] = info.cluster_id
            altered[r.quote_id] = r.kind == "altered"
    pred = {i: label[q] for i, q in matched.items() if q in label}
    pred_altered = {i: altered.get(q, False) for i, q in matched.items()}
    links = pairwise({i: g.cluster for i, g in enumerate(gold)}, pred)
    flagged = flags({i: g.altered for i, g in enumerate(gold)}, pred_altered)
    return Evaluation(links, flagged)


def evaluate_gold(corpus: Path, resolver: SpeakerResolver | None = None) -> Evaluation:
    """Link the gold renderings of ``corpus`` (a dir with articles.jsonl, gold.json) and score."""
    gold = load_gold(corpus / "gold.json")
    articles = load_articles(corpus / "articles.jsonl")
    records = gold_records(gold, articles, resolver or SpeakerResolver())
    clusters = link_quotes(records)
    return score(gold, clusters.values(), {i: i for i in range(len(gold))})


def match_spans(gold: list[GoldRendering], quotes: Iterable[tuple[int, str, int, int]]) -> dict[int, int]:
    """Gold index -> quote id of the extracted quote (quote_id, article_id, start, end)
    that covers the most of that gold rendering's span (at least ``MIN_OVERLAP`` of it)."""
    by_article: dict[str, list[tuple[int, int, int]]] = {}
    for qid, article_id, start, end in quotes:
        by_article.setdefault(article_id, []).append((qid, start, end))
    matched: dict[int, int] = {}
    for i, g in enumerate(gold):
        best, best_cover = None, MIN_OVERLAP * (g.end - g.start)
        for qid, start, end in by_article.get(g.article_id, []):
            cover = min(end, g.end) - max(start, g.start)
            if cover >= best_cover:
                best, best_cover = qid, cover
        if best is not None:
            matched[i] = best
    return matched
