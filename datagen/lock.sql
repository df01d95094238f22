-- One datagen at a time per schema ($1): a session advisory lock, released when the connection closes.
SELECT pg_try_advisory_lock(hashtext('pgpagebench datagen'), hashtext($1))
