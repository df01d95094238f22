-- The dataset state datagen records (empty, loading, complete) with its fingerprint.
SELECT state, scale, seed, users, records, tags, checksum, fingerprint, finished FROM pgpagebench_dataset WHERE id = 1
