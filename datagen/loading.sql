-- Marks the start of a load: until complete.sql runs, `schema check` and the benchmark see it unfinished.
UPDATE pgpagebench_dataset
SET state = 'loading', scale = $1, seed = $2, args = $3, users = NULL, records = NULL, tags = NULL,
    checksum = NULL, fingerprint = NULL, started = now(), finished = NULL
WHERE id = 1
