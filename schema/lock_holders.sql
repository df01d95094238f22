-- The other sessions whose hold on the schema's lock (schema/lock.sql; $1 the schema) conflicts with the
-- mode asked for ($2 'shared' or 'exclusive'): pid, application_name and whether they hold it
-- exclusive, one row a session, exclusive holders first. pg_locks shows the two int4 keys as the oids
-- classid and objid (their bits read unsigned), objsubid 2.
SELECT pid, application_name, exclusive
FROM (SELECT DISTINCT ON (l.pid) l.pid, coalesce(a.application_name, '') AS application_name,
             l.mode = 'ExclusiveLock' AS exclusive
      FROM pg_locks l
      LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = (hashtext('pgpagebench datagen')::int8 & 4294967295)::oid
        AND l.objid = (hashtext($1)::int8 & 4294967295)::oid
        AND l.pid <> pg_backend_pid()
      ORDER BY l.pid, l.mode = 'ExclusiveLock' DESC) h
WHERE exclusive OR $2 = 'exclusive'
ORDER BY exclusive DESC, pid
