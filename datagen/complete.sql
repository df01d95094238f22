-- Marks the end of a load, with the counts and checksums the server computed.
UPDATE pgpagebench_dataset
SET state = 'complete', users = $1, records = $2, tags = $3, checksum = $4, fingerprint = $5, finished = now()
WHERE id = 1
