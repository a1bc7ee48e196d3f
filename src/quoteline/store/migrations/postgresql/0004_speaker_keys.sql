-- quoteline store, version 4 (PostgreSQL): speakers looked up by indexed keys, merges recorded,
-- speaker ids drawn from a sequence (so that concurrent ingests never share an id).
-- Existing speakers get their keys on the next ingest (keyed = 0 until then).
ALTER TABLE speakers ADD COLUMN kind TEXT, ADD COLUMN given_key TEXT,
  ADD COLUMN surname_key TEXT, ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX speakers_unkeyed ON speakers(id) WHERE keyed = 0;
CREATE SEQUENCE speakers_id_seq OWNED BY speakers.id;
SELECT setval('speakers_id_seq', coalesce((SELECT max(id) FROM speakers), 0) + 1, false);
ALTER TABLE speakers ALTER COLUMN id SET DEFAULT nextval('speakers_id_seq');

CREATE TABLE speaker_keys (
  key         TEXT NOT NULL,
  speaker_id  BIGINT NOT NULL REFERENCES speakers(id),
  PRIMARY KEY (key, speaker_id)
);
CREATE INDEX speaker_keys_speaker ON speaker_keys(speaker_id);

CREATE TABLE speaker_merges (
  id           BIGSERIAL PRIMARY KEY,
  survivor_id  BIGINT NOT NULL,
  loser_id     BIGINT,
  kind         TEXT NOT NULL,
  evidence     TEXT NOT NULL,
  state        TEXT NOT NULL,
  merged_at    TEXT NOT NULL,
  undone_at    TEXT
);
CREATE INDEX speaker_merges_survivor ON speaker_merges(survivor_id);
CREATE INDEX speaker_merges_loser ON speaker_merges(loser_id);

CREATE TABLE speaker_merge_quotes (
  merge_id  BIGINT NOT NULL REFERENCES speaker_merges(id),
  quote_id  BIGINT NOT NULL,
  PRIMARY KEY (merge_id, quote_id)
);

CREATE TABLE speaker_distinct (
  a  BIGINT NOT NULL,
  b  BIGINT NOT NULL,
  PRIMARY KEY (a, b)
);
