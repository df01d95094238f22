/*
 * waits.c: the wait sampler (bench/waits.h). Its thread sleeps on a condition variable until the main
 * thread opens a window, then reads pg_stat_activity on an absolute schedule (a read that runs late skips
 * the ticks it missed rather than bunching up) and adds each read to the window's counts under a mutex only
 * the main thread also takes, at the window's two edges: the engines never wait for it. The read
 * (bench/wait_sample.sql) is prepared once and groups the backends by state and wait on the server, so a
 * read costs one short round trip whatever the pool size.
 */
#include "bench/waits.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/sqlfiles.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAITS_STMT "pgpagebench_waits"
#define RESET_EVERY_NS (1000 * 1000000LL) /* a lost connection is tried again at most once a second */

struct waits_sampler {
	PGconn *conn;
	char *vals[3]; /* the filter's values, owned (NULL: no filter) */
	int new_backends; /* wait_filter.new_backends */
	int skip_own; /* wait_filter.skip_own */
	int64_t interval_ns;
	double interval_ms;
	int prepared; /* the read is prepared, else sent with its text each time */
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	int quit, counting;
	char since[64]; /* new_backends: the server's time at the last read of the last window ("" before one) */
	char window_since[64]; /* what this window's reads pass as the time backends must start at ("": all) */
	unsigned gen; /* bumped at each edge: a read begun in another window is not counted */
	struct wait_profile cur;
	uint64_t failed_total;
	char last_error[256];
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void first_line(const char *msg, char *out, size_t len)
{
	log_firstline(msg && *msg ? msg : "no message from the server", out, (unsigned)len);
}

/* Prepares the read on a fresh connection; a pooler that refuses prepared statements gets the text each time. */
static void prepare(struct waits_sampler *w)
{
	PGresult *res = PQprepare(w->conn, WAITS_STMT, sql_get("bench/wait_sample"), 5, NULL);
	w->prepared = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	/* a read never waits on a lock, but a server in trouble must not hold the thread (and the run's end) */
	PQclear(PQexec(w->conn, "SET statement_timeout = '5s'"));
}

static PGresult *read_activity(struct waits_sampler *w, const char *since)
{
	const char *vals[5] = { w->vals[0], w->vals[1], w->vals[2], since && *since ? since : NULL,
		                w->skip_own ? PGPB_PROGNAME "%" : NULL };
	if (w->prepared)
		return PQexecPrepared(w->conn, WAITS_STMT, 5, vals, NULL, NULL, 0);
	return PQexecParams(w->conn, sql_get("bench/wait_sample"), 5, NULL, vals, NULL, NULL, 0);
}

/* One read: its rows into a local profile, added to the window's under mu when the window is still the one
 * the read began in. */
static void sample(struct waits_sampler *w, unsigned gen, const char *since, int64_t *last_reset)
{
	char now[64] = "";
	struct wait_profile one;
	memset(&one, 0, sizeof one);
	char err[256] = "";
	int ok = 0;
	if (PQstatus(w->conn) == CONNECTION_BAD) {
		int64_t t = now_ns();
		if (t - *last_reset >= RESET_EVERY_NS) {
			*last_reset = t;
			PQreset(w->conn);
			if (PQstatus(w->conn) == CONNECTION_OK)
				prepare(w);
		}
	}
	if (PQstatus(w->conn) == CONNECTION_OK) {
		PGresult *res = read_activity(w, since);
		ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		if (ok) {
			for (int i = 0; i < PQntuples(res); i++) {
				snprintf(now, sizeof now, "%s", PQgetvalue(res, i, 0));
				if (PQgetisnull(res, i, 4))
					continue; /* no backend matched */
				const char *st = PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1);
				const char *ty = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
				const char *ev = PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3);
				wait_profile_add(&one, st, ty, ev, strtoull(PQgetvalue(res, i, 4), NULL, 10));
			}
		} else {
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
			first_line(msg ? msg : PQerrorMessage(w->conn), err, sizeof err);
		}
		PQclear(res);
	} else {
		first_line(PQerrorMessage(w->conn), err, sizeof err);
	}
	pthread_mutex_lock(&w->mu);
	if (!ok) {
		w->failed_total++;
		snprintf(w->last_error, sizeof w->last_error, "%s", err);
	}
	if (w->counting && w->gen == gen) {
		struct wait_profile *p = &w->cur;
		if (ok && now[0]) /* the next window's backends start after this: its step opens them later */
			snprintf(w->since, sizeof w->since, "%s", now);
		if (ok) {
			p->reads++;
			p->samples += one.samples;
			for (int c = 0; c < WAIT_NCLASSES; c++)
				p->cls[c] += one.cls[c];
			for (int k = 0; k < one.nev; k++) {
				int j = 0;
				while (j < p->nev && strcmp(p->ev[j].name, one.ev[k].name) != 0)
					j++;
				if (j < p->nev)
					p->ev[j].n += one.ev[k].n;
				else if (p->nev < WAIT_EVENTS_MAX)
					p->ev[p->nev++] = one.ev[k];
			}
		} else {
			p->failed++;
		}
	}
	pthread_mutex_unlock(&w->mu);
}

static void *sampler_main(void *arg)
{
	struct waits_sampler *w = arg;
	int64_t next = 0, last_reset = 0;
	pthread_mutex_lock(&w->mu);
	while (!w->quit) {
		if (!w->counting) {
			pthread_cond_wait(&w->cv, &w->mu);
			next = now_ns(); /* a new window: its first read at once */
			continue;
		}
		int64_t now = now_ns();
		if (now < next) {
			struct timespec ts = { next / 1000000000LL, next % 1000000000LL };
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
			continue; /* woken early by an edge or the end: look again */
		}
		unsigned gen = w->gen;
		char since[64];
		snprintf(since, sizeof since, "%s", w->window_since);
		pthread_mutex_unlock(&w->mu);
		sample(w, gen, since, &last_reset);
		next += w->interval_ns;
		now = now_ns();
		if (next <= now) /* late: the missed ticks are skipped, not made up */
			next = now + w->interval_ns - (now - next) % w->interval_ns;
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct waits_sampler *waits_start(const struct pgpb_ctx *ctx, const struct wait_filter *f, double interval_ms)
{
	/* not ctx_connect, whose failure is an error: a server short of slots costs the samples, not the run */
	struct ctx_conninfo ci;
	ctx_conninfo(ctx, "pgpagebench wait sampler", &ci);
	PGconn *conn = PQconnectdbParams(ci.keys, ci.vals, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		char msg[1024], line[512];
		conn_scrub(ctx->dbname, conn ? PQerrorMessage(conn) : "out of memory", msg, sizeof msg);
		first_line(msg, line, sizeof line);
		log_warning("wait sampling off: the sampler could not connect: %s", line);
		PQfinish(conn);
		return NULL;
	}
	struct waits_sampler *w = pgpb_calloc(1, sizeof *w);
	w->conn = conn;
	const char *fv[3] = { f->appname, f->datname, f->usename };
	for (int i = 0; i < 3; i++)
		w->vals[i] = fv[i] ? pgpb_strdup(fv[i]) : NULL;
	w->new_backends = f->new_backends;
	w->skip_own = f->skip_own;
	w->interval_ms = interval_ms;
	w->interval_ns = (int64_t)(interval_ms * 1e6);
	if (w->interval_ns < 1000000)
		w->interval_ns = 1000000;
	prepare(w);
	/* the read must work now: a role that cannot run it is told before the first step */
	PGresult *res = read_activity(w, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char line[256];
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		first_line(msg ? msg : PQerrorMessage(conn), line, sizeof line);
		log_warning("wait sampling off: could not read pg_stat_activity: %s", line);
		PQclear(res);
		waits_stop(w);
		return NULL;
	}
	PQclear(res);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->mu, NULL);
	/* the thread takes no signals: the main thread sees SIGINT and ends the run */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = pthread_create(&w->th, NULL, sampler_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) /* its own name in top and /proc, so its CPU time can be read apart (docs/run.md) */
		pthread_setname_np(w->th, "pgpb-waits");
	w->started = 1;
	if (rc != 0) {
		w->started = 0;
		log_warning("wait sampling off: could not start its thread: %s", strerror(rc));
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		PQfinish(w->conn);
		for (int i = 0; i < 3; i++)
			free(w->vals[i]);
		free(w);
		return NULL;
	}
	return w;
}

void waits_begin(struct waits_sampler *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	snprintf(w->window_since, sizeof w->window_since, "%s", w->new_backends ? w->since : "");
	memset(&w->cur, 0, sizeof w->cur);
	w->cur.interval_ms = w->interval_ns / 1e6;
	w->counting = 1;
	w->gen++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void waits_end(struct waits_sampler *w, struct wait_profile *out)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	*out = w->cur;
	w->counting = 0;
	w->gen++;
	pthread_mutex_unlock(&w->mu);
}

void waits_stop(struct waits_sampler *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->quit = 1;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		if (w->failed_total)
			log_warning("the wait sampler's reads failed %llu time%s (last: %s): those windows have fewer samples",
			            (unsigned long long)w->failed_total, w->failed_total == 1 ? "" : "s", w->last_error);
	}
	PQfinish(w->conn);
	for (int i = 0; i < 3; i++)
		free(w->vals[i]);
	free(w);
}

/* "45.2%" of n in total. */
static void pct(uint64_t n, uint64_t total, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f%%", total ? 100.0 * (double)n / (double)total : 0.0);
}

void waits_print(const char *const *steps, const struct wait_profile *const *profiles, int n)
{
	waits_print_as("where the server time goes (pg_stat_activity every %g ms; idle = client side, between queries)",
	               steps, profiles, n);
}

void waits_print_as(const char *heading, const char *const *steps, const struct wait_profile *const *profiles, int n)
{
	int any = 0, hidden = 0;
	double interval = WAITS_DEFAULT_INTERVAL_MS;
	for (int i = 0; i < n; i++) {
		if (profiles[i] && !any)
			interval = profiles[i]->interval_ms;
		any |= profiles[i] != NULL;
	}
	if (!any)
		return;
	putchar('\n');
	printf(heading, interval);
	printf(":\n");
	for (int i = 0; i < n; i++) {
		const struct wait_profile *p = profiles[i];
		if (!p)
			continue;
		char cpu[16], idle[16], line[512];
		pct(p->cls[WAIT_CPU], p->samples, cpu, sizeof cpu);
		pct(p->cls[WAIT_IDLE] + p->cls[WAIT_IDLE_XACT], p->samples, idle, sizeof idle);
		int len = snprintf(line, sizeof line, "  %s: cpu %s, idle %s", steps[i], cpu, idle);
		/* the largest waiting class, and its top event */
		int best = -1;
		for (int c = WAIT_IO; c <= WAIT_EXTENSION; c++)
			if (p->cls[c] && (best < 0 || p->cls[c] > p->cls[best]))
				best = c;
		if (best >= 0 && len > 0 && (size_t)len < sizeof line) {
			char s[16];
			pct(p->cls[best], p->samples, s, sizeof s);
			len += snprintf(line + len, sizeof line - (size_t)len, ", %s %s", wait_class_names[best], s);
			int top;
			if (wait_profile_top(p, &top, 1) == 1 && len > 0 && (size_t)len < sizeof line) {
				pct(p->ev[top].n, p->samples, s, sizeof s);
				len += snprintf(line + len, sizeof line - (size_t)len, ", top wait %s %s", p->ev[top].name, s);
			}
		}
		if (p->cls[WAIT_HIDDEN] && len > 0 && (size_t)len < sizeof line) {
			char s[16];
			pct(p->cls[WAIT_HIDDEN], p->samples, s, sizeof s);
			len += snprintf(line + len, sizeof line - (size_t)len, ", hidden %s", s);
			hidden = 1;
		}
		printf("%s (%llu samples%s)\n", line, (unsigned long long)p->samples,
		       p->samples < WAIT_MIN_SAMPLES ? ", too few to trust" : "");
	}
	if (hidden)
		log_hint("Hidden backends are another role's (pg_read_all_stats, or that role, shows their state) or still "
		         "starting (a pool opening a connection).");
	fflush(stdout);
}
