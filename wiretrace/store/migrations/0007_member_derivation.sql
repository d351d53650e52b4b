-- What the story's trace says about each member, so story titles come from an original report
-- rather than a spun rewrite, and a re-post's late page date does not stretch the story's span.
-- derivation: origin | copy | partial-copy | translation | rewrite | summary (NULL until traced).
ALTER TABLE story_members ADD COLUMN derivation TEXT;
-- 1 when the trace holds dated evidence against the member's page date.
ALTER TABLE story_members ADD COLUMN date_conflict INTEGER NOT NULL DEFAULT 0;
