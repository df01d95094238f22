-- Variant "pagefirst": pick the ten ids of the page first, walking the partial index
-- record(updated DESC, id DESC) WHERE parent_id IS NULL AND status = 'new', then fetch author, tags, parts
-- and the total count for those ten rows only. Same columns and rows as the seed; differences:
--   tag: a record without tags gets {} (ARRAY of a subquery), where the seed's LEFT JOIN + ARRAY_AGG gives
--        {NULL}; the order of tags inside the array is unspecified in both.
--   cnt: the same total, counted once by its own index-only scan instead of a window over the groups.
--   order: ties on updated are broken by id DESC (updated is unique in generated data, so no change).
-- The page is taken from record alone: the foreign key record.auth_user_id -> auth_user.id guarantees the
-- seed's inner join to auth_user drops no record. Parameter $1: the OFFSET.
WITH page AS (
    SELECT r.id, r.updated
    FROM record r
    WHERE r.parent_id IS NULL AND r.status = 'new'
    ORDER BY r.updated DESC, r.id DESC
    LIMIT 10 OFFSET $1
)
SELECT r.id, r.auth_user_id, r.status, r.updated, r.label, r.content, u.username,
    ARRAY(SELECT t.tag FROM tag t WHERE t.kind_id = r.id AND t.kind = 'rec') tag,
    (SELECT COUNT(*) FROM record c WHERE c.parent_id IS NULL AND c.status = 'new') cnt,
    (
        SELECT COUNT(*) FROM record r2
            WHERE
                r2.parent_id IS NOT NULL
                AND r2.parent_id = r.id
                AND r2.status = 'new'
    ) AS parts
FROM page p
JOIN record r ON r.id = p.id
JOIN auth_user u ON u.id = r.auth_user_id
ORDER BY p.updated DESC, p.id DESC
