-- quoteline store, version 7 (PostgreSQL): what ingest and linking look up lives in the store,
-- with indexes, and is read batch by batch (docs/schema.md, "Lookup indexes").
-- Linker counters: the next cluster id (ids are never reused, merged-away ones included);
-- cut_quotes = 1 asks the next ingest to cut quotes stored without units into units.
CREATE TABLE link_meta (
  name   TEXT PRIMARY KEY,
  value  BIGINT NOT NULL
);
INSERT INTO link_meta (name, value) SELECT 'next_cluster', coalesce(max(id), 0) + 1 FROM clusters;
INSERT INTO link_meta (name, value) SELECT 'cut_quotes', 1 WHERE EXISTS (SELECT 1 FROM quotes);

-- The linker's LSH tables: stage 0 word 3-shingle bands, stage 1 content-word bands salted
-- per speaker; at most 4 units per band (as the in-memory tables kept).
CREATE TABLE unit_bands (
  stage    SMALLINT NOT NULL,
  band     BIGINT NOT NULL,
  unit_id  BIGINT NOT NULL,
  PRIMARY KEY (stage, band, unit_id)
);

-- Near-duplicate articles: the 8 LSH bands of each original's MinHash (at most 64 a band).
CREATE TABLE article_bands (
  band        BIGINT NOT NULL,
  article_id  BIGINT NOT NULL,
  PRIMARY KEY (band, article_id)
);
ALTER TABLE articles ADD COLUMN banded INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_unbanded ON articles(id) WHERE banded = 0 AND copy_of IS NULL;

-- Per speaker, the clusters it started, in order (ids are drawn in the order clusters are
-- made); fragment: its first unit was a short fragment. What the fragment and reworded-unit
-- scans read: a speaker's latest clusters.
CREATE TABLE speaker_clusters (
  speaker_id  BIGINT NOT NULL,
  cluster_id  BIGINT NOT NULL,
  fragment    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (speaker_id, cluster_id)
);
CREATE INDEX speaker_clusters_short ON speaker_clusters(speaker_id, cluster_id) WHERE fragment = 1;

-- The linker's state of a cluster: its fullest unit, the unit that named its first known
-- speaker, and a primary source's unit. NULL longest_unit: not indexed yet (an older store,
-- or clusters bulk-loaded); the next ingest indexes them.
ALTER TABLE clusters ADD COLUMN longest_unit BIGINT;
ALTER TABLE clusters ADD COLUMN first_unit BIGINT;
ALTER TABLE clusters ADD COLUMN primary_unit BIGINT;
CREATE INDEX clusters_unindexed ON clusters(id) WHERE longest_unit IS NULL;
-- Units stored without a cluster (bulk-loaded, or cut from older quotes): what the next
-- ingest links first, found without reading the linked ones.
CREATE INDEX units_unlinked ON units(id) WHERE cluster_id IS NULL;

-- Exact copies: one stored text is one original. A store that two runs at once filled with
-- duplicates (before this version) keeps the earliest; later ones become its identical copies.
UPDATE articles SET copy_kind = 'identical', copy_of = (
    SELECT min(o.id) FROM articles o
    WHERE o.content_hash = articles.content_hash AND o.copy_kind IS DISTINCT FROM 'identical')
  WHERE copy_kind IS DISTINCT FROM 'identical' AND id > (
    SELECT min(o.id) FROM articles o
    WHERE o.content_hash = articles.content_hash AND o.copy_kind IS DISTINCT FROM 'identical');
CREATE UNIQUE INDEX articles_one_original ON articles(content_hash)
  WHERE copy_kind IS DISTINCT FROM 'identical';
