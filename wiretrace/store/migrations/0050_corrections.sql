-- Corrections an analyst made to automatic decisions, with who, when, what and why. A
-- correction stays in force (re-applied after every clustering and entity resolution) until it
-- is undone; undoing keeps the row, with who undid it and when.
CREATE TABLE corrections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    action      TEXT NOT NULL,               -- delete | story-split | story-detach | story-merge
                                             -- | entity-merge | entity-split | entity-reject-variant
    target      TEXT NOT NULL,               -- the article, story or entity it was made on
    args_json   TEXT NOT NULL DEFAULT '{}',  -- what it says (articles, surfaces, ...)
    before_json TEXT NOT NULL DEFAULT '{}',  -- what undo puts back
    by          TEXT NOT NULL,
    reason      TEXT,
    at          TEXT NOT NULL,
    undone_at   TEXT,
    undone_by   TEXT,
    undo_reason TEXT
);
CREATE INDEX corrections_action ON corrections(action, undone_at);

-- Articles deleted by a correction: ingest skips a document with this id or this identity
-- (text, title, outlet) unless told to restore it.
CREATE TABLE deleted_articles (
    article_id    TEXT PRIMARY KEY,
    identity      TEXT,
    correction_id INTEGER NOT NULL REFERENCES corrections(id)
);
CREATE INDEX deleted_articles_identity ON deleted_articles(identity);
