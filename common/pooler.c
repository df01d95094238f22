/*
 * pooler.c: PgBouncer in front of the temporary cluster (common/pooler.h). Its config is written whole by
 * the tool (no user text in it: the paths are the tool's own temporary directory), and it is started by
 * cluster_spawn, so no shell is involved and it runs as the server does.
 */
#include "common/pooler.h"
#include "common/alloc.h"
#include "common/cluster.h"
#include "common/log.h"
#include "common/sig.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POOLER_READY_S 60.0
#define POOLER_STOP_S 10.0
#define POOLER_BIN_DEFAULT "/usr/sbin/pgbouncer"

struct pooler {
	pid_t pid;
	enum pooler_mode mode;
	long pool_size, max_client_conn;
	char host[PATH_MAX], logpath[PATH_MAX + 32];
	const char *user;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

const char *pooler_mode_name(enum pooler_mode mode)
{
	return mode == POOLER_SESSION ? "session" : mode == POOLER_TRANSACTION ? "transaction" : "none";
}

/* $PGPB_PGBOUNCER, else pgbouncer on PATH, else Debian's /usr/sbin/pgbouncer (sbin is not on every PATH). */
static int find_pgbouncer(char *out, size_t len)
{
	const char *env = getenv("PGPB_PGBOUNCER");
	if (env && *env) {
		if (env[0] != '/' || access(env, X_OK) != 0) {
			log_error("PGPB_PGBOUNCER \"%s\" is not an absolute path to an executable", env);
			return -1;
		}
		snprintf(out, len, "%s", env);
		return 0;
	}
	const char *path = getenv("PATH");
	if (path) {
		char *copy = pgpb_strdup(path), *save = NULL;
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			char cand[PATH_MAX], real[PATH_MAX];
			snprintf(cand, sizeof cand, "%s/pgbouncer", d);
			if (access(cand, X_OK) == 0 && realpath(cand, real) && strlen(real) < len) {
				snprintf(out, len, "%s", real);
				free(copy);
				return 0;
			}
		}
		free(copy);
	}
	if (access(POOLER_BIN_DEFAULT, X_OK) == 0) {
		snprintf(out, len, "%s", POOLER_BIN_DEFAULT);
		return 0;
	}
	log_error("could not find pgbouncer (tried PGPB_PGBOUNCER, PATH and " POOLER_BIN_DEFAULT ")");
	log_hint("Install the Debian package \"pgbouncer\" (tools/deps.sh does).");
	return -1;
}

/* Writes path (mode 0600) with text, for the cluster's owner. 0 or -1 (logged). */
static int write_private(const struct cluster *c, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) != 0) {
		log_error("could not write file \"%s\": %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return cluster_give(c, path);
}

/* The last line of PgBouncer's log, for why it did not start. */
static void log_last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			snprintf(out, len, "%s", line);
	}
	fclose(f);
}

/* Waits until the admin console answers; 0, or -1 (logged; p->pid is 0 once it has exited). */
static int wait_ready(struct pooler *p)
{
	char conninfo[PATH_MAX + 128], last[1024];
	pooler_admin_conninfo(p, conninfo, sizeof conninfo);
	double t0 = now_s();
	for (;;) {
		int status;
		if (sig_caught())
			return -1;
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			log_last_line(p->logpath, last, sizeof last);
			log_error("pgbouncer did not start: %s", last[0] ? last : "no output");
			return -1;
		}
		if (PQping(conninfo) == PQPING_OK)
			return 0;
		if (now_s() - t0 > POOLER_READY_S) {
			log_last_line(p->logpath, last, sizeof last);
			log_error("pgbouncer did not accept connections within %.0f s (last log line: %s)", POOLER_READY_S,
			          last[0] ? last : "none");
			return -1;
		}
		sleep_ms(10);
	}
}

struct pooler *pooler_start(const struct cluster *c, const struct pooler_opts *o)
{
	char bin[PATH_MAX], ini[PATH_MAX + 32], users[PATH_MAX + 32];
	if (find_pgbouncer(bin, sizeof bin) < 0)
		return NULL;
	struct pooler *p = pgpb_calloc(1, sizeof *p);
	p->mode = o->mode;
	p->pool_size = o->pool_size;
	p->max_client_conn = o->max_client_conn;
	p->user = cluster_user(c);
	snprintf(p->host, sizeof p->host, "%s", cluster_host(c));
	snprintf(ini, sizeof ini, "%s/pgbouncer.ini", cluster_dir(c));
	snprintf(users, sizeof users, "%s/pgbouncer-users.txt", cluster_dir(c));
	snprintf(p->logpath, sizeof p->logpath, "%s/pgbouncer.log", cluster_dir(c));
	char userline[128];
	snprintf(userline, sizeof userline, "\"%s\" \"\"\n", p->user);
	size_t cap = 3 * PATH_MAX + 2048;
	char *conf = pgpb_malloc(cap);
	/* the pool: every load connection of the run is a client; the tool's control connections go to the
	 * server directly, so the pool's server connections are the run's alone */
	snprintf(conf, cap,
	         "; written by pgpagebench for one run, removed with the temporary cluster\n"
	         "[databases]\n"
	         "postgres = host=%s port=%d dbname=postgres user=%s\n"
	         "[pgbouncer]\n"
	         "listen_addr =\n"
	         "listen_port = %d\n"
	         "listen_backlog = 4096\n"
	         "unix_socket_dir = %s\n"
	         "auth_type = trust\n"
	         "auth_file = %s\n"
	         "admin_users = %s\n"
	         "pool_mode = %s\n"
	         "default_pool_size = %ld\n"
	         "min_pool_size = 0\n"
	         "reserve_pool_size = 0\n"
	         "max_client_conn = %ld\n"
	         "max_db_connections = %ld\n"
	         "log_connections = 0\n"
	         "log_disconnections = 0\n"
	         "query_wait_timeout = 0\n"
	         "stats_period = 1\n",
	         cluster_host(c), cluster_port(c), p->user, POOLER_PORT, p->host, users, p->user,
	         pooler_mode_name(o->mode), o->pool_size, o->max_client_conn, o->pool_size);
	int ok = write_private(c, users, userline) == 0 && write_private(c, ini, conf) == 0;
	free(conf);
	if (!ok) {
		free(p);
		return NULL;
	}
	char *argv[] = { bin, ini, NULL };
	int pid = sig_caught() ? -1 : cluster_spawn(c, argv, p->logpath);
	if (pid < 0) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	if (wait_ready(p) < 0) {
		pooler_stop(p);
		return NULL;
	}
	if (o->verbose)
		log_info("pgbouncer ready in %s mode (pool of %ld server connections, up to %ld clients) at host=%s port=%d",
		         pooler_mode_name(o->mode), o->pool_size, o->max_client_conn, p->host, POOLER_PORT);
	return p;
}

const char *pooler_host(const struct pooler *p) { return p->host; }
int pooler_port(const struct pooler *p) { (void)p; return POOLER_PORT; }
const char *pooler_user(const struct pooler *p) { return p->user; }
enum pooler_mode pooler_mode(const struct pooler *p) { return p->mode; }
long pooler_pool_size(const struct pooler *p) { return p->pool_size; }
long pooler_max_client_conn(const struct pooler *p) { return p->max_client_conn; }

void pooler_admin_conninfo(const struct pooler *p, char *buf, size_t len)
{
	snprintf(buf, len, "host=%s port=%d user=%s dbname=pgbouncer connect_timeout=5", p->host, POOLER_PORT, p->user);
}

void pooler_stop(struct pooler *p)
{
	if (!p)
		return;
	/* SIGTERM: PgBouncer 1.18 closes every connection and exits at once; SIGKILL if it does not */
	static const int sigs[] = { SIGTERM, SIGKILL };
	for (size_t i = 0; i < 2 && p->pid > 0; i++) {
		kill(p->pid, sigs[i]);
		for (double t0 = now_s(); now_s() - t0 < POOLER_STOP_S;) {
			pid_t r = waitpid(p->pid, NULL, WNOHANG);
			if (r == p->pid || (r < 0 && errno == ECHILD)) {
				p->pid = 0;
				break;
			}
			sleep_ms(10);
		}
	}
	free(p);
}
