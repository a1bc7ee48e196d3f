"""Article identity and near-duplicate lookups in the store, read article by article.

Identity is ``UNIQUE (ident, content_hash)``; one text is one original
(``articles_one_original``, a unique index on the content hash of every row that is not an
identical copy). Near-duplicate candidates come from ``article_bands (band, article_id)``:
the 8 LSH bands of each original's MinHash, at most ``BAND_CAP`` articles a band (as the
in-memory band table kept them). Band keys are stored as signed 64-bit integers.
"""

from __future__ import annotations

from collections.abc import Sequence

from quoteline.store.db import Db
from quoteline.store.link_index import signed, where_in

BAND_CAP = 64  # articles filed under one band (a boilerplate band stops growing there)


def has_article(db: Db, ident: str, content_hash: str) -> bool:
    """Whether this input (identity and text) is stored."""
    return bool(db.scalar("SELECT 1 AS x FROM articles WHERE ident = ? AND content_hash = ?",
                          (ident, content_hash)))


def original_of(db: Db, content_hash: str) -> int | None:
    """The store id of the original article with this text, if one is stored."""
    value = db.scalar("SELECT min(id) AS id FROM articles WHERE content_hash = ?",
                      (content_hash,))
    return int(value) if value is not None else None


def near_articles(db: Db, keys: Sequence[int]) -> list[tuple[int, bytes]]:
    """(store id, MinHash) of the originals filed under any of these band keys, by id."""
    ids: set[int] = set()
    for cond, params in where_in(db, "band", [signed(k) for k in keys]):
        ids.update(int(r["article_id"]) for r in db.query(
            f"SELECT article_id FROM article_bands WHERE {cond}", params))
    out: list[tuple[int, bytes]] = []
    for cond, params in where_in(db, "id", sorted(ids)):
        out += [(int(r["id"]), bytes(r["minhash"])) for r in db.query(
            f"SELECT id, minhash FROM articles WHERE {cond} ORDER BY id", params)]
    return sorted(out)


def file_bands(db: Db, article_row: int, keys: Sequence[int]) -> None:
    """File an original under its band keys (a band already holding BAND_CAP stays as is)."""
    wanted = [signed(k) for k in dict.fromkeys(keys)]
    counts: dict[int, int] = {}
    for cond, params in where_in(db, "band", wanted):
        for r in db.query(f"SELECT band, count(*) AS n FROM article_bands WHERE {cond} "
                          "GROUP BY band", params):
            counts[int(r["band"])] = int(r["n"])
    db.executemany("INSERT INTO article_bands (band, article_id) VALUES (?, ?) "
                   "ON CONFLICT DO NOTHING",
                   [(k, article_row) for k in wanted if counts.get(k, 0) < BAND_CAP])
    db.execute("UPDATE articles SET banded = 1 WHERE id = ?", (article_row,))


def unbanded(db: Db, limit: int) -> list[tuple[int, bytes]]:
    """Up to ``limit`` originals not filed under their bands yet (older stores), by id."""
    return [(int(r["id"]), bytes(r["minhash"])) for r in db.query(
        f"SELECT id, minhash FROM {db.pending('articles', 'articles_unbanded')} WHERE banded = 0"
        " AND copy_of IS NULL ORDER BY id LIMIT ?", (limit,))]


def mark_banded(db: Db, article_row: int) -> None:
    """Note that an article needs no band rows (no signature: an empty text)."""
    db.execute("UPDATE articles SET banded = 1 WHERE id = ?", (article_row,))
