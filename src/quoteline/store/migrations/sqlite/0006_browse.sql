-- quoteline store, version 6 (SQLite): indexes for the browse pages and statements.
-- Each browse page reads one page of rows in index order (largest or newest first) with LIMIT,
-- so its cost does not grow with the store; counts stop at a cap or come from a cache.
-- Partial indexes hold only the rows a page lists: clusters reported more than once, flagged
-- clusters and renderings flagged altered. Articles are listed by date (the few syndicated
-- copies are skipped as they are met, from the index, so no other index steals the plan).
CREATE INDEX clusters_spread_size ON clusters(size, id) WHERE size > 1;
CREATE INDEX clusters_spread_date ON clusters(first_published, id) WHERE size > 1;
CREATE INDEX clusters_altered_size ON clusters(size, id) WHERE altered > 0;
CREATE INDEX clusters_altered_date ON clusters(first_published, id) WHERE altered > 0;
CREATE INDEX clusters_misattributed_size ON clusters(size, id) WHERE misattributed = 1;
CREATE INDEX clusters_misattributed_date ON clusters(first_published, id) WHERE misattributed = 1;
CREATE INDEX quotes_altered ON quotes(id) WHERE rendering = 'altered';
-- A speaker's statements (the clusters of their quotes) from the index alone. Its first columns
-- are those of quotes_speaker_day, so a planner that picks it for a speaker's quotes by day
-- (it has no statistics yet) reads them in order just the same.
CREATE INDEX quotes_speaker_cluster ON quotes(speaker_id, day, id, cluster_id);
CREATE INDEX articles_by_date ON articles(published, id, copy_of);
CREATE INDEX articles_outlet_date ON articles(lower(outlet), published, id, copy_of);
