/*
 * pooler.h: Debian's PgBouncer started in front of the temporary cluster (--ephemeral --pooler), so a run
 * can measure what a pooler adds (the wait for a server connection, the extra hop) on one machine without
 * setting one up. It gets a private config and auth file in the cluster's directory, listens on a Unix
 * socket there only, runs as the cluster's owner, and is stopped before the cluster is, also on a signal
 * or a failure (and by its parent-death signal when the tool is killed).
 */
#ifndef PGPB_POOLER_H
#define PGPB_POOLER_H

#include <stddef.h>

struct cluster;

enum pooler_mode { POOLER_NONE, POOLER_TRANSACTION, POOLER_SESSION };
#define POOLER_DEFAULT_POOL_SIZE 20
#define POOLER_PORT 6432 /* only names its socket (.s.PGSQL.6432) in the cluster's private directory */

struct pooler_opts {
	enum pooler_mode mode;
	long pool_size; /* server connections (default_pool_size) */
	long max_client_conn; /* client connections it accepts: the run's largest step and the tool's own */
	int verbose;
};

struct pooler;

/* "transaction" or "session". */
const char *pooler_mode_name(enum pooler_mode mode);
/* Starts PgBouncer in front of c and waits until it answers on its admin console (a bound of 60 s; its
 * exit, or a signal, ends the wait). NULL on failure (logged, with the last line of its log). */
struct pooler *pooler_start(const struct cluster *c, const struct pooler_opts *o);
const char *pooler_host(const struct pooler *p); /* the socket directory (the cluster's) */
int pooler_port(const struct pooler *p);
const char *pooler_user(const struct pooler *p);
enum pooler_mode pooler_mode(const struct pooler *p);
long pooler_pool_size(const struct pooler *p);
long pooler_max_client_conn(const struct pooler *p);
/* The admin console's conninfo ("host=... port=... user=... dbname=pgbouncer"). */
void pooler_admin_conninfo(const struct pooler *p, char *buf, size_t len);
/* Stops it (SIGTERM, SIGKILL after 10 s), waits for it and frees p. Safe with NULL. */
void pooler_stop(struct pooler *p);

#endif
