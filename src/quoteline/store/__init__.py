"""The quote store: SQLite (default, WAL + FTS5) or PostgreSQL (tsvector + GIN), one API."""

from quoteline.store.base import Store, open_store
from quoteline.store.db import DEFAULT_URL, default_url
from quoteline.store.types import (
    ClusterView,
    NewArticle,
    QuoteHit,
    SkipRow,
    SpeakerInfo,
    StoreStats,
)

__all__ = [
    "DEFAULT_URL",
    "ClusterView",
    "NewArticle",
    "QuoteHit",
    "SkipRow",
    "SpeakerInfo",
    "Store",
    "StoreStats",
    "default_url",
    "open_store",
]
