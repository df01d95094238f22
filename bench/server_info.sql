-- What makes a run comparable on the server side (meta.json "server"): version and key settings,
-- and whether pg_stat_statements is loaded ($1 unused) and installed in this database.
SELECT version(),
       current_setting('server_version_num')::int,
       current_setting('shared_buffers'),
       current_setting('work_mem'),
       current_setting('jit'),
       current_setting('max_connections'),
       current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' AS pgss_loaded,
       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS pgss_installed,
       (SELECT nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE extname = 'pg_stat_statements') AS pgss_schema
