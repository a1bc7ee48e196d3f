"""The corpus: ingest any sources into a store, with copies, speakers and quote clusters."""

from quoteline.corpus.ingest import IngestReport, ingest
from quoteline.corpus.speakers import SpeakerMerge, force_merge, speaker_merges, undo_merge

__all__ = ["IngestReport", "SpeakerMerge", "force_merge", "ingest", "speaker_merges",
           "undo_merge"]
