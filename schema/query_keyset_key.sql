-- The key for query_keyset.sql at OFFSET $1: (updated, id) of the last row before the page, i.e. the
-- row at position $1 - 1 newest first. Always one row: OFFSET 0 gives ('infinity', 2147483647) (every
-- row is before it), an OFFSET past the end gives ('-infinity', 0) (an empty page, as the seed returns).
-- updated is written in ISO 8601 UTC with microseconds, which reads back exactly whatever the DateStyle
-- and TimeZone of the connection that replays it.
SELECT CASE WHEN $1::bigint <= 0 THEN 'infinity'
            WHEN k.updated IS NULL THEN '-infinity'
            ELSE to_char(k.updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS updated,
       CASE WHEN $1::bigint <= 0 THEN 2147483647 ELSE coalesce(k.id, 0) END AS id
FROM (SELECT 1) one
LEFT JOIN LATERAL (
    SELECT r.updated, r.id
    FROM record r
    WHERE r.parent_id IS NULL AND r.status = 'new'
    ORDER BY r.updated DESC, r.id DESC
    LIMIT 1 OFFSET greatest($1::bigint - 1, 0)
) k ON true
