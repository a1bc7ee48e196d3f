"""The README's Python example, run as written as a plain script with workers=2; and scripts that
forget the `__main__` guard get one clear error instead of a hang."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Generous: a helper process starts and loads the model, twice (extract_many, then ingest).
BOUND_S = 600
GUARD = 'if __name__ == "__main__":'

STORY = (
    "Harbour Authority chief Lena Park said on Monday that the ferry terminal would reopen "
    "in March.\n\n"
    "“We have fixed the pier and the ramps are safe,” Park told reporters. “Crews worked "
    "through the winter to get it done.”\n\n"
    "Councillor Omar Haddad, who chairs the transport committee, said the city would pay "
    "for extra sailings.\n"
)
FEED = [
    {"id": "feed-1", "outlet": "Harbour Post", "published": "2022-11-16",
     "text": "Gen. Mark Milley said on Wednesday that the war would end at the table. "
             "“There has to be a political solution to this conflict,” Milley told reporters."},
    {"id": "feed-2", "outlet": "Evening Wire", "published": "2022-11-17",
     "text": "“There has to be a political solution to this conflict,” Gen. Mark Milley said "
             "on Wednesday, adding that neither side could win outright."},
]


def readme_python() -> str:
    """The code block of the README's "## Python" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README's Python section has a python code block"
    return found.group(1)


def run_script(tmp: Path, code: str, timeout: int = BOUND_S) -> subprocess.CompletedProcess[str]:
    """``code`` saved as tmp/script.py and run as a plain script from ``tmp``."""
    script = tmp / "script.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], cwd=tmp, capture_output=True, text=True,
                          timeout=timeout)


def test_readme_python_example_runs_as_a_script_with_two_workers(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "wire.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in FEED), encoding="utf-8")
    done = run_script(tmp_path, readme_python())
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Lena Park" in out and "We have fixed the pier" in out  # extract()
    assert re.search(r"^story \d+ quotes$", out, re.M)  # extract_many over an Article ...
    assert re.search(r"^None [1-9]\d* quotes$", out, re.M)  # ... and a plain string
    assert "2 stored" in out  # the ingest report
    assert re.search(r"^Mark Milley 2022-11-1\d There has to be a political solution", out, re.M)
    assert (tmp_path / "news.db").is_file()


def test_extract_many_without_main_guard_raises_one_clear_error(tmp_path: Path) -> None:
    done = run_script(tmp_path, (
        "import quoteline\n"
        "print('top level ran')\n"
        "texts = ['“We will not stop until it is done,” the minister said.'] * 6\n"
        "for r in quoteline.extract_many(texts, workers=2):\n"
        "    print(r)\n"), timeout=300)
    assert done.returncode == 1
    assert done.stdout.count("top level ran") == 1  # no helper started, none re-ran the script
    assert "UsageError" in done.stderr and GUARD in done.stderr
    assert "script.py, line 4" in done.stderr


def test_ingest_without_main_guard_raises_the_same_error(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(FEED[0]) + "\n", encoding="utf-8")
    done = run_script(tmp_path, (
        "from quoteline.corpus import ingest\n"
        "from quoteline.store import open_store\n"
        "with open_store('sqlite:///news.db') as store:\n"
        "    report = ingest(['a.jsonl'], store, workers=2)\n"), timeout=300)
    assert done.returncode == 1
    assert "UsageError" in done.stderr and GUARD in done.stderr
    assert "script.py, line 4" in done.stderr


def test_a_guard_the_check_cannot_read_still_ends_in_an_error_not_a_hang(tmp_path: Path) -> None:
    # `if True:` hides the call from the up-front check: the helper re-runs the script, finds
    # itself inside it, stops, and the parent reports the stopped helper (no respawning).
    done = run_script(tmp_path, (
        "import quoteline\n"
        "print('top level ran')\n"
        "if True:\n"
        "    texts = ['“We will not stop until it is done,” the minister said.'] * 40\n"
        "    n = sum(1 for _ in quoteline.extract_many(texts, workers=2))\n"
        "    print('finished', n)\n"), timeout=300)
    assert done.returncode == 1
    assert "finished" not in done.stdout
    assert done.stdout.count("top level ran") == 2  # the parent, and the one helper: no more
    assert "QuotelineError" in done.stderr and GUARD in done.stderr
