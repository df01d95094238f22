/*
 * write.c: writes the result files of docs/results.md, in a directory the run owns. results_claim locks
 * the directory (flock on a lock file inside it) and refuses one another run holds or that already holds
 * a run, unless --force, which removes the tool's own files first.
 *
 * A step is written all or nothing, so a crash or a full disk never leaves steps.csv and summary.json
 * listing different steps: its .hgrm tables, its .hlog and the new summary.json (to a temporary file)
 * first, then its intervals.csv and steps.csv rows (each one write, cut back to the last whole row when it
 * fails), and last the rename that puts summary.json in place. A fault undoes what the step wrote. JSON
 * files are replaced whole (temporary file + rename), so a reader never sees a half-written one. A reserve
 * file holds the space the final meta.json and summary.json need, so a full disk still ends with the run's
 * status written. A step becomes one struct steps_row first (resdir/steps.h): the same row gives the
 * steps.csv line and the step's summary.json object.
 */
#include "resdir/write.h"
#include "resdir/hgrm.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The reserve's room beyond meta.json and summary.json: finished_at, the status, a file system's slack. */
#define RESERVE_MARGIN (16 * 1024)
#define JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(10))

void results_now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- owning the directory ---------------------------------------------------------------------- */

/* A file the tool writes at the top of a results directory: 2 a run's own (a directory holding one holds
 * a run), 1 another (the charts' page, http-compare's tables, a temporary file, the reserve), 0 none. */
static int tool_file(const char *name)
{
	static const char *const run_files[] = { "meta.json", "summary.json", "steps.csv", "intervals.csv", "hosts.csv",
	                                         "host-intervals.csv", "waits.csv", "statements.csv", NULL };
	static const char *const other_files[] = { "index.html", "http-compare.csv", "http-compare-percentiles.csv",
	                                           "http-compare-timeline.csv", "meta.json.tmp", "summary.json.tmp",
	                                           "index.html.tmp", RESULTS_RESERVE_FILE, "hosts.csv.tmp",
	                                           "host-intervals.csv.tmp", NULL };
	for (int i = 0; run_files[i]; i++)
		if (strcmp(name, run_files[i]) == 0)
			return 2;
	for (int i = 0; other_files[i]; i++)
		if (strcmp(name, other_files[i]) == 0)
			return 1;
	/* a step's table or log: s<NNN>-...hgrm, s<NNN>-...hlog (bench/plan.c names the steps) */
	if (name[0] != 's')
		return 0;
	size_t n = strlen(name), d = 0;
	while (name[1 + d] >= '0' && name[1 + d] <= '9')
		d++;
	return d >= 3 && name[1 + d] == '-' && n > 5 &&
	               (strcmp(name + n - 5, ".hgrm") == 0 || strcmp(name + n - 5, ".hlog") == 0) ? 2 : 0;
}

/* A file of charts/ (plot, http-compare) or explain/ (run --explain) the tool writes. */
static int tool_subfile(const char *sub, const char *name)
{
	size_t n = strlen(name);
	if (strcmp(sub, "charts") == 0)
		return (n > 4 && (strcmp(name + n - 4, ".svg") == 0 || strcmp(name + n - 4, ".png") == 0)) ||
		       (n > 4 && strcmp(name + n - 4, ".tmp") == 0);
	/* explain/[<query>-]offset-<N>.json */
	const char *o = strstr(name, "offset-");
	if (!o || n < 5 || strcmp(name + n - 5, ".json") != 0)
		return 0;
	for (o += 7; o < name + n - 5; o++)
		if (*o < '0' || *o > '9')
			return 0;
	return 1;
}

/* Removes what the tool wrote in dir/sub, then the folder when that leaves it empty. Counts into *n. */
static int remove_sub(const char *dir, const char *sub, int *n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		log_error("could not open directory \"%s\": %s", path, strerror(errno));
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) && rc == 0) {
		if (!tool_subfile(sub, e->d_name))
			continue;
		char f[4500];
		snprintf(f, sizeof f, "%s/%s", path, e->d_name);
		if (unlink(f) == 0)
			(*n)++;
		else {
			log_error("could not remove \"%s\": %s", f, strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	if (rc == 0)
		rmdir(path); /* kept when it holds files of someone else */
	return rc;
}

/* With force: removes the tool's files from dir and says which. Without: refuses a directory holding a
 * run. 0 or -1 (logged). */
static int clear_dir(const char *dir, int force)
{
	DIR *d = opendir(dir);
	if (!d) {
		log_error("could not open directory \"%s\": %s", dir, strerror(errno));
		return -1;
	}
	struct steps_buf named = { 0 };
	int run = 0, hgrm = 0, hlog = 0, rc = 0, charts = 0, plans = 0;
	struct dirent *e;
	while ((e = readdir(d)) && rc == 0) {
		int kind = tool_file(e->d_name);
		if (!kind)
			continue;
		run |= kind == 2;
		if (!force)
			continue;
		char f[4400];
		snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
		if (unlink(f) != 0) {
			log_error("could not remove \"%s\": %s", f, strerror(errno));
			rc = -1;
		} else if (strstr(e->d_name, ".hgrm")) {
			hgrm++;
		} else if (kind == 2 && strstr(e->d_name, ".hlog")) {
			hlog++;
		} else if (strcmp(e->d_name, RESULTS_RESERVE_FILE) != 0) {
			steps_buf_printf(&named, "%s%s", named.len ? ", " : "", e->d_name);
		}
	}
	closedir(d);
	if (rc == 0 && run && !force) {
		log_error("directory \"%s\" already holds a run", dir);
		log_hint("Choose another directory with --out, remove that one, or replace its results with --force.");
		rc = -1;
	}
	if (rc == 0 && force && (remove_sub(dir, "charts", &charts) < 0 || remove_sub(dir, "explain", &plans) < 0))
		rc = -1;
	if (rc == 0 && force) {
		if (hgrm)
			steps_buf_printf(&named, "%s%d .hgrm table%s", named.len ? ", " : "", hgrm, plural_s(hgrm));
		if (hlog)
			steps_buf_printf(&named, "%s%d .hlog log%s", named.len ? ", " : "", hlog, plural_s(hlog));
		if (charts)
			steps_buf_printf(&named, "%s%d chart%s in charts/", named.len ? ", " : "", charts, plural_s(charts));
		if (plans)
			steps_buf_printf(&named, "%s%d plan%s in explain/", named.len ? ", " : "", plans, plural_s(plans));
		if (named.len)
			log_info("--force: removed the previous run's files from \"%s\": %s", dir, named.p);
	}
	steps_buf_free(&named);
	return rc;
}

int results_claim(const char *dir, int force)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, RESULTS_LOCK_FILE);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		log_error("could not open lock file \"%s\": %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			char text[32];
			ssize_t n = pread(fd, text, sizeof text - 1, 0);
			text[n > 0 ? n : 0] = '\0';
			char *end;
			long pid = strtol(text, &end, 10);
			if (pid > 0 && end > text && *end == '\n')
				log_error("results directory \"%s\" is in use by another run (pid %ld)", dir, pid);
			else /* that run has not written its pid yet */
				log_error("results directory \"%s\" is in use by another run", dir);
			log_hint("Choose another directory with --out, or wait for that run to end.");
		} else {
			log_error("could not lock \"%s\": %s", path, strerror(errno));
		}
		close(fd);
		return -1;
	}
	/* the pid, for the message of a run refused: on a full disk only that message goes without it */
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* nothing measured depends on it */
	}
	if (clear_dir(dir, force) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void results_unlock(int lock_fd)
{
	if (lock_fd >= 0)
		close(lock_fd); /* the lock goes with the descriptor; the file stays, so no run locks a stale inode */
}

/* ---- writing whole ------------------------------------------------------------------------------ */

/* Reports a fault once: the first message of a run that cannot write its results is the one that says
 * why; what fails after it fails for the same reason. Always -1. */
static int fault(struct results *r, const char *path)
{
	int err = errno;
	if (!r->failed)
		log_error("could not write \"%s\": %s", path, strerror(err));
	r->failed = 1;
	return -1;
}

/* The same for the reserve, named by what it is for rather than by its file. */
static int fault_reserve(struct results *r, long long need)
{
	int err = errno;
	if (!r->failed)
		log_error("could not reserve %lld kB in \"%s\" for the run's final files: %s", (need + 1023) / 1024, r->dir,
		          strerror(err));
	r->failed = 1;
	return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* text into a new file at path. 0, or -1 with errno set and the file removed. */
static int write_new(const char *path, const char *text, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, text, n), err = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (rc < 0) {
		unlink(path);
		errno = err;
	}
	return rc;
}

/* j as text (free it); NULL with errno ENOMEM when jansson runs out of memory. */
static char *json_text(json_t *j, size_t *n)
{
	char *t = j ? json_dumps(j, JSON_FLAGS) : NULL;
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	*n = strlen(t);
	return t;
}

/* name (meta.json, summary.json) replaced whole by text: through name.tmp and rename(). 0 or -1 (errno). */
static int replace_file(const struct results *r, const char *name, const char *text, size_t n)
{
	char path[4200], tmp[4300];
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (write_new(tmp, text, n) < 0)
		return -1;
	if (rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

static json_t *summary_of(const struct results *r)
{
	return json_pack("{s:O,s:O}", "meta", r->meta, "steps", r->steps_json);
}

/* Writes j as name and notes its size. 0 or -1 (reported once). */
static int write_json(struct results *r, const char *name, json_t *j, size_t *size)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	size_t n = 0;
	char *t = json_text(j, &n);
	int rc = t ? replace_file(r, name, t, n) : -1;
	free(t);
	if (rc < 0)
		return fault(r, path);
	*size = n;
	return 0;
}

static int write_summary(struct results *r)
{
	json_t *s = summary_of(r);
	int rc = write_json(r, "summary.json", s, &r->summary_size);
	json_decref(s);
	return rc;
}

/* Grows the reserve to hold need bytes. 0, or -1 with errno set (the reserve as it was). */
static int reserve_grow(struct results *r, long long need)
{
	if (need <= r->reserve_len)
		return 0;
	if (r->reserve_fd < 0) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", r->dir, RESULTS_RESERVE_FILE);
		r->reserve_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (r->reserve_fd < 0)
			return -1;
	}
	int e = posix_fallocate(r->reserve_fd, 0, (off_t)need);
	if (e != 0) {
		if (ftruncate(r->reserve_fd, (off_t)r->reserve_len) != 0) {
			/* the reserve stays larger: it is removed at the end anyway */
		}
		errno = e;
		return -1;
	}
	r->reserve_len = need;
	return 0;
}

/* Gives the reserve's space back for the final writes. */
static void reserve_release(struct results *r)
{
	if (r->reserve_fd < 0)
		return;
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", r->dir, RESULTS_RESERVE_FILE);
	unlink(path);
	close(r->reserve_fd);
	r->reserve_fd = -1;
	r->reserve_len = 0;
}

/* A CSV file created with its header line. Its descriptor, or -1 (reported). */
static int create_csv(struct results *r, const char *name, const char *header, size_t n, long long *len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0 || write_all(fd, header, n) < 0) {
		fault(r, path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*len = (long long)n;
	return fd;
}

int results_open(struct results *r, const char *dir, json_t *meta)
{
	memset(r, 0, sizeof *r);
	r->steps_fd = r->intervals_fd = r->reserve_fd = r->waits_fd = r->statements_fd = -1;
	snprintf(r->dir, sizeof r->dir, "%s", dir);
	r->meta = meta;
	r->steps_json = json_array();
	json_object_set_new(meta, "status", json_string("running"));
	/* the reserve first: a directory without room for the final files is refused before anything */
	size_t mn = 0, sn = 0;
	json_t *sum = summary_of(r);
	char *mt = json_text(meta, &mn), *st = json_text(sum, &sn);
	int dumped = mt && st;
	json_decref(sum);
	free(mt);
	free(st);
	char path[4200];
	snprintf(path, sizeof path, "%s/meta.json", dir);
	if (!dumped)
		return fault(r, path);
	long long need = (long long)(mn + sn) + RESERVE_MARGIN;
	if (reserve_grow(r, need) < 0)
		return fault_reserve(r, need);
	struct steps_buf hdr = { 0 };
	steps_write_header(&hdr);
	static const char iv_header[] = "step,second,queries,errors,p50_us,p99_us,max_us,validation_errors\n";
	r->steps_fd = create_csv(r, "steps.csv", hdr.p, hdr.len, &r->steps_len);
	steps_buf_free(&hdr);
	if (r->steps_fd < 0)
		return -1;
	r->intervals_fd = create_csv(r, "intervals.csv", iv_header, sizeof iv_header - 1, &r->intervals_len);
	if (r->intervals_fd < 0)
		return -1;
	if (write_json(r, "meta.json", meta, &r->meta_size) < 0 || write_summary(r) < 0)
		return -1;
	return 0;
}

int results_statements(struct results *r)
{
	static const char header[] = RESULTS_STATEMENTS_HEADER;
	r->statements_fd = create_csv(r, "statements.csv", header, sizeof header - 1, &r->statements_len);
	return r->statements_fd < 0 ? -1 : 0;
}

/* A text as one CSV cell: white space runs become one space; quoted (quotes doubled) when it holds a comma
 * or a quote, or always (a statement's text). */
static void text_cell(struct steps_buf *b, const char *sql, int always)
{
	int quote = always || strpbrk(sql, ",\"\n\r") != NULL;
	if (quote)
		steps_buf_printf(b, "\"");
	int space = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = 1;
			continue;
		}
		if (space)
			steps_buf_printf(b, " ");
		space = 0;
		steps_buf_printf(b, *p == '"' ? "\"\"" : "%c", *p);
	}
	if (quote)
		steps_buf_printf(b, "\"");
}

/* The step's statements.csv rows. */
static void statement_rows(const struct step_result *s, struct steps_buf *b)
{
	for (int i = 0; i < s->nstmts; i++) {
		const struct stmt_figures *f = &s->stmts[i];
		const struct hist *h = f->lat;
		steps_buf_printf(b, "%s,", s->id);
		text_cell(b, f->script, 0);
		steps_buf_printf(b, ",%d,%d,%d,%llu,%llu,", f->weight, f->index + 1, f->line, (unsigned long long)f->ok,
		                 (unsigned long long)f->errors);
		if (h->total)
			steps_buf_printf(b, "%.1f,%lld,%lld,%lld,", hist_mean(h), (long long)hist_percentile(h, 50),
			                 (long long)hist_percentile(h, 99), (long long)hist_max(h));
		else
			steps_buf_printf(b, ",,,,");
		text_cell(b, f->sql, 1);
		steps_buf_printf(b, "\n");
	}
}

/* summary.json's "statements" of a step: the same figures as its statements.csv rows. */
static json_t *statements_json(const struct step_result *s)
{
	json_t *a = json_array();
	for (int i = 0; i < s->nstmts; i++) {
		const struct stmt_figures *f = &s->stmts[i];
		const struct hist *h = f->lat;
		json_t *o = json_pack("{s:s,s:i,s:i,s:i,s:I,s:I,s:s}", "script", f->script, "weight", f->weight, "statement",
		                      f->index + 1, "line", f->line, "ok", (json_int_t)f->ok, "errors", (json_int_t)f->errors,
		                      "sql", f->sql);
		if (h->total) {
			char mean[32];
			snprintf(mean, sizeof mean, "%.1f", hist_mean(h)); /* as the CSV rounds it */
			json_object_set_new(o, "mean_us", json_real(atof(mean)));
			json_object_set_new(o, "p50_us", json_integer((json_int_t)hist_percentile(h, 50)));
			json_object_set_new(o, "p99_us", json_integer((json_int_t)hist_percentile(h, 99)));
			json_object_set_new(o, "max_us", json_integer((json_int_t)hist_max(h)));
			json_object_set_new(o, "p99_reliable", json_boolean(hist_pct_reliable(h->total, 99)));
		} else {
			json_object_set_new(o, "mean_us", json_null());
			json_object_set_new(o, "p50_us", json_null());
			json_object_set_new(o, "p99_us", json_null());
			json_object_set_new(o, "max_us", json_null());
		}
		json_array_append_new(a, o);
	}
	return a;
}

int results_interval(struct results *r, const char *step, const struct interval *iv)
{
	if (iv->hist && hlog_seconds_add(&r->hlog, iv->second, iv->hist) < 0)
		r->hlog_failed = 1;
	if (iv->queries)
		steps_buf_printf(&r->seconds, "%s,%ld,%llu,%llu,%lld,%lld,%lld,%llu\n", step, iv->second,
		                 (unsigned long long)iv->queries, (unsigned long long)iv->errors, (long long)iv->p50_us,
		                 (long long)iv->p99_us, (long long)iv->max_us, (unsigned long long)iv->verrors);
	else
		steps_buf_printf(&r->seconds, "%s,%ld,0,%llu,,,,%llu\n", step, iv->second, (unsigned long long)iv->errors,
		                 (unsigned long long)iv->verrors);
	return 0;
}

static json_t *hist_json(const struct hist *h)
{
	json_t *buckets = json_array();
	int32_t it = 0;
	int64_t v;
	uint64_t c;
	while (hist_next_bucket(h, &it, &v, &c))
		json_array_append_new(buckets, json_pack("[I,I]", (json_int_t)v, (json_int_t)c));
	return json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "unit", "us", "significant_digits", h->sig_digits,
	                 "lowest_us", (json_int_t)h->lowest, "highest_us", (json_int_t)h->highest, "total",
	                 (json_int_t)h->total, "min_us", (json_int_t)hist_min(h), "max_us", (json_int_t)hist_max(h),
	                 "sum_us", (json_int_t)h->sum, "buckets", buckets);
}

double results_rate_ratio(const struct step_result *s)
{
	if (!(s->rate > 0) || !(s->duration_s > 0))
		return -1;
	return (double)s->ok / s->duration_s / s->rate;
}

/* summary.json's "percentiles": each latency percentile and whether its tail is deep enough to trust
 * (at least 10 queries at or beyond it, common/hist.h). */
static json_t *percentiles_json(const struct hist *h)
{
	static const double ps[] = { 50, 90, 95, 99, 99.9 };
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		if (!h->total)
			break;
		json_array_append_new(a, json_pack("{s:f,s:I,s:b}", "p", ps[i], "value_us",
		                                   (json_int_t)hist_percentile(h, ps[i]), "reliable",
		                                   hist_pct_reliable(h->total, ps[i])));
	}
	return a;
}

/* The step's steps.csv row; a cell left unset is "not applicable / not measured". */
/* --connect-per-request: the connects and the connect and query times apart (empty otherwise, and a
 * distribution with no sample stays empty); the server's sessions beside them when it counts them. */
static void step_row_connect(const struct step_result *s, struct steps_row *w)
{
	if (!s->connect_time)
		return;
	steps_int(w, RF_CONNECTS, (long long)s->connects);
	steps_int(w, RF_CONNECT_ERRORS, (long long)s->connect_errors);
	if (s->connect_time->total) {
		steps_num(w, RF_CONNECT_MEAN_US, hist_mean(s->connect_time));
		steps_int(w, RF_CONNECT_P50_US, hist_percentile(s->connect_time, 50));
		steps_int(w, RF_CONNECT_P99_US, hist_percentile(s->connect_time, 99));
		steps_int(w, RF_CONNECT_MAX_US, hist_max(s->connect_time));
	}
	if (s->query_time->total) {
		steps_num(w, RF_QUERY_MEAN_US, hist_mean(s->query_time));
		steps_int(w, RF_QUERY_P50_US, hist_percentile(s->query_time, 50));
		steps_int(w, RF_QUERY_P99_US, hist_percentile(s->query_time, 99));
	}
	if (s->srv.have_sessions)
		steps_int(w, RF_DB_SESSIONS, s->srv.sessions);
}

static void step_row(const struct step_result *s, struct steps_row *w)
{
	const struct hist *h = s->lat;
	int have = h->total > 0;
	memset(w, 0, sizeof *w);
	steps_text(w, RF_STEP, s->id);
	steps_text(w, RF_MODEL, s->model);
	steps_text(w, RF_QUERY, s->query);
	steps_int(w, RF_CONNECTIONS, s->connections);
	steps_int(w, RF_WORKERS, s->workers);
	if (s->loops)
		steps_int(w, RF_LOOPS, s->loops);
	if (s->mix)
		steps_text(w, RF_OFFSET, "mix");
	else
		steps_int(w, RF_OFFSET, s->offset);
	if (s->rate > 0)
		steps_num(w, RF_RATE_QPS, s->rate);
	steps_num(w, RF_DURATION_S, s->duration_s);
	steps_int(w, RF_OK, (long long)s->ok);
	steps_int(w, RF_ERRORS, (long long)s->errors);
	steps_int(w, RF_VALIDATION_ERRORS, (long long)s->verrors);
	steps_int(w, RF_RECONNECTS, (long long)s->reconnects);
	if (s->duration_s > 0)
		steps_num(w, RF_QPS, (double)s->ok / s->duration_s);
	static const struct { enum res_field f; double p; } pct[] = {
		{ RF_P50_US, 50 }, { RF_P90_US, 90 }, { RF_P95_US, 95 }, { RF_P99_US, 99 }, { RF_P999_US, 99.9 } };
	if (have) {
		steps_int(w, RF_MIN_US, hist_min(h));
		steps_num(w, RF_MEAN_US, hist_mean(h));
		steps_num(w, RF_STDDEV_US, hist_stddev(h));
		for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
			steps_int(w, pct[i].f, hist_percentile(h, pct[i].p));
		steps_int(w, RF_MAX_US, hist_max(h));
	}
	/* open loop: from the actual send; shared pool: waiting for and holding a connection */
	if (s->uncorrected && s->uncorrected->total) {
		steps_int(w, RF_UNC_P50_US, hist_percentile(s->uncorrected, 50));
		steps_int(w, RF_UNC_P99_US, hist_percentile(s->uncorrected, 99));
		steps_int(w, RF_UNC_P999_US, hist_percentile(s->uncorrected, 99.9));
	}
	if (s->wait && s->wait->total) {
		steps_num(w, RF_WAIT_MEAN_US, hist_mean(s->wait));
		steps_int(w, RF_WAIT_P50_US, hist_percentile(s->wait, 50));
		steps_int(w, RF_WAIT_P99_US, hist_percentile(s->wait, 99));
		steps_int(w, RF_SERVICE_P50_US, hist_percentile(s->service, 50));
		steps_int(w, RF_SERVICE_P99_US, hist_percentile(s->service, 99));
	}
	if (s->lag && s->rate > 0) {
		if (s->lag->total)
			steps_int(w, RF_LAG_P99_US, hist_percentile(s->lag, 99));
		steps_int(w, RF_LATE_STARTS, (long long)s->late_starts);
	}
	steps_num(w, RF_CONNECT_S, s->connect_s);
	steps_num(w, RF_CLIENT_CPU_S, s->client_cpu_s);
	if (s->ok)
		steps_num(w, RF_CPU_PER_QUERY_US, s->client_cpu_s * 1e6 / (double)s->ok);
	if (s->srv.have_pgss) {
		steps_int(w, RF_SERVER_CALLS, s->srv.calls);
		if (s->srv.calls) {
			steps_num(w, RF_SERVER_MEAN_EXEC_US, s->srv.mean_exec_us);
			steps_num(w, RF_SERVER_STDDEV_EXEC_US, s->srv.stddev_exec_us);
		}
		if (s->srv.have_plan)
			steps_num(w, RF_SERVER_MEAN_PLAN_US, s->srv.mean_plan_us);
		steps_int(w, RF_SERVER_BLKS_HIT, s->srv.shared_hit);
		steps_int(w, RF_SERVER_BLKS_READ, s->srv.shared_read);
	}
	if (s->srv.have_db) {
		steps_int(w, RF_DB_XACT_COMMIT, s->srv.xact_commit);
		steps_int(w, RF_DB_BLKS_HIT, s->srv.blks_hit);
		steps_int(w, RF_DB_BLKS_READ, s->srv.blks_read);
	}
	if (s->pool.have) {
		steps_int(w, RF_POOLER_XACTS, s->pool.xacts);
		steps_int(w, RF_POOLER_QUERIES, s->pool.queries);
		steps_int(w, RF_POOLER_WAIT_US, s->pool.wait_us);
		if (s->pool.xacts)
			steps_num(w, RF_POOLER_WAIT_MEAN_US, s->pool.wait_mean_us);
		if (s->pool.queries)
			steps_num(w, RF_POOLER_QUERY_MEAN_US, s->pool.query_mean_us);
		if (s->pool.samples) {
			steps_int(w, RF_POOLER_CL_WAITING_MAX, s->pool.cl_waiting_max);
			steps_int(w, RF_POOLER_MAXWAIT_US, s->pool.maxwait_max_us);
			steps_int(w, RF_POOLER_SERVERS_MAX, s->pool.servers_max);
			steps_int(w, RF_POOLER_CLIENTS_MAX, s->pool.clients_max);
		}
	}
	steps_int(w, RF_PARTIAL, s->partial);
	steps_int(w, RF_THREADS, s->threads);
	/* how far the figures can be trusted: thin tails, empty pages, an unmet rate */
	if (have) {
		steps_int(w, RF_P99_RELIABLE, hist_pct_reliable(h->total, 99));
		steps_int(w, RF_P999_RELIABLE, hist_pct_reliable(h->total, 99.9));
	}
	if (s->qualifying >= 0)
		steps_int(w, RF_QUALIFYING_ROWS, s->qualifying);
	if (s->empty_pages >= 0)
		steps_int(w, RF_EMPTY_PAGES, s->empty_pages);
	double ratio = results_rate_ratio(s);
	if (ratio >= 0) {
		steps_num(w, RF_ACHIEVED_RATIO, ratio);
		steps_int(w, RF_RATE_UNMET, ratio < RESULTS_RATE_MET);
		steps_int(w, RF_DROPPED, (long long)s->dropped);
	}
	/* the measured window's edges, the split's reliability, the driver's hiccups */
	steps_int(w, RF_INFLIGHT_START, (long long)s->inflight_start);
	steps_int(w, RF_INFLIGHT_END, (long long)s->inflight_end);
	if (s->split != SPLIT_NONE && s->srv.calls > 0 && have)
		steps_num(w, RF_SPLIT_ERROR_US, s->split_error_us);
	if (s->split != SPLIT_NONE)
		steps_int(w, RF_SPLIT_RELIABLE, s->split == SPLIT_OK);
	if (s->hiccup && s->hiccup->total) {
		steps_int(w, RF_HICCUP_P99_US, hist_percentile(s->hiccup, 99));
		steps_int(w, RF_HICCUP_MAX_US, hist_max(s->hiccup));
	}
	steps_int(w, RF_DRIVER_SATURATED, s->saturated);
	if (s->scheduled) {
		steps_num(w, RF_START_LATE_S, s->start_late_s);
		steps_int(w, RF_START_SLIPPED, s->start_slipped);
	}
	step_row_connect(s, w);
}

/* The step's summary.json object, its steps.csv line appended to line. */
static json_t *step_json(const struct step_result *s, struct steps_buf *line)
{
	json_t *j = json_object();
	const struct hist *h = s->lat;
	struct steps_row row;
	step_row(s, &row);
	steps_write_row(line, j, &row);
	json_object_set_new(j, "n", json_integer((json_int_t)h->total));
	json_object_set_new(j, "percentiles", percentiles_json(h));
	if (s->split != SPLIT_NONE) /* JSON: booleans */
		json_object_set_new(j, "split_reliable", json_boolean(s->split == SPLIT_OK));
	json_object_set_new(j, "driver_saturated", json_boolean(s->saturated));
	if (s->saturated)
		json_object_set_new(j, "driver_saturated_why", json_string(s->saturated_why));
	json_t *codes = json_object();
	for (int i = 0; i < s->ncodes; i++)
		json_object_set_new(codes, s->codes[i].code, json_integer((json_int_t)s->codes[i].n));
	json_object_set_new(j, "errors_by_sqlstate", codes);
	json_t *hs = json_pack("{s:o}", "latency", hist_json(h));
	if (s->uncorrected)
		json_object_set_new(hs, "uncorrected", hist_json(s->uncorrected));
	if (s->lag)
		json_object_set_new(hs, "lag", hist_json(s->lag));
	if (s->wait) {
		json_object_set_new(hs, "wait", hist_json(s->wait));
		json_object_set_new(hs, "service", hist_json(s->service));
	}
	if (s->connect_time) {
		json_object_set_new(hs, "connect", hist_json(s->connect_time));
		json_object_set_new(hs, "query", hist_json(s->query_time));
	}
	json_object_set_new(j, "histograms", hs);
	if (s->waits)
		json_object_set_new(j, "waits", wait_json(s->waits));
	if (s->stmts)
		json_object_set_new(j, "statements", statements_json(s));
	return j;
}

/* A CSV file back to its last whole row. */
static void cut_back(int fd, long long len)
{
	if (fd >= 0 && ftruncate(fd, (off_t)len) != 0) {
		/* cutting back frees space: only an I/O error stops it, and the write's fault is the one reported */
	}
}

/* An append to a CSV file: one write of whole rows, cut back to the last whole row when it fails. */
static int append_rows(int fd, long long len, const struct steps_buf *b)
{
	if (!b->len || write_all(fd, b->p, b->len) == 0)
		return 0;
	int err = errno;
	cut_back(fd, len);
	errno = err;
	return -1;
}

int results_step(struct results *r, const struct step_result *s)
{
	if (r->failed)
		return -1;
	struct steps_buf line = { 0 }, waits = { 0 };
	json_array_append_new(r->steps_json, step_json(s, &line));
	if (s->waits)
		wait_csv_rows(&waits, s->id, s->waits);
	json_t *sum = summary_of(r);
	size_t sn = 0;
	char *st = json_text(sum, &sn);
	json_decref(sum);

	/* the .hgrm tables a step has: latency, then open loop's uncorrected, then a shared pool's wait */
	const struct hist *hs[3] = { s->lat, s->uncorrected, s->wait };
	static const char *const suffix[3] = { "", ".uncorrected", ".wait" };
	char hpath[3][4300], lpath[4300], spath[4200], tmp[4300], bad[4300] = "";
	int nh = 0, short_reserve = 0;
	long long need = (long long)(r->meta_size + sn) + RESERVE_MARGIN;
	snprintf(spath, sizeof spath, "%s/summary.json", r->dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", spath);
	if (!st) {
		snprintf(bad, sizeof bad, "%s", spath);
	} else if (reserve_grow(r, need) < 0) {
		short_reserve = 1;
		snprintf(bad, sizeof bad, "%s/%s", r->dir, RESULTS_RESERVE_FILE);
	} else {
		for (int k = 0; k < 3 && !bad[0]; k++) {
			if (!hs[k])
				continue;
			hgrm_path(hpath[nh], sizeof hpath[nh], r->dir, s->id, suffix[k]);
			if (hgrm_write(hpath[nh], hs[k]) < 0)
				snprintf(bad, sizeof bad, "%s", hpath[nh]);
			nh++;
		}
	}
	/* the .hlog: the seconds' histograms and the step's whole-window latencies */
	int wrote_hlog = 0;
	if (!bad[0]) {
		hlog_path(lpath, sizeof lpath, r->dir, s->id);
		/* the .hgrm tables' histograms again, whole-window lines with tags */
		struct hlog_whole whole[3] = { { HLOG_TAG_STEP, s->lat } };
		int nw = 1;
		if (s->uncorrected)
			whole[nw++] = (struct hlog_whole){ HLOG_TAG_UNCORRECTED, s->uncorrected };
		if (s->wait)
			whole[nw++] = (struct hlog_whole){ HLOG_TAG_WAIT, s->wait };
		double start = s->start_epoch_s > 0 ? s->start_epoch_s : (double)time(NULL) - s->duration_s;
		if (r->hlog_failed)
			errno = ENOMEM;
		if (r->hlog_failed || hlog_write(lpath, s->id, start, s->duration_s, &r->hlog, whole, nw) < 0)
			snprintf(bad, sizeof bad, "%s", lpath);
		wrote_hlog = 1;
	}
	if (!bad[0] && write_new(tmp, st, sn) < 0)
		snprintf(bad, sizeof bad, "%s", spath);
	if (!bad[0] && append_rows(r->intervals_fd, r->intervals_len, &r->seconds) < 0)
		snprintf(bad, sizeof bad, "%s/intervals.csv", r->dir);
	if (!bad[0] && waits.len && r->waits_fd < 0) { /* the first step sampled: the file starts with it */
		r->waits_fd = create_csv(r, "waits.csv", wait_csv_header, strlen(wait_csv_header), &r->waits_len);
		if (r->waits_fd < 0) /* reported: the undoing below does not report it again */
			snprintf(bad, sizeof bad, "%s/waits.csv", r->dir);
	}
	if (!bad[0] && waits.len && append_rows(r->waits_fd, r->waits_len, &waits) < 0)
		snprintf(bad, sizeof bad, "%s/waits.csv", r->dir);
	struct steps_buf stmts = { 0 };
	if (r->statements_fd >= 0)
		statement_rows(s, &stmts);
	if (!bad[0] && r->statements_fd >= 0 && append_rows(r->statements_fd, r->statements_len, &stmts) < 0)
		snprintf(bad, sizeof bad, "%s/statements.csv", r->dir);
	if (!bad[0] && append_rows(r->steps_fd, r->steps_len, &line) < 0)
		snprintf(bad, sizeof bad, "%s/steps.csv", r->dir);
	if (!bad[0] && rename(tmp, spath) != 0)
		snprintf(bad, sizeof bad, "%s", spath);
	free(st);
	if (bad[0]) { /* back to the files as they were before the step */
		int err = errno;
		cut_back(r->steps_fd, r->steps_len);
		cut_back(r->intervals_fd, r->intervals_len);
		cut_back(r->waits_fd, r->waits_len);
		if (r->statements_fd >= 0)
			cut_back(r->statements_fd, r->statements_len);
		steps_buf_free(&stmts);
		unlink(tmp);
		for (int k = 0; k < nh; k++)
			unlink(hpath[k]);
		if (wrote_hlog)
			unlink(lpath);
		hlog_seconds_clear(&r->hlog);
		r->hlog_failed = 0;
		json_array_remove(r->steps_json, json_array_size(r->steps_json) - 1);
		steps_buf_free(&line);
		steps_buf_free(&waits);
		r->seconds.len = 0;
		errno = err;
		return short_reserve ? fault_reserve(r, need) : fault(r, bad);
	}
	r->steps_len += (long long)line.len;
	r->statements_len += (long long)stmts.len;
	steps_buf_free(&stmts);
	r->intervals_len += (long long)r->seconds.len;
	r->waits_len += (long long)waits.len;
	r->summary_size = sn;
	r->seconds.len = 0;
	hlog_seconds_clear(&r->hlog);
	steps_buf_free(&line);
	steps_buf_free(&waits);
	return 0;
}

int results_table(struct results *r, const char *name, const char *text, size_t n)
{
	if (r->failed)
		return -1;
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	if (replace_file(r, name, text, n) < 0)
		return fault(r, path);
	return 0;
}

void results_quiet(struct results *r)
{
	r->failed = 1;
}

int results_close(struct results *r, const char *status)
{
	int rc = 0;
	reserve_release(r); /* its room is for these last writes */
	if (r->meta) {
		char now[32];
		results_now_iso(now, sizeof now);
		json_object_set_new(r->meta, "status", json_string(status));
		json_object_set_new(r->meta, "finished_at", json_string(now));
		if (write_json(r, "meta.json", r->meta, &r->meta_size) < 0 || write_summary(r) < 0)
			rc = -1;
	}
	if (r->steps_fd >= 0)
		close(r->steps_fd);
	if (r->intervals_fd >= 0)
		close(r->intervals_fd);
	if (r->waits_fd >= 0)
		close(r->waits_fd);
	if (r->statements_fd >= 0)
		close(r->statements_fd);
	r->steps_fd = r->intervals_fd = r->waits_fd = r->statements_fd = -1;
	steps_buf_free(&r->seconds); /* the seconds of a step never written */
	hlog_seconds_clear(&r->hlog);
	free(r->hlog.v);
	r->hlog.v = NULL;
	r->hlog.cap = 0;
	json_decref(r->meta);
	json_decref(r->steps_json);
	r->meta = r->steps_json = NULL;
	return rc;
}

int results_record(const char *dir, const char *key, json_t *value)
{
	char path[4200], tmp[4300];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	json_error_t jerr;
	json_t *sum = json_load_file(path, 0, &jerr);
	if (!json_is_object(sum)) {
		log_error("could not read \"%s\" to record %s: %s", path, key, jerr.text);
		json_decref(sum);
		json_decref(value);
		return -1;
	}
	json_object_set_new(sum, key, value);
	size_t n = 0;
	char *t = json_text(sum, &n);
	json_decref(sum);
	int rc = t ? write_new(tmp, t, n) : -1;
	free(t);
	if (rc == 0 && rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		errno = err;
		rc = -1;
	}
	if (rc < 0)
		log_error("could not write \"%s\": %s", path, strerror(errno));
	return rc;
}
