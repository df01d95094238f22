-- What a backend ($1, the pid of a connection whose query has waited a while) is waiting for: its wait
-- event, the lock it has not been granted (a relation by name), and the processes holding it up.
SELECT a.wait_event_type,
       a.wait_event,
       (SELECT coalesce('relation ' || l.relation::regclass::text, l.locktype)
          FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1),
       (SELECT string_agg(b.pid || ' (' || coalesce(nullif(b.application_name, ''), b.backend_type, '?') || ')',
                          ', ' ORDER BY b.pid)
          FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)))
FROM pg_stat_activity a WHERE a.pid = $1::int
