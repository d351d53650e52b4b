-- Which later stage (stories, entities, ...) has processed which article, at which version.
-- An interrupted run leaves articles without a row here; the next run picks them up.
CREATE TABLE stage_state (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    stage      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    done_at    TEXT NOT NULL,
    PRIMARY KEY (article_id, stage)
);
