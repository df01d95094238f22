-- Settings of datagen's own sessions: no wait for WAL flush at each COPY's commit, memory for the index
-- sorts and for the foreign keys' validating joins (one batch), no JIT compile for these one-off scans,
-- and fixed text forms of timestamps.
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '256MB';
SET jit = off;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET extra_float_digits = 1
