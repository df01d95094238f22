-- Per-table checksums: row count and the sum of a hash of each row (hash_record, PostgreSQL 14 and later:
-- each column hashed by its type, so no text rendering; order-free, so parallel loads compare equal). One
-- statement a line.
SELECT count(*), coalesce(sum(hash_record(t)), 0) FROM auth_user t
SELECT count(*), coalesce(sum(hash_record(t)), 0) FROM record t
SELECT count(*), coalesce(sum(hash_record(t)), 0) FROM tag t
