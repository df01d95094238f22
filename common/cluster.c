/*
 * cluster.c: the private temporary PostgreSQL behind --ephemeral. Every test and the demo use it, so it
 * must never leave a server or a directory behind: not on error, not on SIGINT/SIGTERM, not when initdb
 * or the server refuses to start. Children are started with fork + exec (no shell ever sees user text);
 * as root they run as the "postgres" user, which owns the directory.
 */
#include "common/cluster.h"
#include "common/log.h"
#include "common/sig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLUSTER_PORT 5432
#define CLUSTER_USER "postgres"

struct cluster {
	char dir[PATH_MAX];
	char datadir[PATH_MAX];
	char bindir[PATH_MAX];
	pid_t postmaster;
	int as_root; /* servers run as the postgres user */
	uid_t uid;
	gid_t gid;
	int pgss; /* pg_stat_statements preloaded */
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

static int is_exec(const char *dir, const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return access(p, X_OK) == 0;
}

static int good_bindir(const char *dir)
{
	return is_exec(dir, "initdb") && is_exec(dir, "pg_ctl") && is_exec(dir, "postgres");
}

/* Runs `pg_config --bindir` (found on PATH, no shell) and returns its output line. */
static int pg_config_bindir(char *out, size_t len)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		close(fds[0]);
		execlp("pg_config", "pg_config", "--bindir", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < len && (r = read(fds[0], out + n, len - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
	}
	close(fds[0]);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 && out[0]) ? 0 : -1;
}

int cluster_find_bindir(char *out, size_t len)
{
	const char *env = getenv("PGPB_PG_BINDIR");
	if (env && *env) {
		if (!good_bindir(env)) {
			log_error("PGPB_PG_BINDIR \"%s\" does not hold initdb, pg_ctl and postgres", env);
			return -1;
		}
		snprintf(out, len, "%s", env);
		return 0;
	}
	if (pg_config_bindir(out, len) == 0 && good_bindir(out))
		return 0;
	const char *path = getenv("PATH");
	if (path) {
		char *copy = strdup(path), *save = NULL;
		for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save))
			if (good_bindir(d)) {
				snprintf(out, len, "%s", d);
				free(copy);
				return 0;
			}
		free(copy);
	}
	DIR *dh = opendir("/usr/lib/postgresql");
	long best = -1;
	if (dh) {
		struct dirent *e;
		while ((e = readdir(dh))) {
			char *end;
			long v = strtol(e->d_name, &end, 10);
			char cand[PATH_MAX];
			snprintf(cand, sizeof cand, "/usr/lib/postgresql/%s/bin", e->d_name);
			if (*end == '\0' && end != e->d_name && v > best && good_bindir(cand)) {
				best = v;
				snprintf(out, len, "%s", cand);
			}
		}
		closedir(dh);
	}
	if (best >= 0)
		return 0;
	log_error("could not find initdb, pg_ctl and postgres (tried pg_config --bindir, PATH and /usr/lib/postgresql/*/bin)");
	log_hint("Install the Debian package \"postgresql\", or set PGPB_PG_BINDIR.");
	return -1;
}

/* fork + (drop to postgres) + exec, with stdout/stderr into logpath. Returns the pid or -1. */
static pid_t spawn(const struct cluster *c, char *const argv[], const char *logpath, int new_session)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* child: only async-signal-safe calls until exec */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (new_session)
		setsid();
	int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int in = open("/dev/null", O_RDONLY);
	if (fd < 0 || in < 0)
		_exit(126);
	dup2(in, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (c->as_root) {
		if (setgroups(0, NULL) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0)
			_exit(125);
	}
	if (chdir(c->dir) < 0)
		_exit(124);
	execv(argv[0], argv);
	_exit(127);
}

/* Waits for a child; a caught signal kills it. Returns its exit status, or -1 when killed or signalled. */
static int wait_child(pid_t pid)
{
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, 0);
		if (r == pid)
			break;
		if (r < 0 && errno == EINTR) {
			if (sig_caught())
				kill(pid, SIGTERM);
			continue;
		}
		return -1;
	}
	if (sig_caught())
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	if (dir[0])
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Prints the most telling line of a log file: the first FATAL/ERROR/PANIC, else the last line. */
static void log_tail(const char *what, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024], last[1024] = "", best[1024] = "";
	if (f) {
		while (fgets(line, sizeof line, f)) {
			line[strcspn(line, "\n")] = '\0';
			if (!line[0])
				continue;
			snprintf(last, sizeof last, "%s", line);
			if (!best[0] && (strstr(line, "FATAL") || strstr(line, "ERROR") || strstr(line, "PANIC") ||
			                 strstr(line, "invalid") || strstr(line, "error")))
				snprintf(best, sizeof best, "%s", line);
		}
		fclose(f);
	}
	log_error("%s: %s", what, best[0] ? best : last[0] ? last : "no output");
}

static void stop_postmaster(struct cluster *c)
{
	if (c->postmaster <= 0)
		return;
	/* SIGINT = fast shutdown; then SIGQUIT (immediate), then SIGKILL */
	static const int sigs[] = { SIGINT, SIGQUIT, SIGKILL };
	static const long waits_ms[] = { 60000, 10000, 10000 };
	for (size_t i = 0; i < 3; i++) {
		kill(c->postmaster, sigs[i]);
		for (long waited = 0; waited < waits_ms[i]; waited += 10) {
			int status;
			pid_t r = waitpid(c->postmaster, &status, WNOHANG);
			if (r == c->postmaster || (r < 0 && errno == ECHILD)) {
				c->postmaster = 0;
				return;
			}
			sleep_ms(10);
		}
	}
}

static int setup_dir(struct cluster *c)
{
	const char *tmp = getenv("TMPDIR");
	struct sockaddr_un sun;
	/* the socket path must fit in sun_path: fall back to /tmp when TMPDIR is long */
	if (!tmp || !*tmp || strlen(tmp) + 40 > sizeof sun.sun_path)
		tmp = "/tmp";
	snprintf(c->dir, sizeof c->dir, "%s/pgpagebench-XXXXXX", tmp);
	if (!mkdtemp(c->dir)) {
		log_error("could not create temporary directory \"%s\": %s", c->dir, strerror(errno));
		c->dir[0] = '\0';
		return -1;
	}
	snprintf(c->datadir, sizeof c->datadir, "%s/data", c->dir);
	if (c->as_root && chown(c->dir, c->uid, c->gid) < 0) {
		log_error("could not give directory \"%s\" to user \"%s\": %s", c->dir, CLUSTER_USER, strerror(errno));
		return -1;
	}
	return 0;
}

struct cluster *cluster_start(const struct cluster_opts *opts)
{
	struct cluster *c = calloc(1, sizeof *c);
	if (!c) {
		log_error("out of memory");
		return NULL;
	}
	double t0 = now_s();
	if (cluster_find_bindir(c->bindir, sizeof c->bindir) < 0)
		goto fail;
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(CLUSTER_USER);
		if (!pw) {
			log_error("running as root needs the user \"%s\" to own the temporary cluster, and it does not exist",
			          CLUSTER_USER);
			goto fail;
		}
		c->as_root = 1;
		c->uid = pw->pw_uid;
		c->gid = pw->pw_gid;
	}
	if (setup_dir(c) < 0)
		goto fail;

	char initdb[PATH_MAX], postgres[PATH_MAX], logpath[PATH_MAX], dopt[PATH_MAX + 8];
	snprintf(initdb, sizeof initdb, "%s/initdb", c->bindir);
	snprintf(postgres, sizeof postgres, "%s/postgres", c->bindir);
	snprintf(logpath, sizeof logpath, "%s/initdb.log", c->dir);
	snprintf(dopt, sizeof dopt, "--pgdata=%s", c->datadir);
	char *iargv[] = { initdb, dopt, "--username=" CLUSTER_USER, "--auth=trust", "--encoding=UTF8",
	                  "--locale=C", "--no-sync", NULL };
	pid_t pid = spawn(c, iargv, logpath, 0);
	if (pid < 0) {
		log_error("could not start initdb: %s", strerror(errno));
		goto fail;
	}
	int rc = wait_child(pid);
	if (sig_caught())
		goto fail;
	if (rc != 0) {
		log_tail("initdb failed", logpath);
		goto fail;
	}
	double t_initdb = now_s();

	/* server: settings as -c arguments (no shell, no config file editing); the user's come last and win */
	char libpath[PATH_MAX];
	snprintf(libpath, sizeof libpath, "%s/../lib/pg_stat_statements.so", c->bindir);
	c->pgss = access(libpath, R_OK) == 0;
	char sockopt[PATH_MAX + 32], portopt[32];
	snprintf(sockopt, sizeof sockopt, "unix_socket_directories=%s", c->dir);
	snprintf(portopt, sizeof portopt, "port=%d", CLUSTER_PORT);
	char *sargv[16 + 2 * 64 + 1];
	size_t n = 0;
	sargv[n++] = postgres;
	sargv[n++] = "-D";
	sargv[n++] = c->datadir;
	sargv[n++] = "-c";
	sargv[n++] = "listen_addresses=";
	sargv[n++] = "-c";
	sargv[n++] = sockopt;
	sargv[n++] = "-c";
	sargv[n++] = portopt;
	if (c->pgss) {
		sargv[n++] = "-c";
		sargv[n++] = "shared_preload_libraries=pg_stat_statements";
	}
	for (size_t i = 0; i < opts->nsettings && i < 64; i++) {
		sargv[n++] = "-c";
		sargv[n++] = (char *)opts->settings[i];
	}
	sargv[n] = NULL;
	snprintf(logpath, sizeof logpath, "%s/server.log", c->dir);
	c->postmaster = spawn(c, sargv, logpath, 1);
	if (c->postmaster < 0) {
		c->postmaster = 0;
		log_error("could not start postgres: %s", strerror(errno));
		goto fail;
	}
	char conninfo[PATH_MAX + 128];
	snprintf(conninfo, sizeof conninfo, "host=%s port=%d user=%s dbname=postgres connect_timeout=5", c->dir,
	         CLUSTER_PORT, CLUSTER_USER);
	for (;;) {
		if (sig_caught())
			goto fail;
		int status;
		pid_t r = waitpid(c->postmaster, &status, WNOHANG);
		if (r == c->postmaster) {
			c->postmaster = 0;
			log_tail("the temporary server did not start", logpath);
			goto fail;
		}
		if (PQping(conninfo) == PQPING_OK)
			break;
		if (now_s() - t0 > 120) {
			log_error("the temporary server did not accept connections within 120 s (log: %s)", logpath);
			goto fail;
		}
		sleep_ms(10);
	}
	double t_ready = now_s();
	if (opts->verbose)
		log_info("temporary cluster ready in %.2f s (initdb %.2f s, server start %.2f s) at host=%s port=%d",
		         t_ready - t0, t_initdb - t0, t_ready - t_initdb, c->dir, CLUSTER_PORT);
	return c;
fail:
	stop_postmaster(c);
	remove_tree(c->dir);
	free(c);
	return NULL;
}

const char *cluster_host(const struct cluster *c) { return c->dir; }
int cluster_port(const struct cluster *c) { (void)c; return CLUSTER_PORT; }
const char *cluster_user(const struct cluster *c) { (void)c; return CLUSTER_USER; }
const char *cluster_dir(const struct cluster *c) { return c->dir; }
const char *cluster_bindir(const struct cluster *c) { return c->bindir; }
int cluster_has_pg_stat_statements(const struct cluster *c) { return c->pgss; }

void cluster_stop(struct cluster *c)
{
	if (!c)
		return;
	stop_postmaster(c);
	remove_tree(c->dir);
	free(c);
}

void cluster_detach(struct cluster *c)
{
	if (!c)
		return;
	printf("temporary cluster left running\n");
	printf("conninfo: host=%s port=%d user=%s dbname=postgres\n", c->dir, CLUSTER_PORT, CLUSTER_USER);
	if (c->as_root)
		printf("stop it with: runuser -u %s -- %s/pg_ctl stop -D %s && rm -rf %s\n", CLUSTER_USER, c->bindir,
		       c->datadir, c->dir);
	else
		printf("stop it with: %s/pg_ctl stop -D %s && rm -rf %s\n", c->bindir, c->datadir, c->dir);
	fflush(stdout);
	free(c);
}
