-- quoteline store, version 2 (PostgreSQL): quotes.day, the date a quote is placed at on
-- timelines (said_on, else its article's published), kept by triggers so that every writer
-- sets it. With the index on (speaker_id, day, id), a speaker's timeline and latest quotes are
-- read from the index instead of joining and sorting every quote of the speaker.
ALTER TABLE quotes ADD COLUMN day DATE;
UPDATE quotes q SET day = coalesce(q.said_on, a.published) FROM articles a WHERE a.id = q.article_id;
CREATE INDEX quotes_speaker_day ON quotes(speaker_id, day, id);

CREATE FUNCTION quotes_set_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.day := coalesce(NEW.said_on, (SELECT published FROM articles WHERE id = NEW.article_id));
  RETURN NEW;
END $$;
CREATE TRIGGER quotes_day BEFORE INSERT OR UPDATE OF said_on, article_id ON quotes
  FOR EACH ROW EXECUTE FUNCTION quotes_set_day();

CREATE FUNCTION articles_set_quote_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE quotes SET day = coalesce(said_on, NEW.published) WHERE article_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER articles_quote_day AFTER UPDATE OF published ON articles
  FOR EACH ROW WHEN (OLD.published IS DISTINCT FROM NEW.published)
  EXECUTE FUNCTION articles_set_quote_day();
