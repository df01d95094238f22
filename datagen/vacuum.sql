-- The last step of a load, one table a line (they run in parallel).
VACUUM (ANALYZE) auth_user
VACUUM (ANALYZE) record
VACUUM (ANALYZE) tag
