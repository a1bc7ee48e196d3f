"""The quote store: SQLite (default, WAL + FTS5) or PostgreSQL (tsvector + GIN), one API."""

from quoteline.store.base import Store, open_store
from quoteline.store.db import DEFAULT_URL, default_url
from quoteline.store.types import (
    ArticleDetail,
    ClusterView,
    NewArticle,
    Overview,
    QuoteDetail,
    QuoteHit,
    SearchResult,
    SkipRow,
    SpeakerInfo,
    StoreStats,
)

__all__ = [
    "DEFAULT_URL",
    "ArticleDetail",
    "ClusterView",
    "NewArticle",
    "Overview",
    "QuoteDetail",
    "QuoteHit",
    "SearchResult",
    "SkipRow",
    "SpeakerInfo",
    "Store",
    "StoreStats",
    "default_url",
    "open_store",
]
