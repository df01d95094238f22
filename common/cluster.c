/*
 * cluster.c: the private temporary PostgreSQL behind --ephemeral. Every test and the demo use it, so it
 * must never leave a server or a directory behind: not on error, not on SIGINT/SIGTERM, not when initdb
 * or the server refuses to start. Children are started with fork + exec (no shell ever sees user text);
 * as root they run as the "postgres" user, which owns the directory.
 */
#include "common/cluster.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/sig.h"

#include <ctype.h>
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
#include <sys/prctl.h>
#include <sys/socket.h>
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
	char logpath[PATH_MAX]; /* the server's log, <dir>/server.log */
	pid_t postmaster;
	int keep; /* --keep: the server must outlive the tool, so no parent-death signal */
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
	int status = 0;
	pid_t w;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	return (w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && out[0]) ? 0 : -1;
}


/* Bin directories are used by their resolved absolute path: the children run inside the cluster's
 * directory, where a relative PATH entry or PGPB_PG_BINDIR would point somewhere else. */
static int use_bindir(const char *dir, char *out, size_t len)
{
	char real[PATH_MAX];
	if (!realpath(dir, real) || !good_bindir(real) || strlen(real) >= len)
		return -1;
	snprintf(out, len, "%s", real);
	return 0;
}

int cluster_find_bindir(char *out, size_t len)
{
	const char *env = getenv("PGPB_PG_BINDIR");
	if (env && *env) {
		if (use_bindir(env, out, len) < 0) {
			log_error("PGPB_PG_BINDIR \"%s\" does not hold initdb, pg_ctl and postgres", env);
			return -1;
		}
		return 0;
	}
	char cand[PATH_MAX];
	if (pg_config_bindir(cand, sizeof cand) == 0 && use_bindir(cand, out, len) == 0)
		return 0;
	const char *path = getenv("PATH");
	if (path) {
		char *copy = pgpb_strdup(path), *save = NULL;
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			if (use_bindir(d, out, len) == 0) {
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
			snprintf(cand, sizeof cand, "/usr/lib/postgresql/%s/bin", e->d_name);
			if (*end == '\0' && end != e->d_name && v > best && use_bindir(cand, out, len) == 0)
				best = v;
		}
		closedir(dh);
	}
	if (best >= 0)
		return 0;
	log_error("could not find initdb, pg_ctl and postgres (tried pg_config --bindir, PATH and /usr/lib/postgresql/*/bin)");
	log_hint("Install the Debian package \"postgresql\", or set PGPB_PG_BINDIR.");
	return -1;
}

/* What a child reports through its close-on-exec pipe when it fails before exec. */
enum spawn_step { STEP_LOG = 1, STEP_USER, STEP_DIR, STEP_EXEC };
struct spawn_err {
	int step, err;
};

/*
 * fork + (as root: become postgres) + exec, with stdin from /dev/null and stdout/stderr into logpath.
 * A server gets its own session, so a terminal's ^C reaches only the tool, which then stops it in order.
 * deathsig (if not 0) is sent to the child when the tool dies without cleaning up (say, SIGKILL); it is
 * set after the change of user, which would clear it. Returns the pid, or -1 (logged).
 */
static pid_t spawn(const struct cluster *c, char *const argv[], const char *logpath, int new_session, int deathsig)
{
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0) {
		log_error("could not create a pipe: %s", strerror(errno));
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ep[0]);
		close(ep[1]);
		log_error("could not fork: %s", strerror(e));
		return -1;
	}
	if (pid == 0) {
		/* child: only async-signal-safe calls until exec */
		struct spawn_err se = { 0, 0 };
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(ep[0]);
		if (new_session)
			setsid();
		else
			setpgid(0, 0); /* a group of its own, which the tool can signal and watch as a whole */
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || in < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
			se.step = STEP_LOG;
			goto fail;
		}
		if (c->as_root && (setgroups(0, NULL) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0)) {
			se.step = STEP_USER;
			goto fail;
		}
		if (deathsig) {
			prctl(PR_SET_PDEATHSIG, deathsig);
			if (getppid() != parent) /* the tool died before prctl: start nothing */
				_exit(1);
		}
		if (chdir(c->dir) < 0) {
			se.step = STEP_DIR;
			goto fail;
		}
		execv(argv[0], argv);
		se.step = STEP_EXEC;
	fail:
		se.err = errno;
		if (write(ep[1], &se, sizeof se) < 0)
			_exit(126);
		_exit(127);
	}
	close(ep[1]);
	if (!new_session)
		setpgid(pid, pid); /* also here, so the group exists before anyone signals it (fails once exec'd) */
	struct spawn_err se = { 0, 0 };
	ssize_t r;
	while ((r = read(ep[0], &se, sizeof se)) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (r != (ssize_t)sizeof se)
		return pid; /* end of file: exec succeeded */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	const char *why = strerror(se.err);
	switch (se.step) {
	case STEP_LOG:
		log_error("could not open log file \"%s\": %s", logpath, why);
		break;
	case STEP_USER:
		log_error("could not switch to user \"%s\": %s", CLUSTER_USER, why);
		break;
	case STEP_DIR:
		if (c->as_root) {
			log_error("user \"%s\" cannot enter directory \"%s\": %s", CLUSTER_USER, c->dir, why);
			log_hint("As root, the temporary cluster runs as user %s: every parent directory of TMPDIR must be "
			         "searchable by it.", CLUSTER_USER);
		} else {
			log_error("could not enter directory \"%s\": %s", c->dir, why);
		}
		break;
	default:
		log_error("could not execute \"%s\": %s", argv[0], why);
		break;
	}
	return -1;
}

/*
 * Waits for a short-lived child (initdb) that leads its own process group. A caught signal is passed on
 * to the whole group as SIGTERM, then SIGKILL after 10 s. Polls, so a signal that arrives just before the
 * wait cannot be missed. Returns 0 and *status, or -1.
 */
static int wait_child(pid_t pid, int *status)
{
	double killed_at = 0;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (sig_caught()) {
			if (killed_at == 0) {
				kill(-pid, SIGTERM);
				killed_at = now_s();
			} else if (now_s() - killed_at > 10) {
				kill(-pid, SIGKILL);
			}
		}
		sleep_ms(10);
	}
}

/*
 * initdb runs its bootstrap backend through a shell; killed, it exits before them. Before the directory
 * is removed, every process of its group must be gone: wait (SIGKILL after 10 s, give up after 15 s).
 */
static void wait_group_gone(pid_t pgid)
{
	double t0 = now_s();
	int killed = 0;
	while (kill(-pgid, 0) == 0 || errno == EINTR) {
		if (!killed && now_s() - t0 > 10) {
			kill(-pgid, SIGKILL);
			killed = 1;
		}
		if (now_s() - t0 > 15) {
			log_warning("processes of initdb (group %d) are still running", (int)pgid);
			return;
		}
		sleep_ms(10);
	}
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	struct stat st;
	if (!dir[0])
		return;
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (lstat(dir, &st) == 0)
		log_warning("could not remove temporary directory \"%s\"", dir);
}

/*
 * The most telling line of a log file: the first FATAL/PANIC/ERROR (from its level on, without the
 * timestamp prefix) or "error" line; else, when any_line, the last line. Returns 1 when a telling line
 * was found, 0 when out holds the last line or is empty.
 */
static int log_pick(const char *path, char *out, size_t len, int any_line)
{
	static const char *const levels[] = { "PANIC:", "FATAL:", "ERROR:" };
	FILE *f = fopen(path, "r");
	char line[1024];
	int found = 0;
	out[0] = '\0';
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		const char *from = NULL;
		for (size_t i = 0; i < sizeof levels / sizeof levels[0] && !from; i++)
			from = strstr(line, levels[i]);
		if (!from && (strstr(line, "error") || strstr(line, "invalid")))
			from = line;
		if (from)
			found = 1;
		else if (!any_line)
			continue;
		else
			from = line;
		/* copy, squeezing runs of blanks (PostgreSQL puts two spaces after the level) */
		size_t o = 0;
		for (const char *p = from; *p && o + 1 < len; p++)
			if (!(isspace((unsigned char)*p) && o > 0 && out[o - 1] == ' '))
				out[o++] = isspace((unsigned char)*p) ? ' ' : *p;
		out[o] = '\0';
	}
	fclose(f);
	return found;
}

static void log_tail(const char *what, const char *path)
{
	char line[1024];
	log_pick(path, line, sizeof line, 1);
	log_error("%s: %s", what, line[0] ? line : "no output");
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

/*
 * Directories left by a killed tool. SIGKILL (the OOM killer, a CI timeout) stops the server through the
 * parent-death signal, but nothing is left to remove the directory: each one holds a whole initdb. So each
 * directory (but a --keep one) holds an "owner" file naming the tool as "pid start-time host"; the next
 * start in the same temporary directory removes those whose owner is gone and whose server is not
 * running. Owners on another host (a /tmp shared between containers) are never judged.
 */
#define OWNER_FILE "owner"

/* "pid start-time host" of a live process (start-time: /proc/<pid>/stat field 22, so a recycled pid does
 * not pass for the owner); -1 when the process does not exist. */
static int proc_identity(pid_t pid, char *out, size_t len)
{
	char path[64], line[1024], host[256] = "";
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int got = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	char *p = got ? strrchr(line, ')') : NULL; /* the command name may hold blanks and parentheses */
	unsigned long long start = 0;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
	                 &start) != 1)
		return -1;
	gethostname(host, sizeof host - 1);
	snprintf(out, len, "%ld %llu %s", (long)pid, start, host);
	return 0;
}

static int write_owner(const struct cluster *c)
{
	char id[320], path[PATH_MAX + 8];
	if (proc_identity(getpid(), id, sizeof id) < 0)
		return 0; /* no /proc: no sweeping either */
	snprintf(path, sizeof path, "%s/" OWNER_FILE, c->dir);
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%s\n", id) < 0 || fclose(f) != 0) {
		log_error("could not write file \"%s\": %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* 1 when dir was left by a dead tool on this host and no server runs in it. */
static int is_stale(const char *dir)
{
	char path[PATH_MAX + 32], owner[320], now[320], host[256] = "";
	snprintf(path, sizeof path, "%s/" OWNER_FILE, dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0; /* --keep, an older version, or still being set up */
	int got = fgets(owner, sizeof owner, f) != NULL;
	fclose(f);
	long pid = 0;
	unsigned long long start;
	char ohost[256];
	if (!got || sscanf(owner, "%ld %llu %255s", &pid, &start, ohost) != 3 || pid <= 0)
		return 0;
	gethostname(host, sizeof host - 1);
	if (strcmp(ohost, host) != 0)
		return 0;
	owner[strcspn(owner, "\n")] = '\0';
	if (proc_identity((pid_t)pid, now, sizeof now) == 0 && strcmp(now, owner) == 0)
		return 0; /* the owner runs */
	snprintf(path, sizeof path, "%s/data/postmaster.pid", dir);
	if ((f = fopen(path, "r"))) {
		long pm = 0;
		got = fscanf(f, "%ld", &pm) == 1;
		fclose(f);
		if (got && pm > 0 && (kill((pid_t)pm, 0) == 0 || errno == EPERM))
			return 0; /* a server still runs (or is shutting down): next time */
	}
	/* a server whose pid this process cannot see (another pid namespace) still answers on its socket */
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if ((size_t)snprintf(sun.sun_path, sizeof sun.sun_path, "%s/.s.PGSQL.%d", dir, CLUSTER_PORT) < sizeof sun.sun_path) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int up = fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
		if (fd >= 0)
			close(fd);
		if (up)
			return 0;
	}
	return 1;
}

/* Removes the stale pgpagebench-XXXXXX directories of base that belong to this user (or, as root, to
 * the postgres user). */
static void sweep_stale(const char *base, const struct cluster *c)
{
	DIR *d = opendir(base);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "pgpagebench-", 12) != 0 || strlen(e->d_name) != 18)
			continue;
		char dir[PATH_MAX];
		struct stat st;
		snprintf(dir, sizeof dir, "%s/%s", strcmp(base, "/") == 0 ? "" : base, e->d_name);
		if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || (st.st_uid != geteuid() && !(c->as_root && st.st_uid == c->uid)))
			continue;
		if (is_stale(dir)) {
			remove_tree(dir);
			log_info("removed \"%s\", left by an earlier run that was killed", dir);
		}
	}
	closedir(d);
}

/* Characters that need no quoting in unix_socket_directories, a conninfo string or a shell command. */
static int plain_path(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/._-+", *s))
			return 0;
	return 1;
}

static int setup_dir(struct cluster *c)
{
	const char *env = getenv("TMPDIR");
	const char *base = env && *env ? env : "/tmp";
	char real[PATH_MAX];
	struct sockaddr_un sun;
	if (!realpath(base, real)) {
		log_error("could not use temporary directory \"%s\"%s: %s", base, env && *env ? " (from TMPDIR)" : "",
		          strerror(errno));
		log_hint("Set TMPDIR to a directory you can write to.");
		return -1;
	}
	/* the socket <dir>/.s.PGSQL.5432 must fit in a socket address, and the directory is used unquoted */
	if (strlen(real) + strlen("/pgpagebench-XXXXXX/.s.PGSQL.5432") >= sizeof sun.sun_path || !plain_path(real)) {
		log_warning("temporary directory \"%s\" is too long or holds characters unsafe in a socket path: using /tmp",
		            real);
		snprintf(real, sizeof real, "/tmp");
	}
	sweep_stale(real, c);
	snprintf(c->dir, sizeof c->dir, "%s/pgpagebench-XXXXXX", strcmp(real, "/") == 0 ? "" : real);
	if (!mkdtemp(c->dir)) {
		log_error("could not create a temporary directory in \"%s\": %s", real, strerror(errno));
		log_hint("Set TMPDIR to a directory you can write to.");
		c->dir[0] = '\0';
		return -1;
	}
	if (!c->keep && write_owner(c) < 0)
		return -1;
	snprintf(c->datadir, sizeof c->datadir, "%s/data", c->dir);
	snprintf(c->logpath, sizeof c->logpath, "%s/server.log", c->dir);
	if (c->as_root && chown(c->dir, c->uid, c->gid) < 0) {
		log_error("could not give directory \"%s\" to user \"%s\": %s", c->dir, CLUSTER_USER, strerror(errno));
		return -1;
	}
	return 0;
}

/* 1 when name=value (from --pg-setting) sets the GUC name; GUC names are case-insensitive. */
static int setting_is(const char *setting, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(setting, name, n) == 0 && setting[n] == '=';
}

/* As root the cluster belongs to CLUSTER_USER (PostgreSQL refuses to run as root). 0, or -1 (logged). */
static int pick_owner(struct cluster *c)
{
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam(CLUSTER_USER);
	if (!pw) {
		log_error("running as root needs the user \"%s\" to own the temporary cluster, and it does not exist",
		          CLUSTER_USER);
		return -1;
	}
	c->as_root = 1;
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	return 0;
}

/* initdb into c->datadir, its output in initdb.log (shown when it fails). 0, or -1 (logged). */
static int run_initdb(struct cluster *c)
{
	char initdb[PATH_MAX], logpath[PATH_MAX], dopt[PATH_MAX + 8];
	snprintf(initdb, sizeof initdb, "%s/initdb", c->bindir);
	snprintf(logpath, sizeof logpath, "%s/initdb.log", c->dir);
	snprintf(dopt, sizeof dopt, "--pgdata=%s", c->datadir);
	char *iargv[] = { initdb, dopt, "--username=" CLUSTER_USER, "--auth=trust", "--encoding=UTF8",
	                  "--locale=C", "--no-sync", NULL };
	pid_t pid = spawn(c, iargv, logpath, 0, SIGTERM);
	if (pid < 0)
		return -1;
	int status;
	if (wait_child(pid, &status) < 0) {
		log_error("could not wait for initdb: %s", strerror(errno));
		kill(-pid, SIGKILL);
		wait_group_gone(pid);
		return -1;
	}
	wait_group_gone(pid);
	if (sig_caught())
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_tail("initdb failed", logpath);
		return -1;
	}
	return 0;
}

/* Starts the postmaster with its settings as -c arguments (no shell, no config file editing); the user's
 * come last and win. 0, or -1 (logged). */
static int start_server(struct cluster *c, const struct cluster_opts *opts)
{
	char postgres[PATH_MAX], libpath[PATH_MAX];
	snprintf(postgres, sizeof postgres, "%s/postgres", c->bindir);
	snprintf(libpath, sizeof libpath, "%s/../lib/pg_stat_statements.so", c->bindir);
	c->pgss = access(libpath, R_OK) == 0;
	for (size_t i = 0; i < opts->nsettings; i++)
		if (setting_is(opts->settings[i], "shared_preload_libraries"))
			c->pgss = c->pgss && strstr(opts->settings[i], "pg_stat_statements") != NULL;
	/* cluster_name shows in every server process's title, so `ps` tells which run a process belongs to */
	char sockopt[PATH_MAX + 32], portopt[32], nameopt[96];
	snprintf(sockopt, sizeof sockopt, "unix_socket_directories=%s", c->dir);
	snprintf(portopt, sizeof portopt, "port=%d", CLUSTER_PORT);
	const char *slash = strrchr(c->dir, '/');
	snprintf(nameopt, sizeof nameopt, "cluster_name=%s", strlen(c->dir) < 64 ? c->dir : slash + 1);
	char *sargv[16 + 2 * 64 + 1];
	size_t n = 0;
	sargv[n++] = postgres;
	sargv[n++] = "-D";
	sargv[n++] = c->datadir;
	char *fixed[] = { "listen_addresses=", sockopt, portopt, nameopt,
	                  c->pgss ? "shared_preload_libraries=pg_stat_statements" : NULL };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && fixed[i]; i++) {
		sargv[n++] = "-c";
		sargv[n++] = fixed[i];
	}
	for (size_t i = 0; i < opts->nsettings && i < 64; i++) {
		sargv[n++] = "-c";
		sargv[n++] = (char *)opts->settings[i];
	}
	sargv[n] = NULL;
	if (sig_caught())
		return -1;
	c->postmaster = spawn(c, sargv, c->logpath, 1, c->keep ? 0 : SIGINT);
	if (c->postmaster < 0) {
		c->postmaster = 0;
		return -1;
	}
	return 0;
}

/* Waits until the server accepts connections, it dies, a signal arrives or 120 s have passed since
 * `since`. 0, or -1 (logged). */
static int wait_ready(struct cluster *c, double since)
{
	char conninfo[PATH_MAX + 128];
	snprintf(conninfo, sizeof conninfo, "host=%s port=%d user=%s dbname=postgres connect_timeout=5", c->dir,
	         CLUSTER_PORT, CLUSTER_USER);
	for (;;) {
		int status;
		if (sig_caught())
			return -1;
		if (waitpid(c->postmaster, &status, WNOHANG) == c->postmaster) {
			c->postmaster = 0;
			log_tail("the temporary server did not start", c->logpath);
			return -1;
		}
		if (PQping(conninfo) == PQPING_OK)
			return 0;
		if (now_s() - since > 120) {
			char line[1024];
			log_pick(c->logpath, line, sizeof line, 1);
			log_error("the temporary server did not accept connections within 120 s (last log line: %s)",
			          line[0] ? line : "none");
			return -1;
		}
		sleep_ms(10);
	}
}

struct cluster *cluster_start(const struct cluster_opts *opts)
{
	struct cluster *c = pgpb_calloc(1, sizeof *c);
	c->keep = opts->keep;
	double t0 = now_s();
	if (cluster_find_bindir(c->bindir, sizeof c->bindir) < 0 || pick_owner(c) < 0)
		goto fail;
	if (sig_caught() || setup_dir(c) < 0 || run_initdb(c) < 0)
		goto fail;
	double t_initdb = now_s();
	if (start_server(c, opts) < 0 || wait_ready(c, t_initdb) < 0)
		goto fail;
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

int cluster_running(struct cluster *c)
{
	if (!c || c->postmaster <= 0)
		return 0;
	int status;
	pid_t r = waitpid(c->postmaster, &status, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return 1;
	c->postmaster = 0;
	char line[1024], how[64];
	if (r > 0 && WIFSIGNALED(status))
		snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
	else if (r > 0 && WIFEXITED(status))
		snprintf(how, sizeof how, "exit code %d", WEXITSTATUS(status));
	else
		snprintf(how, sizeof how, "gone");
	if (log_pick(c->logpath, line, sizeof line, 0))
		log_error("the temporary server exited unexpectedly (%s): %s", how, line);
	else
		log_error("the temporary server exited unexpectedly (%s)", how);
	return 0;
}

void cluster_stop(struct cluster *c)
{
	if (!c)
		return;
	stop_postmaster(c);
	remove_tree(c->dir);
	free(c);
}

int cluster_spawn(const struct cluster *c, char *const argv[], const char *logpath)
{
	pid_t pid = spawn(c, argv, logpath, 0, SIGTERM);
	return pid < 0 ? -1 : (int)pid;
}

int cluster_give(const struct cluster *c, const char *path)
{
	if (c->as_root && chown(path, c->uid, c->gid) < 0) {
		log_error("could not give file \"%s\" to user \"%s\": %s", path, CLUSTER_USER, strerror(errno));
		return -1;
	}
	return 0;
}

/* Writes s as one shell word (single-quoted unless it needs no quoting). */
static void put_shell_word(FILE *f, const char *s)
{
	if (*s && plain_path(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

void cluster_detach(struct cluster *c)
{
	if (!c)
		return;
	char pg_ctl[PATH_MAX + 8];
	snprintf(pg_ctl, sizeof pg_ctl, "%s/pg_ctl", c->bindir);
	printf("temporary cluster left running in %s\n", c->dir);
	printf("conninfo: host=%s port=%d user=%s dbname=postgres\n", c->dir, CLUSTER_PORT, CLUSTER_USER);
	printf("stop it with: ");
	if (c->as_root)
		printf("runuser -u %s -- ", CLUSTER_USER);
	put_shell_word(stdout, pg_ctl);
	printf(" stop -D ");
	put_shell_word(stdout, c->datadir);
	printf(" && rm -rf ");
	put_shell_word(stdout, c->dir);
	printf("\n");
	fflush(stdout);
	free(c);
}
