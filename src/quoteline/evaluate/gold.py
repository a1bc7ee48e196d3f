"""Gold and prediction files (JSON Lines, one document a line) and predictions from extraction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from quoteline.errors import InputError
from quoteline.models import ActChoice, Article, Extraction, Quote, Skip, parse_date, shown_acts


def load_docs(path: str | Path, *, gold: bool = True) -> list[dict[str, Any]]:
    """Documents from a JSONL file; InputError naming the line for anything unusable."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{path}: no such file; check the path")
    docs: list[dict[str, Any]] = []
    with p.open("rb") as f:
        for lineno, raw in enumerate(f, 1):
            if raw.strip():
                docs.append(_doc(raw, f"{path}:{lineno}", gold))
    return docs


def _doc(raw: bytes, where: str, gold: bool) -> dict[str, Any]:
    try:
        rec = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{where}: not a JSON line ({exc}); fix or remove that line") from None
    if not isinstance(rec, dict) or "id" not in rec:
        raise InputError(f"{where}: expected a JSON object with an \"id\" field")
    if not isinstance(rec.get("quotes", []), list):
        raise InputError(f"{where}: \"quotes\" must be a list")
    if gold:
        _check_gold(rec, where)
    return rec


def _check_gold(rec: dict[str, Any], where: str) -> None:
    if not isinstance(rec.get("text"), str) or not isinstance(rec.get("quotes"), list):
        raise InputError(f"{where}: a gold document needs \"text\" (string) and \"quotes\" "
                         "(list); see the schema in the gold data's README")
    for n, q in enumerate(rec["quotes"]):
        if not isinstance(q, dict) or not _is_span(q.get("content")):
            raise InputError(f"{where}: quote {n} has no \"content\": [start, end]")
    try:
        parse_date(rec.get("published"))
    except ValueError as exc:
        raise InputError(f"{where}: bad \"published\": {exc}") from None


def _is_span(sp: Any) -> bool:
    return isinstance(sp, list) and len(sp) == 2 and all(isinstance(x, int) for x in sp)


def gold_articles(docs: Iterable[dict[str, Any]]) -> Iterator[Article]:
    """An Article per gold document: its text, id and publication date."""
    for d in docs:
        yield Article(text=d["text"], id=str(d["id"]), published=parse_date(d.get("published")),
                      source=str(d["id"]))


def _span(s: Any) -> list[int] | None:
    return [s.start, s.end] if s is not None else None


def quote_record(q: Quote) -> dict[str, Any]:
    """One extracted quote in the gold schema (plus a few fields of ours for error analysis)."""
    rec: dict[str, Any] = {
        "content": [q.start, q.end], "source": _span(q.source), "speaker": q.speaker,
        "cue": _span(q.cue), "kind": q.kind,
        "said_on": q.said_on.isoformat() if q.said_on else None,
    }
    if q.parts:
        rec["content_parts"] = [[p.start, p.end] for p in q.parts]
    rec["act"] = q.act
    rec["rule"] = q.rule
    rec["speaker_title"] = q.speaker_title
    rec["said_on_basis"] = q.said_on_basis
    rec["confidence"] = round(q.confidence, 3)
    return rec


def prediction_doc(gold_doc: dict[str, Any], quotes: Iterable[Quote]) -> dict[str, Any]:
    """A predicted document in the gold schema, without the text."""
    return {"id": gold_doc["id"], "dataset": gold_doc.get("dataset"),
            "published": gold_doc.get("published"),
            "quotes": [quote_record(q) for q in quotes]}


def predict(gold_docs: list[dict[str, Any]], *, model: str | None = None,
            workers: int = 1) -> tuple[list[dict[str, Any]], list[Skip]]:
    """Run extraction over every gold document; a skipped document predicts nothing."""
    from quoteline.nlp.pipeline import extract_many  # spaCy only when extraction runs

    preds: list[dict[str, Any]] = []
    skips: list[Skip] = []
    results = extract_many(gold_articles(gold_docs), model=model, workers=workers)
    for doc, res in zip(gold_docs, results, strict=True):
        if isinstance(res, Skip):
            skips.append(res)
        quotes = res.quotes if isinstance(res, Extraction) else ()
        preds.append(prediction_doc(doc, quotes))
    return preds, skips


def keep_acts(docs: Iterable[dict[str, Any]], acts: ActChoice) -> list[dict[str, Any]]:
    """The predicted documents with only the quotes of the acts asked for (``speech``: the
    statements; ``all``: thoughts too). A quote without an "act" field counts as speech."""
    shown = shown_acts(acts)
    return [{**d, "quotes": [q for q in d.get("quotes") or [] if q.get("act", "speech") in shown]}
            for d in docs]


def write_docs(path: str | Path, docs: Iterable[dict[str, Any]]) -> None:
    """Write documents as JSON Lines (UTF-8)."""
    try:
        with Path(path).open("w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InputError(f"{path}: cannot write predictions ({exc.strerror}); "
                         "choose a writable path") from None
