"""quoteline.evaluate agrees with the reference scorer (../shared/eval/score.py) on everything."""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import random
from contextlib import redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import cli_in_process
from quoteline.evaluate import load_docs, reference_table, reference_view, score, table
from quoteline.evaluate.speakers import names_match

N_DEV_DOCS = 6  # a few PolNeAR dev documents keep the property tests fast


def _load_reference(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("reference_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ref(shared_dir: Path) -> ModuleType:
    """The reference scorer, imported from its path."""
    return _load_reference(shared_dir / "eval" / "score.py")


@pytest.fixture(scope="session")
def seed_gold(shared_dir: Path) -> list[dict[str, Any]]:
    """The seed article's gold document."""
    return load_docs(shared_dir / "fixtures" / "seed-gold.jsonl")


@pytest.fixture(scope="session")
def dev_gold(shared_dir: Path) -> list[dict[str, Any]]:
    """A few PolNeAR dev documents, those with most split quotes (read, never copied)."""
    docs = load_docs(shared_dir / "data" / "polnear-dev.jsonl")
    docs.sort(key=lambda d: -sum(len(q.get("content_parts") or []) > 1 for q in d["quotes"]))
    return docs[:N_DEV_DOCS]


@pytest.fixture(scope="session")
def gold_docs(seed_gold: list[dict[str, Any]], dev_gold: list[dict[str, Any]]) -> list[Any]:
    """Seed plus a few dev documents."""
    return seed_gold + dev_gold


def assert_agree(ref: ModuleType, gold: list[Any], pred: list[Any], **kw: Any) -> dict[str, Any]:
    """Both scorers on copies of the same input; every reference metric must be equal."""
    expected = ref.score(copy.deepcopy(gold), copy.deepcopy(pred), **kw)
    ours = score(copy.deepcopy(gold), copy.deepcopy(pred), **kw)
    assert reference_view(ours) == expected
    assert set(ours) - set(expected) == {"extra"}
    assert reference_table(ours) == ref.table(expected)
    assert table(ours).startswith(ref.table(expected))
    return ours


# ---------------------------------------------------------------- perfect and empty
@pytest.mark.parametrize("kw", [{}, {"strict": True}, {"one_to_one": True}, {"threshold": 0.8}])
def test_perfect_predictions_agree_and_score_one(ref: ModuleType, gold_docs: list[Any],
                                                 kw: dict[str, Any]) -> None:
    ours = assert_agree(ref, gold_docs, gold_docs, **kw)
    for mode in ("exact", "lenient"):
        assert ours[mode]["p"] == ours[mode]["r"] == 1.0
        assert ours[mode]["tp"] == ours["n_gold"] > 20


def test_empty_predictions_agree(ref: ModuleType, gold_docs: list[Any]) -> None:
    ours = assert_agree(ref, gold_docs, [{"id": d["id"], "quotes": []} for d in gold_docs[:2]])
    assert ours["lenient"]["r"] == 0.0 and ours["n_pred"] == 0


def test_whole_dev_file_with_damage_agrees(ref: ModuleType, shared_dir: Path) -> None:
    gold = load_docs(shared_dir / "data" / "polnear-dev.jsonl")
    pred = copy.deepcopy(gold)
    rng = random.Random(7)
    for d in pred:  # drop a fifth of the quotes and shift some, deterministically
        d["quotes"] = [q for q in d["quotes"] if rng.random() > 0.2]
        for q in d["quotes"][::3]:
            q["content"] = [q["content"][0] + 3, q["content"][1]]
            q.pop("content_parts", None)
    ours = assert_agree(ref, gold, pred)
    assert 0.5 < ours["lenient"]["r"] < 0.9


# ---------------------------------------------------------------- the reference self-test
def test_reference_selftest_passes_on_reference(ref: ModuleType) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        ref.selftest()
    assert "FAIL" not in out.getvalue()


def test_reference_selftest_passes_on_ours(shared_dir: Path) -> None:
    """Run the reference's own self-test with our score, names_match and table swapped in."""
    patched = _load_reference(shared_dir / "eval" / "score.py")
    patched.score = lambda *a, **k: reference_view(score(*a, **k))
    patched.names_match = names_match
    patched.table = reference_table
    out = io.StringIO()
    with redirect_stdout(out):
        patched.selftest()  # exits 1 when a check fails
    text = out.getvalue()
    assert "FAIL" not in text
    assert "checks passed" in text


# ---------------------------------------------------------------- our extra metrics
def test_said_on_accuracy(seed_gold: list[Any]) -> None:
    dated = [q for q in seed_gold[0]["quotes"] if q.get("said_on")]
    assert dated, "the seed gold should carry said_on dates"
    perfect = score(seed_gold, copy.deepcopy(seed_gold))["extra"]["lenient"]["said_on"]
    assert perfect["n_gold"] == perfect["correct"] == len(dated)
    assert perfect["acc"] == 1.0 and perfect["spurious"] == 0
    pred = copy.deepcopy(seed_gold)
    wrong = next(q for q in pred[0]["quotes"] if q.get("said_on"))
    wrong["said_on"] = "1999-01-01"
    undated = next(q for q in pred[0]["quotes"] if not q.get("said_on"))
    undated["said_on"] = "2022-11-16"
    got = score(seed_gold, pred)["extra"]["lenient"]["said_on"]
    assert got["correct"] == len(dated) - 1
    assert got["spurious"] == 1


def test_extra_by_gold_kind(seed_gold: list[Any]) -> None:
    pred = copy.deepcopy(seed_gold)
    direct = [q for q in pred[0]["quotes"] if q["kind"] == "direct"]
    direct[0]["source"], direct[0]["speaker"] = None, "Somebody Else"
    kinds = score(seed_gold, pred)["extra"]["lenient"]["by_gold_kind"]
    assert kinds["direct"]["matched"] == len(direct)
    assert kinds["direct"]["speaker_correct"] == len(direct) - 1
    assert kinds["indirect"]["speaker_acc"] == 1.0


# ---------------------------------------------------------------- random perturbations
ACTIONS = ("keep", "drop", "dup", "jitter", "split", "split_parts", "fragments", "envelope",
           "speaker", "source", "kind", "date", "invalid")
NAMES = ("he", "Milley", "Mark Milley", "Gen. Milley's", "Somebody Else", "The Post", None, "")


@st.composite
def perturbed(draw: st.DrawFn, docs: list[Any]) -> tuple[list[Any], list[Any]]:
    """(gold, predictions) where the predictions are gold with random damage."""
    gold = [draw(st.sampled_from(docs))]
    if draw(st.booleans()):
        other = draw(st.sampled_from(docs))
        if other["id"] != gold[0]["id"]:
            gold.append(other)
    preds = [_perturb_doc(draw, d) for d in gold if draw(st.integers(0, 9))]
    if draw(st.integers(0, 9)) == 0:
        preds.append({"id": "not-in-gold", "quotes": []})
    return gold, preds


def _rand_span(draw: st.DrawFn, n: int) -> list[int]:
    s = draw(st.integers(0, max(0, n - 1)))
    return [s, draw(st.integers(s + 1, min(n, s + 400)))]


def _perturb_doc(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    n = len(doc["text"])
    out: list[dict[str, Any]] = []
    quotes = sorted(doc["quotes"], key=lambda q: q["content"][0])
    i = 0
    while i < len(quotes):
        if i + 1 < len(quotes) and draw(st.integers(0, 7)) == 0:  # merge two neighbours
            out.append(_merged(draw, quotes[i], quotes[i + 1]))
            i += 2
            continue
        out.extend(_perturb_quote(draw, copy.deepcopy(quotes[i]), n))
        i += 1
    for _ in range(draw(st.integers(0, 3))):  # spurious predictions
        out.append({"content": _rand_span(draw, n), "kind": draw(st.sampled_from(
            ["direct", "mixed", "indirect", None])), "speaker": draw(st.sampled_from(NAMES))})
    if draw(st.booleans()):
        out = draw(st.permutations(out))
    pred = {"id": doc["id"], "quotes": out}
    if draw(st.integers(0, 9)) == 0:
        pred["text"] = doc["text"] + " "  # a text mismatch is reported
    return pred


def _merged(draw: st.DrawFn, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """One prediction for two gold quotes: with both as content_parts, or as their envelope."""
    q = copy.deepcopy(a)
    q["content"] = [a["content"][0], max(a["content"][1], b["content"][1])]
    q.pop("content_parts", None)
    if draw(st.booleans()):
        q["content_parts"] = [list(a["content"]), list(b["content"])]
    return q


def _perturb_quote(draw: st.DrawFn, q: dict[str, Any], n: int) -> list[dict[str, Any]]:
    action = draw(st.sampled_from(ACTIONS))
    s, e = q["content"]
    if action == "drop":
        return []
    if action == "dup":
        return [q, copy.deepcopy(q)]
    if action == "jitter":
        q["content"] = [max(0, s + draw(st.integers(-30, 30))),
                        min(n, e + draw(st.integers(-30, 30)))]
        if q["content"][0] >= q["content"][1]:
            q["content"] = [s, e]
        q.pop("content_parts", None)
    elif action == "fragments" and len(q.get("content_parts") or []) >= 2:
        return [dict(q, content=p, content_parts=None) for p in q["content_parts"]]
    elif action in ("split", "split_parts") and e - s >= 2:
        cut = draw(st.integers(s + 1, e - 1))
        gap = draw(st.integers(0, max(0, min(15, e - cut - 1))))
        spill = draw(st.integers(0, 12)), draw(st.integers(0, 12))  # may reach past the quote
        parts = [[max(0, s - spill[0]), cut], [cut + gap, min(n, e + spill[1])]]
        if action == "split_parts":
            q["content_parts"] = parts
        else:
            return [dict(q, content=p, content_parts=None) for p in parts]
    elif action == "envelope":
        q.pop("content_parts", None)
    elif action == "speaker":
        q["speaker"] = draw(st.sampled_from(NAMES))
        if draw(st.booleans()):
            q.pop("source", None)
    elif action == "source":
        q["source"] = None if draw(st.booleans()) else _rand_span(draw, n)
    elif action == "kind":
        q["kind"] = draw(st.sampled_from(["direct", "mixed", "indirect", None]))
    elif action == "date":
        q["said_on"] = draw(st.sampled_from([None, "2022-11-16", "2022-11-09"]))
    elif action == "invalid":
        bad = draw(st.sampled_from([[e, s], None, [0, n + 5], [-1, 3], [1.5, 2], [True, 3]]))
        field = draw(st.sampled_from(["content", "source", "content_parts"]))
        q[field] = [bad, [s, e]] if field == "content_parts" else bad
    return [q]


SETTINGS = st.fixed_dictionaries({
    "threshold": st.sampled_from([0.5, 0.5, 0.3, 0.75]),
    "strict": st.booleans(),
    "one_to_one": st.booleans(),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_perturbations_agree(ref: ModuleType, gold_docs: list[Any],
                                    data: st.DataObject) -> None:
    gold, pred = data.draw(perturbed(gold_docs))
    assert_agree(ref, gold, pred, **data.draw(SETTINGS))


@settings(max_examples=60, deadline=None)
@given(pred=st.text(max_size=40), gold=st.lists(st.text(max_size=40), max_size=3))
def test_names_match_agrees(ref: ModuleType, pred: str, gold: list[str]) -> None:
    assert names_match(pred, gold) == ref.names_match(pred, gold)


# ---------------------------------------------------------------- the eval command
def test_cli_score_only_json_agrees(ref: ModuleType, shared_dir: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str],
                                    seed_gold: list[Any]) -> None:
    pred = copy.deepcopy(seed_gold)
    pred[0]["quotes"] = pred[0]["quotes"][::2]
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps(pred[0]) + "\n", encoding="utf-8")
    gold_path = str(shared_dir / "fixtures" / "seed-gold.jsonl")
    rc, out, _ = cli_in_process(capsys, "eval", gold_path, "--score-only", str(path), "--json")
    assert rc == 0
    expected = ref.score(ref.load(gold_path), ref.load(str(path)))
    got = json.loads(out)
    assert reference_view(got) == json.loads(json.dumps(expected))
    assert got["lenient"]["tp"] == 10
    rc, out, _ = cli_in_process(capsys, "eval", gold_path, "--score-only", str(path))
    assert rc == 0 and out.startswith(ref.table(expected)) and "said_on:" in out


def test_cli_runs_extraction_and_writes_gold_schema(shared_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    gold_path = shared_dir / "fixtures" / "seed-gold.jsonl"
    out_path = tmp_path / "pred.jsonl"
    rc, out, err = cli_in_process(capsys, "eval", str(gold_path), "--predictions", str(out_path))
    assert rc == 0, err
    assert "docs=1  gold quotes=20" in out
    (doc,) = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    text = json.loads(gold_path.read_text(encoding="utf-8"))["text"]
    assert doc["id"] == "seed-article"
    for q in doc["quotes"]:
        s, e = q["content"]
        assert 0 <= s < e <= len(text)
        assert q["kind"] in ("direct", "mixed", "indirect")
        for key in ("source", "cue"):
            assert q[key] is None or 0 <= q[key][0] < q[key][1] <= len(text)
        assert q["said_on"] is None or len(q["said_on"]) == 10
        assert all(s <= p[0] < p[1] <= e for p in q.get("content_parts", []))
    # scoring the written file gives the same numbers as scoring during the run
    rc2, out2, _ = cli_in_process(capsys, "eval", str(gold_path), "--score-only", str(out_path))
    assert rc2 == 0 and out2 == out


def test_cli_usage_errors(shared_dir: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    gold_path = str(shared_dir / "fixtures" / "seed-gold.jsonl")
    rc, _, err = cli_in_process(capsys, "eval", str(tmp_path / "missing.jsonl"))
    assert rc == 2 and "no such file" in err
    rc, _, err = cli_in_process(capsys, "eval", gold_path, "--score-only", gold_path,
                      "--predictions", str(tmp_path / "x.jsonl"))
    assert rc == 2 and "one or the other" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x", "quotes": []}\nnot json\n', encoding="utf-8")
    rc, _, err = cli_in_process(capsys, "eval", str(bad))
    assert rc == 2 and "bad.jsonl:2" in err and "Traceback" not in err


def test_cli_skipped_gold_document_exits_3(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    docs = [{"id": "empty", "text": "   ", "published": None,
             "quotes": [{"content": [0, 2], "source": None, "speaker": None}]},
            {"id": "ok", "text": "Nothing quoted here.", "published": "2022-11-16", "quotes": []}]
    gold.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    rc, out, err = cli_in_process(capsys, "eval", str(gold), "--json")
    assert rc == 3
    assert "skipped empty: empty text" in err and "1 document(s) skipped" in err
    assert json.loads(out)["n_gold"] == 1


def test_cli_two_workers_predict_the_same(shared_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    docs = load_docs(shared_dir / "fixtures" / "seed-gold.jsonl")
    docs += load_docs(shared_dir / "data" / "polnear-dev.jsonl")[:3]
    gold.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    rc1, out1, _ = cli_in_process(capsys, "eval", str(gold), "--predictions", str(one))
    rc2, out2, _ = cli_in_process(capsys, "eval", str(gold), "--predictions", str(two), "--workers", "2")
    assert rc1 == rc2 == 0
    by_one, by_two = ([json.loads(line) for line in f.read_text(encoding="utf-8").splitlines()]
                      for f in (one, two))
    assert [d["id"] for d in by_one] == [d["id"] for d in by_two]
    for a, b in zip(by_one, by_two, strict=True):  # a failure names the document and quote
        assert a["quotes"] == b["quotes"], a["id"]
    assert out1 == out2
