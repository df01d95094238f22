/*
 * schema.h: the benchmark's tables (Django-compatible auth_user, record, tag) and the ownership marker
 * that keeps the tool from ever dropping or loading into a table it did not create.
 */
#ifndef PGPB_SCHEMA_H
#define PGPB_SCHEMA_H

#include "common/ctx.h"

#include <libpq-fe.h>
#include <stddef.h>

/*
 * The schema's lock, between the commands that use the same schema of the same database: a transaction
 * advisory lock taken without waiting, shared for a run (runs read side by side), exclusive for what
 * writes the tables (datagen's load, schema create and drop). It is held on a connection of its own, in a
 * transaction left open until the command closes that connection, so no connection pooler can keep it
 * after the command.
 * schema_lock_connect: connects (application_name names the command), opens the transaction and takes the
 * lock; NULL (logged) when that fails or another session holds a lock that conflicts.
 * schema_lock: takes it on such a connection; shared may become exclusive when no other session holds it.
 * schema_lock_close (below) releases it.
 * 0, or -1 (logged: the application_name and pid of the session holding it, or the server's error).
 */
enum schema_lock_mode { SCHEMA_LOCK_SHARED, SCHEMA_LOCK_EXCLUSIVE };
PGconn *schema_lock_connect(const struct pgpb_ctx *ctx, const char *application_name, enum schema_lock_mode mode);
int schema_lock(PGconn *conn, const struct pgpb_ctx *ctx, enum schema_lock_mode mode);
/* Ends the transaction, so the lock is gone when this returns (a closed connection's lock goes only when
 * the server notices), then closes the connection. NULL is fine. */
void schema_lock_close(PGconn *lock);

/* Runs one embedded SQL file (all its statements) on conn; logs and returns -1 on failure. */
int schema_exec_file(PGconn *conn, const char *name);
/*
 * Checks every table the tool would touch: 0 when each is either absent or carries the marker;
 * -1 (logged: which table, and why) when one exists without it. *present counts the marked tables.
 */
int schema_check_owned(PGconn *conn, const struct pgpb_ctx *ctx, int *present);
/* Creates the schema (if --schema), the tables and the marker: refuses unmarked tables. */
int schema_create_tables(PGconn *conn, const struct pgpb_ctx *ctx);
/* The keys and foreign keys (keys.sql); the query's indexes (indexes.sql). */
int schema_create_keys(PGconn *conn);
int schema_create_indexes(PGconn *conn);

/* The dataset state datagen left: "empty", "loading", "complete" (or "missing" without tables). */
struct schema_dataset {
	char state[16];
	double scale;
	long long seed, users, records, tags;
	char checksum[80];
	char fingerprint[128];
};
int schema_dataset_get(PGconn *conn, struct schema_dataset *out);
/* For commands that benchmark: 0 when the dataset is complete, or when the role may not read the marker
 * (warned; out->state is then empty); otherwise logs why and how to fix it. */
int schema_require_complete(PGconn *conn, struct schema_dataset *out);

/* The actions of `pgpagebench schema`, each reporting on stdout (unless ctx->quiet) and returning an exit
 * status. create: the tables, keys and (with_indexes) indexes; drop: the tables, all marked or none. Both
 * take the schema's lock exclusive first (refused while a run or a load uses the schema). */
int schema_create(PGconn *conn, const struct pgpb_ctx *ctx, int with_indexes);
int schema_drop(PGconn *conn, const struct pgpb_ctx *ctx);
/* check: prints each table, its marker, rows, indexes and last ANALYZE, then the dataset state; 1 when
 * a table is foreign, missing or lacks an index, or a load was interrupted. */
int schema_check(PGconn *conn, const struct pgpb_ctx *ctx);

#endif
