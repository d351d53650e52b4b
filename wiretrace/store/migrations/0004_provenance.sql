-- Cached provenance traces, one per story; stale when the story's members or their content change.
CREATE TABLE IF NOT EXISTS traces (
    story_id     TEXT PRIMARY KEY,
    computed_at  TEXT NOT NULL,
    members_hash TEXT NOT NULL,
    trace_json   TEXT NOT NULL
);
