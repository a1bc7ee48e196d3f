-- quoteline store, version 4 (SQLite): speakers looked up by indexed keys, merges recorded.
-- Ingest no longer loads every speaker: it reads the speaker_keys rows of the names in its
-- batch. Existing speakers get their keys on the next ingest (keyed = 0 until then).
ALTER TABLE speakers ADD COLUMN kind TEXT;
ALTER TABLE speakers ADD COLUMN given_key TEXT;
ALTER TABLE speakers ADD COLUMN surname_key TEXT;
ALTER TABLE speakers ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX speakers_unkeyed ON speakers(id) WHERE keyed = 0;

CREATE TABLE speaker_keys (
  key         TEXT NOT NULL,
  speaker_id  INTEGER NOT NULL REFERENCES speakers(id),
  PRIMARY KEY (key, speaker_id)
);
CREATE INDEX speaker_keys_speaker ON speaker_keys(speaker_id);

CREATE TABLE speaker_merges (
  id           INTEGER PRIMARY KEY,
  survivor_id  INTEGER NOT NULL,
  loser_id     INTEGER,
  kind         TEXT NOT NULL,
  evidence     TEXT NOT NULL,
  state        TEXT NOT NULL,
  merged_at    TEXT NOT NULL,
  undone_at    TEXT
);
CREATE INDEX speaker_merges_survivor ON speaker_merges(survivor_id);
CREATE INDEX speaker_merges_loser ON speaker_merges(loser_id);

CREATE TABLE speaker_merge_quotes (
  merge_id  INTEGER NOT NULL REFERENCES speaker_merges(id),
  quote_id  INTEGER NOT NULL,
  PRIMARY KEY (merge_id, quote_id)
);

CREATE TABLE speaker_distinct (
  a  INTEGER NOT NULL,
  b  INTEGER NOT NULL,
  PRIMARY KEY (a, b)
);
