-- The benchmark's tables. auth_user is exactly what Django 3.x creates on PostgreSQL (so a Django app can
-- share the database); record and tag are the seed article's. Keys and indexes are in keys.sql and
-- indexes.sql, applied after a bulk load. pgpagebench_dataset records what datagen loaded.
-- Every table carries the ownership marker comment: drop and datagen refuse tables without it.
CREATE TABLE IF NOT EXISTS auth_user (
    id serial NOT NULL,
    password varchar(128) NOT NULL,
    last_login timestamp with time zone NULL,
    is_superuser boolean NOT NULL,
    username varchar(150) NOT NULL,
    first_name varchar(150) NOT NULL,
    last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL,
    is_staff boolean NOT NULL,
    is_active boolean NOT NULL,
    date_joined timestamp with time zone NOT NULL
);
CREATE TABLE IF NOT EXISTS record (
    id serial NOT NULL,
    auth_user_id integer NOT NULL,
    parent_id integer NULL,
    status varchar NOT NULL,
    updated timestamp with time zone NOT NULL,
    label varchar NOT NULL,
    content text NOT NULL
);
CREATE TABLE IF NOT EXISTS tag (
    id serial NOT NULL,
    kind varchar NOT NULL,
    kind_id integer NOT NULL,
    tag varchar NOT NULL
);
CREATE TABLE IF NOT EXISTS pgpagebench_dataset (
    id integer PRIMARY KEY CHECK (id = 1),
    state text NOT NULL CHECK (state IN ('empty', 'loading', 'complete')),
    scale double precision,
    seed bigint,
    args text,
    users bigint,
    records bigint,
    tags bigint,
    checksum text,
    fingerprint text,
    started timestamp with time zone,
    finished timestamp with time zone
);
INSERT INTO pgpagebench_dataset (id, state) VALUES (1, 'empty') ON CONFLICT (id) DO NOTHING;
COMMENT ON TABLE auth_user IS 'created by pgpagebench (ownership marker: drop and datagen check it)';
COMMENT ON TABLE record IS 'created by pgpagebench (ownership marker: drop and datagen check it)';
COMMENT ON TABLE tag IS 'created by pgpagebench (ownership marker: drop and datagen check it)';
COMMENT ON TABLE pgpagebench_dataset IS 'created by pgpagebench (ownership marker: drop and datagen check it)';
