-- Manipulation signals of an article (wiretrace.signals), kept until its content or the
-- models change. signal_names lists the names found (techniques, added techniques,
-- "escalation", "dropped-hedge", "sensational-headline") so stories can be filtered by one.
CREATE TABLE IF NOT EXISTS article_signals (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    model_version TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    signals_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS article_signal_names (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (article_id, name)
);
CREATE INDEX IF NOT EXISTS article_signal_names_name ON article_signal_names(name);
