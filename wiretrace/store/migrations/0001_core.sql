-- Articles as ingested: original bytes, cleaned text, every extracted field and its evidence.
CREATE TABLE articles (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    content_hash        TEXT NOT NULL,
    source_path         TEXT NOT NULL,
    source_kind         TEXT NOT NULL,
    raw                 BLOB NOT NULL,
    encoding            TEXT,
    title               TEXT,
    text                TEXT NOT NULL,
    published           TEXT,
    outlet              TEXT,
    author              TEXT,
    url                 TEXT,
    dateline            TEXT,
    language            TEXT,
    language_confidence REAL,
    metadata_json       TEXT NOT NULL,
    removed_json        TEXT NOT NULL DEFAULT '[]',
    paragraph_languages_json TEXT NOT NULL DEFAULT '[]',
    extraction_method   TEXT NOT NULL DEFAULT '',
    extra_json          TEXT NOT NULL DEFAULT '{}',
    notes_json          TEXT NOT NULL DEFAULT '[]',
    ingested_at         TEXT NOT NULL
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_outlet ON articles(outlet);
CREATE INDEX articles_language ON articles(language);

CREATE TABLE attributions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    surface    TEXT NOT NULL,
    start      INTEGER,
    "end"      INTEGER,
    kind       TEXT NOT NULL DEFAULT 'agency'
);
CREATE INDEX attributions_article ON attributions(article_id);
CREATE INDEX attributions_name ON attributions(name);

CREATE TABLE ingest_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running',
    paths_json  TEXT NOT NULL DEFAULT '[]',
    new         INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ingest_errors (
    run_id  INTEGER NOT NULL REFERENCES ingest_runs(id) ON DELETE CASCADE,
    path    TEXT NOT NULL,
    code    TEXT NOT NULL,
    message TEXT NOT NULL
);

-- Full-text search over titles and cleaned text (web search, /api/search).
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, coalesce(new.title, ''), new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.seq, coalesce(old.title, ''), old.text);
END;
CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.seq, coalesce(old.title, ''), old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, coalesce(new.title, ''), new.text);
END;
