-- quoteline store, version 8 (PostgreSQL): nothing to change. On SQLite this version puts a
-- quote's act into its search facets; PostgreSQL's search filters on quotes.act in the same
-- row scan that matches its tsvector, so the schema versions of both backends stay in step.
SELECT 1;
