-- Per-article representations, computed once and cached: sentences with offsets into the
-- cleaned text, embeddings per backend, and cheap cross-lingual features (names, numbers, dates).
CREATE TABLE sentences (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (article_id, idx)
);

CREATE TABLE embeddings (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    backend    TEXT NOT NULL,
    kind       TEXT NOT NULL,      -- doc | title | sentences
    dim        INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    vectors    BLOB NOT NULL,      -- float16, row-major count x dim
    PRIMARY KEY (article_id, backend, kind)
);

CREATE TABLE article_features (
    article_id    TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    features_json TEXT NOT NULL
);
