"""Two ingest processes at once into one store never give one speaker id to two people, nor two
ids to one person: the speakers come out as from one run after the other (SQLite and a real
throwaway PostgreSQL)."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

from quoteline.link.speakers import parse_name
from quoteline.store import open_store
from speaker_support import speaker_groups
from test_corpus_resume import ingest_cmd, two_urls  # noqa: F401 - fixture
from test_store_support import pg_server  # noqa: F401 - fixture

GIVEN = ["Ann", "Omar", "Rosa", "Ivan", "Lena", "Kofi", "Mira", "Tariq", "Noor", "Pavel"]
FAMILY = ["Lindqvist", "Haddad", "Okafor", "Brennan", "Moreau", "Takeda", "Novak", "Serrano"]
TITLES = ["", "Dr. ", "Sen. ", "Mayor ", "Gen. "]
WORDS = ["we", "will", "build", "the", "bridge", "next", "year", "and", "protect", "pensions",
         "for", "every", "family", "plan", "is", "sound", "our", "budget", "works", "roads",
         "schools", "hospitals", "taxes", "are", "too", "high"]


def halves(folder: Path, per_half: int = 150) -> tuple[Path, Path]:
    """Two files of different articles quoting the same 80 people, in any name form."""
    rng = random.Random(7)
    paths = (folder / "a.jsonl", folder / "b.jsonl")
    for half, path in enumerate(paths):
        with open(path, "w", encoding="utf-8") as fh:
            for i in range(per_half):
                parts = []
                for _ in range(2):
                    who = f"{rng.choice(TITLES)}{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
                    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
                    parts.append(f'"{words.capitalize()}," {who} said on Tuesday.')
                text = " ".join(parts) + f" The council met {i} times this year."
                fh.write(json.dumps({"id": f"h{half}-{i}", "text": text,
                                     "outlet": f"Outlet {i % 4}"}) + "\n")
    return paths


def one_person_per_id(url: str) -> dict[int, set[tuple[str | None, str]]]:
    """Speaker id -> the persons (given, surname) its quotes name; one each, if all is well."""
    out: dict[int, set[tuple[str | None, str]]] = {}
    with open_store(url) as store:
        for h in store.quotes():
            if h.speaker_id is not None and h.speaker:
                p = parse_name(h.speaker)
                out.setdefault(h.speaker_id, set()).add((p.given, p.surname))
    return out


def test_two_ingests_at_once_keep_speakers_apart(two_urls: tuple[str, str],  # noqa: F811
                                                 tmp_path: Path) -> None:
    both, seq = two_urls
    a, b = halves(tmp_path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    open_store(both).close()  # the schema first, so that the two runs race on speakers only
    procs = [subprocess.Popen(ingest_cmd(src, both), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for src in (a, b)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    for src in (a, b):
        done = subprocess.run(ingest_cmd(src, seq), env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    persons = one_person_per_id(both)
    assert all(len(p) == 1 for p in persons.values()), {k: v for k, v in persons.items()
                                                        if len(v) > 1}
    assert len(persons) == len({next(iter(p)) for p in persons.values()})  # no person twice
    with open_store(both) as got, open_store(seq) as want:
        assert speaker_groups(got) == speaker_groups(want)
        assert got.stats().speakers == want.stats().speakers == len(persons)
