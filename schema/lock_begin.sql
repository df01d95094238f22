-- Opens the transaction that holds the schema's lock (schema/lock.sql). It stays idle in transaction
-- while the command works, so a server's idle_in_transaction_session_timeout must not end it; it writes
-- nothing and, read committed, keeps no snapshot between statements.
BEGIN;
SET LOCAL idle_in_transaction_session_timeout = 0
