-- The schema's lock ($1 the schema, $2 'shared' or 'exclusive'), taken without waiting: a transaction
-- advisory lock, held by a transaction left open on a connection of its own until the command ends or
-- the connection closes (so a PgBouncer in transaction mode keeps it on one server session, and never
-- leaves it behind). Runs take it shared (several may read at once); datagen's load and `schema
-- create|drop` take it exclusive. The key is the one datagen has always used.
SELECT CASE WHEN $2 = 'shared' THEN pg_try_advisory_xact_lock_shared(hashtext('pgpagebench datagen'), hashtext($1))
            ELSE pg_try_advisory_xact_lock(hashtext('pgpagebench datagen'), hashtext($1)) END
