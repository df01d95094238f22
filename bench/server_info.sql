-- What makes a run comparable on the server side (meta.json "server"): version and key settings,
-- whether pg_stat_statements is loaded (NULL when the role may not see shared_preload_libraries: pg_settings
-- hides it from a role without pg_read_all_settings, where current_setting() would fail) and whether it is
-- installed in this database, and where.
SELECT version(),
       current_setting('server_version_num')::int,
       current_setting('shared_buffers'),
       current_setting('work_mem'),
       current_setting('jit'),
       current_setting('max_connections'),
       (SELECT setting LIKE '%pg_stat_statements%' FROM pg_settings WHERE name = 'shared_preload_libraries') AS pgss_loaded,
       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS pgss_installed,
       (SELECT nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE extname = 'pg_stat_statements') AS pgss_schema
