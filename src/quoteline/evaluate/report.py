"""The metrics as a table for people: the reference scorer's layout, then our extra lines."""

from __future__ import annotations

from typing import Any


def fmt(x: float | None) -> str:
    """A ratio with three decimals, or n/a."""
    return "  n/a" if x is None else f"{x:5.3f}"


def _header(res: dict[str, Any]) -> list[str]:
    lines = [f"docs={res['n_docs']}  gold quotes={res['n_gold']}  "
             f"predicted quotes={res['n_pred']}  "
             f"(threshold={res['settings']['threshold']}, strict={res['settings']['strict']})"]
    if res["unknown_pred_ids"]:
        lines.append(f"WARNING: {len(res['unknown_pred_ids'])} predicted ids not in gold (ignored)")
    if res.get("invalid_pred_quotes"):
        lines.append(f"WARNING: {res['invalid_pred_quotes']} predicted quotes/sources with "
                     "invalid offsets")
    if res["text_mismatch_docs"]:
        lines.append(f"WARNING: {res['text_mismatch_docs']} docs whose predicted text "
                     "differs from gold")
    return lines


def _main_rows(res: dict[str, Any]) -> list[str]:
    lines = ["", f"{'match':8s} {'P':>6s} {'R':>6s} {'F1':>6s} {'TP':>6s} | "
             f"{'spkAcc':>6s} {'spk|g':>6s} | {'e2eP':>6s} {'e2eR':>6s} {'e2eF1':>6s} | "
             f"{'kindAcc':>7s}"]
    for m in ("exact", "lenient"):
        r = res[m]
        lines.append(
            f"{m:8s} {fmt(r['p']):>6s} {fmt(r['r']):>6s} {fmt(r['f1']):>6s} {r['tp']:6d} | "
            f"{fmt(r['speaker_acc']):>6s} {fmt(r['speaker_acc_gold_has_speaker']):>6s} | "
            f"{fmt(r['e2e']['p']):>6s} {fmt(r['e2e']['r']):>6s} {fmt(r['e2e']['f1']):>6s} | "
            f"{fmt(r['kind_acc']):>7s}")
    ex, le = res["exact"], res["lenient"]
    lines.append(
        f"matched predictions: exact {ex['tp_pred']}, lenient {le['tp_pred']}"
        f"  (TP above counts gold quotes); groups where several predictions matched one"
        f" gold quote: {ex['split_groups']}/{le['split_groups']},"
        f" one prediction several gold: {ex['merge_groups']}/{le['merge_groups']}"
        f" (exact/lenient)")
    lines.append(
        f"speaker name (the predicted name names the gold speaker): exact "
        f"{fmt(ex['speaker_name_acc'])} ({ex['speaker_name_correct']}/{ex['speaker_named']}), "
        f"lenient {fmt(le['speaker_name_acc'])} ({le['speaker_name_correct']}/"
        f"{le['speaker_named']})")
    return lines


def _kind_rows(res: dict[str, Any]) -> list[str]:
    lines = ["", "by kind (gold kind for R, predicted kind for P)",
             f"{'kind':9s} {'nGold':>6s} {'nPred':>6s} | {'exP':>6s} {'exR':>6s} {'exF1':>6s} | "
             f"{'lenP':>6s} {'lenR':>6s} {'lenF1':>6s}"]
    for k in sorted(set(res["exact"]["by_kind"]) | set(res["lenient"]["by_kind"])):
        e = res["exact"]["by_kind"].get(k, {})
        le = res["lenient"]["by_kind"].get(k, {})
        npred = e.get("n_pred")
        lines.append(
            f"{k:9s} {e.get('n_gold', 0):6d} {('n/a' if npred is None else npred):>6} | "
            f"{fmt(e.get('p')):>6s} {fmt(e.get('r')):>6s} {fmt(e.get('f1')):>6s} | "
            f"{fmt(le.get('p')):>6s} {fmt(le.get('r')):>6s} {fmt(le.get('f1')):>6s}")
    lines += ["", "spkAcc = speaker correct / matched quotes; spk|g = same, only gold quotes "
              "with a speaker; e2e = matched AND speaker correct."]
    return lines


def reference_table(res: dict[str, Any]) -> str:
    """The reference scorer's table, line for line."""
    return "\n".join(_header(res) + _main_rows(res) + _kind_rows(res))


def _said_on_line(res: dict[str, Any]) -> str:
    parts = []
    for m in ("exact", "lenient"):
        d = res["extra"][m]["said_on"]
        parts.append(f"{m} {d['correct']}/{d['n_gold']} ({fmt(d['acc'])})")
    spurious = res["extra"]["lenient"]["said_on"]["spurious"]
    return (f"said_on: right on gold quotes that carry a date: {', '.join(parts)}; "
            f"{spurious} matched quote(s) dated where gold gives none (lenient)")


def _extra_rows(res: dict[str, Any]) -> list[str]:
    lines = ["", _said_on_line(res), "",
             "speaker by gold kind (matched / speaker right)",
             f"{'kind':9s} {'nGold':>6s} | {'exTP':>5s} {'exSpk':>6s} {'exE2eR':>6s} | "
             f"{'lenTP':>5s} {'lenSpk':>6s} {'lenE2eR':>6s}"]
    ek, lk = res["extra"]["exact"]["by_gold_kind"], res["extra"]["lenient"]["by_gold_kind"]
    for k in sorted(lk):
        e, le = ek[k], lk[k]
        lines.append(
            f"{k:9s} {le['n_gold']:6d} | {e['matched']:5d} {fmt(e['speaker_acc']):>6s} "
            f"{fmt(e['e2e_r']):>6s} | {le['matched']:5d} {fmt(le['speaker_acc']):>6s} "
            f"{fmt(le['e2e_r']):>7s}")
    return lines


def table(res: dict[str, Any]) -> str:
    """The reference table followed by said_on accuracy and speaker accuracy per gold kind."""
    if "extra" not in res:
        return reference_table(res)
    return reference_table(res) + "\n" + "\n".join(_extra_rows(res))
