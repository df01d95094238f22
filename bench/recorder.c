/*
 * recorder.c: per-thread measurements and the hand-over of per-second slices to the main thread.
 * The owner thread writes slot (second % REC_RING) and publishes `closed`; the main thread merges a second
 * once every thread has closed it and publishes `consumed`; a thread reuses a slot only after that.
 */
#include "bench/recorder.h"
#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int recorder_init(struct recorder *r, const atomic_int *stop, int flags)
{
	memset(r, 0, sizeof *r);
	r->stop = stop;
	r->flags = flags;
	if (hist_init(&r->lat, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	    hist_init(&r->hiccup, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS) < 0)
		return -1;
	if ((flags & REC_WAIT) && (hist_init(&r->wait, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	                           hist_init(&r->service, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0))
		return -1;
	if ((flags & REC_OPEN) && (hist_init(&r->uncorrected, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	                           hist_init(&r->lag, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0))
		return -1;
	if ((flags & REC_CONNECT) && (hist_init(&r->connect, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0 ||
	                              hist_init(&r->query, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS) < 0))
		return -1;
	for (int i = 0; i < REC_RING; i++)
		if (hist_init(&r->ring[i].h, HIST_LOWEST, HIST_HIGHEST, REC_SECOND_DIGITS) < 0) {
			recorder_free(r);
			return -1;
		}
	recorder_reset(r);
	return 0;
}

void recorder_free(struct recorder *r)
{
	hist_free(&r->lat);
	hist_free(&r->hiccup);
	hist_free(&r->wait);
	hist_free(&r->service);
	hist_free(&r->uncorrected);
	hist_free(&r->lag);
	hist_free(&r->connect);
	hist_free(&r->query);
	for (int i = 0; i < REC_RING; i++)
		hist_free(&r->ring[i].h);
	for (int i = 0; i < r->nstmts; i++)
		hist_free(&r->stmts[i].lat);
	free(r->stmts);
	r->stmts = NULL;
	r->nstmts = 0;
}

void recorder_stmts(struct recorder *r, int n)
{
	r->stmts = pgpb_calloc((size_t)n, sizeof *r->stmts);
	r->nstmts = n;
	for (int i = 0; i < n; i++)
		hist_init(&r->stmts[i].lat, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS);
}

void recorder_reset(struct recorder *r)
{
	hist_reset(&r->lat);
	hist_reset(&r->hiccup);
	r->edge_start = r->edge_end = 0;
	if (r->flags & REC_WAIT) {
		hist_reset(&r->wait);
		hist_reset(&r->service);
	}
	if (r->flags & REC_OPEN) {
		hist_reset(&r->uncorrected);
		hist_reset(&r->lag);
	}
	if (r->flags & REC_CONNECT) {
		hist_reset(&r->connect);
		hist_reset(&r->query);
	}
	r->connects = r->connect_errors = 0;
	r->late_starts = 0;
	r->dropped = 0;
	r->cur = -1;
	atomic_store(&r->closed, 0);
	atomic_store(&r->consumed, 0);
	r->ok = r->errors = r->verrors = r->reconnects = 0;
	r->ncodes = 0;
	memset(r->codes, 0, sizeof r->codes);
	for (int i = 0; i < r->nstmts; i++) {
		hist_reset(&r->stmts[i].lat);
		r->stmts[i].ok = r->stmts[i].errors = 0;
	}
}

void recorder_advance(struct recorder *r, long sec)
{
	if (sec <= r->cur)
		return;
	atomic_store_explicit(&r->closed, sec, memory_order_release);
	/* the slot of `sec` held second sec - REC_RING: wait until the main thread has collected it */
	while (atomic_load_explicit(&r->consumed, memory_order_acquire) <= sec - REC_RING) {
		if (r->stop && atomic_load_explicit(r->stop, memory_order_relaxed))
			break;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	/* seconds skipped without any event still need empty slots */
	long from = r->cur + 1 > sec - REC_RING + 1 ? r->cur + 1 : sec - REC_RING + 1;
	for (long s = from; s <= sec; s++) {
		struct rec_second *slot = &r->ring[s % REC_RING];
		hist_reset(&slot->h);
		slot->ok = slot->errors = slot->verrors = 0;
	}
	r->cur = sec;
}

void recorder_ok_parts(struct recorder *r, long sec, int64_t us, int64_t wait_us, int64_t service_us,
                       int64_t uncorrected_us, int64_t lag_us)
{
	recorder_ok(r, sec, us);
	if ((r->flags & REC_WAIT) && wait_us >= 0) {
		hist_record(&r->wait, wait_us);
		hist_record(&r->service, service_us);
	}
	if ((r->flags & REC_OPEN) && uncorrected_us >= 0) {
		hist_record(&r->uncorrected, uncorrected_us);
		hist_record(&r->lag, lag_us);
	}
}

void recorder_error(struct recorder *r, long sec, const char *sqlstate)
{
	if (sec != r->cur)
		recorder_advance(r, sec);
	r->ring[sec % REC_RING].errors++;
	r->errors++;
	const char *code = sqlstate && *sqlstate ? sqlstate : "?????";
	for (int i = 0; i < r->ncodes; i++)
		if (strncmp(r->codes[i].code, code, 5) == 0) {
			r->codes[i].n++;
			return;
		}
	/* the last slot collects every code beyond the first REC_CODES - 1 */
	int i = r->ncodes < REC_CODES - 1 ? r->ncodes++ : REC_CODES - 1;
	if (i == REC_CODES - 1) {
		code = "other";
		r->ncodes = REC_CODES;
	}
	snprintf(r->codes[i].code, sizeof r->codes[i].code, "%s", code);
	r->codes[i].n++;
}

void recorder_verror(struct recorder *r, long sec)
{
	if (sec != r->cur)
		recorder_advance(r, sec);
	r->ring[sec % REC_RING].verrors++;
	r->verrors++;
}

void recorder_connect(struct recorder *r, int64_t connect_us, int64_t query_us)
{
	if (!(r->flags & REC_CONNECT))
		return;
	r->connects++;
	hist_record(&r->connect, connect_us);
	if (query_us >= 0)
		hist_record(&r->query, query_us);
}

void recorder_finish(struct recorder *r, long last)
{
	if (last >= 0)
		recorder_advance(r, last);
	long closed = (r->cur > last ? r->cur : last) + 1;
	atomic_store_explicit(&r->closed, closed, memory_order_release);
}

int recorder_collect(struct recorder *rs, int n, long sec, struct hist *scratch, struct interval *out)
{
	for (int i = 0; i < n; i++)
		if (atomic_load_explicit(&rs[i].closed, memory_order_acquire) <= sec)
			return 0;
	hist_reset(scratch);
	memset(out, 0, sizeof *out);
	out->second = sec + 1;
	for (int i = 0; i < n; i++) {
		struct rec_second *s = &rs[i].ring[sec % REC_RING];
		hist_merge(scratch, &s->h);
		out->queries += s->ok;
		out->errors += s->errors;
		out->verrors += s->verrors;
	}
	out->hist = scratch;
	out->p50_us = hist_percentile(scratch, 50);
	out->p99_us = hist_percentile(scratch, 99);
	out->max_us = hist_max(scratch);
	for (int i = 0; i < n; i++)
		atomic_store_explicit(&rs[i].consumed, sec + 1, memory_order_release);
	return 1;
}

long recorder_seconds(struct recorder *rs, int n)
{
	long most = 0;
	for (int i = 0; i < n; i++)
		if (atomic_load(&rs[i].closed) > most)
			most = atomic_load(&rs[i].closed);
	for (int i = 0; i < n; i++)
		if (atomic_load(&rs[i].closed) < most)
			recorder_finish(&rs[i], most - 1);
	return most;
}
