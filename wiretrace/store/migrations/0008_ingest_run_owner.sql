-- Which process is doing a run, so the next run can tell a run killed with -9 (left 'running'
-- by a process that is gone) from one still going, and mark it 'interrupted'.
ALTER TABLE ingest_runs ADD COLUMN pid INTEGER;
ALTER TABLE ingest_runs ADD COLUMN host TEXT;
