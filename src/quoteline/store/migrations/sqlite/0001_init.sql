-- quoteline store, version 1 (SQLite). Documented in docs/schema.md.
CREATE TABLE articles (
  id            INTEGER PRIMARY KEY,
  input_id      TEXT,
  ident         TEXT NOT NULL,
  source        TEXT,
  url           TEXT,
  title         TEXT,
  outlet        TEXT,
  published     TEXT,
  author        TEXT,
  content_hash  TEXT NOT NULL,
  minhash       BLOB NOT NULL,
  copy_of       INTEGER REFERENCES articles(id),
  copy_kind     TEXT CHECK (copy_kind IN ('identical', 'near')),
  text          TEXT NOT NULL,
  n_quotes      INTEGER NOT NULL DEFAULT 0,
  ingested_at   TEXT NOT NULL,
  UNIQUE (ident, content_hash)
);
CREATE INDEX articles_content_hash ON articles(content_hash);
CREATE INDEX articles_input_id ON articles(input_id);
CREATE INDEX articles_copy_of ON articles(copy_of);
CREATE INDEX articles_outlet ON articles(lower(outlet));

CREATE TABLE speakers (
  id        INTEGER PRIMARY KEY,
  name      TEXT NOT NULL,
  title     TEXT,
  name_key  TEXT NOT NULL,
  is_body   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX speakers_name_key ON speakers(name_key);

CREATE TABLE speaker_aliases (
  speaker_id INTEGER NOT NULL REFERENCES speakers(id),
  alias      TEXT NOT NULL,
  alias_key  TEXT NOT NULL,
  PRIMARY KEY (speaker_id, alias)
);
CREATE INDEX speaker_aliases_key ON speaker_aliases(alias_key);

CREATE TABLE speaker_titles (
  speaker_id INTEGER NOT NULL REFERENCES speakers(id),
  title      TEXT NOT NULL,
  PRIMARY KEY (speaker_id, title)
);

CREATE TABLE clusters (
  id                  INTEGER PRIMARY KEY,
  reference_quote_id  INTEGER,
  speaker_id          INTEGER,
  first_outlet        TEXT,
  first_published     TEXT,
  size                INTEGER NOT NULL DEFAULT 0,
  altered             INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE quotes (
  id             INTEGER PRIMARY KEY,
  article_id     INTEGER NOT NULL REFERENCES articles(id),
  start_char     INTEGER NOT NULL,
  end_char       INTEGER NOT NULL,
  text           TEXT NOT NULL,
  kind           TEXT NOT NULL,
  cue            TEXT,
  cue_start      INTEGER,
  cue_end        INTEGER,
  source         TEXT,
  source_start   INTEGER,
  source_end     INTEGER,
  speaker        TEXT,
  speaker_title  TEXT,
  speaker_id     INTEGER REFERENCES speakers(id),
  said_on        TEXT,
  said_on_basis  TEXT,
  confidence     REAL,
  parts          TEXT,
  extractor      TEXT,
  model          TEXT,
  cluster_id     INTEGER,
  rendering      TEXT,
  similarity     REAL,
  diff           TEXT,
  facets         TEXT,
  UNIQUE (article_id, start_char, end_char)
);
CREATE INDEX quotes_speaker_id ON quotes(speaker_id);
CREATE INDEX quotes_cluster_id ON quotes(cluster_id);
CREATE INDEX quotes_said_on ON quotes(said_on);

CREATE VIRTUAL TABLE quotes_fts USING fts5(
  text, speaker, facets, content='quotes', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
  INSERT INTO quotes_fts(rowid, text, speaker, facets)
  VALUES (new.id, new.text, new.speaker, new.facets);
END;
CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
  INSERT INTO quotes_fts(quotes_fts, rowid, text, speaker, facets)
  VALUES ('delete', old.id, old.text, old.speaker, old.facets);
END;
CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text, speaker, facets ON quotes BEGIN
  INSERT INTO quotes_fts(quotes_fts, rowid, text, speaker, facets)
  VALUES ('delete', old.id, old.text, old.speaker, old.facets);
  INSERT INTO quotes_fts(rowid, text, speaker, facets)
  VALUES (new.id, new.text, new.speaker, new.facets);
END;

CREATE TABLE skips (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  input_id    TEXT,
  reason      TEXT NOT NULL,
  detail      TEXT,
  skipped_at  TEXT NOT NULL,
  UNIQUE (source, reason)
);

CREATE VIEW quote_view AS
SELECT q.id AS quote_id, a.input_id AS article_id, a.url, a.outlet, a.published,
       q.start_char AS start, q.end_char AS "end", q.text, q.kind,
       q.speaker, q.speaker_id, s.name AS speaker_name, q.cue, q.said_on,
       q.cluster_id AS cluster, q.rendering
FROM quotes q JOIN articles a ON a.id = q.article_id
LEFT JOIN speakers s ON s.id = q.speaker_id;
