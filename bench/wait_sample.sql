-- One read of where the run's backends are: their count by state and wait event, for the wait sampler
-- (bench/waits.c). $1 application_name, $2 database, $3 user: each NULL when it does not filter. The
-- sampler's own backend and the server's background processes are left out. For another role's backend,
-- a role without pg_read_all_stats sees the row but not its state or wait (NULL: counted as hidden).
SELECT state, wait_event_type, wait_event, count(*)
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
  AND ($1::text IS NULL OR application_name = $1)
  AND ($2::text IS NULL OR datname = $2)
  AND ($3::text IS NULL OR usename = $3)
GROUP BY 1, 2, 3
