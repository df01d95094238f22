-- The serial sequences continue after the generated ids ($1, $2, $3: rows of auth_user, record, tag).
SELECT setval(pg_get_serial_sequence('auth_user', 'id'), greatest($1::bigint, 1), $1::bigint > 0),
       setval(pg_get_serial_sequence('record', 'id'), greatest($2::bigint, 1), $2::bigint > 0),
       setval(pg_get_serial_sequence('tag', 'id'), greatest($3::bigint, 1), $3::bigint > 0)
