-- The rows the seed query pages through (top-level records with status 'new'): what `cnt` must equal.
-- Counted once per step, before it is measured.
SELECT count(*) FROM record WHERE parent_id IS NULL AND status = 'new'
