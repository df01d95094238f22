-- Which of the expected indexes and constraints exist in schema $1.
SELECT e.name, e.tab, to_regclass(quote_ident($1) || '.' || quote_ident(e.name)) IS NOT NULL AS present
FROM (VALUES ('auth_user_pkey', 'auth_user', 1), ('auth_user_username_key', 'auth_user', 1),
             ('auth_user_username_6821ab7c_like', 'auth_user', 2), ('record_pkey', 'record', 1),
             ('record_parent_id_status_idx', 'record', 2), ('record_updated_new_top_idx', 'record', 2),
             ('tag_pkey', 'tag', 1), ('tag_kind_id_kind_idx', 'tag', 2)) AS e(name, tab, kind)
ORDER BY e.tab, e.kind, e.name
