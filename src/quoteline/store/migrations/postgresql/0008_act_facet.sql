-- quoteline store, version 8 (PostgreSQL). On SQLite this version also puts a quote's act
-- into its search facets; PostgreSQL's search filters on quotes.act in the same row scan that
-- matches its tsvector, so that part has nothing to change here.
-- A search grouped by statement reads the cluster of each of its candidates (up to a
-- thousand): from this narrow index, not from the wide quote rows.
CREATE INDEX quotes_id_cluster ON quotes(id, cluster_id);
-- A speaker's statements and their timeline, in day order from this index alone (the one on
-- (speaker_id, day, id, cluster_id) holds thoughts too: filtering them out there reads every row).
CREATE INDEX quotes_speaker_act_cluster ON quotes(speaker_id, act, day, id, cluster_id);
