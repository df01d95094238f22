-- One row per table the tool knows, in a schema ($1): present, marker, rows (estimate), last analyze.
SELECT t.name,
       c.oid IS NOT NULL AS present,
       coalesce(obj_description(c.oid, 'pg_class') LIKE 'created by pgpagebench%', false) AS marked,
       s.n_live_tup AS live_rows,
       greatest(s.last_analyze, s.last_autoanalyze) AS last_analyze
FROM unnest(ARRAY['auth_user', 'record', 'tag', 'pgpagebench_dataset']) WITH ORDINALITY AS t(name, ord)
LEFT JOIN pg_namespace n ON n.nspname = $1
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name AND c.relkind IN ('r', 'p')
LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
ORDER BY t.ord
