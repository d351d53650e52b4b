-- What makes two stored articles the same article whatever their id or path: a digest of the
-- normalised cleaned text, the title and the outlet (its name, else the URL's host, else none).
-- An ingest finds a document whose identity is stored under another id and reports it as a
-- duplicate of that id instead of storing it twice. Rows stored before this migration get their
-- identity when a writer next opens the store (wiretrace.store.sqlite.article_identity).
ALTER TABLE articles ADD COLUMN identity TEXT;
CREATE INDEX articles_identity ON articles(identity);
