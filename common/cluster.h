/*
 * cluster.h: a private temporary PostgreSQL (initdb into a fresh directory, listening only on a Unix
 * socket inside it), started for --ephemeral, `demo` and `server`, and always removed afterwards.
 */
#ifndef PGPB_CLUSTER_H
#define PGPB_CLUSTER_H

#include <stddef.h>

struct cluster_opts {
	const char *const *settings; /* "name=value", passed to the server as -c name=value */
	size_t nsettings;
	int verbose, quiet;
	int keep; /* --keep: the server is meant to outlive the tool (no stop when the tool dies) */
};

struct cluster;

/* Starts a cluster; on failure (or a signal) cleans up, logs why and returns NULL. */
struct cluster *cluster_start(const struct cluster_opts *opts);
const char *cluster_host(const struct cluster *c); /* the socket directory */
int cluster_port(const struct cluster *c);
const char *cluster_user(const struct cluster *c); /* the bootstrap superuser */
const char *cluster_dir(const struct cluster *c); /* the temporary directory (data is in <dir>/data) */
const char *cluster_bindir(const struct cluster *c); /* where initdb, pg_ctl and postgres were found */
int cluster_has_pg_stat_statements(const struct cluster *c);
/* 1 while the server runs; 0 (logged, with why) once it has exited on its own. */
int cluster_running(struct cluster *c);
/* Stops the server (fast shutdown, then harder), removes the directory and frees c. */
void cluster_stop(struct cluster *c);
/* --keep: prints the conninfo and the exact shell command that stops it and removes the directory,
 * then frees c without stopping it. */
void cluster_detach(struct cluster *c);

/*
 * Starts a companion process of the cluster (a pooler in front of it) the way the server runs: argv[0] an
 * absolute path, no shell, in the cluster's directory, as its owner when the tool runs as root, stdin from
 * /dev/null and stdout/stderr appended to logpath, in a process group of its own (a terminal's ^C reaches
 * only the tool, which stops it in order), SIGTERM when the tool dies without cleaning up. Returns its pid
 * or -1 (logged); the caller waits for it.
 */
int cluster_spawn(const struct cluster *c, char *const argv[], const char *logpath);
/* Gives a file the tool wrote into the cluster's directory to the cluster's owner (as root; else nothing
 * to do). 0, or -1 (logged). */
int cluster_give(const struct cluster *c, const char *path);

/* Finds the PostgreSQL bin directory: $PGPB_PG_BINDIR, `pg_config --bindir`, PATH, then the highest
 * /usr/lib/postgresql/N/bin. 0 on success, -1 (logged) when none holds initdb, pg_ctl and postgres. */
int cluster_find_bindir(char *out, size_t len);

#endif
