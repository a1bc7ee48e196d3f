-- quoteline store, version 2 (SQLite): quotes.day, the date a quote is placed at on timelines
-- (said_on, else its article's published), kept by triggers so that every writer sets it.
-- With the index on (speaker_id, day, id), a speaker's timeline and latest quotes are read from
-- the index alone instead of joining and sorting every quote of the speaker.
ALTER TABLE quotes ADD COLUMN day TEXT;
UPDATE quotes SET day = coalesce(said_on, (SELECT published FROM articles a WHERE a.id = quotes.article_id));
CREATE INDEX quotes_speaker_day ON quotes(speaker_id, day, id);

CREATE TRIGGER quotes_day_insert AFTER INSERT ON quotes BEGIN
  UPDATE quotes SET day = coalesce(new.said_on,
    (SELECT published FROM articles a WHERE a.id = new.article_id)) WHERE id = new.id;
END;
CREATE TRIGGER quotes_day_said_on AFTER UPDATE OF said_on, article_id ON quotes BEGIN
  UPDATE quotes SET day = coalesce(new.said_on,
    (SELECT published FROM articles a WHERE a.id = new.article_id)) WHERE id = new.id;
END;
CREATE TRIGGER articles_day_published AFTER UPDATE OF published ON articles BEGIN
  UPDATE quotes SET day = coalesce(said_on, new.published) WHERE article_id = new.id;
END;
