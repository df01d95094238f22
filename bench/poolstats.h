/*
 * poolstats.h: a pooler's side of the run, read on its admin console (PgBouncer's dbname=pgbouncer): its
 * version, pool mode and pool size for meta.json and the protocol check, and per step SHOW STATS diffed
 * around the measured window (transactions, queries, the clients' wait for a server connection, the
 * server's time per query) and SHOW POOLS sampled through it (clients waiting, the longest wait, server
 * connections open), so a pooler's queueing can be told apart from the server's time.
 */
#ifndef PGPB_POOLSTATS_H
#define PGPB_POOLSTATS_H

#include "resdir/figures.h" /* struct pool_diff */

#include <libpq-fe.h>

struct pool_admin {
	PGconn *conn; /* the admin console; NULL when the run has none */
	char db[128], user[128]; /* the pool the load uses (SHOW POOLS row) */
	char version[64]; /* "PgBouncer 1.18.0" */
	char mode[16]; /* the pool's pool_mode: "transaction", "session", "statement", or "" before it exists */
	long pool_size; /* the database's pool_size, -1 when unknown */
	long max_client_conn; /* -1 when unknown */
	int opening; /* pool_admin_open is reading it: a failure is the run's error, not a warning */
};

/* Connects to conninfo (the admin console) for the pool db/user and reads version, mode and size. 0, or -1
 * (logged: the console refused, or it is not PgBouncer's). */
int pool_admin_open(struct pool_admin *pa, const char *conninfo, const char *db, const char *user);
void pool_admin_close(struct pool_admin *pa);

/* SHOW STATS counters at one edge of the window. */
struct pool_snap {
	int have;
	long long xacts, queries, query_us, wait_us;
};
void pool_snapshot(struct pool_admin *pa, struct pool_snap *out);
/* The client connections the pool holds now (active and waiting), -1 when unknown. */
long long pool_clients(struct pool_admin *pa);
/* Waits (SHOW POOLS every 10 ms, at most wait_ms) until the pool holds at most n clients: the last step's
 * closed connections may still count against max_client_conn for a moment after the driver closed them. */
void pool_wait_clients(struct pool_admin *pa, long long n, long wait_ms);
/* One SHOW POOLS sample into the step's maxima (d->samples counts them). */
void pool_sample(struct pool_admin *pa, struct pool_diff *d);
/* The window's figures from its two edges (the samples already in d). */
void pool_diff(const struct pool_snap *a, const struct pool_snap *b, struct pool_diff *d);

/*
 * Whether ctrl reaches the server through a transaction pooler the run was not told of, proven by
 * behaviour (a session pooler pins one server session to each client for its life; a transaction pooler
 * does not): the server's pg_backend_pid() differs from the process id the connection was given (any
 * pooler); then ctrl's next transaction runs on another server session (round robin), or a second client
 * (ci, a bounded wait) opening a transaction is handed the session ctrl just used (the most recently
 * released one). Returns 1 when proven, 0 when a pooler is there but transaction pooling was not shown
 * (session mode, or a busy pool), -1 when ctrl talks to the server directly (or the probe could not run).
 * what says which was seen, for a message.
 */
struct ctx_conninfo;
int pool_probe(PGconn *ctrl, const struct ctx_conninfo *ci, char *what, size_t len);

#endif
