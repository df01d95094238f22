-- Drops the tool's own tables. Run only after every table's ownership marker was checked.
DROP TABLE IF EXISTS tag, record, auth_user, pgpagebench_dataset;
