"""Metrics over gold and predicted documents, the same dict as the reference scorer's.

``score`` returns every key of ../shared/eval/score.py's result with the same values, plus
one key of its own, ``"extra"``: said_on accuracy and speaker accuracy per gold kind.
"""

from __future__ import annotations

from typing import Any

from quoteline.evaluate.matching import Quote, TokenIndex, match_doc, partner
from quoteline.evaluate.speakers import has_speaker, speaker_correct, speaker_name_correct

MODES = ("exact", "lenient")
LENIENT_RULE = ("token overlap >= threshold of gold AND of pred tokens (overlap/max(|g|,|p|))")


def prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 from matched predictions and matched gold quotes."""
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f}


def _span_ok(sp: Any, n: int) -> bool:
    return (isinstance(sp, list | tuple) and len(sp) == 2
            and all(isinstance(x, int) for x in sp) and 0 <= sp[0] < sp[1] <= n)


def sanitize(q: Quote, n: int, res: dict[str, Any]) -> Quote:
    """A predicted quote whose unusable offsets are blanked (and counted), so it cannot match."""
    q = dict(q)
    parts = q.get("content_parts")
    bad = False
    if not _span_ok(q.get("content"), n) or (parts and not all(_span_ok(p, n) for p in parts)):
        bad = True
        q["content"], q["content_parts"] = [0, 0], None
    if q.get("source") is not None and not _span_ok(q["source"], n):
        bad = True
        q["source"] = None
    res["invalid_pred_quotes"] = res.get("invalid_pred_quotes", 0) + bad
    return q


def _inc(d: dict[str, int], k: str) -> None:
    d[k] = d.get(k, 0) + 1


def _zero() -> dict[str, Any]:
    return {"tp_g": 0, "tp_p": 0, "spk_g": 0, "spk_p": 0, "withspk": 0, "spk_withspk": 0,
            "kind_pairs": 0, "kind_agree": 0, "split": 0, "merge": 0, "named": 0, "name_ok": 0,
            "kg": {}, "kp": {}, "kg_tp": {}, "kp_tp": {},
            # ours: said_on and per-gold-kind speaker figures
            "date_n": 0, "date_ok": 0, "date_matched": 0, "date_spurious": 0,
            "kind_spk": {}, "kind_e2e": {}}


def _tally_gold(a: dict[str, Any], doc: TokenIndex, g: Quote, p: Quote) -> None:
    ok = speaker_correct(doc, g, p)
    a["tp_g"] += 1
    a["spk_g"] += ok
    _inc(a["kg_tp"], str(g.get("kind")))
    if ok:
        _inc(a["kind_spk"], str(g.get("kind")))
    if has_speaker(g):
        a["withspk"] += 1
        a["spk_withspk"] += ok
    if g.get("speaker"):
        a["named"] += 1
        a["name_ok"] += speaker_name_correct(g, p)
    if g.get("kind") and p.get("kind"):
        a["kind_pairs"] += 1
        a["kind_agree"] += g["kind"] == p["kind"]
    if g.get("said_on"):
        a["date_matched"] += 1
        a["date_ok"] += p.get("said_on") == g["said_on"]
    elif "said_on" in g and p.get("said_on"):
        a["date_spurious"] += 1


def _tally_doc(a: dict[str, Any], doc: TokenIndex, gq: list[Quote], pq: list[Quote],
               groups: list[tuple[list[int], list[int]]]) -> None:
    for q in gq:
        _inc(a["kg"], str(q.get("kind")))
        a["date_n"] += bool(q.get("said_on"))
    for q in pq:
        _inc(a["kp"], str(q.get("kind")))
    for gi, pj in groups:
        gs, ps = [gq[i] for i in gi], [pq[j] for j in pj]
        a["split"] += len(ps) > 1
        a["merge"] += len(gs) > 1
        for g in gs:
            _tally_gold(a, doc, g, partner(doc, g, ps))
        for p in ps:
            g = partner(doc, p, gs)
            a["tp_p"] += 1
            a["spk_p"] += speaker_correct(doc, g, p)
            _inc(a["kp_tp"], str(p.get("kind")))


def _by_kind(a: dict[str, Any], pred_has_kind: bool) -> dict[str, Any]:
    by_kind: dict[str, Any] = {}
    for k in sorted(set(a["kg"]) | (set(a["kp"]) if pred_has_kind else set())):
        n_g, n_p = a["kg"].get(k, 0), a["kp"].get(k, 0)
        t_g, t_p = a["kg_tp"].get(k, 0), a["kp_tp"].get(k, 0)
        r = t_g / n_g if n_g else None
        p = (t_p / n_p if n_p else None) if pred_has_kind else None
        f = ((2 * p * r / (p + r) if (p or r) else 0.0)
             if p is not None and r is not None else None)
        by_kind[k] = {"n_gold": n_g, "n_pred": n_p if pred_has_kind else None,
                      "p": p, "r": r, "f1": f}
    return by_kind


def _mode_result(a: dict[str, Any], ng: int, np_: int, pred_has_kind: bool) -> dict[str, Any]:
    out: dict[str, Any] = dict(prf(a["tp_p"], np_, a["tp_g"], ng))
    out["tp"] = a["tp_g"]
    out["tp_pred"] = a["tp_p"]
    out["split_groups"] = a["split"]
    out["merge_groups"] = a["merge"]
    out["speaker_acc"] = a["spk_g"] / a["tp_g"] if a["tp_g"] else 0.0
    out["speaker_correct"] = a["spk_g"]
    out["speaker_acc_gold_has_speaker"] = (
        a["spk_withspk"] / a["withspk"] if a["withspk"] else 0.0)
    out["speaker_name_acc"] = a["name_ok"] / a["named"] if a["named"] else None
    out["speaker_name_correct"] = a["name_ok"]
    out["speaker_named"] = a["named"]
    e2e: dict[str, Any] = dict(prf(a["spk_p"], np_, a["spk_g"], ng))
    e2e["tp"] = a["spk_g"]
    out["e2e"] = e2e
    out["kind_acc"] = a["kind_agree"] / a["kind_pairs"] if a["kind_pairs"] else None
    out["by_kind"] = _by_kind(a, pred_has_kind)
    return out


def _extra_result(a: dict[str, Any]) -> dict[str, Any]:
    """said_on accuracy and, per gold kind, matched / speaker-correct counts."""
    kinds: dict[str, Any] = {}
    for k in sorted(a["kg"]):
        n, tp, spk = a["kg"][k], a["kg_tp"].get(k, 0), a["kind_spk"].get(k, 0)
        kinds[k] = {"n_gold": n, "matched": tp, "speaker_correct": spk,
                    "speaker_acc": spk / tp if tp else None, "e2e_r": spk / n if n else None}
    n = a["date_n"]
    said_on = {"n_gold": n, "matched": a["date_matched"], "correct": a["date_ok"],
               "acc": a["date_ok"] / n if n else None,
               "spurious": a["date_spurious"]}
    return {"said_on": said_on, "by_gold_kind": kinds}


def score(gold_docs: list[dict[str, Any]], pred_docs: list[dict[str, Any]],
          threshold: float = 0.5, strict: bool = False,
          one_to_one: bool = False) -> dict[str, Any]:
    """Every metric of the reference scorer for these documents, plus ``"extra"``."""
    preds = {d["id"]: d for d in pred_docs}
    gold_ids = {d["id"] for d in gold_docs}
    res: dict[str, Any] = {
        "n_docs": len(gold_docs), "n_gold": 0, "n_pred": 0,
        "unknown_pred_ids": sorted(set(preds) - gold_ids), "text_mismatch_docs": 0,
        "settings": {"threshold": threshold, "strict": strict, "one_to_one": one_to_one,
                     "lenient_rule": LENIENT_RULE}}
    acc = {m: _zero() for m in MODES}
    pred_has_kind = False
    for gd in gold_docs:
        doc = TokenIndex(gd["text"])
        pd = preds.get(gd["id"], {"quotes": []})
        if "text" in pd and pd["text"] != gd["text"]:
            res["text_mismatch_docs"] += 1
        gq = gd["quotes"]
        pq = [sanitize(q, len(gd["text"]), res) for q in pd.get("quotes") or []]
        res["n_gold"] += len(gq)
        res["n_pred"] += len(pq)
        pred_has_kind |= any(q.get("kind") for q in pq)
        for mode, a in acc.items():
            groups = match_doc(doc, gq, pq, mode, threshold, strict, one_to_one)
            _tally_doc(a, doc, gq, pq, groups)
    extra: dict[str, Any] = {}
    for mode, a in acc.items():
        res[mode] = _mode_result(a, res["n_gold"], res["n_pred"], pred_has_kind)
        extra[mode] = _extra_result(a)
    res["extra"] = extra
    return res


def reference_view(res: dict[str, Any]) -> dict[str, Any]:
    """``res`` without our own additions: exactly the reference scorer's dict."""
    return {k: v for k, v in res.items() if k != "extra"}

