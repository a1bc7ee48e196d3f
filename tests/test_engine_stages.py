"""The engine as declared named stages: the docs agree with STAGES, every quote names its rule,
one frozen ExtractOptions holds the thresholds and tables, and one scorer sets confidence."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quoteline
from quoteline.models import RULES
from quoteline.nlp.engine import STAGES
from quoteline.nlp.options import ExtractOptions
from quoteline.nlp.quotemarks import find_quote_spans
from quoteline.nlp.scoring import Features

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "extraction.md"
NLP_DIR = ROOT / "src" / "quoteline" / "nlp"

EXAMPLES = {  # rule -> a text where that rule finds the quote containing the words
    "colon": ("The factory will close.\n\nPark was blunt: “There is no buyer and there will be "
              "no buyer.”", "no buyer and"),
    "dash": ("“Nobody told us the water was unsafe to drink for weeks.” — Maria Lopez, a "
             "resident.", "water was unsafe"),
    "continuation": ("Governor Lisa Grant visited the flooded town on Monday.\n\n“We will not "
                     "leave anyone behind,” she said. “Help is coming, and it is coming today.”",
                     "Help is coming"),
    "neighbour": ("Coach Sam Reid defended the decision after the game. “We played the young "
                  "players because they earned it in practice.”", "young players"),
    "according_to": ("The factory will close in June, according to the company's chief "
                     "executive, Lena Park.", "factory will close"),
    "hearsay": ("After the vote the council reportedly dropped the tram project.", "tram project"),
    "headline_colon": ("Clinton: Trump's view of the world is dangerous and wrong\n\nThe speech "
                       "was long.", "view of the world"),
    "complement": ("Baker said the committee would not take up the bill this year.",
                   "committee would not"),
    "as_clause": ("As the city auditor Ben Shaw noted, the bus fleet is older than any in the "
                  "region.", "bus fleet"),
    "stance_object": ("Senator Tom Baker slammed the plan as reckless.", "plan as reckless"),
    "passive": ("The plan was criticized by Senator Tom Baker for its cost.", "its cost"),
    "claim_noun": ("The claim that the bridge was unsafe spread quickly.", "bridge was unsafe"),
    "beside_cue": ("“Absolutely not,” she said.", "Absolutely not"),
}


def _table(heading: str) -> list[list[str]]:
    """The rows of the first table under ``heading`` in docs/extraction.md, cells stripped."""
    text = DOC.read_text(encoding="utf-8").split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[c.strip() for c in r.strip("|").split("|")] for r in rows[2:]]


def test_docs_stage_table_is_the_declared_stages() -> None:
    documented = [(r[0], r[1], r[2]) for r in _table("Stages")]
    declared = [(str(i), f"`{s.name}`", ", ".join(f"`{m}`" for m in s.modules))
                for i, s in enumerate(STAGES, 1)]
    assert documented == declared


def test_every_stage_is_a_documented_function_and_every_module_exists() -> None:
    names = [s.name for s in STAGES]
    assert len(set(names)) == len(names)
    for s in STAGES:
        assert s.run.__doc__, s.name
        for module in s.modules:
            assert (NLP_DIR / module).is_file(), module


def test_every_rule_is_documented_once() -> None:
    assert [r[0] for r in _table("Rules")] == [f"`{r}`" for r in RULES]


def test_options_table_lists_every_field_with_its_default() -> None:
    documented = {r[0].strip("`"): r[1] for r in _table("Options")}
    fields = {f.name: f for f in dataclasses.fields(ExtractOptions)}
    assert set(documented) == set(fields)
    defaults = ExtractOptions()
    for name, shown in documented.items():
        value = getattr(defaults, name)
        if isinstance(value, int | float):
            assert shown == f"`{value}`", name


def test_no_stage_numbers_left_in_module_docstrings() -> None:
    # Three places once numbered the stages differently; only STAGES orders them now.
    for path in NLP_DIR.glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert not re.search(r"\bStage \d", doc), path.name


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_each_quote_records_the_rule_that_found_it(rule: str) -> None:
    text, words = EXAMPLES[rule]
    quotes = quoteline.extract(text)
    hit = next((q for q in quotes if words in q.text), None)
    assert hit is not None, [q.text for q in quotes]
    assert hit.rule == rule
    assert hit.to_dict()["rule"] == rule
    assert all(q.rule in RULES for q in quotes)


def test_options_change_what_is_found() -> None:
    text, words = EXAMPLES["neighbour"]
    assert any(words in q.text for q in quoteline.extract(text))
    strict = ExtractOptions(min_speech_words=20)
    assert not any(words in q.text for q in quoteline.extract(text, options=strict))


def test_confidence_comes_from_the_one_scorer() -> None:
    seen: list[Features] = []

    def flat(f: Features, opts: ExtractOptions) -> float:
        seen.append(f)
        return 0.42

    text = EXAMPLES["continuation"][0]
    quotes = quoteline.extract(text, options=ExtractOptions(scorer=flat))
    assert quotes and all(q.confidence == 0.42 for q in quotes)
    assert [(f.rule, f.kind, f.has_speaker) for f in seen] == [
        (q.rule, q.kind, q.speaker is not None) for q in quotes]


def test_the_confidence_tables_are_options() -> None:
    text = EXAMPLES["hearsay"][0]  # a quote with no speaker
    default = quoteline.extract(text)[0].confidence
    lenient = quoteline.extract(text, options=ExtractOptions(unresolved_factor=1.0))[0]
    assert lenient.confidence == pytest.approx(default / 0.6, abs=0.002)


def test_options_are_frozen_and_reach_helper_processes() -> None:
    opts = ExtractOptions(kind_factor={"direct": 0.5, "mixed": 0.5, "indirect": 0.5})
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.min_speech_words = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        opts.kind_factor["direct"] = 1.0  # type: ignore[index]
    assert pickle.loads(pickle.dumps(opts)) == opts
    texts = [EXAMPLES[r][0] for r in ("dash", "continuation", "neighbour", "complement")] * 3

    def confidences(workers: int, o: ExtractOptions | None) -> list[float]:
        out = []
        for res in quoteline.extract_many(texts, workers=workers, options=o):
            assert isinstance(res, quoteline.Extraction)
            out += [q.confidence for q in res.quotes]
        return out

    one = confidences(1, opts)
    assert one == confidences(2, opts)
    assert one != confidences(1, None)


def test_nlp_modules_never_import_the_package_root() -> None:
    # quoteline/__init__ imports the engine lazily; the engine must not import quoteline/__init__
    # back (the old cycle ran through `from quoteline import __version__`).
    for path in NLP_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module != "quoteline", path.name
            if isinstance(node, ast.Import):
                assert all(a.name != "quoteline" for a in node.names), path.name
    done = subprocess.run([sys.executable, "-c", "import quoteline.nlp.pipeline as p, quoteline; "
                           "assert quoteline.extract is p.extract; print(p.EXTRACTOR)"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"quoteline {quoteline.__version__}"


def test_word_lists_are_data_files_with_a_header_and_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for path in sorted((NLP_DIR / "lang" / "en").glob("*.txt")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# "), path.name
        assert f"`{path.name}`" in doc, path.name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("“”\"‘’«»„‹›'a .\n")), max_size=120))
def test_quote_spans_are_ordered_and_never_overlap(text: str) -> None:
    # The engine finds the quotes touching a range by bisection, which needs this.
    spans = find_quote_spans(text)
    for q in spans:
        assert q.open < q.close
    for a, b in itertools.pairwise(spans):
        # a mark glued between two paragraphs ('... a year."You ...') closes one and opens the next
        assert a.close < b.open or (a.close == b.open and b.paragraph_continued)
