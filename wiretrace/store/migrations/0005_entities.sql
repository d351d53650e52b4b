-- Named entities: one row per person/organisation/place, the surface forms merged into it (and
-- why), and every mention with offsets into the article's cleaned text.
CREATE TABLE entities (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    key          TEXT NOT NULL,
    article_count INTEGER NOT NULL DEFAULT 0,
    mention_count INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);
CREATE INDEX entities_type ON entities(type);
CREATE INDEX entities_name ON entities(name);
CREATE INDEX entities_key ON entities(key);

CREATE TABLE entity_variants (
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    surface   TEXT NOT NULL,
    count     INTEGER NOT NULL DEFAULT 0,
    reason    TEXT NOT NULL DEFAULT '',
    rule      TEXT NOT NULL DEFAULT '',
    score     REAL,
    PRIMARY KEY (entity_id, surface)
);
CREATE INDEX entity_variants_surface ON entity_variants(surface);

CREATE TABLE mentions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_id  TEXT,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    surface    TEXT NOT NULL,
    lemma      TEXT,
    type       TEXT NOT NULL,
    PRIMARY KEY (article_id, start, "end")
);
CREATE INDEX mentions_entity ON mentions(entity_id);
