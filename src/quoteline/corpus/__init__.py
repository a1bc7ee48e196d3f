"""The corpus: ingest any sources into a store, with copies, speakers and quote clusters."""

from quoteline.corpus.ingest import IngestReport, ingest

__all__ = ["IngestReport", "ingest"]
