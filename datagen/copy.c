/*
 * copy.c: the parallel load. The rows are cut into chunks (a contiguous id range of one table); one
 * thread per connection generates rows straight into a COPY binary buffer and streams them. With no more
 * connections than tables (freeze mode), each table goes whole to one connection, truncated and COPYed
 * with FREEZE in one transaction: rows land frozen and all-visible, so the index builds, checksums and
 * VACUUM after the load do not have to set hint bits or rewrite every page. With more connections (chunk
 * mode), each takes the next chunk of any table, one COPY per chunk. A connection with no COPY left runs
 * the jobs of finish.c. The main thread only watches: progress on a TTY, signals (which abort the COPYs
 * in flight and cancel the jobs, leaving the dataset state 'loading'), and the test pause
 * (PGPB_DATAGEN_TEST_PAUSE, see docs/datagen.md).
 */
#include "datagen/copy.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/sig.h"
#include "datagen/clock.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FLUSH_BYTES (256 * 1024)

struct item {
	enum datagen_table table;
	int kind; /* 0 users, 1 records, 2 record tags, 3 user tags */
	int64_t chunk;
};

struct copy_state {
	const struct datagen_plan *plan;
	struct item *items;
	int64_t nitems;
	atomic_llong next;
	atomic_llong done[DATAGEN_NTABLES];
	atomic_int stop, paused, running;
	atomic_int password_ready; /* the main thread computes it while the first COPYs run */
	atomic_llong remaining[DATAGEN_NTABLES]; /* chunks not yet committed, per table */
	struct datagen_jobs *jobs; /* what the connections do after their COPYs */
	int64_t pause_rows; /* test pause: 0 = none */
	int freeze; /* 1: each table on one connection (COPY FREEZE); 0: chunks of any table on any connection */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char error[512]; /* first failure */
	double t0, start[DATAGEN_NTABLES], end[DATAGEN_NTABLES];
};

struct worker {
	struct copy_state *st;
	PGconn *conn;
	int64_t lane_first, lane_end; /* freeze mode: items [first, end) are this worker's */
	int pause_done; /* the test pause happens once */
	pthread_t thread;
};

static void fail(struct copy_state *st, const char *fmt, const char *detail)
{
	pthread_mutex_lock(&st->mu);
	if (!st->error[0]) {
		char line[400];
		snprintf(st->error, sizeof st->error, fmt, log_firstline(detail, line, sizeof line));
	}
	pthread_mutex_unlock(&st->mu);
	atomic_store(&st->stop, 1);
	datagen_jobs_stop(st->jobs);
}

static int64_t total_done(struct copy_state *st)
{
	int64_t n = 0;
	for (int t = 0; t < DATAGEN_NTABLES; t++)
		n += atomic_load(&st->done[t]);
	return n;
}

/* Sends the buffer; 0 = go on, -1 = stop (error, signal, or another worker failed). */
static int send_buf(struct worker *w, struct datagen_buf *b, enum datagen_table t, int64_t rows)
{
	struct copy_state *st = w->st;
	if (b->len && PQputCopyData(w->conn, (const char *)b->data, (int)b->len) != 1) {
		fail(st, "could not send COPY data: %s", PQerrorMessage(w->conn));
		return -1;
	}
	b->len = 0;
	atomic_fetch_add(&st->done[t], rows);
	if (st->pause_rows && !w->pause_done && total_done(st) >= st->pause_rows) {
		atomic_store(&st->paused, 1);
		w->pause_done = 1;
		/* until a signal, or until the server closes this connection (the test of a lost server): then
		 * the load goes on and the next libpq call reports the server's error */
		struct pollfd pfd = { .fd = PQsocket(w->conn), .events = POLLIN };
		while (!atomic_load(&st->stop) && poll(&pfd, 1, 10) == 0)
			;
	}
	return atomic_load(&st->stop) ? -1 : 0;
}

/* Starts one COPY of table t (with FREEZE when the table was truncated in this transaction). */
static int copy_begin(struct worker *w, enum datagen_table t, int freeze, struct datagen_buf *b)
{
	struct copy_state *st = w->st;
	while (t == DATAGEN_USERS && !atomic_load(&st->password_ready) && !atomic_load(&st->stop)) {
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	char sql[256];
	snprintf(sql, sizeof sql, "COPY %s FROM STDIN (FORMAT binary%s)", datagen_copy_columns(t), freeze ? ", FREEZE" : "");
	PGresult *res = PQexec(w->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		fail(st, "could not start COPY: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	pthread_mutex_lock(&st->mu);
	double now = datagen_now() - st->t0;
	if (st->start[t] < 0)
		st->start[t] = now;
	pthread_mutex_unlock(&st->mu);
	b->len = 0;
	datagen_copy_header(b);
	return 0;
}

/* Generates the rows of one chunk into the COPY in progress. */
static int copy_rows(struct worker *w, const struct item *it, struct datagen_buf *b)
{
	const struct datagen_plan *p = w->st->plan;
	int64_t lo, hi, pending = 0, id;
	int rc = 0;
	if (it->kind == 0 || it->kind == 3) {
		lo = it->chunk * p->uchunk;
		hi = lo + p->uchunk < p->users ? lo + p->uchunk : p->users;
	} else {
		lo = it->chunk * p->chunk;
		hi = lo + p->chunk < p->records ? lo + p->chunk : p->records;
	}
	id = it->kind == 2 ? p->rec_tag_off[it->chunk] : it->kind == 3 ? p->user_tag_off[it->chunk] : 0;
	for (int64_t i = lo; i < hi && rc == 0; i++) {
		switch (it->kind) {
		case 0: datagen_row_user(p, i, b), pending++; break;
		case 1: datagen_row_record(p, i, b), pending++; break;
		case 2: {
			int n = datagen_record_tags(p, i, id, b);
			id += n, pending += n;
			break;
		}
		default: {
			int n = datagen_user_tags(p, i, id, b);
			id += n, pending += n;
		}
		}
		if (b->len >= FLUSH_BYTES) {
			rc = send_buf(w, b, it->table, pending);
			pending = 0;
		}
	}
	if (rc == 0 && pending)
		rc = send_buf(w, b, it->table, pending);
	return rc;
}

/* Ends the COPY in progress: rc < 0 aborts it. Returns 0 when it succeeded. */
static int copy_end(struct worker *w, enum datagen_table t, int rc, struct datagen_buf *b)
{
	struct copy_state *st = w->st;
	if (rc == 0) {
		datagen_copy_trailer(b);
		rc = send_buf(w, b, t, 0);
	}
	if (PQputCopyEnd(w->conn, rc == 0 ? NULL : "datagen stopped") != 1 && rc == 0) {
		fail(st, "could not end COPY: %s", PQerrorMessage(w->conn));
		rc = -1;
	}
	PGresult *res;
	while ((res = PQgetResult(w->conn)) != NULL) {
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
			fail(st, "COPY failed: %s", PQresultErrorMessage(res));
			rc = -1;
		}
		PQclear(res);
	}
	if (rc == 0) {
		pthread_mutex_lock(&st->mu);
		st->end[t] = datagen_now() - st->t0;
		pthread_mutex_unlock(&st->mu);
	}
	return rc;
}

static int exec_cmd(struct worker *w, const char *sql)
{
	PGresult *res = PQexec(w->conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fail(w->st, "could not prepare the table: %s", PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Freeze mode: this worker owns whole tables (its lane): per table one transaction that truncates it and
 * COPYs every chunk with FREEZE, so the rows are written frozen and VACUUM has nothing left to do. */
static int run_lane(struct worker *w, struct datagen_buf *b)
{
	struct copy_state *st = w->st;
	int rc = 0;
	for (int64_t k = w->lane_first; k < w->lane_end && rc == 0;) {
		enum datagen_table t = st->items[k].table;
		char sql[64];
		snprintf(sql, sizeof sql, "TRUNCATE %s", datagen_table_names[t]);
		if (exec_cmd(w, "BEGIN") < 0 || exec_cmd(w, sql) < 0 || copy_begin(w, t, 1, b) < 0)
			return -1;
		for (; k < w->lane_end && st->items[k].table == t && rc == 0; k++)
			rc = copy_rows(w, &st->items[k], b);
		rc = copy_end(w, t, rc, b);
		if (rc == 0)
			rc = exec_cmd(w, "COMMIT");
		else
			PQclear(PQexec(w->conn, "ROLLBACK"));
		if (rc == 0)
			datagen_jobs_loaded(st->jobs, t);
	}
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct copy_state *st = w->st;
	struct datagen_buf b = { 0 };
	datagen_buf_reserve(&b, FLUSH_BYTES + 65536);
	if (st->freeze)
		run_lane(w, &b);
	else
		for (;;) { /* chunk mode: the next chunk of any table, one COPY each */
			if (atomic_load(&st->stop))
				break;
			int64_t k = atomic_fetch_add(&st->next, 1);
			if (k >= st->nitems)
				break;
			const struct item *it = &st->items[k];
			if (copy_begin(w, it->table, 0, &b) < 0 || copy_end(w, it->table, copy_rows(w, it, &b), &b) < 0)
				break;
			if (atomic_fetch_sub(&st->remaining[it->table], 1) == 1)
				datagen_jobs_loaded(st->jobs, it->table);
		}
	datagen_buf_free(&b);
	/* then the keys, indexes, checksums and VACUUM, side by side with the COPYs still running */
	if (!atomic_load(&st->stop))
		datagen_jobs_work(st->jobs, w->conn);
	pthread_mutex_lock(&st->mu);
	atomic_fetch_sub(&st->running, 1);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

static void fmt_rate(double v, char *out, size_t len)
{
	if (v >= 1e6)
		snprintf(out, len, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(out, len, "%.1fk", v / 1e3);
	else
		snprintf(out, len, "%.0f", v);
}

/* Redraws one line a table on stderr: a bar, rows, rows/s, ETA. */
static void draw(struct copy_state *st, const int64_t *total, int redraw)
{
	double t = datagen_now() - st->t0;
	if (redraw)
		fprintf(stderr, "\033[%dA", DATAGEN_NTABLES);
	for (int k = 0; k < DATAGEN_NTABLES; k++) {
		int64_t d = atomic_load(&st->done[k]);
		double frac = total[k] ? (double)d / (double)total[k] : 1;
		char bar[31];
		int fill = (int)(frac * 30);
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		double until = d >= total[k] && st->end[k] >= 0 ? st->end[k] : t; /* a finished table keeps its rate */
		double since = st->start[k] >= 0 ? until - st->start[k] : 0;
		double rate = since > 0 ? (double)d / since : 0;
		char r[32], eta[32] = "";
		fmt_rate(rate, r, sizeof r);
		if (d >= total[k])
			snprintf(eta, sizeof eta, "done");
		else if (rate > 0)
			snprintf(eta, sizeof eta, "ETA %.0fs", (double)(total[k] - d) / rate);
		fprintf(stderr, "\r\033[K%-10s [%s] %3.0f%% %11lld rows %8s rows/s %s\n", datagen_table_names[k], bar,
		        frac * 100, (long long)d, r, eta);
	}
	fflush(stderr);
}

/* ---- the loader: datagen_load in its phases ------------------------------------------------------ */

/* One datagen_load: the state the workers share, the workers, and what the main thread watches with. */
struct load {
	struct copy_state st;
	struct worker *w; /* owned: one a connection */
	PGcancel **cancel; /* owned: one a connection */
	PGconn **conns;
	int nconns, started, progress;
	int64_t total[DATAGEN_NTABLES]; /* rows to load, per table */
	int drawn, bars_final, pause_told, cancelled; /* what the watch loop has done so far */
	double next_draw;
};

static int64_t total_rows(const struct load *ld)
{
	return ld->total[0] + ld->total[1] + ld->total[2];
}

/* Freeze mode: each table goes whole to the least loaded connection, by a rough cost of its rows. */
static void assign_lanes(const struct datagen_plan *plan, int nconns, int lane_of[DATAGEN_NTABLES])
{
	double cost[DATAGEN_NTABLES] = { 3.0 * (double)plan->users, 2.8 * (double)plan->records,
		                         (double)(plan->rec_tags + plan->user_tags) };
	double load[DATAGEN_NTABLES] = { 0, 0, 0 };
	int order[DATAGEN_NTABLES] = { DATAGEN_RECORDS, DATAGEN_TAGS, DATAGEN_USERS };
	for (int k = 0; k < DATAGEN_NTABLES; k++) {
		int best = 0;
		for (int l = 1; l < nconns; l++)
			if (load[l] < load[best])
				best = l;
		lane_of[order[k]] = best;
		load[best] += cost[order[k]];
	}
}

/* The list of chunks to COPY: in freeze mode one lane (a run of whole tables) a connection, in chunk
 * mode one shared list; and, per table, how many chunks must commit before its jobs may start. */
static void plan_items(struct load *ld)
{
	struct copy_state *st = &ld->st;
	const struct datagen_plan *plan = st->plan;
	int lane_of[DATAGEN_NTABLES] = { 0, 0, 0 };
	if (st->freeze)
		assign_lanes(plan, ld->nconns, lane_of);
	int64_t n = 0;
	for (int l = 0; l < (st->freeze ? ld->nconns : 1); l++) {
		ld->w[l].lane_first = n;
		if (st->freeze) {
			for (int64_t c = 0; c < plan->nchunks && lane_of[DATAGEN_RECORDS] == l; c++)
				st->items[n++] = (struct item){ DATAGEN_RECORDS, 1, c };
			for (int64_t c = 0; c < plan->nchunks && lane_of[DATAGEN_TAGS] == l; c++)
				st->items[n++] = (struct item){ DATAGEN_TAGS, 2, c };
		} else {
			/* record and tag chunks alternate so the connections mostly write to different tables */
			for (int64_t c = 0; c < plan->nchunks; c++) {
				st->items[n++] = (struct item){ DATAGEN_RECORDS, 1, c };
				st->items[n++] = (struct item){ DATAGEN_TAGS, 2, c };
			}
		}
		for (int64_t c = 0; c < plan->nuchunks && lane_of[DATAGEN_TAGS] == l; c++)
			st->items[n++] = (struct item){ DATAGEN_TAGS, 3, c };
		/* users last: their rows wait for the password hash */
		for (int64_t c = 0; c < plan->nuchunks && lane_of[DATAGEN_USERS] == l; c++)
			st->items[n++] = (struct item){ DATAGEN_USERS, 0, c };
		ld->w[l].lane_end = n;
	}
	for (int64_t k = 0; k < n; k++)
		atomic_fetch_add(&st->remaining[st->items[k].table], 1);
}

/* Sets up everything before the threads start; -1 (logged) when the job pool cannot be built. */
static int load_init(struct load *ld, struct datagen_plan *plan, PGconn **conns, int nconns, int with_indexes,
                     int progress)
{
	memset(ld, 0, sizeof *ld);
	struct copy_state *st = &ld->st;
	st->plan = plan;
	st->jobs = datagen_jobs_new(with_indexes);
	if (!st->jobs)
		return -1;
	ld->conns = conns;
	ld->nconns = nconns;
	ld->progress = progress;
	st->nitems = plan->nuchunks * 2 + plan->nchunks * 2;
	st->items = pgpb_reallocarray(NULL, (size_t)st->nitems, sizeof *st->items);
	ld->w = pgpb_calloc((size_t)nconns, sizeof *ld->w);
	ld->cancel = pgpb_calloc((size_t)nconns, sizeof *ld->cancel);
	/* freeze mode while there are no more connections than tables (the usual case on a small machine) */
	st->freeze = nconns <= DATAGEN_NTABLES;
	plan_items(ld);
	for (int i = 0; i < nconns; i++)
		ld->cancel[i] = PQgetCancel(conns[i]);
	ld->total[DATAGEN_USERS] = plan->users;
	ld->total[DATAGEN_RECORDS] = plan->records;
	ld->total[DATAGEN_TAGS] = plan->rec_tags + plan->user_tags;
	const char *pause = getenv("PGPB_DATAGEN_TEST_PAUSE");
	if (pause && *pause)
		st->pause_rows = (int64_t)(atof(pause) * (double)total_rows(ld));
	if (st->pause_rows < 0)
		st->pause_rows = 0;
	for (int k = 0; k < DATAGEN_NTABLES; k++)
		st->start[k] = st->end[k] = -1;
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cv, NULL);
	st->t0 = datagen_now();
	return 0;
}

/* One thread a connection. The workers never see SIGINT/SIGTERM: the main thread takes them and tells
 * the workers to stop. */
static void start_workers(struct load *ld)
{
	struct copy_state *st = &ld->st;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < ld->nconns; i++) {
		struct worker *w = &ld->w[i];
		w->st = st;
		w->conn = ld->conns[i];
		atomic_fetch_add(&st->running, 1);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			atomic_fetch_sub(&st->running, 1);
			fail(st, "could not start a thread: %s", strerror(errno));
			break;
		}
		ld->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* A signal: stop the COPYs at their next buffer, and cancel the statements running. */
static void stop_on_signal(struct load *ld)
{
	if (!sig_caught() || ld->cancelled)
		return;
	ld->cancelled = 1;
	atomic_store(&ld->st.stop, 1);
	datagen_jobs_stop(ld->st.jobs);
	for (int i = 0; i < ld->nconns; i++) {
		char e[256];
		if (ld->cancel[i])
			PQcancel(ld->cancel[i], e, sizeof e);
	}
}

/* Progress on stderr, five times a second: the bars while rows are sent, then the running jobs. */
static void show_progress(struct load *ld)
{
	if (!ld->progress || datagen_now() < ld->next_draw)
		return;
	if (!ld->bars_final) {
		draw(&ld->st, ld->total, ld->drawn);
		ld->drawn = 1;
		ld->bars_final = total_done(&ld->st) >= total_rows(ld);
	} else {
		char line[512];
		datagen_jobs_status(ld->st.jobs, line, sizeof line);
		fprintf(stderr, "\r\033[K%.*s", 200, line);
		fflush(stderr);
	}
	ld->next_draw = datagen_now() + 0.2;
}

/* The main thread while the workers run: signals, the test pause's message, progress. */
static void watch(struct load *ld)
{
	struct copy_state *st = &ld->st;
	pthread_mutex_lock(&st->mu);
	while (atomic_load(&st->running) > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000)
			ts.tv_sec++, ts.tv_nsec -= 1000000000;
		pthread_cond_timedwait(&st->cv, &st->mu, &ts);
		pthread_mutex_unlock(&st->mu);
		stop_on_signal(ld);
		if (atomic_load(&st->paused) && !ld->pause_told) {
			fprintf(stderr, "%s: datagen: test pause after %lld of %lld rows; waiting for a signal\n", PGPB_PROGNAME,
			        (long long)total_done(st), (long long)total_rows(ld));
			fflush(stderr);
			ld->pause_told = 1;
		}
		show_progress(ld);
		pthread_mutex_lock(&st->mu);
	}
	pthread_mutex_unlock(&st->mu);
	for (int i = 0; i < ld->started; i++)
		pthread_join(ld->w[i].thread, NULL);
	if (ld->progress) {
		if (!ld->bars_final)
			draw(st, ld->total, ld->drawn);
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}

/* After the workers ended: the COPY timings into out, the jobs' checksums into fout; 0, or -1 when a
 * signal, a COPY or a job stopped the load. */
static int load_result(struct load *ld, int verbose, struct datagen_copy_result *out, struct datagen_finish_result *fout)
{
	struct copy_state *st = &ld->st;
	int rc = 0;
	out->total_seconds = 0;
	if (sig_caught())
		rc = -1;
	else if (st->error[0]) {
		log_error("%s", st->error);
		rc = -1;
	} else if (datagen_jobs_result(st->jobs, st->t0, verbose, fout) < 0)
		rc = -1;
	for (int k = 0; k < DATAGEN_NTABLES; k++) {
		out->rows[k] = atomic_load(&st->done[k]);
		out->seconds[k] = st->start[k] >= 0 && st->end[k] >= st->start[k] ? st->end[k] - st->start[k] : 0;
		if (st->end[k] > out->total_seconds)
			out->total_seconds = st->end[k];
	}
	return rc;
}

static void load_free(struct load *ld)
{
	for (int i = 0; i < ld->nconns; i++)
		PQfreeCancel(ld->cancel[i]);
	free(ld->cancel);
	datagen_jobs_free(ld->st.jobs);
	pthread_mutex_destroy(&ld->st.mu);
	pthread_cond_destroy(&ld->st.cv);
	free(ld->st.items);
	free(ld->w);
}

int datagen_load(struct datagen_plan *plan, PGconn **conns, int nconns, int with_indexes, int progress, int verbose,
                 struct datagen_copy_result *out, struct datagen_finish_result *fout)
{
	struct load ld;
	if (load_init(&ld, plan, conns, nconns, with_indexes, progress) < 0)
		return -1;
	start_workers(&ld);
	/* the password hash while the first COPYs run: the auth_user rows wait for it */
	datagen_plan_password(plan);
	atomic_store(&ld.st.password_ready, 1);
	watch(&ld);
	int rc = load_result(&ld, verbose, out, fout);
	load_free(&ld);
	return rc;
}
