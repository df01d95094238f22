-- pg_stat_statements counters of the benchmark query ($1 = its queryid), summed over users and
-- databases' rows of this database, diffed around each step. sumsq rebuilds the exec-time stddev.
SELECT coalesce(sum(calls), 0)::bigint,
       coalesce(sum(total_exec_time), 0)::float8,
       coalesce(sum(calls * (stddev_exec_time ^ 2 + mean_exec_time ^ 2)), 0)::float8,
       coalesce(sum(plans), 0)::bigint,
       coalesce(sum(total_plan_time), 0)::float8,
       coalesce(sum(shared_blks_hit), 0)::bigint,
       coalesce(sum(shared_blks_read), 0)::bigint
FROM pg_stat_statements
WHERE queryid = $1::bigint AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
