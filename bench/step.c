/*
 * step.c: one step of the sweep (bench/step.h) in three phases: open (connections, offsets, the
 * engine), measure (the main thread wakes at the window's edges for the server's counters and every
 * tenth of a second for the per-second rows and the progress line), and collect (join, merge each driver
 * thread's recorder into the step's histograms, judge the split and the driver). Then the step is written.
 */
#include "bench/step.h"
#include "bench/engine.h"
#include "bench/script.h"
#include "bench/summary.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/sig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define STEP_SEED 0x5EED0000ULL /* + the step's index: each step's offsets and arrivals are reproducible */
#define POLL_NS (100 * 1000000LL) /* the main thread's tick while a step runs */

/* A running step: what open acquires and collect releases. */
struct step_live {
	struct bconn *conns;
	int n, nthreads;
	struct offset_gen og;
	struct variant_params vp; /* keyset: the key of the page at this depth, found once per step */
	struct engine_env env;
	struct engine *e;
	/* the measured window: the server's counters and the process CPU time at its two edges */
	struct srv_snap before, after;
	struct pool_snap pool_before, pool_after; /* the pooler's counters at the same edges, when it has one */
	int measuring, snapped;
	double cpu0, cpu1;
	long next_sec; /* the next per-second row to collect */
};

static double now_s(void)
{
	return (double)mono_ns() / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- progress ------------------------------------------------------------------------------- */

void progress_clear(const struct progress *pr)
{
	if (pr->on && pr->tty)
		fprintf(stderr, "\r\033[K");
}

static void fmt_clock(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);
	snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void progress_line(const struct progress *pr, int i, const struct step_def *sd, const char *phase,
                          const struct interval *last, uint64_t errors, double step_left)
{
	if (!pr->on)
		return;
	char eta[16];
	fmt_clock(step_left + (double)(pr->nsteps - i - 1) * pr->step_span, eta, sizeof eta);
	char figures[128] = "";
	if (last)
		snprintf(figures, sizeof figures, "  %llu qps  p99 %.2f ms  %llu error%s", (unsigned long long)last->queries,
		         (double)last->p99_us / 1000.0, (unsigned long long)errors, plural_s((long long)errors));
	if (pr->tty)
		fprintf(stderr, "\r\033[Kstep %d/%d %s  %s%s  ETA %s", i + 1, pr->nsteps, sd->name, phase, figures, eta);
	else
		fprintf(stderr, "progress: step %d/%d %s  %s%s  ETA %s\n", i + 1, pr->nsteps, sd->name, phase, figures, eta);
	fflush(stderr);
}

static void progress_done(const struct progress *pr, int i, const struct step_result *sr)
{
	if (!pr->on)
		return;
	progress_clear(pr);
	char p99[32];
	summary_fmt_pct(sr->lat, 99, p99, sizeof p99);
	fprintf(stderr, "step %d/%d done: %s n %llu, %.1f qps, p99 %s%s, %llu error%s, %llu validation error%s%s\n", i + 1,
	        pr->nsteps, sr->id, (unsigned long long)sr->ok, sr->duration_s > 0 ? (double)sr->ok / sr->duration_s : 0,
	        p99, sr->lat->total ? " ms" : "", (unsigned long long)sr->errors, plural_s((long long)sr->errors),
	        (unsigned long long)sr->verrors, plural_s((long long)sr->verrors), sr->partial ? " (partial)" : "");
	fflush(stderr);
}

/* ---- open ----------------------------------------------------------------------------------- */

static void live_release(struct step_live *lv)
{
	for (int k = 0; lv->conns && k < lv->n; k++)
		bconn_close(&lv->conns[k]);
	free(lv->conns);
	lv->conns = NULL;
	offsets_free(&lv->og);
	if (lv->env.stop_fd >= 0)
		close(lv->env.stop_fd);
	lv->env.stop_fd = -1;
}

/* What the step is, before anything runs: its names, its shape, and the rows its query pages through. */
static void step_describe(const struct step_shared *sh, const struct step_def *sd, const struct run_query *q,
                          struct step_result *sr)
{
	memset(sr, 0, sizeof *sr);
	snprintf(sr->id, sizeof sr->id, "%s", sd->id);
	sr->model = plan_model_name(sd->model);
	sr->query = q->name;
	sr->connections = sd->connections;
	sr->workers = sd->model == RUN_MODEL_POOL ? sd->workers : sd->connections;
	sr->loops = sd->model == RUN_MODEL_ASYNC ? sd->loops : 0;
	sr->rate = (double)sd->rate;
	sr->mix = sd->mix;
	sr->offset = sd->offset;
	sr->qualifying = !q->scripts && (q->variant || !sh->o->query_file) ? sh->qualifying : -1;
	sr->empty_pages = sd->empty;
}

/* The engine's environment for the step: its model, its query, and the clock of its warm-up and window. */
static void env_setup(const struct step_shared *sh, const struct step_def *sd, int i, const struct run_query *q,
                      struct step_live *lv, const char *id)
{
	const struct run_opts *o = sh->o;
	struct engine_env *env = &lv->env;
	env->model = sd->model;
	env->workers = sd->workers;
	env->pool_lifo = o->pool_lifo;
	env->rate = (double)sd->rate;
	env->poisson = o->poisson;
	env->cp = &q->cp;
	env->val = q->have_val ? &q->val : NULL;
	env->og = &lv->og;
	env->step_id = id;
	env->simple_pieces = o->protocol == RUN_PROTO_SIMPLE ? q->pieces : NULL;
	env->npieces = o->protocol == RUN_PROTO_SIMPLE ? q->npieces : 0;
	env->seed = STEP_SEED + (uint64_t)i;
	env->fault = sh->fault;
	env->per_request = o->connect_per_request;
	env->scripts = q->scripts;
	env->page_size = o->page_size;
	env->scale = 1; /* pgbench's :scale for a custom script unless --define scale=N */
	int64_t start = mono_ns();
	env->t_begin = start;
	env->t_measure = start + (int64_t)(o->warmup_s * 1e9);
	env->t_end = env->t_measure + (int64_t)(o->duration_s * 1e9);
	atomic_store(&env->t_snapped, INT64_MAX);
	const char *stall = getenv("PGPB_TEST_STALL_US"); /* tests: make the driver late, deterministically */
	env->test_stall_ns = stall ? atoll(stall) * 1000LL : 0;
}

/* On a schedule (run --start-at), sleeps until step i's slot: its connections are open, so the warm-up
 * begins on time unless the preparation overran the slot. A signal ends the wait (the step then stops at
 * once). */
static void wait_for_slot(const struct step_shared *sh, const struct step_def *sd, int i)
{
	if (sh->sched_slot <= 0)
		return;
	int64_t at = sh->sched_start + (int64_t)i * sh->sched_slot;
	if (at - mono_ns() > POLL_NS)
		progress_line(sh->progress, i, sd, "waiting for its slot", NULL, 0,
		              (double)(at - mono_ns()) / 1e9 + sh->progress->step_span);
	while (!sig_caught() && mono_ns() < at) {
		int64_t until = mono_ns() + POLL_NS < at ? mono_ns() + POLL_NS : at;
		struct timespec ts = { until / 1000000000LL, until % 1000000000LL };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

/* Opens the step's connections and starts its engine. 0, or -1 (logged, everything released). */
static int step_open(const struct step_shared *sh, const struct step_def *sd, int i, const struct run_query *q,
                     struct step *st, struct step_live *lv)
{
	const struct run_opts *o = sh->o;
	struct step_result *sr = &st->sr;
	lv->env.stop_fd = -1;
	step_describe(sh, sd, q, sr);
	if (sd->mix) { /* the pages an offset mix draws from: those the counted rows fill */
		if (offsets_mix(&lv->og, o->mix_page1, o->mix_zipf_s, o->page_size, sh->qualifying) < 0)
			return -1;
	} else {
		offsets_fixed(&lv->og, sd->offset);
	}
	lv->n = (int)sd->connections;
	lv->nthreads = plan_step_threads(sd, sh->threads);
	lv->conns = pgpb_calloc((size_t)lv->n, sizeof *lv->conns);
	progress_line(sh->progress, i, sd, "connecting", NULL, 0, sh->progress->step_span);
	double t0 = now_s();
	int opened = conn_open_all(lv->conns, lv->n, &q->cp);
	sr->connect_s = now_s() - t0;
	if (opened < lv->n) { /* conn_open_all said why, with a hint when the cause is known */
		live_release(lv);
		if (opened >= 0)
			log_error("could not open %d connection%s for step %s", lv->n, plural_s(lv->n), sr->id);
		return -1;
	}
	/* --connect-per-request: the step's connections were opened once, outside the requests, to learn that
	 * the server takes that many (else the step fails here, with the hint, as with kept connections); each
	 * request opens its own from now on */
	if (o->connect_per_request)
		for (int k = 0; k < lv->n; k++)
			bconn_close(&lv->conns[k]);
	for (int k = 0; k < lv->nthreads; k++)
		recorder_reset(&sh->recs[k]);
	if (q->variant && q->variant->keyset) {
		if (variant_params(q->variant, sh->ctrl, sd->offset, &lv->vp) < 0) {
			live_release(lv);
			return -1;
		}
		lv->env.fixed = lv->vp.values;
		lv->env.nfixed = lv->vp.n;
	}
	wait_for_slot(sh, sd, i);
	env_setup(sh, sd, i, q, lv, sr->id);
	if (sh->sched_slot > 0) { /* how late the warm-up began after its slot */
		int64_t late = lv->env.t_begin - (sh->sched_start + (int64_t)i * sh->sched_slot);
		sr->scheduled = 1;
		sr->start_late_s = late > 0 ? (double)late / 1e9 : 0;
		sr->start_slipped = sr->start_late_s > RUN_SLIP_SHARE * o->duration_s;
	}
	lv->env.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (int k = 0; k < lv->nthreads; k++)
		sh->recs[k].stop = &lv->env.stop;
	lv->e = lv->env.stop_fd >= 0 ? engine_start(&lv->env, lv->conns, lv->n, sh->recs, lv->nthreads) : NULL;
	if (!lv->e) {
		if (lv->env.stop_fd < 0)
			log_error("could not create an eventfd: %s", strerror(errno));
		live_release(lv);
		return -1;
	}
	return 0;
}

/* ---- measure -------------------------------------------------------------------------------- */

/* Appends every second all the driver threads have closed to intervals.csv; adds its errors to *errs. */
static void collect_seconds(const struct step_shared *sh, struct step_live *lv, const char *id, uint64_t *errs,
                            struct interval *last, int *have_last)
{
	struct interval iv;
	while (recorder_collect(sh->recs, lv->nthreads, lv->next_sec, sh->scratch, &iv)) {
		results_interval(sh->res, id, &iv);
		*errs += iv.errors + iv.verrors;
		*last = iv;
		*have_last = 1;
		lv->next_sec++;
	}
}

/*
 * Waits for the engine to end, collecting the per-second rows and printing progress. The server's
 * counters are read at the measured window's two edges: the main thread wakes at the window's start and
 * at its end (or when it stopped early); the engines count the queries in flight at each edge, which are
 * the only ones the two sides can disagree on.
 */
static void step_measure(const struct step_shared *sh, const struct step_def *sd, int i, long long queryid,
                         struct step *st, struct step_live *lv)
{
	const struct progress *pr = sh->progress;
	struct engine_env *env = &lv->env;
	int stopped = 0, have_last = 0;
	uint64_t errs = 0;
	struct interval last;
	double last_print = 0;
	for (;;) {
		int done = engine_done(lv->e);
		int64_t now = mono_ns();
		if (!stopped && sig_caught()) {
			engine_stop(env);
			stopped = 1;
		}
		if (!lv->measuring && now >= env->t_measure && !stopped) {
			waits_begin(sh->waits);
			srv_snapshot(sh->ctrl, sh->srv, queryid, &lv->before);
			if (sh->pool)
				pool_snapshot(sh->pool, &lv->pool_before);
			atomic_store(&env->t_snapped, mono_ns());
			lv->cpu0 = cpu_s();
			lv->measuring = 1;
		}
		if (lv->measuring && !lv->snapped && (now >= env->t_end || atomic_load(&env->t_stop))) {
			waits_end(sh->waits, &st->waits);
			lv->cpu1 = cpu_s();
			srv_snapshot(sh->ctrl, sh->srv, queryid, &lv->after);
			if (sh->pool)
				pool_snapshot(sh->pool, &lv->pool_after);
			lv->snapped = 1;
		} else if (lv->measuring && !lv->snapped && sh->pool) {
			pool_sample(sh->pool, &st->sr.pool); /* the pooler's queue, a tenth of a second apart */
		}
		collect_seconds(sh, lv, st->sr.id, &errs, &last, &have_last);
		if (done)
			break;
		double t = now_s();
		if (pr->on && t - last_print >= (pr->tty ? 0.5 : 1.0)) {
			last_print = t;
			char phase[64];
			if (now < env->t_measure)
				snprintf(phase, sizeof phase, "warm-up");
			else
				snprintf(phase, sizeof phase, "measuring %ld/%.0f s", (long)((now - env->t_measure) / 1000000000LL) + 1,
				         sh->o->duration_s);
			progress_line(pr, i, sd, phase, have_last ? &last : NULL, errs, (double)(env->t_end - now) / 1e9);
		}
		/* a tenth of a second, or to the next edge of the window; SIGINT interrupts it at once */
		int64_t until = mono_ns() + POLL_NS;
		if (!lv->measuring && env->t_measure < until)
			until = env->t_measure;
		else if (lv->measuring && !lv->snapped && env->t_end < until)
			until = env->t_end;
		struct timespec ts = { until / 1000000000LL, until % 1000000000LL };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	if (lv->measuring && !lv->snapped) {
		waits_end(sh->waits, &st->waits);
		lv->cpu1 = cpu_s();
		srv_snapshot(sh->ctrl, sh->srv, queryid, &lv->after);
		if (sh->pool)
			pool_snapshot(sh->pool, &lv->pool_after);
	}
}

/* ---- collect -------------------------------------------------------------------------------- */

static void merge_codes(struct step_result *sr, const struct recorder *rec)
{
	for (int i = 0; i < rec->ncodes; i++) {
		int k;
		for (k = 0; k < sr->ncodes; k++)
			if (strcmp(sr->codes[k].code, rec->codes[i].code) == 0)
				break;
		if (k == sr->ncodes) {
			if (sr->ncodes == (int)(sizeof sr->codes / sizeof sr->codes[0]))
				continue;
			sr->ncodes++;
			memcpy(&sr->codes[k], &rec->codes[i], sizeof sr->codes[k]);
		} else {
			sr->codes[k].n += rec->codes[i].n;
		}
	}
}

/* The step's own histograms, as its model needs them, pointed at by the step_result view. 0 or -1. */
static int step_hists(struct step *st, const struct step_def *sd, int per_request)
{
	struct step_result *sr = &st->sr;
	if (hist_init(&st->lat, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	    hist_init(&st->hiccup, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS) < 0)
		return -1;
	sr->lat = &st->lat;
	sr->hiccup = &st->hiccup;
	if (sd->model == RUN_MODEL_POOL) {
		if (hist_init(&st->wait, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
		    hist_init(&st->service, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0)
			return -1;
		sr->wait = &st->wait;
		sr->service = &st->service;
	}
	if (sd->rate > 0) {
		if (hist_init(&st->uncorrected, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
		    hist_init(&st->lag, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0)
			return -1;
		sr->uncorrected = &st->uncorrected;
		sr->lag = &st->lag;
	}
	if (per_request) {
		if (hist_init(&st->connect, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
		    hist_init(&st->query, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0)
			return -1;
		sr->connect_time = &st->connect;
		sr->query_time = &st->query;
	}
	return 0;
}

/* run --script: each statement's figures over the driver threads, named after its script. */
static void merge_statements(struct step *st, const struct script_set *ss, const struct recorder *recs, int n)
{
	st->nstmts = ss->nstmts;
	st->stmts = pgpb_calloc((size_t)ss->nstmts, sizeof *st->stmts);
	st->stmt_lat = pgpb_calloc((size_t)ss->nstmts, sizeof *st->stmt_lat);
	for (int k = 0; k < ss->n; k++) {
		const struct script *s = ss->s[k];
		for (int j = 0; j < s->nstmts; j++) {
			int i = s->first_stmt + j;
			const struct script_cmd *c = script_stmt(ss, i);
			struct stmt_figures *f = &st->stmts[i];
			hist_init(&st->stmt_lat[i], HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS);
			f->script = s->file;
			f->weight = s->weight;
			f->index = i;
			f->line = c->line;
			f->sql = c->sql;
			f->lat = &st->stmt_lat[i];
			for (int r = 0; r < n; r++) {
				hist_merge(&st->stmt_lat[i], &recs[r].stmts[i].lat);
				f->ok += recs[r].stmts[i].ok;
				f->errors += recs[r].stmts[i].errors;
			}
		}
	}
	st->sr.stmts = st->stmts;
	st->sr.nstmts = st->nstmts;
}

/* Adds what every driver thread recorded into the step. */
static void merge_recorders(struct step *st, const struct step_def *sd, int per_request, const struct recorder *recs,
                            int n)
{
	struct step_result *sr = &st->sr;
	for (int k = 0; k < n; k++) {
		const struct recorder *rec = &recs[k];
		hist_merge(&st->lat, &rec->lat);
		if (sd->model == RUN_MODEL_POOL) {
			hist_merge(&st->wait, &rec->wait);
			hist_merge(&st->service, &rec->service);
		}
		if (sd->rate > 0) {
			hist_merge(&st->uncorrected, &rec->uncorrected);
			hist_merge(&st->lag, &rec->lag);
			sr->late_starts += rec->late_starts;
			sr->dropped += rec->dropped;
		}
		hist_merge(&st->hiccup, &rec->hiccup);
		if (per_request) {
			hist_merge(&st->connect, &rec->connect);
			hist_merge(&st->query, &rec->query);
			sr->connects += rec->connects;
			sr->connect_errors += rec->connect_errors;
		}
		sr->inflight_start += rec->edge_start;
		sr->inflight_end += rec->edge_end;
		sr->ok += rec->ok;
		sr->errors += rec->errors;
		sr->verrors += rec->verrors;
		sr->reconnects += rec->reconnects;
		merge_codes(sr, rec);
	}
}

/*
 * Whether the step's server/client split holds, and whether its driver kept up. Only queries in flight at
 * an edge of the window can be counted by one side and not the other (the server counts a query before
 * its client receives the answer), so server_calls lies within ok + validation errors - inflight_start and
 * + inflight_end. The mean server time can then exceed the client mean by at most
 * (inflight_start x client mean + inflight_end x client max) / server_calls: the split's stated error.
 * A split outside the bounds, or whose error is above SPLIT_MAX_ERROR of the client mean, is not reliable.
 */
static void step_judge(struct step_result *sr, int scheduled)
{
	const struct hist *h = sr->lat;
	long long client = (long long)(sr->ok + sr->verrors), calls = sr->srv.calls;
	sr->split = SPLIT_NONE;
	if (sr->srv.have_pgss) {
		int within = calls >= client - (long long)sr->inflight_start && calls <= client + (long long)sr->inflight_end;
		sr->split = SPLIT_UNRELIABLE;
		if (calls > 0 && h->total) {
			sr->split_error_us =
				((double)sr->inflight_start * hist_mean(h) + (double)sr->inflight_end * (double)hist_max(h)) / (double)calls;
			if (within && sr->split_error_us <= SPLIT_MAX_ERROR * hist_mean(h))
				sr->split = SPLIT_OK;
		}
	}
	sr->saturated = 0;
	int64_t p50 = h->total ? hist_percentile(h, 50) : 0, late = hist_percentile(sr->hiccup, 99);
	if (sr->hiccup->total && late >= HICCUP_FLOOR_US && (!h->total || (double)late > HICCUP_MAX_SHARE * (double)p50)) {
		sr->saturated = 1;
		if (h->total)
			snprintf(sr->saturated_why, sizeof sr->saturated_why,
			         "the driver woke up to %.3f ms late (hiccup p99) against a latency p50 of %.3f ms", late / 1000.0,
			         p50 / 1000.0);
		else
			snprintf(sr->saturated_why, sizeof sr->saturated_why,
			         "the driver woke up to %.3f ms late (hiccup p99) and received no answer in the window",
			         late / 1000.0);
	}
	/* on a schedule (run --start-at) other hosts may run the same statement, so the server's count is
	 * theirs too: `merge` judges it against the hosts' total */
	if (!sr->saturated && !scheduled && sr->srv.have_pgss && calls > 2 * client && calls - client >= 10) {
		sr->saturated = 1;
		snprintf(sr->saturated_why, sizeof sr->saturated_why,
		         "the server finished %lld queries in the window, the client received %lld", calls, client);
	}
	if (sr->saturated && !scheduled && sr->srv.have_pgss && calls > client + 10) { /* both signs: say the second too */
		size_t l = strlen(sr->saturated_why);
		if (!strstr(sr->saturated_why, "the server finished"))
			snprintf(sr->saturated_why + l, sizeof sr->saturated_why - l, "; the server finished %lld queries, the client received %lld",
			         calls, client);
	}
}

/*
 * Ends the step: joins the engine, appends the last seconds, closes the connections, and (when the
 * window was measured) fills the step from the recorders and judges it. 1 measured, 0 interrupted
 * before measuring (nothing to write), -1 out of memory (logged).
 */
static int step_collect(const struct step_shared *sh, const struct step_def *sd, struct step *st,
                        struct step_live *lv)
{
	struct step_result *sr = &st->sr;
	engine_join(lv->e);
	close(lv->env.stop_fd);
	lv->env.stop_fd = -1;
	long secs = recorder_seconds(sh->recs, lv->nthreads);
	struct interval iv;
	while (lv->next_sec < secs && recorder_collect(sh->recs, lv->nthreads, lv->next_sec, sh->scratch, &iv)) {
		results_interval(sh->res, sr->id, &iv);
		lv->next_sec++;
	}
	live_release(lv);

	const struct engine_env *env = &lv->env;
	int64_t stop_at = atomic_load(&env->t_stop);
	int64_t fin = stop_at && stop_at < env->t_end ? stop_at : env->t_end;
	if (!lv->measuring || fin <= env->t_measure)
		return 0;
	if (step_hists(st, sd, sh->o->connect_per_request) < 0) {
		log_error("could not set up the latency histograms");
		return -1;
	}
	merge_recorders(st, sd, sh->o->connect_per_request, sh->recs, lv->nthreads);
	if (lv->env.scripts)
		merge_statements(st, lv->env.scripts, sh->recs, lv->nthreads);
	sr->threads = lv->nthreads;
	sr->duration_s = (double)(fin - env->t_measure) / 1e9;
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	sr->start_epoch_s = (double)wall.tv_sec + wall.tv_nsec / 1e9 - (double)(mono_ns() - env->t_measure) / 1e9;
	sr->client_cpu_s = lv->cpu1 - lv->cpu0;
	sr->partial = fin < env->t_end;
	srv_diff(&lv->before, &lv->after, &sr->srv);
	if (sh->waits)
		sr->waits = &st->waits;
	pool_diff(&lv->pool_before, &lv->pool_after, &sr->pool);
	step_judge(sr, sh->sched_slot > 0);
	return 1;
}

/* Frees what the summary table does not read (it reads lat, and wait for a shared pool). */
static void step_trim(struct step *st)
{
	hist_free(&st->service);
	hist_free(&st->uncorrected);
	hist_free(&st->lag);
	hist_free(&st->hiccup);
	st->sr.service = st->sr.uncorrected = st->sr.lag = st->sr.hiccup = NULL;
}

void step_free(struct step *st)
{
	step_trim(st);
	for (int i = 0; i < st->nstmts; i++)
		hist_free(&st->stmt_lat[i]);
	free(st->stmt_lat);
	free(st->stmts);
	st->stmt_lat = NULL;
	st->stmts = NULL;
	st->nstmts = 0;
	st->sr.stmts = NULL;
	st->sr.nstmts = 0;
	hist_free(&st->lat);
	hist_free(&st->wait);
	hist_free(&st->connect);
	hist_free(&st->query);
	st->sr.lat = st->sr.wait = st->sr.connect_time = st->sr.query_time = NULL;
}

/* After the step is written: its warnings, and the progress line that closes it. */
static void step_report(const struct step_shared *sh, const struct step_def *sd, int i, const struct step_result *sr)
{
	progress_done(sh->progress, i, sr);
	double ratio = results_rate_ratio(sr);
	if (ratio >= 0 && ratio < RESULTS_RATE_MET && !sr->partial)
		log_warning("step %s achieved %.1f queries/s, %.0f%% of its target rate %ld: %llu due queries were never "
		            "sent (dropped)", sr->id, (double)sr->ok / sr->duration_s, 100.0 * ratio, sd->rate,
		            (unsigned long long)sr->dropped);
}

int step_run(const struct step_shared *sh, const struct step_def *sd, int i, const struct run_query *q,
             struct step *st, int *written)
{
	struct step_live lv;
	memset(&lv, 0, sizeof lv);
	*written = 0;
	if (step_open(sh, sd, i, q, st, &lv) < 0)
		return -1;
	step_measure(sh, sd, i, q->queryid, st, &lv);
	int measured = step_collect(sh, sd, st, &lv);
	if (measured <= 0)
		return measured;
	const struct step_result *sr = &st->sr;
	if (sr->saturated && !sh->quiet) {
		progress_clear(sh->progress);
		log_warning("step %s: driver saturated: these latencies measure the client, not PostgreSQL (%s)", sr->id,
		            sr->saturated_why);
		log_hint("Give the step more driver threads (--threads, --loops) or fewer connections per thread.");
	}
	if (sr->start_slipped && !sh->quiet) {
		progress_clear(sh->progress);
		log_warning("step %s started %.3f s after its slot in the schedule, more than 1%% of its %g s duration: its "
		            "window does not coincide with other hosts'", sr->id, sr->start_late_s, sh->o->duration_s);
		log_hint("Give the steps a longer --gap, or start the sweep later (--start-at).");
	}
	if (results_step(sh->res, sr) < 0)
		return -1;
	*written = 1;
	step_report(sh, sd, i, sr);
	step_trim(st);
	return 0;
}
