-- Run on the lock's connection after the lock is taken (schema/lock.sql): the extended protocol's
-- unnamed portal keeps its query, and with it a snapshot, until it is closed, and that snapshot's xmin
-- would hold back VACUUM for as long as the command runs. A simple-protocol statement replaces it.
CLOSE ALL
