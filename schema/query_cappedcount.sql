-- Variant "cappedcount": "pagefirst" with the total capped at 1,001: cnt = least(total, 1001), so a client
-- shows "1,000+" pages instead of an exact count, and counting stops after 1,001 index entries.
-- Same columns and rows as the seed; differences: cnt capped as said; tag {} for a record without tags
-- (seed: {NULL}); ties on updated broken by id DESC (none in generated data). Parameter $1: the OFFSET.
WITH page AS (
    SELECT r.id, r.updated
    FROM record r
    WHERE r.parent_id IS NULL AND r.status = 'new'
    ORDER BY r.updated DESC, r.id DESC
    LIMIT 10 OFFSET $1
)
SELECT r.id, r.auth_user_id, r.status, r.updated, r.label, r.content, u.username,
    ARRAY(SELECT t.tag FROM tag t WHERE t.kind_id = r.id AND t.kind = 'rec') tag,
    (SELECT COUNT(*) FROM (SELECT 1 FROM record c WHERE c.parent_id IS NULL AND c.status = 'new' LIMIT 1001) capped) cnt,
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
