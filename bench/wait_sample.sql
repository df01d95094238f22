-- One read of where the sampled backends are: their count by state and wait event, for the wait sampler
-- (bench/waits.c), with the read's own time in the first column (one row with a NULL count when no
-- backend matches). $1 application_name, $2 database, $3 user: each NULL when it does not filter (at least
-- one filters); $4: only backends started at or after this time, NULL for all; $5: a LIKE pattern of the
-- application_name of backends to leave out (this tool's own, beside a web app's), NULL for none. The sampler's own backend
-- and the server's background processes are left out. A role without pg_read_all_stats sees another
-- role's backends with their user, database and application_name but no state, wait, backend_type or
-- start (all NULL): those rows are kept, and counted as hidden.
SELECT t.now, g.state, g.wait_event_type, g.wait_event, g.n
FROM (SELECT statement_timestamp()::text AS now) t
LEFT JOIN (
  SELECT state, wait_event_type, wait_event, count(*) AS n
  FROM pg_stat_activity
  WHERE (backend_type = 'client backend' OR backend_type IS NULL) AND pid <> pg_backend_pid()
    AND ($1::text IS NULL OR application_name = $1)
    AND ($2::text IS NULL OR datname = $2)
    AND ($3::text IS NULL OR usename = $3)
    AND ($4::timestamptz IS NULL OR backend_start >= $4::timestamptz)
    AND ($5::text IS NULL OR application_name IS NULL OR application_name NOT LIKE $5)
  GROUP BY 1, 2, 3
) g ON true
