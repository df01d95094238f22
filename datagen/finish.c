/*
 * finish.c: everything after the COPYs, as a pool of jobs the loading connections take up as soon as
 * their COPYs are done: the statements of schema/keys.sql and schema/indexes.sql (one a line), the
 * per-table checksums and VACUUM (ANALYZE). A job starts only when its tables are loaded, its
 * dependencies are done (a foreign key needs the referenced key, VACUUM comes last on its table) and the
 * lock it takes does not conflict with a job running on the same table, so no connection sits waiting
 * on a lock while another job could run, and one table's indexes are built while another still loads.
 */
#include "datagen/finish.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/sqlfiles.h"
#include "datagen/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JOBS 64

/* the table-level locks the statements take (PostgreSQL's names), and which pairs conflict */
enum { L_ACCESS_SHARE, L_SHARE_UPDATE_EXCLUSIVE, L_SHARE, L_SHARE_ROW_EXCLUSIVE, L_ACCESS_EXCLUSIVE };
static const unsigned conflicts[5] = {
	[L_ACCESS_SHARE] = 1u << L_ACCESS_EXCLUSIVE,
	[L_SHARE_UPDATE_EXCLUSIVE] = 1u << L_SHARE_UPDATE_EXCLUSIVE | 1u << L_SHARE | 1u << L_SHARE_ROW_EXCLUSIVE |
	                             1u << L_ACCESS_EXCLUSIVE,
	[L_SHARE] = 1u << L_SHARE_UPDATE_EXCLUSIVE | 1u << L_SHARE_ROW_EXCLUSIVE | 1u << L_ACCESS_EXCLUSIVE,
	[L_SHARE_ROW_EXCLUSIVE] = 1u << L_SHARE_UPDATE_EXCLUSIVE | 1u << L_SHARE | 1u << L_SHARE_ROW_EXCLUSIVE |
	                          1u << L_ACCESS_EXCLUSIVE,
	[L_ACCESS_EXCLUSIVE] = 0x1f,
};

enum kind { K_INDEX, K_CHECKSUM, K_CONSTRAINT, K_FOREIGN_KEY, K_VACUUM };
enum state { J_WAITING, J_RUNNING, J_DONE };

struct job {
	char *sql; /* owned */
	char name[64];
	enum kind kind;
	int ntab, tab[2], mode[2];
	uint64_t deps; /* bit i: job i must be done first */
	enum state state;
	char using_index[64]; /* ADD CONSTRAINT ... USING INDEX this */
	int64_t count, sum; /* checksums */
	double t_start, t_end;
};

struct datagen_jobs {
	struct job jobs[MAX_JOBS];
	int njobs, ndone;
	int held[DATAGEN_NTABLES][5]; /* running jobs per table and lock mode */
	int loaded[DATAGEN_NTABLES]; /* a job waits until the COPY of each of its tables committed */
	int stop;
	char error[512];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	double t_first, t_last; /* first job start, last job end */
};

static int table_index(const char *s, size_t n)
{
	for (int t = 0; t < DATAGEN_NTABLES; t++)
		if (strlen(datagen_table_names[t]) == n && strncmp(datagen_table_names[t], s, n) == 0)
			return t;
	return -1;
}

/* The identifier after `key` in line (our own SQL: plain lower-case names), copied to out. */
static int word_after(const char *line, const char *key, char *out, size_t len)
{
	const char *p = strstr(line, key);
	if (!p)
		return -1;
	p += strlen(key);
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (n == 0 || n >= len)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int add_job(struct datagen_jobs *st, const char *line, size_t n, const char *file)
{
	if (st->njobs == MAX_JOBS) {
		log_error("internal error: too many statements in %s.sql", file);
		return -1;
	}
	struct job *j = &st->jobs[st->njobs];
	memset(j, 0, sizeof *j);
	j->sql = pgpb_malloc(n + 1);
	memcpy(j->sql, line, n);
	j->sql[n] = '\0';
	char tab[64] = "", ref[64] = "", *idx = j->using_index;
	int ok;
	if (strncmp(j->sql, "CREATE ", 7) == 0) {
		j->kind = K_INDEX;
		ok = word_after(j->sql, "IF NOT EXISTS ", j->name, sizeof j->name) == 0 &&
		     word_after(j->sql, " ON ", tab, sizeof tab) == 0;
		j->mode[0] = L_SHARE;
	} else if (strncmp(j->sql, "SELECT count", 12) == 0) {
		j->kind = K_CHECKSUM;
		ok = word_after(j->sql, " FROM ", tab, sizeof tab) == 0;
		snprintf(j->name, sizeof j->name, "checksum %s", tab);
		j->mode[0] = L_ACCESS_SHARE;
	} else if (strncmp(j->sql, "VACUUM", 6) == 0) {
		j->kind = K_VACUUM;
		ok = word_after(j->sql, "(ANALYZE) ", tab, sizeof tab) == 0;
		snprintf(j->name, sizeof j->name, "vacuum analyze %s", tab);
		j->mode[0] = L_SHARE_UPDATE_EXCLUSIVE;
	} else {
		ok = word_after(j->sql, "ALTER TABLE ", tab, sizeof tab) == 0 &&
		     word_after(j->sql, "ADD CONSTRAINT ", j->name, sizeof j->name) == 0;
		if (strstr(j->sql, "FOREIGN KEY")) {
			j->kind = K_FOREIGN_KEY;
			ok = ok && word_after(j->sql, "REFERENCES ", ref, sizeof ref) == 0;
			j->mode[0] = j->mode[1] = L_SHARE_ROW_EXCLUSIVE;
		} else {
			j->kind = K_CONSTRAINT;
			j->mode[0] = L_ACCESS_EXCLUSIVE;
			if (strstr(j->sql, "USING INDEX "))
				ok = ok && word_after(j->sql, "USING INDEX ", idx, sizeof j->using_index) == 0;
		}
	}
	j->tab[0] = table_index(tab, strlen(tab));
	j->ntab = 1;
	if (ref[0]) {
		j->tab[1] = table_index(ref, strlen(ref));
		if (j->tab[1] != j->tab[0])
			j->ntab = 2;
		ok = ok && j->tab[1] >= 0;
	}
	if (!ok || j->tab[0] < 0) {
		log_error("internal error: cannot tell the table of this statement in %s.sql: %.80s", file, j->sql);
		free(j->sql);
		return -1;
	}
	st->njobs++;
	return 0;
}

/* Priority: the index builds (they share their tables), biggest table first, then the checksums, the
 * constraints they enable, the foreign keys, and VACUUM last. Then each job's dependencies. */
static int job_rank(const struct job *j)
{
	static const int table_weight[DATAGEN_NTABLES] = { 2, 0, 1 }; /* record, tag, auth_user */
	return (int)j->kind * 8 + table_weight[j->tab[0]] * 2 + (strncmp(j->sql, "CREATE UNIQUE", 13) != 0);
}

static void order_jobs(struct datagen_jobs *st)
{
	for (int i = 1; i < st->njobs; i++) /* stable insertion sort: a few dozen jobs */
		for (int k = i; k > 0 && job_rank(&st->jobs[k - 1]) > job_rank(&st->jobs[k]); k--) {
			struct job t = st->jobs[k];
			st->jobs[k] = st->jobs[k - 1];
			st->jobs[k - 1] = t;
		}
	for (int i = 0; i < st->njobs; i++) {
		struct job *j = &st->jobs[i];
		for (int k = 0; k < st->njobs; k++) {
			struct job *o = &st->jobs[k];
			if (k == i)
				continue;
			if (j->using_index[0] && o->kind == K_INDEX && strcmp(o->name, j->using_index) == 0)
				j->deps |= UINT64_C(1) << k;
			/* a foreign key needs the referenced table's keys (constraints and their unique indexes) */
			if (j->kind == K_FOREIGN_KEY && o->tab[0] == j->tab[1] &&
			    (o->kind == K_CONSTRAINT || (o->kind == K_INDEX && strncmp(o->sql, "CREATE UNIQUE", 13) == 0)))
				j->deps |= UINT64_C(1) << k;
			/* VACUUM (ANALYZE) after everything else on its table */
			if (j->kind == K_VACUUM && o->kind != K_VACUUM)
				for (int t = 0; t < o->ntab; t++)
					if (o->tab[t] == j->tab[0])
						j->deps |= UINT64_C(1) << k;
		}
	}
}

static int add_file(struct datagen_jobs *st, const char *file)
{
	const char *sql = sql_get(file);
	if (!sql) {
		log_error("internal error: no embedded SQL file \"%s\"", file);
		return -1;
	}
	for (const char *p = sql; *p;) {
		size_t n = strcspn(p, "\n");
		if (n > 0 && strncmp(p, "--", 2) != 0 && add_job(st, p, n, file) < 0)
			return -1;
		p += n + (p[n] == '\n');
	}
	return 0;
}

static int runnable(struct datagen_jobs *st, int i)
{
	struct job *j = &st->jobs[i];
	if (j->state != J_WAITING)
		return 0;
	for (int t = 0; t < j->ntab; t++)
		if (!st->loaded[j->tab[t]])
			return 0;
	for (int d = 0; d < st->njobs; d++)
		if ((j->deps >> d & 1) && st->jobs[d].state != J_DONE)
			return 0;
	for (int t = 0; t < j->ntab; t++)
		for (int m = 0; m < 5; m++)
			if (st->held[j->tab[t]][m] && (conflicts[j->mode[t]] >> m & 1))
				return 0;
	return 1;
}

static void hold(struct datagen_jobs *st, struct job *j, int delta)
{
	for (int t = 0; t < j->ntab; t++)
		st->held[j->tab[t]][j->mode[t]] += delta;
}

static int run_job(PGconn *conn, struct job *j, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, j->sql);
	ExecStatusType s = PQresultStatus(res);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
	if (ok && j->kind == K_CHECKSUM) {
		j->count = atoll(PQgetvalue(res, 0, 0));
		j->sum = atoll(PQgetvalue(res, 0, 1));
	}
	if (!ok) {
		char line[400];
		snprintf(err, errlen, "could not run \"%s\": %s", j->name, log_firstline(PQresultErrorMessage(res), line, sizeof line));
	}
	PQclear(res);
	return ok ? 0 : -1;
}

struct datagen_jobs *datagen_jobs_new(int with_indexes)
{
	struct datagen_jobs *st = pgpb_calloc(1, sizeof *st);
	pthread_mutex_init(&st->mu, NULL); /* first, so datagen_jobs_free can always destroy them */
	pthread_cond_init(&st->cv, NULL);
	if (add_file(st, "schema/keys") < 0 || (with_indexes && add_file(st, "schema/indexes") < 0) ||
	    add_file(st, "datagen/checksum") < 0 || add_file(st, "datagen/vacuum") < 0) {
		datagen_jobs_free(st);
		return NULL;
	}
	order_jobs(st);
	return st;
}

void datagen_jobs_free(struct datagen_jobs *st)
{
	if (!st)
		return;
	for (int i = 0; i < st->njobs; i++)
		free(st->jobs[i].sql);
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->cv);
	free(st);
}

void datagen_jobs_loaded(struct datagen_jobs *st, int table)
{
	pthread_mutex_lock(&st->mu);
	st->loaded[table] = 1;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

void datagen_jobs_stop(struct datagen_jobs *st)
{
	pthread_mutex_lock(&st->mu);
	st->stop = 1;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

int datagen_jobs_work(struct datagen_jobs *st, PGconn *conn)
{
	pthread_mutex_lock(&st->mu);
	for (;;) {
		if (st->stop || st->ndone == st->njobs)
			break;
		int pick = -1;
		for (int i = 0; i < st->njobs && pick < 0; i++)
			if (runnable(st, i))
				pick = i;
		if (pick < 0) {
			pthread_cond_wait(&st->cv, &st->mu);
			continue;
		}
		struct job *j = &st->jobs[pick];
		j->state = J_RUNNING;
		j->t_start = datagen_now();
		if (st->t_first == 0)
			st->t_first = j->t_start;
		hold(st, j, 1);
		pthread_mutex_unlock(&st->mu);
		char err[512] = "";
		int rc = run_job(conn, j, err, sizeof err);
		pthread_mutex_lock(&st->mu);
		j->t_end = st->t_last = datagen_now();
		hold(st, j, -1);
		j->state = J_DONE;
		st->ndone++;
		if (rc < 0) {
			if (!st->error[0])
				snprintf(st->error, sizeof st->error, "%s", err);
			st->stop = 1;
		}
		pthread_cond_broadcast(&st->cv);
	}
	int rc = st->stop ? -1 : 0;
	pthread_mutex_unlock(&st->mu);
	return rc;
}

void datagen_jobs_status(struct datagen_jobs *st, char *buf, size_t len)
{
	pthread_mutex_lock(&st->mu);
	size_t o = (size_t)snprintf(buf, len, "keys, indexes, checksums, vacuum: %d of %d done", st->ndone, st->njobs);
	int n = 0;
	for (int i = 0; i < st->njobs && o < len; i++)
		if (st->jobs[i].state == J_RUNNING)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", n++ ? ", " : "; running ", st->jobs[i].name);
	pthread_mutex_unlock(&st->mu);
}

int datagen_jobs_result(struct datagen_jobs *st, double t0, int verbose, struct datagen_finish_result *out)
{
	if (st->error[0]) {
		log_error("%s", st->error);
		return -1;
	}
	if (st->ndone != st->njobs)
		return -1;
	for (int i = 0; i < st->njobs; i++)
		if (st->jobs[i].kind == K_CHECKSUM) {
			out->count[st->jobs[i].tab[0]] = st->jobs[i].count;
			out->sum[st->jobs[i].tab[0]] = st->jobs[i].sum;
		}
	out->total_seconds = st->t_last - st->t_first;
	for (int i = 0; verbose && i < st->njobs; i++)
		log_info("datagen: %-40.40s %6.2f s .. %6.2f s", st->jobs[i].name, st->jobs[i].t_start - t0,
		         st->jobs[i].t_end - t0);
	return 0;
}
