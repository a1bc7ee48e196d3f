"""End to end: extract quotes from the linking corpus, resolve speakers, link, score against gold.

This depends on the extraction rules (quoteline.nlp); gold renderings are matched to extracted
quotes by span overlap, and a gold rendering nothing was extracted for links to nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quoteline.evaluate.link_gold import Evaluation, load_articles, load_gold, match_spans, score
from quoteline.link import QuoteRecord, SpeakerResolver, link_quotes
from quoteline.models import Article, Extraction, parse_date

ROOT = Path(__file__).resolve().parents[1]


def extract_and_link(corpus: Path) -> Evaluation:
    """Run the whole pipeline on ``corpus`` and score it against its gold.json."""
    from quoteline import extract_many

    rows = load_articles(corpus / "articles.jsonl").values()
    articles = [
        Article(text=r["text"], id=r["id"], published=parse_date(r["published"]), outlet=r["outlet"])
        for r in rows
    ]
    resolver = SpeakerResolver()
    records: list[QuoteRecord] = []
    spans: list[tuple[int, str, int, int]] = []
    for ex in extract_many(articles):
        assert isinstance(ex, Extraction), ex
        for q in ex.quotes:
            speaker = resolver.resolve(q.speaker, q.speaker_title)[0] if q.speaker else None
            qid = len(records)
            records.append(
                QuoteRecord(qid, q.text, speaker, ex.article.id, ex.article.published,
                            q.said_on, ex.article.outlet, quote_kind=q.kind)
            )
            spans.append((qid, ex.article.id or "", q.start, q.end))
    gold = load_gold(corpus / "gold.json")
    return score(gold, link_quotes(records).values(), match_spans(gold, spans))


@pytest.mark.parametrize("corpus", ["tests/data/linking", "samples"])
def test_extracted_quotes_link_with_target_quality(corpus: str) -> None:
    result = extract_and_link(ROOT / corpus)
    assert result.links.f1 >= 0.95, result.links
    assert result.altered.precision >= 0.9, result.altered
    assert result.altered.recall >= 0.9, result.altered
