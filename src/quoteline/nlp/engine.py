"""Rule stages over a parsed Doc (being written)."""

from __future__ import annotations

import datetime as dt

from spacy.tokens import Doc

from quoteline.models import Quote


def quotes_in_doc(doc: Doc, published: dt.date | None) -> list[Quote]:
    """Every attributed quote in ``doc``, in text order."""
    return []
