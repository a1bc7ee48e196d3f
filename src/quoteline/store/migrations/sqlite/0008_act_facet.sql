-- quoteline store, version 8 (SQLite): a quote that is not a statement carries its act as a
-- search facet token ("athought" after the speaker, kind and outlet tokens), so that a
-- statements-only search leaves out the few thoughts inside the full-text index instead of
-- reading the act of every candidate's row (store/write.py, facet_tokens). The update
-- trigger of version 1 re-indexes the rows changed here.
UPDATE quotes SET facets = facets || ' a' || act WHERE act <> 'speech' AND facets IS NOT NULL;
-- A search grouped by statement reads the cluster of each of its candidates (up to a
-- thousand): from this narrow index, not from the wide quote rows.
CREATE INDEX quotes_id_cluster ON quotes(id, cluster_id);
-- A speaker's statements and their timeline, in day order from this index alone (the one on
-- (speaker_id, day, id, cluster_id) holds thoughts too: filtering them out there reads every row).
CREATE INDEX quotes_speaker_act_cluster ON quotes(speaker_id, act, day, id, cluster_id);
