-- pg_stat_database counters of the current database as stat_database.sql reads them, and (PostgreSQL 14
-- and later) the sessions established to it, which --connect-per-request sets beside the driver's connects.
-- A backend adds its session to the counter when it first reports its statistics (at its first idle moment
-- or its exit), so the count lags the connects by the sessions just opened.
SELECT pg_stat_clear_snapshot() IS NULL, xact_commit, blks_hit, blks_read, sessions
FROM pg_stat_database WHERE datname = current_database()
