-- Variant "nocount": the seed query without the window count. Same columns; cnt is always NULL (bigint),
-- kept so a client reading columns by position or name needs no change. Everything else is verbatim:
-- the GROUP BY still aggregates every qualifying record before the ORDER BY/LIMIT, so this variant shows
-- how much of the seed's cost is the COUNT(*) OVER() alone. Parameter $1: the OFFSET.
SELECT r.id, r.auth_user_id, r.status, r.updated, r.label, r.content, u.username,
    ARRAY_AGG(t.tag) tag, NULL::bigint cnt,
    (
        SELECT COUNT(*) FROM record r2
            WHERE
                r2.parent_id IS NOT NULL
                AND r2.parent_id = r.id
                AND r2.status = 'new'
    ) AS parts
FROM record r
JOIN auth_user u ON u.id = r.auth_user_id
LEFT JOIN tag t ON t.kind_id = r.id AND t.kind = 'rec'
WHERE r.parent_id IS NULL AND r.status = 'new'
GROUP BY r.id, u.username
ORDER BY r.updated DESC
LIMIT 10 OFFSET $1
