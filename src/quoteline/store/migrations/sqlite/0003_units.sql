-- quoteline store, version 3 (SQLite): utterance units, misattribution, first article, primary
-- sources and wire copies. Documented in docs/schema.md.
-- Linking works on units (each sentence of a quote, each piece around its cue); a quote may
-- belong to several clusters through its units, and a cluster is one utterance by one speaker.
CREATE TABLE units (
  id             INTEGER PRIMARY KEY,
  quote_id       INTEGER NOT NULL REFERENCES quotes(id),
  article_id     INTEGER NOT NULL REFERENCES articles(id),
  seq            INTEGER NOT NULL,
  start_char     INTEGER NOT NULL,
  end_char       INTEGER NOT NULL,
  text           TEXT NOT NULL,
  quoted         INTEGER NOT NULL DEFAULT 1,
  cluster_id     INTEGER,
  rendering      TEXT,
  severity       TEXT CHECK (severity IN ('minor', 'major')),
  similarity     REAL,
  diff           TEXT,
  attributed_to  INTEGER,
  UNIQUE (quote_id, seq)
);
CREATE INDEX units_cluster_id ON units(cluster_id);
CREATE INDEX units_article_id ON units(article_id);
CREATE INDEX units_attributed_to ON units(attributed_to) WHERE attributed_to IS NOT NULL;

ALTER TABLE clusters ADD COLUMN misattributed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters ADD COLUMN first_article TEXT;
CREATE INDEX clusters_misattributed ON clusters(id) WHERE misattributed = 1;

ALTER TABLE articles ADD COLUMN is_primary INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN is_wire INTEGER NOT NULL DEFAULT 0;

-- Clusters were of whole quotes. They are rebuilt from units by the next ingest or load,
-- which cuts every quote that has no units yet and links them.
DELETE FROM clusters;
UPDATE quotes SET cluster_id = NULL, rendering = NULL, similarity = NULL, diff = NULL;
-- Article signatures move to the linker's MinHash scheme; the next ingest recomputes them.
UPDATE articles SET minhash = X'' WHERE length(minhash) > 0;
