"""Hostile and edge input to extraction: calendar edges, string dates, and long unpunctuated text
parsed in bounded pieces (issue 13 rows 3 and 8, issue 14's Article(published=str))."""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

import quoteline
from quoteline.models import Article, Extraction
from quoteline.nlp.batch import needs_pieces, parse, pieces
from quoteline.nlp.loader import load_nlp

RELATIVE = ("Mayor Ana Ruiz said yesterday that the bridge would reopen in the spring. "
            "Ruiz said last Wednesday that crews were ready. "
            "“We will finish the work before the summer,” Ruiz said on Monday. "
            "Ruiz said on Dec. 30 that the budget was final.")
FIRST_DAY = dt.date(1, 1, 1)  # a Monday
LAST_DAY = dt.date(9999, 12, 31)  # a Friday


def test_first_day_of_the_calendar_leaves_relative_dates_unset_and_keeps_the_quotes() -> None:
    quotes = quoteline.extract(RELATIVE, FIRST_DAY)
    assert all(q.speaker is not None and q.speaker.endswith("Ruiz") for q in quotes)
    # "yesterday", "last Wednesday" and "Dec. 30" would fall before 0001-01-01: unset, not a
    # crash; "on Monday" is the day itself.
    assert [q.said_on for q in quotes] == [None, None, FIRST_DAY, None]


def test_first_day_keeps_the_article_in_a_batch() -> None:
    (res,) = quoteline.extract_many([Article(text=RELATIVE, id="a", published=FIRST_DAY)])
    assert isinstance(res, Extraction) and len(res.quotes) == 4


def test_on_the_first_day_itself_today_still_resolves() -> None:
    (q,) = quoteline.extract("Mayor Ana Ruiz said today that the bridge was safe.", FIRST_DAY)
    assert q.said_on == FIRST_DAY


def test_last_day_of_the_calendar() -> None:
    quotes = quoteline.extract(RELATIVE, LAST_DAY)
    assert [q.said_on for q in quotes] == [
        dt.date(9999, 12, 30), dt.date(9999, 12, 29), dt.date(9999, 12, 27), dt.date(9999, 12, 30)]


def test_article_published_as_a_string_becomes_a_date() -> None:
    art = Article(text=RELATIVE, id="a", published="2022-11-16")
    assert art.published == dt.date(2022, 11, 16)
    assert Article(text="x", published=dt.datetime(2022, 11, 16, 9, 30)).published == dt.date(
        2022, 11, 16)
    (res,) = quoteline.extract_many([art])
    assert isinstance(res, Extraction)
    assert res.quotes[0].said_on == dt.date(2022, 11, 15)  # "yesterday"


@pytest.mark.parametrize("bad", ["16/11/2022", "yesterday", "2022-13-01"])
def test_article_with_an_unreadable_published_string_is_refused_when_made(bad: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-MM-DD"):
        Article(text="x", published=bad)
    with pytest.raises(TypeError, match=r"datetime\.date"):
        Article(text="x", published=20221116)  # type: ignore[arg-type]


def _words(n: int, seed: int = 1) -> str:
    """``n`` characters of words with no punctuation and no line break."""
    rng = random.Random(seed)
    vocab = ["the", "minister", "said", "that", "we", "will", "not", "stop", "until", "it", "is",
             "done", "Smith", "argued", "plan", "dangerous", "costly", "senator", "told",
             "reporters", "on", "Tuesday"]
    out: list[str] = []
    size = 0
    while size < n:
        out.append(rng.choice(vocab))
        size += len(out[-1]) + 1
    return " ".join(out)[:n]


def test_pieces_join_back_and_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_PARSE_PIECE_CHARS", "5000")
    monkeypatch.setenv("QUOTELINE_MAX_SENTENCE_CHARS", "400")
    text = ("A short sentence. " * 50 + "\n\n") * 6 + _words(3000) + ". And the end.\n" + "x" * 900
    parts = list(pieces(text))
    assert "".join(parts) == text
    assert all(0 < len(p) <= 5000 for p in parts)
    assert all(len(run) <= 400 for p in parts for run in re.split(r"[.!?\n]", p))
    doc = parse(load_nlp(), text)
    assert doc.text == text
    assert max(len(s.text) for s in doc.sents) <= 400


def test_only_long_or_unpunctuated_text_is_cut() -> None:
    assert not needs_pieces("Short. " * 1000)
    assert needs_pieces(_words(4000))  # one sentence of 4,000 characters
    assert needs_pieces("Short. " * 10_000)  # 70,000 characters


def test_a_text_over_the_window_is_extracted_window_by_window(monkeypatch: pytest.MonkeyPatch) -> None:
    para = ("“We will finish the bridge before the summer, and the road after it,” Mayor Ana "
            "Ruiz said on Tuesday. Councillor Omar Haddad said the city would pay for it.\n\n")
    text = para * 40  # about 7,000 characters
    whole = quoteline.extract(text, "2024-03-14")
    monkeypatch.setenv("QUOTELINE_EXTRACT_WINDOW_CHARS", "1000")
    windowed = quoteline.extract(text, "2024-03-14")
    assert len(windowed) == 80  # two per paragraph, none lost at a window's edge
    for q in windowed:
        assert text[q.start:q.end] == q.text
        assert q.cue is not None and text[q.cue.start:q.cue.end] == q.cue.text
        assert q.source is not None and text[q.source.start:q.source.end] == q.source.text
    # Each paragraph names its speakers, so windows cut at paragraph breaks change nothing.
    assert [q.to_dict() for q in windowed] == [q.to_dict() for q in whole]


MEMORY_SCRIPT = """
import resource, sys
import quoteline
text = open(sys.argv[1], encoding="utf-8").read()
quotes = quoteline.extract(text, "2022-11-16")
assert all(text[q.start:q.end] == q.text for q in quotes)
print(len(quotes), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_megabyte_of_unpunctuated_words_stays_well_under_a_gigabyte(tmp_path: Path) -> None:
    # Parsed whole, such a text took about 2 GB (5 MB took 9 GB and then MemoryError).
    path = tmp_path / "words.txt"
    path.write_text(_words(1_000_000), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(path)], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    _n_quotes, peak_kb = map(int, done.stdout.split())
    assert peak_kb < 1_000_000, f"peak RSS {peak_kb / 1024:.0f} MB"


def test_a_stretch_of_words_with_no_sentence_end_is_not_parsed_but_kept() -> None:
    """Thousands of characters with no . ! ? line break or quotation mark hold no sentence
    and no quote: the parser's time goes to the prose around them, and offsets stay exact."""
    head = "Mayor Ana Ruiz said on Tuesday that the bridge would reopen in May.\n"
    tail = "\n“It is ready,” Tom Lee, the chief engineer, said on Wednesday.\n"
    text = head + "gravel " * 3000 + tail
    nlp = load_nlp(None)
    doc = parse(nlp, text)
    assert doc.text == text
    unparsed = [t for t in doc if t.text == "gravel" and not t.pos_]
    assert len(unparsed) > 2000  # all but the piece that runs into the quote
    quotes = quoteline.extract(text)
    assert {(q.speaker, text[q.start:q.end] == q.text) for q in quotes} == {("Ana Ruiz", True),
                                                                           ("Tom Lee", True)}
    assert any(q.text == "It is ready" for q in quotes)


def test_the_default_pipeline_is_loaded_once_however_it_is_named() -> None:
    from quoteline.nlp.loader import pipelines_loaded, resolve_model_name

    first = load_nlp()
    before = pipelines_loaded()
    assert load_nlp(None) is first
    assert load_nlp(resolve_model_name()) is first
    assert pipelines_loaded() == before
