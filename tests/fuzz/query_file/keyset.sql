-- Variant "keyset": seek the page by the key of the row before it, (updated, id) < ($1, $2), newest first,
-- through the partial index record(updated DESC, id DESC) WHERE parent_id IS NULL AND status = 'new'.
-- The key comes from query_keyset_key.sql (once per step, for the page at the step's OFFSET), so the
-- rows are the seed's at that OFFSET. Same columns; differences: cnt is NULL (a keyset list has no page
-- numbers, and a total would cost the full count again: see cappedcount); tag {} for a record without
-- tags (seed: {NULL}); ties on updated broken by id DESC (none in generated data).
-- Parameters: $1 updated (timestamptz as text), $2 id (integer as text).
SELECT r.id, r.auth_user_id, r.status, r.updated, r.label, r.content, u.username,
    ARRAY(SELECT t.tag FROM tag t WHERE t.kind_id = r.id AND t.kind = 'rec') tag,
    NULL::bigint cnt,
    (
        SELECT COUNT(*) FROM record r2
            WHERE
                r2.parent_id IS NOT NULL
                AND r2.parent_id = r.id
                AND r2.status = 'new'
    ) AS parts
FROM record r
JOIN auth_user u ON u.id = r.auth_user_id
WHERE r.parent_id IS NULL AND r.status = 'new'
    AND (r.updated, r.id) < ($1::timestamptz, $2::integer)
ORDER BY r.updated DESC, r.id DESC
LIMIT 10
