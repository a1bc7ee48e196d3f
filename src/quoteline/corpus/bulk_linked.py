"""``load`` of ``quoteline spark link`` output: Spark's speakers and clusters kept as computed.

Nothing is linked again. Speakers come from OUTPUT/speakers (name, aliases, titles, is_body);
articles, quotes and one utterance unit per quote (Spark links one record per quote) come from
OUTPUT/quotes with their speaker, cluster and rendering; cluster rows (speaker, first report)
from OUTPUT/clusters. Each cluster's size, altered count, reference unit and misattributed flag
are then counted from the units actually stored, so ``clusters.size`` always matches its units.
Finally ``LinkStep`` files the new speakers' lookup keys, applies ``--aliases`` (names it joins
become one speaker, the merge recorded as every merge is) and indexes the loaded clusters
(band rows, speaker_clusters, linker state), so the next ``ingest`` links into them.

Ids: Spark's speaker and cluster ids move into the store's id space by offsets reserved the
first time an output is loaded and kept in ``link_meta`` (``spark:<output key>:...``), so a
second load of the same output, or a load resumed after a kill, gives every row the same id and
adds nothing that is there. Rows go in a batch at a time (COPY on PostgreSQL, executemany on
SQLite); memory holds one batch and one id per Spark speaker, never the output.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from quoteline.corpus.ingest import IngestReport
from quoteline.corpus.linking import LinkStep
from quoteline.errors import MissingExtraError
from quoteline.link.match import severity
from quoteline.link.sources import is_wire
from quoteline.link.speakers import derived_keys
from quoteline.link.types import DiffOp
from quoteline.models import Article, Quote, parse_date
from quoteline.spark.linking import quote_of_row
from quoteline.store import NewArticle, Store, write
from quoteline.store import link_index as li
from quoteline.store import speakers as sp
from quoteline.store.db import Db

BATCH_ROWS = 20_000  # Parquet rows read at a time
BATCH_QUOTES = 5_000  # quotes per transaction
INDEX_ANALYSIS_CACHE = 8_192  # texts analysed while filing the loaded clusters, kept
QUOTE_COLS = ("id", *write.QUOTE_COLS, "cluster_id", "rendering", "similarity", "diff")
ARTICLE_COLS = ("id", *write.ARTICLE_COLS, "is_primary", "is_wire")
UNIT_COLS = ("id", "quote_id", "article_id", "seq", "start_char", "end_char", "text", "quoted",
             "cluster_id", "rendering", "severity", "similarity", "diff", "attributed_to")
_STAGE = "ql_load_clusters"
_STAGE_COLS = ("id", "speaker_id", "first_outlet", "first_published", "first_article")


def is_linked(output: Path) -> bool:
    """Whether OUTPUT is ``spark link`` output whose quotes carry their renderings."""
    if not all((output / t).is_dir() for t in ("quotes", "clusters", "speakers")):
        return False
    names = set(dataset(output / "quotes").schema.names)
    return {"speaker_id", "cluster_id", "rendering"} <= names


@dataclass(frozen=True, slots=True)
class Offsets:
    """Store id = Spark id + offset, for speakers and for clusters of one output."""

    speakers: int
    clusters: int
    first_speaker: int  # the first store id reserved for this output's speakers


class SpeakerIds:
    """Spark speaker id -> store speaker id (one 8-byte slot per Spark id)."""

    def __init__(self, low: int) -> None:
        self.low = low
        self.ids = array("q")

    def set(self, spark_id: int, store_id: int) -> None:
        """Record where Spark speaker ``spark_id`` lives in the store."""
        i = spark_id - self.low
        if i >= len(self.ids):
            self.ids.extend([0] * (i + 1 - len(self.ids)))
        self.ids[i] = store_id

    def get(self, spark_id: int | None) -> int | None:
        """The store id of a Spark speaker id (None for None or an unknown id)."""
        if spark_id is None:
            return None
        i = int(spark_id) - self.low
        return (self.ids[i] or None) if 0 <= i < len(self.ids) else None


def load_linked(output: Path, store: Store, report: IngestReport,
                alias_file: Path | None = None) -> None:
    """Load ``spark link`` OUTPUT into ``store`` keeping its speakers and clusters."""
    with store.transaction():  # ids reserved and speakers written at once: none is taken
        offsets = reserve(store.db, output)
        speakers = load_speakers(store.db, rows(output / "speakers"), offsets.speakers,
                                 offsets.first_speaker)
    for batch in _article_batches(rows(output / "quotes")):
        with store.transaction():
            li.link_lock(store.db)
            _store_batch(store.db, batch, speakers, offsets.clusters, report)
    load_clusters(store.db, rows(output / "clusters"), speakers, offsets.clusters)
    # Speaker keys, the alias file's merges, the clusters' lookup rows: the store's own paths.
    # Filing reads each cluster once, so a small analysis cache does (memory stays flat).
    LinkStep(store, alias_file, semantic=False, analysis_cache=INDEX_ANALYSIS_CACHE)


def rows(folder: Path, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet folder, a batch at a time: its files in name order (Spark's
    partition order), each a row group at a time (memory holds one, whatever the output)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError("pyarrow", "parquet") from None
    for path in sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith((".", "_"))):
        # No pre-buffering: it reads ahead across row groups, and memory grew with the file.
        with pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20) as parquet:
            for i in range(parquet.num_row_groups):
                group = parquet.read_row_group(i, columns=columns)
                for batch in group.to_batches(BATCH_ROWS):
                    yield from batch.to_pylist()
                del group


def dataset(folder: Path) -> Any:
    """A pyarrow dataset over a Parquet folder (read lazily)."""
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise MissingExtraError("pyarrow", "parquet") from None
    return ds.dataset(str(folder), format="parquet")


def spark_key(ident: str, quote_texts: list[str]) -> str:
    """The content hash a loaded article is stored under (it has no text of its own)."""
    digest = hashlib.sha256("\n".join([ident, *quote_texts]).encode())
    return "spark:" + digest.hexdigest()


# ---------------------------------------------------------------------- ids
def output_key(output: Path) -> str:
    """Names one ``spark link`` run's output: its clusters/ file names and sizes (Spark names
    every file with the job's own id)."""
    files = sorted(p for p in (output / "clusters").rglob("*.parquet"))
    text = "\n".join(f"{p.relative_to(output)}:{p.stat().st_size}" for p in files)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def id_range(folder: Path, column: str) -> tuple[int, int]:
    """(smallest, largest) value of an id column of a Parquet folder ((1, 0) when empty)."""
    import pyarrow.compute as pc

    low, high = None, None
    for batch in dataset(folder).to_batches(columns=[column]):
        if batch.num_rows:
            lo, hi = pc.min_max(batch.column(0)).values()
            low = lo.as_py() if low is None else min(low, lo.as_py())
            high = hi.as_py() if high is None else max(high, hi.as_py())
    return (1, 0) if low is None or high is None else (int(low), int(high))


def reserve(db: Db, output: Path) -> Offsets:
    """The id offsets of this output: those recorded by an earlier load of it, else new ones
    (the cluster counter and the speaker ids move past the output's ids)."""
    key = f"spark:{output_key(output)}"
    with db.transaction():
        li.link_lock(db)
        parts = ("speakers", "clusters", "first_speaker")
        known = [db.scalar("SELECT value FROM link_meta WHERE name = ?", (f"{key}:{part}",))
                 for part in parts]
        if None not in known:
            return Offsets(*(int(v) for v in known))
        s_lo, s_hi = id_range(output / "speakers", "speaker_id")
        c_lo, c_hi = id_range(output / "clusters", "cluster_id")
        first = _reserve_speakers(db, s_hi - s_lo + 1)
        offsets = Offsets(first - s_lo, li.meta(db, "next_cluster", 1) - c_lo, first)
        li.set_meta(db, "next_cluster", offsets.clusters + c_hi + 1)
        for part, value in zip(parts, (offsets.speakers, offsets.clusters, first), strict=True):
            li.set_meta(db, f"{key}:{part}", value)
        return offsets


def _reserve_speakers(db: Db, n: int) -> int:
    """The first of ``n`` speaker ids no one has used or will draw (merged-away ids count)."""
    first = int(db.scalar("SELECT max(coalesce((SELECT max(id) FROM speakers), 0), coalesce(("
                          "SELECT max(loser_id) FROM speaker_merges), 0)) + 1"
                          if db.dialect == "sqlite" else
                          "SELECT greatest(coalesce((SELECT max(id) FROM speakers), 0), coalesce(("
                          "SELECT max(loser_id) FROM speaker_merges), 0), (SELECT last_value "
                          "FROM speakers_id_seq)) + 1"))
    if db.dialect == "postgresql":
        db.execute("SELECT setval('speakers_id_seq', ?)", (first + max(n, 1) - 1,))
    return first


def new_ids(db: Db, table: str, n: int) -> list[int]:
    """``n`` fresh row ids of ``table`` (inside the batch's transaction)."""
    if n == 0:
        return []
    if db.dialect == "postgresql":
        return [int(r[0]) for r in db.tuples(
            "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)",
            (table, n))]
    start = int(db.scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))
    return list(range(start, start + n))


# ---------------------------------------------------------------------- speakers
def load_speakers(db: Db, speaker_rows: Iterator[dict[str, Any]], offset: int,
                  first: int = 0) -> SpeakerIds:
    """Store every Spark speaker at its offset id (or find where a merge took it); the map.
    ``first``: the first id reserved for this output (speakers below it were there before)."""
    out: SpeakerIds | None = None
    with db.transaction():
        for row in speaker_rows:
            spark_id = int(row["speaker_id"])
            out = out or SpeakerIds(spark_id)  # speakers/ is written in id order
            if spark_id < out.low:
                out = _rebased(out, spark_id)
            out.set(spark_id, _store_speaker(db, row, spark_id + offset, first))
    return out or SpeakerIds(0)


def _rebased(ids: SpeakerIds, low: int) -> SpeakerIds:
    out = SpeakerIds(low)
    for i, value in enumerate(ids.ids):
        if value:
            out.set(ids.low + i, value)
    return out


def _store_speaker(db: Db, row: dict[str, Any], sid: int, first: int = 0) -> int:
    """Write one Spark speaker as store speaker ``sid`` unless it is stored (an earlier load)
    or was merged into another since (then that one's id); a new one with the very name of a
    speaker stored before (ids below ``first``) is merged into it."""
    if db.scalar("SELECT 1 AS x FROM speakers WHERE id = ?", (sid,)):
        return sid
    survivor = _merged_into(db, sid)
    if survivor is not None:
        return survivor
    name, is_body = str(row["name"]), bool(row.get("is_body"))
    write.save_speaker(db, sid, name, row.get("titles") or (), row.get("aliases") or (), is_body)
    return _same_as_stored(db, sid, name, is_body, first) if first else sid


def _same_as_stored(db: Db, sid: int, name: str, is_body: bool, first: int) -> int:
    """Fold the new speaker ``sid`` into the one speaker stored before this output (ids below
    ``first``) with exactly its name, recorded as a merge ("loaded"); the id it ends in."""
    found = db.query("SELECT id FROM speakers WHERE name_key = ? AND is_body = ? AND id < ? "
                     "ORDER BY id LIMIT 2", (write.name_key(name), int(is_body), first))
    if len(found) != 1:
        return sid
    into = int(found[0]["id"])
    try:
        sp.lock(db, [derived_keys(name, [], is_body)[0]])
    except ValueError:  # a name that names no one is never merged
        return sid
    sp.StoreSpeakerIndex(db).merge(sid, into, "loaded", f"spark load: the same name as {into}")
    return into


def _merged_into(db: Db, sid: int) -> int | None:
    """The live speaker a merged-away ``sid`` ended in, if it was merged away."""
    seen = {sid}
    while (nxt := db.scalar("SELECT survivor_id FROM speaker_merges WHERE loser_id = ? AND "
                            "undone_at IS NULL ORDER BY id DESC LIMIT 1", (sid,))) is not None:
        sid = int(nxt)
        if db.scalar("SELECT 1 AS x FROM speakers WHERE id = ?", (sid,)):
            return sid
        if sid in seen:
            return None
        seen.add(sid)
    return None


# ---------------------------------------------------------------------- articles and quotes
@dataclass(frozen=True, slots=True)
class _Group:
    article: Article
    rows: tuple[dict[str, Any], ...]  # one per distinct span, in text order
    quotes: tuple[Quote, ...]


def _article_batches(quote_rows: Iterator[dict[str, Any]]) -> Iterator[list[_Group]]:
    """Whole articles (consecutive rows of one article_id) in batches of about BATCH_QUOTES."""
    batch: list[_Group] = []
    size = 0
    for art_id, items in groupby(quote_rows, key=lambda r: r.get("article_id")):
        group = _group(art_id, list(items))
        batch.append(group)
        size += len(group.rows)
        if size >= BATCH_QUOTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _group(art_id: str | None, items: list[dict[str, Any]]) -> _Group:
    first = items[0]
    article = Article(text="", id=art_id, url=first.get("url"), outlet=first.get("outlet"),
                      published=parse_date(first.get("published")), source="spark")
    spans = {(int(r["start"]), int(r["end"])): r for r in reversed(items)}  # first row wins
    kept = tuple(spans[k] for k in sorted(spans))
    return _Group(article, kept, tuple(quote_of_row(r) for r in kept))


def _store_batch(db: Db, batch: list[_Group], speakers: SpeakerIds, cluster_offset: int,
                 report: IngestReport) -> None:
    keyed: dict[tuple[str, str], _Group] = {}
    for g in batch:
        ident = g.article.id or g.article.url or "?"
        keyed.setdefault((ident, spark_key(ident, [q.text for q in g.quotes])), g)
    have = write.existing_articles(db, [k for _, k in keyed])
    new = {k: g for k, g in keyed.items() if k[0] not in {i for _, i in have.get(k[1], [])}}
    report.read += len(batch)
    report.already += len(batch) - len(new)
    article_ids = new_ids(db, "articles", len(new))
    stored = list(zip(article_ids, new.items(), strict=True))
    db.copy_rows("articles", ARTICLE_COLS, [
        (aid, *write.article_values(NewArticle(g.article, ident, key, b"", quotes=g.quotes)),
         0, int(is_wire(g.article))) for aid, ((ident, key), g) in stored])
    _store_quotes(db, [(aid, g) for aid, (_, g) in stored], speakers, cluster_offset)
    report.stored += len(new)
    report.quotes += sum(len(g.quotes) for g in new.values())


def _store_quotes(db: Db, articles: list[tuple[int, _Group]], speakers: SpeakerIds,
                  cluster_offset: int) -> None:
    """The quotes of newly stored articles, and a unit for each quote Spark clustered."""
    items = [(aid, g.article.outlet, r, q) for aid, g in articles
             for r, q in zip(g.rows, g.quotes, strict=True)]
    quote_ids = new_ids(db, "quotes", len(items))
    linked = [i for i, (_, _, r, _) in enumerate(items) if r.get("cluster_id") is not None]
    unit_ids = iter(new_ids(db, "units", len(linked)))
    quote_rows, unit_rows = [], []
    for i, (aid, outlet, r, q) in enumerate(items):
        sid = speakers.get(r.get("speaker_id"))
        render = _rendering(r, cluster_offset)
        quote_rows.append((quote_ids[i], *write.quote_values(aid, q, sid, outlet),
                           *(render[:2] + render[3:5] if render else (None,) * 4)))
        if render:
            unit_rows.append((next(unit_ids), quote_ids[i], aid, 0, q.start, q.end, q.text,
                              int(q.kind != "indirect"), *render[:5],
                              speakers.get(r.get("attributed_to"))))
    db.copy_rows("quotes", QUOTE_COLS, quote_rows)
    db.copy_rows("units", UNIT_COLS, unit_rows)
    if len(linked) < len(items):  # quotes Spark left out: the next ingest cuts and links them
        li.set_meta(db, "cut_quotes", 1)


def _rendering(r: dict[str, Any], cluster_offset: int) -> tuple[Any, ...] | None:
    """(cluster id, rendering, severity, similarity, diff JSON) of a quote row, or None."""
    if r.get("cluster_id") is None:
        return None
    ops: tuple[DiffOp, ...] = tuple((d["op"], str(d["text"])) for d in r.get("diff") or ())
    kind = r.get("rendering")
    grade = r.get("severity") or (severity(ops) if kind == "altered" else None)
    sim = r.get("similarity")
    return (int(r["cluster_id"]) + cluster_offset, kind, grade,
            round(float(sim), 4) if sim is not None else None,
            json.dumps([list(op) for op in ops], ensure_ascii=False) if ops else None)


# ---------------------------------------------------------------------- clusters
_COUNTED = (
    "size = (SELECT count(*) FROM units u WHERE u.cluster_id = clusters.id), "
    "altered = (SELECT count(*) FROM units u WHERE u.cluster_id = clusters.id AND "
    "u.rendering = 'altered'), "
    "misattributed = CASE WHEN EXISTS (SELECT 1 FROM units u WHERE u.cluster_id = clusters.id "
    "AND u.attributed_to IS NOT NULL) THEN 1 ELSE 0 END, "
    "reference_quote_id = (SELECT min(u.id) FROM units u WHERE u.cluster_id = clusters.id AND "
    "u.rendering = 'reference'), longest_unit = NULL")


def load_clusters(db: Db, cluster_rows: Iterator[dict[str, Any]], speakers: SpeakerIds,
                  offset: int) -> None:
    """Cluster rows for the loaded units (speaker, first report from Spark), their counts from
    the units stored; a cluster whose count changed is indexed again by the next ingest."""
    for chunk in _chunks(cluster_rows, BATCH_QUOTES):
        with db.transaction():
            li.link_lock(db)
            _stage(db, [(int(c["cluster_id"]) + offset, speakers.get(c.get("speaker_id")),
                         c.get("first_outlet"), c.get("first_published"),
                         c.get("first_article")) for c in chunk])
            db.execute(f"INSERT INTO clusters (id, speaker_id, first_outlet, first_published, "
                       f"first_article, size) SELECT s.id, s.speaker_id, s.first_outlet, "
                       f"s.first_published, s.first_article, 0 FROM {_STAGE} s WHERE EXISTS ("
                       f"SELECT 1 FROM units u WHERE u.cluster_id = s.id) AND NOT EXISTS ("
                       f"SELECT 1 FROM clusters c WHERE c.id = s.id)")
            db.execute(f"UPDATE clusters SET {_COUNTED} WHERE id IN (SELECT id FROM {_STAGE}) "
                       f"AND size <> (SELECT count(*) FROM units u WHERE "
                       f"u.cluster_id = clusters.id)")


def _stage(db: Db, values: list[tuple[Any, ...]]) -> None:
    types = ("BIGINT", "BIGINT", "TEXT", "DATE", "TEXT")
    cols = ", ".join(f"{c} {t}" for c, t in zip(_STAGE_COLS, types, strict=True))
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({cols})")
    db.execute(f"DELETE FROM {_STAGE}")
    db.copy_rows(_STAGE, _STAGE_COLS, values)


def _chunks(items: Iterable[dict[str, Any]], n: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
