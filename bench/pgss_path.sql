-- Lets the control connection see pg_stat_statements in whatever schema it was installed ($1),
-- after the benchmark's own schema.
SELECT set_config('search_path', current_setting('search_path') || ', ' || quote_ident($1), false)
