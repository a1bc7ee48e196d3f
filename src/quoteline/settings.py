"""One settings table: every limit quoteline enforces, its default, and how to change it.

Precedence, lowest first: the default below < ``quoteline.toml`` (a ``[quoteline]`` table in the
file named by ``QUOTELINE_CONFIG``, else ``./quoteline.toml``) < the ``QUOTELINE_<NAME>``
environment variable < a command-line flag, which callers pass as an explicit option value.

The README's settings table is generated from ``TABLE`` (``quoteline settings --markdown``)
and a test keeps the two equal, so a new limit cannot go undocumented.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from quoteline.errors import UsageError

Value = int | float | bool | str


@dataclass(frozen=True, slots=True)
class Setting:
    """One named limit or default."""

    name: str
    default: Value
    help: str
    flag: str | None = None  # the command-line flag that overrides it, if any

    @property
    def env(self) -> str:
        """The environment variable that overrides it."""
        return "QUOTELINE_" + self.name.upper()


TABLE: tuple[Setting, ...] = (
    Setting("max_text_bytes", 10_000_000,
            "largest article (bytes of text) read from any source; a larger one is a skip"),
    Setting("max_record_bytes", 10_000_000, "largest WARC record payload read"),
    Setting("max_warc_resyncs", 1000,
            "damaged stretches of a WARC file skipped before the rest of the file is a skip"),
    Setting("min_text_chars", 40, "shortest page text kept from HTML (less is a menu or a stub)"),
    Setting("parse_piece_chars", 50_000,
            "most characters the parser holds at once; a longer article is parsed in pieces cut "
            "at paragraph, sentence or word boundaries (parser memory grows with the piece)"),
    Setting("extract_window_chars", 1_000_000,
            "longest text extracted as one document; a longer article is extracted window by "
            "window, cut like the parser's pieces (memory stays bounded; speakers and "
            "continuations are not followed across windows)"),
    Setting("max_sentence_chars", 3_000,
            "longest stretch without . ! ? or a line break parsed as one sentence; a longer one "
            "is cut at a word boundary (rule time grows with sentence length)"),
    Setting("fetch_timeout", 15.0, "seconds for one URL fetch in all (connect, headers, body and "
            "redirects together)", "--timeout"),
    Setting("fetch_max_bytes", 10_000_000, "largest response body fetched"),
    Setting("fetch_max_redirects", 5, "redirects followed per fetch"),
    Setting("feed_max_items", 500, "items read from one RSS or Atom feed"),
    Setting("max_line_bytes", 20_000_000, "longest JSONL line read; a longer line is a skip"),
    Setting("max_inflated_bytes", 2_000_000_000,
            "largest decompressed size of one gzip input; what lies beyond is a skip"),
    Setting("web_fetch_timeout", 10.0, "seconds for the analyze page's URL fetch in all"),
    Setting("web_fetch_max_bytes", 5_000_000, "largest page the analyze page fetches"),
    Setting("web_max_analyses", 2,
            "analyses running at once per server process; one more is a 503 with Retry-After"),
    Setting("web_analyze_cpu_seconds", 30, "CPU seconds one analysis may use before it is stopped"),
    Setting("web_analyze_max_rss_mb", 1000,
            "an analysis process that grew past this many MB is restarted (its memory returned)"),
    Setting("speaker_cache_keys", 100_000,
            "speaker lookup keys and records an ingest batch keeps in memory (more are read "
            "again from the store)"),
    Setting("link_reword_days", 14,
            "days apart a reworded rendering may be from its cluster's renderings"),
    Setting("link_inexact_days", 120,
            "days apart a near copy (a word changed) may be; exact copies and excerpts join "
            "across any gap"),
    Setting("link_cache_units", 200_000,
            "units and cluster heads an ingest's linker keeps read from the store (more are "
            "read again); it forgets them all at each batch, since another run may have linked"),
    Setting("link_analysis_cache", 131_072,
            "normalized texts (words, content words) the linker keeps in memory"),
    Setting("link_word_cache", 1_000_000, "word hashes the linker and copy detection keep"),
    Setting("link_render_cache", 500_000,
            "renderings of big clusters the linker remembers between adds"),
    Setting("store_lock_seconds", 600.0,
            "seconds a writer waits for another run's batch (SQLite busy timeout, PostgreSQL "
            "lock timeout) before it gives up with an error"),
    Setting("web_threads", 2,
            "requests one web server process works on at once (the rest wait their turn in "
            "order: more threads than cores only take turns on the interpreter lock)"),
    Setting("web_keepalive_requests", 20,
            "responses a web server process sends before it asks a keep-alive client to "
            "reconnect (Connection: close on every Nth; 0: never), so that clients pinned to a "
            "busy process move to an idle one"),
    Setting("web_speaker_cache", 1_000_000,
            "statements a web server process keeps indexed for speaker pages (each speaker's "
            "statements and timeline, kept while no other connection changes a SQLite store; "
            "about 45 bytes each with the timeline's chart)"),
    Setting("web_sqlite_cache_mb", 32,
            "page cache of each web server connection to a SQLite store, in MB"),
    Setting("web_sqlite_mmap_mb", 4096,
            "how much of a SQLite store the web server reads through a memory map, in MB "
            "(shared by its connections; 0: none)"),
    Setting("semantic", True,
            "use the sentence-embedding model for reworded quotes when quoteline[semantic] "
            "is installed"),
    Setting("semantic_threshold", 0.76,
            "cosine similarity at which a reworded unit joins a cluster of its speaker"),
    Setting("semantic_cache", 50_000, "sentence embeddings kept in memory by one process"),
    Setting("semantic_threads", 1, "CPU threads the sentence-embedding model uses"),
)
BY_NAME = {s.name: s for s in TABLE}


def _config_path() -> Path:
    return Path(os.environ.get("QUOTELINE_CONFIG") or "quoteline.toml")


@lru_cache(maxsize=8)
def _config(path: str, mtime: float) -> dict[str, object]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the settings file ({exc}); fix or remove it") from exc
    table = data.get("quoteline", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [quoteline] must be a table of settings")
    unknown = sorted(set(table) - set(BY_NAME))
    if unknown:
        raise UsageError(f"{path}: unknown setting(s) {', '.join(unknown)}; "
                         "`quoteline settings` lists them")
    return dict(table)


def _file_values() -> dict[str, object]:
    path = _config_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    return _config(str(path), mtime)


def _coerce(s: Setting, raw: object, where: str) -> Value:
    kind = type(s.default)
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(text)
            return text in ("1", "true", "yes")
        if kind is int and not isinstance(raw, bool):
            return int(str(raw).replace("_", ""))
        if kind is float and not isinstance(raw, bool):
            return float(str(raw))
        if kind is str:
            return str(raw)
    except ValueError:
        pass
    raise UsageError(f"{where}: {raw!r} is not a valid {kind.__name__} for {s.name} "
                     f"(default {s.default!r})")


def source_of(name: str) -> str:
    """Where the current value of setting ``name`` comes from: env, file or default."""
    s = BY_NAME[name]
    if os.environ.get(s.env) is not None:
        return s.env
    if name in _file_values():
        return str(_config_path())
    return "default"


def get(name: str) -> Value:
    """The current value of setting ``name`` (env over file over default)."""
    s = BY_NAME[name]
    raw = os.environ.get(s.env)
    if raw is not None:
        return _coerce(s, raw, s.env)
    values = _file_values()
    if name in values:
        return _coerce(s, values[name], str(_config_path()))
    return s.default


def get_int(name: str) -> int:
    """``get`` for an integer setting."""
    value = get(name)
    assert isinstance(value, int) and not isinstance(value, bool), name
    return value


def get_float(name: str) -> float:
    """``get`` for a number setting (an integer value is accepted)."""
    value = get(name)
    assert isinstance(value, int | float) and not isinstance(value, bool), name
    return float(value)


def markdown_table() -> str:
    """The README's settings table."""
    rows = ["| setting | default | environment variable | flag | what it limits |",
            "| --- | --- | --- | --- | --- |"]
    for s in TABLE:
        default = f"{s.default:_}" if isinstance(s.default, int) and not isinstance(
            s.default, bool) else str(s.default)
        rows.append(f"| `{s.name}` | {default} | `{s.env}` | {f'`{s.flag}`' if s.flag else ''} "
                    f"| {s.help} |")
    return "\n".join(rows)
