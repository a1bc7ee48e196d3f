"""Build a corpus (articles.jsonl + gold.json) from a marked-up source file.

The source holds invented articles written for quoteline. Each quote rendering is marked
``[[CLUSTER KIND @Speaker as written|quote text]]`` (KIND: r reference, v verbatim, e excerpt,
a altered, p paraphrase = reported speech); ``@CLUSTER = Canonical Speaker`` lines name each
cluster's speaker; ``=== key=value | ...`` starts an article; blank lines separate paragraphs.
The markup is removed from the text, and gold.json records every rendering with its offsets.

    .venv/bin/python samples/build_corpus.py samples/source.txt samples/
    .venv/bin/python samples/build_corpus.py tests/data/linking/source.txt tests/data/linking/
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

MARK = re.compile(r"\[\[(\w+) ([rveap])(?: @([^|\]]+))?\|([^\]]+)\]\]")
KINDS = {"r": "reference", "v": "verbatim", "e": "excerpt", "a": "altered", "p": "paraphrase"}


def parse(source: str) -> tuple[list[dict[str, Any]], dict[str, str], list[list[str]]]:
    """Article headers, cluster speakers, and each article's raw body lines."""
    heads: list[dict[str, Any]] = []
    bodies: list[list[str]] = []
    speakers: dict[str, str] = {}
    for line in source.splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("@"):
            key, _, name = line[1:].partition("=")
            speakers[key.strip()] = name.strip()
        elif line.startswith("==="):
            fields = (f.partition("=") for f in line[3:].split("|"))
            heads.append({k.strip(): v.strip() for k, _, v in fields})
            bodies.append([])
        elif bodies:
            bodies[-1].append(line.strip())
    return heads, speakers, bodies


def render(lines: list[str]) -> str:
    """Body lines to text: lines joined by spaces, paragraphs by blank lines."""
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)


def strip_marks(marked: str, article_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and the renderings marked in it, with offsets into the plain text."""
    out, found, pos = [], [], 0
    length = 0
    for m in MARK.finditer(marked):
        out.append(marked[pos : m.start()])
        length += m.start() - pos
        cluster, kind, surface, text = m.groups()
        found.append(
            {
                "cluster": cluster,
                "article_id": article_id,
                "start": length,
                "end": length + len(text),
                "text": text,
                "kind": KINDS[kind],
                "speaker_as_written": surface.strip() if surface else None,
            }
        )
        out.append(text)
        length += len(text)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), found


def build(source: Path, dest: Path) -> tuple[int, int]:
    """Write dest/articles.jsonl and dest/gold.json; return (articles, renderings)."""
    heads, speakers, bodies = parse(source.read_text(encoding="utf-8"))
    articles, renderings = [], []
    for head, body in zip(heads, bodies, strict=True):
        text, found = strip_marks(render(body), head["id"])
        articles.append(
            {
                "id": head["id"],
                "title": head.get("title"),
                "url": head.get("url"),
                "outlet": head.get("outlet"),
                "published": head.get("published"),
                "text": text,
            }
        )
        renderings.extend(found)
    clusters = []
    for cid in dict.fromkeys(r["cluster"] for r in renderings):
        members = [{k: v for k, v in r.items() if k != "cluster"} for r in renderings if r["cluster"] == cid]
        clusters.append({"id": cid, "speaker": speakers[cid], "renderings": members})
    with (dest / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for art in articles:
            fh.write(json.dumps(art, ensure_ascii=False) + "\n")
    gold = {"source": source.name, "clusters": clusters}
    (dest / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(articles), len(renderings)


if __name__ == "__main__":
    n_articles, n_renderings = build(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{n_articles} articles, {n_renderings} renderings")
