-- quoteline store, version 5 (PostgreSQL): quotes.act (speech, or thought: a belief, intention
-- or stance ascribed) and quotes.rule (the extraction rule that found the quote). Statements are
-- shown by default, so the search and timeline reads filter on act. Quotes stored before this
-- version were extracted without acts: they are taken as statements, with no rule recorded.
ALTER TABLE quotes ADD COLUMN act TEXT NOT NULL DEFAULT 'speech';
ALTER TABLE quotes ADD COLUMN rule TEXT;
