-- Stories: articles that report the same event. Ids are stable: a story keeps its id as it
-- grows, and when two stories merge the older id survives and the merge is recorded.
CREATE TABLE stories (
    id             TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL,          -- creation order; the lower, the older
    title          TEXT,
    summary        TEXT,
    title_article  TEXT,                      -- the article the title and summary come from
    size           INTEGER NOT NULL DEFAULT 0,
    languages_json TEXT NOT NULL DEFAULT '[]',
    first_seen     TEXT,                      -- earliest published date among the members
    last_seen      TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX stories_seq ON stories(seq);
CREATE INDEX stories_last_seen ON stories(last_seen);

CREATE TABLE story_members (
    story_id   TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    score      REAL,                          -- scorer similarity of the link that added it
    via        TEXT,                          -- the member it was linked to (NULL: founder)
    centrality REAL,                          -- cosine to the story centroid
    added_at   TEXT NOT NULL,
    PRIMARY KEY (article_id)
);
CREATE INDEX story_members_story ON story_members(story_id);

CREATE TABLE story_merges (
    from_story TEXT NOT NULL,
    into_story TEXT NOT NULL,
    at         TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX story_merges_into ON story_merges(into_story);
CREATE INDEX story_merges_from ON story_merges(from_story);

-- Storylines: stories about one ongoing situation, linked over time without being merged.
CREATE TABLE storylines (
    id         TEXT PRIMARY KEY,
    title      TEXT,
    first_seen TEXT,
    last_seen  TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE storyline_members (
    storyline_id TEXT NOT NULL REFERENCES storylines(id) ON DELETE CASCADE,
    story_id     TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    score        REAL,
    PRIMARY KEY (story_id)
);
CREATE INDEX storyline_members_line ON storyline_members(storyline_id);
