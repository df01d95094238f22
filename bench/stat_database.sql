-- pg_stat_database counters of the current database, diffed around each step. The statistics snapshot
-- is cleared first so two reads in one session see fresh values.
SELECT pg_stat_clear_snapshot() IS NULL, xact_commit, blks_hit, blks_read
FROM pg_stat_database WHERE datname = current_database()
