-- Primary keys, Django's unique username, and the foreign keys, named as Django names them.
-- One statement a line, each safe to rerun; datagen applies them after the data is in, in parallel: a
-- primary key's index is built first (a SHARE lock, so beside the table's other index builds), then
-- attached as the constraint.
CREATE UNIQUE INDEX IF NOT EXISTS auth_user_pkey ON auth_user (id);
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'auth_user_pkey' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN ALTER TABLE auth_user ADD CONSTRAINT auth_user_pkey PRIMARY KEY USING INDEX auth_user_pkey; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'auth_user_username_key' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN ALTER TABLE auth_user ADD CONSTRAINT auth_user_username_key UNIQUE (username); END IF; END $$;
CREATE UNIQUE INDEX IF NOT EXISTS record_pkey ON record (id);
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'record_pkey' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN ALTER TABLE record ADD CONSTRAINT record_pkey PRIMARY KEY USING INDEX record_pkey; END IF; END $$;
CREATE UNIQUE INDEX IF NOT EXISTS tag_pkey ON tag (id);
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'tag_pkey' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN ALTER TABLE tag ADD CONSTRAINT tag_pkey PRIMARY KEY USING INDEX tag_pkey; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'record_auth_user_id_fk_auth_user_id' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN ALTER TABLE record ADD CONSTRAINT record_auth_user_id_fk_auth_user_id FOREIGN KEY (auth_user_id) REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED; END IF; END $$;
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'record_parent_id_fk_record_id' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN ALTER TABLE record ADD CONSTRAINT record_parent_id_fk_record_id FOREIGN KEY (parent_id) REFERENCES record (id) DEFERRABLE INITIALLY DEFERRED; END IF; END $$;
