"""Linking evaluation on real news (linking-dev and sets like it) and its quality gate.

``score_linking`` agrees metric for metric with the reference scorer
(``../shared/eval/score_linking.py``) on the renderings export: renderings found, pairwise
link precision/recall across documents, altered precision/recall, speaker accuracy.
``predict`` runs the whole product (ingest into a throwaway store, ``export renderings``);
``link_gold_spans`` links the gold spans themselves with their gold speakers, which
measures linking alone, apart from extraction and attribution.

  python -m quoteline.evaluate.linking ../shared [--set linking-dev] [--gold-spans]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from quoteline.models import Article, parse_date

_TOKEN = re.compile(r"\w+")
_DROP = {"gen", "general", "mr", "ms", "mrs", "dr", "secretary", "president", "the", "defense",
         "chairman", "spokesman", "jr", "sr", "ii", "iii", "iv"}
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class LinkingSet:
    """One linking gold set: documents, gold spans, and the floors its scores must reach."""

    name: str
    docs: str  # relative to the shared directory
    gold: str
    floors: dict[str, float]


def load_rows(path: Path) -> list[Row]:
    """The JSON objects of a JSONL file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_linking_floors() -> list[LinkingSet]:
    """The linking sets and floors from the shipped floors.json."""
    raw = resources.files("quoteline.evaluate").joinpath("floors.json").read_text("utf-8")
    sets = json.loads(raw).get("linking", {})
    return [LinkingSet(name, spec["docs"], spec["gold"],  # "_note" and "targets" are for people
                       {k: float(v) for k, v in spec["floors"].items()})
            for name, spec in sets.items()]


def corpus_set(corpus: Path) -> tuple[list[Row], list[Row]]:
    """Documents and span gold, in the linking-set form, of one of quoteline's own corpora
    (``articles.jsonl`` + ``gold.json``, see samples/build_corpus.py)."""
    from quoteline.evaluate.link_gold import load_gold

    docs = load_rows(corpus / "articles.jsonl")
    rendering = {"reference": "verbatim", "paraphrase": "altered"}
    gold = [{"doc": g.article_id, "cluster": g.cluster, "speaker": g.speaker, "start": g.start,
             "end": g.end, "rendering": rendering.get(g.kind, g.kind)}
            for g in load_gold(corpus / "gold.json") if g.kind != "paraphrase"]
    return docs, gold


# ---------------------------------------------------------------------- scoring
def _tokens(text: str, start: int, end: int) -> set[int]:
    return {m.start() for m in _TOKEN.finditer(text) if start <= (m.start() + m.end()) / 2 < end}


def _name(name: str | None) -> list[str]:
    text = re.sub(r"'s\b", "", (name or "").lower().replace("\u2019", "'"))
    return [w for w in re.findall(r"[a-z]+", text) if w not in _DROP and len(w) > 1]


def same_speaker(pred: str | None, gold: str | None) -> bool:
    """Whether a predicted speaker names the gold one (equal, or a suffix of tokens)."""
    p, g = _name(pred), _name(gold)
    n = min(len(p), len(g))
    return bool(p and g) and p[-n:] == g[-n:]


def found_spans(docs: Iterable[Row], gold: list[Row], pred: Iterable[Row]) -> dict[int, Row]:
    """Gold index -> the prediction standing for it (see the reference scorer's docstring)."""
    text = {d["id"]: d["text"] for d in docs}
    by_doc: dict[str, list[tuple[Row, set[int]]]] = defaultdict(list)
    for q in pred:
        doc = str(q.get("article_id"))
        if doc in text and q.get("start") is not None:
            by_doc[doc].append((q, _tokens(text[doc], q["start"], q["end"])))
    found: dict[int, Row] = {}
    for i, g in enumerate(gold):
        hit = _cover(_tokens(text[g["doc"]], g["start"], g["end"]), by_doc.get(g["doc"], []))
        if hit is not None:
            found[i] = hit
    return found


def _cover(gt: set[int], rows: list[tuple[Row, set[int]]]) -> Row | None:
    best, cover, union, altered = None, 0.0, set(), False
    for q, qt in rows:
        shared = gt & qt
        if not shared:
            continue
        union |= shared
        altered |= q.get("rendering") == "altered" and len(shared) / len(qt) >= 0.5
        if len(shared) / len(gt) > cover:
            best, cover = q, len(shared) / len(gt)
    if best is None or not gt or len(union) / len(gt) < 0.5:
        return None
    return dict(best, rendering="altered") if altered else best


def score_linking(docs: list[Row], gold: list[Row], pred: list[Row]) -> dict[str, Any]:
    """The reference scorer's figures for ``pred`` (renderings export rows)."""
    found = found_spans(docs, gold, pred)
    res: dict[str, Any] = {"gold_quotes": len(gold), "found": len(found),
                           "found_rate": len(found) / len(gold)}
    res.update(_links(gold, found, lambda a, b: a.get("cluster") is not None
                      and a.get("cluster") == b.get("cluster")))
    res.update(_altered(gold, found))
    spk = sum(same_speaker(q.get("speaker"), gold[i]["speaker"]) for i, q in found.items())
    res["speaker_acc"] = spk / len(found) if found else 0.0
    res["pred_quotes"] = sum(1 for q in pred if str(q.get("article_id")) in
                             {d["id"] for d in docs} and q.get("start") is not None)
    return res


def quote_rows(renderings: Iterable[Row]) -> list[Row]:
    """Renderings folded into one row per quote: its span, the set of its units' clusters
    (``clusters``) and ``altered`` when any unit is, for scoring against quote-level gold."""
    quotes: dict[int, Row] = {}
    for r in renderings:
        q = quotes.setdefault(r["quote_id"], {"article_id": r["article_id"], "start": r["start"],
                                              "end": r["end"], "clusters": set(),
                                              "rendering": None, "speaker": r["speaker"]})
        q["start"], q["end"] = min(q["start"], r["start"]), max(q["end"], r["end"])
        q["clusters"].add(r["cluster"])
        if r["rendering"] == "altered" or q["rendering"] is None:
            q["rendering"] = r["rendering"]
    return list(quotes.values())


def score_quote_links(docs: list[Row], gold: list[Row], quotes: list[Row]) -> dict[str, Any]:
    """Link and altered figures over quote-level gold (quoteline's own corpora, whose gold
    renderings are whole quotes): two quotes are linked when they share a unit's cluster."""
    found = found_spans(docs, gold, quotes)
    links = _links(gold, found, lambda a, b: bool(a["clusters"] & b["clusters"]))
    return {"found_rate": len(found) / len(gold), **links, **_altered(gold, found)}


def _links(gold: list[Row], found: Mapping[int, Row],
           same: Callable[[Row, Row], bool]) -> dict[str, Any]:
    """Pairwise link figures over gold pairs in different documents (``same``: whether two
    found predictions are linked)."""
    gold_links = pred_links = both = 0
    for i, j in itertools.combinations(range(len(gold)), 2):
        if gold[i]["doc"] == gold[j]["doc"]:
            continue
        g_same = gold[i]["cluster"] == gold[j]["cluster"]
        p_same = i in found and j in found and same(found[i], found[j])
        gold_links, pred_links, both = gold_links + g_same, pred_links + p_same, both + (
            g_same and p_same)
    lp = both / pred_links if pred_links else 0.0
    lr = both / gold_links if gold_links else 0.0
    return {"link_p": lp, "link_r": lr, "link_f1": _f1(lp, lr), "gold_links": gold_links,
            "pred_links": pred_links}


def _altered(gold: list[Row], found: Mapping[int, Row]) -> dict[str, Any]:
    docs_of: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        docs_of[g["cluster"]].add(g["doc"])
    tp = fp = fn = 0
    for i, q in found.items():
        if len(docs_of[gold[i]["cluster"]]) < 2:
            continue
        pa, ga = q.get("rendering") == "altered", gold[i]["rendering"] == "altered"
        tp, fp, fn = tp + (pa and ga), fp + (pa and not ga), fn + (ga and not pa)
    ap = tp / (tp + fp) if tp + fp else 0.0
    ar = tp / (tp + fn) if tp + fn else 0.0
    return {"altered_p": ap, "altered_r": ar, "altered_f1": _f1(ap, ar), "altered_false": fp}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# ---------------------------------------------------------------------- predicting
def articles(docs: Iterable[Row]) -> list[Article]:
    """Articles from linking-set documents (``primary``/``speaker`` fields honoured)."""
    return [Article(text=d["text"], id=str(d["id"]), url=d.get("url"), outlet=d.get("outlet"),
                    published=parse_date(d.get("published")), source=f"doc:{d['id']}",
                    primary=d.get("primary") is True, speaker=d.get("speaker"))
            for d in docs]


def predict(docs: list[Row], *, workers: int = 1) -> list[Row]:
    """The renderings export of a fresh store that ingested ``docs``."""
    from quoteline.corpus.ingest import ingest
    from quoteline.store import open_store

    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{Path(tmp) / 'l.db'}") as st:
        ingest(articles(docs), st, workers=workers)
        return list(st.renderings())


def link_gold_spans(docs: list[Row], gold: list[Row]) -> list[Row]:
    """Each gold span linked as a unit with its gold speaker: linking alone, as rows."""
    from quoteline.link.linker import link_quotes
    from quoteline.link.sources import is_wire, outlet_of
    from quoteline.link.speakers import SpeakerResolver
    from quoteline.link.speech_text import speech_text
    from quoteline.link.types import QuoteRecord

    arts = {a.id: replace(a, primary=a.primary or speech_text(a) is not None)
            for a in articles(docs)}
    resolver = SpeakerResolver()
    records = []
    for i, g in enumerate(gold):
        art = arts[str(g["doc"])]
        records.append(QuoteRecord(
            i, art.text[g["start"]:g["end"]], resolver.resolve(g["speaker"])[0], art.id,
            art.published, outlet=outlet_of(art), is_transcript=art.primary, is_wire=is_wire(art)))
    rows = {}
    for info in link_quotes(records).values():
        for r in info.renderings:
            rows[r.quote_id] = {"cluster": info.cluster_id, "rendering": r.kind}
    return [{"article_id": g["doc"], "start": g["start"], "end": g["end"],
             "speaker": g["speaker"], **rows[i]} for i, g in enumerate(gold)]


def check(res: Mapping[str, Any], floors: Mapping[str, float]) -> list[str]:
    """One message per floor that ``res`` does not reach."""
    return [f"{name} = {float(res.get(name, 0)):.4f}, below the floor {floor:g}"
            for name, floor in floors.items() if float(res.get(name, 0)) + 1e-9 < floor]


def main(argv: list[str] | None = None) -> int:
    """Score each linking set (or linking alone on its gold spans); 1 when a floor is missed."""
    ap = argparse.ArgumentParser(prog="python -m quoteline.evaluate.linking", description=__doc__)
    ap.add_argument("shared_dir")
    ap.add_argument("--set", dest="names", action="append")
    ap.add_argument("--gold-spans", action="store_true", help="link the gold spans (no extraction)")
    args = ap.parse_args(argv)
    missed = 0
    for s in load_linking_floors():
        if args.names and s.name not in args.names:
            continue
        docs = load_rows(Path(args.shared_dir) / s.docs)
        gold = load_rows(Path(args.shared_dir) / s.gold)
        pred = link_gold_spans(docs, gold) if args.gold_spans else predict(docs)
        res = score_linking(docs, gold, pred)
        print(f"== {s.name}" + (" (gold spans)" if args.gold_spans else ""))
        for k, v in res.items():
            print(f"{k:14} {v:.3f}" if isinstance(v, float) else f"{k:14} {v}")
        failures = [] if args.gold_spans else check(res, s.floors)
        missed += len(failures)
        for msg in failures:
            print(f"FLOOR MISSED [{s.name}] {msg}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
