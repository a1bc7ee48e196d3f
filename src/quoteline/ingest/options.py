"""How inputs are read: the limits (from ``quoteline.settings``) and the reader's defaults.

Options are made once, where a run starts (the CLI, the web app, the Spark driver), and
passed down, so a Spark executor reads with the driver's limits, not its own environment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from quoteline import __version__, settings

USER_AGENT = f"quoteline/{__version__} (+https://github.com/quoteline/quoteline)"
DEFAULT_FIELDS: Mapping[str, str] = {
    "id": "id", "text": "text", "url": "url", "title": "title",
    "published": "published", "outlet": "outlet", "author": "author",
}


def _int(name: str) -> int:
    return settings.get_int(name)


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Limits for network fetches; ``timeout`` is one deadline for the whole fetch."""

    timeout: float = field(default_factory=lambda: settings.get_float("fetch_timeout"))
    max_bytes: int = field(default_factory=lambda: _int("fetch_max_bytes"))
    max_redirects: int = field(default_factory=lambda: _int("fetch_max_redirects"))
    max_feed_items: int = field(default_factory=lambda: _int("feed_max_items"))
    user_agent: str = USER_AGENT
    allow_private: bool = True  # False: refuse loopback, private and link-local addresses


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How to read sources: JSONL field names, a default date, size limits, network limits."""

    fields: Mapping[str, str] = field(default_factory=dict)
    published: dt.date | None = None  # for text and HTML inputs that carry no date
    max_bytes: int = field(default_factory=lambda: _int("max_text_bytes"))
    max_line_bytes: int = field(default_factory=lambda: _int("max_line_bytes"))
    max_inflated_bytes: int = field(default_factory=lambda: _int("max_inflated_bytes"))
    max_record_bytes: int = field(default_factory=lambda: _int("max_record_bytes"))
    max_resyncs: int = field(default_factory=lambda: _int("max_warc_resyncs"))
    min_text_chars: int = field(default_factory=lambda: _int("min_text_chars"))
    fetch: FetchOptions = field(default_factory=FetchOptions)

    def field_names(self) -> dict[str, str]:
        """JSONL keys for each Article field (the defaults, remapped by ``fields``)."""
        return {**DEFAULT_FIELDS, **self.fields}
