-- The indexes the query needs (left out with --no-indexes, to study the slow path), plus the
-- varchar_pattern_ops index Django adds beside a unique varchar. One statement a line.
CREATE INDEX IF NOT EXISTS auth_user_username_6821ab7c_like ON auth_user (username varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS record_parent_id_status_idx ON record (parent_id, status);
CREATE INDEX IF NOT EXISTS record_updated_new_top_idx ON record (updated DESC, id DESC) WHERE parent_id IS NULL AND status = 'new';
CREATE INDEX IF NOT EXISTS tag_kind_id_kind_idx ON tag (kind_id, kind);
