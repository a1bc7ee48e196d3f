-- quoteline store, version 1 (PostgreSQL): the same tables as SQLite, tsvector + GIN for search.
CREATE TABLE articles (
  id            BIGSERIAL PRIMARY KEY,
  input_id      TEXT,
  ident         TEXT NOT NULL,
  source        TEXT,
  url           TEXT,
  title         TEXT,
  outlet        TEXT,
  published     DATE,
  author        TEXT,
  content_hash  TEXT NOT NULL,
  minhash       BYTEA NOT NULL,
  copy_of       BIGINT REFERENCES articles(id),
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
  id        BIGINT PRIMARY KEY,
  name      TEXT NOT NULL,
  title     TEXT,
  name_key  TEXT NOT NULL,
  is_body   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX speakers_name_key ON speakers(name_key);

CREATE TABLE speaker_aliases (
  speaker_id BIGINT NOT NULL REFERENCES speakers(id),
  alias      TEXT NOT NULL,
  alias_key  TEXT NOT NULL,
  PRIMARY KEY (speaker_id, alias)
);
CREATE INDEX speaker_aliases_key ON speaker_aliases(alias_key);

CREATE TABLE speaker_titles (
  speaker_id BIGINT NOT NULL REFERENCES speakers(id),
  title      TEXT NOT NULL,
  PRIMARY KEY (speaker_id, title)
);

CREATE TABLE clusters (
  id                  BIGINT PRIMARY KEY,
  reference_quote_id  BIGINT,
  speaker_id          BIGINT,
  first_outlet        TEXT,
  first_published     DATE,
  size                INTEGER NOT NULL DEFAULT 0,
  altered             INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE quotes (
  id             BIGSERIAL PRIMARY KEY,
  article_id     BIGINT NOT NULL REFERENCES articles(id),
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
  speaker_id     BIGINT REFERENCES speakers(id),
  said_on        DATE,
  said_on_basis  TEXT,
  confidence     DOUBLE PRECISION,
  parts          TEXT,
  extractor      TEXT,
  model          TEXT,
  cluster_id     BIGINT,
  rendering      TEXT,
  similarity     DOUBLE PRECISION,
  diff           TEXT,
  facets         TEXT,
  tsv            tsvector GENERATED ALWAYS AS
                   (to_tsvector('english', text || ' ' || coalesce(speaker, ''))) STORED,
  UNIQUE (article_id, start_char, end_char)
);
CREATE INDEX quotes_speaker_id ON quotes(speaker_id);
CREATE INDEX quotes_cluster_id ON quotes(cluster_id);
CREATE INDEX quotes_said_on ON quotes(said_on);
CREATE INDEX quotes_tsv ON quotes USING GIN (tsv);

CREATE TABLE skips (
  id          BIGSERIAL PRIMARY KEY,
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
