-- Why each member is in its story, so story pages, the API and `stories --json` can show it.
-- linked_by: founder | verbatim | scorer | sure | merge | split (NULL: stored before this was
-- recorded; `wiretrace recluster` fills it). link_score: the number that signal decided on
-- (P(same event) with `via` for the scorer, the share of identical sentences for a verbatim
-- re-post). link_detail: one sentence saying so.
ALTER TABLE story_members ADD COLUMN linked_by TEXT;
ALTER TABLE story_members ADD COLUMN link_score REAL;
ALTER TABLE story_members ADD COLUMN link_detail TEXT;
