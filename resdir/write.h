/*
 * write.h: the writing half of the results directory (docs/results.md): meta.json, steps.csv,
 * intervals.csv, one .hgrm a step and summary.json, each written as the run goes so an interrupted run
 * keeps its finished steps. The driver (bench/run.c) fills a struct step_result a step; resdir/read.h
 * reads the same files back.
 *
 * A step's figures arrive as histograms (common/hist.h) and the plain figures of resdir/figures.h, so the
 * format includes nothing of the driver's.
 */
#ifndef PGPB_RESDIR_WRITE_H
#define PGPB_RESDIR_WRITE_H

#include "common/hist.h"
#include "resdir/figures.h"
#include "resdir/steps.h"

#include <jansson.h>
#include <stdio.h>

struct step_result {
	char id[64];
	const char *model, *query;
	long connections, workers, loops; /* loops 0 = not applicable */
	int mix;
	long offset;
	int threads;
	double duration_s, connect_s, client_cpu_s;
	uint64_t ok, errors, verrors, reconnects;
	double rate; /* open loop target, 0 = closed loop */
	const struct hist *lat;
	const struct hist *wait, *service; /* shared pool, else NULL */
	const struct hist *uncorrected, *lag; /* open loop, else NULL */
	uint64_t late_starts;
	struct rec_code codes[STEP_CODES_MAX];
	int ncodes;
	struct srv_diff srv;
	int partial;
	long long qualifying; /* rows the query pages through, -1 when not known for this query */
	int empty_pages; /* 1: the offset is at or past them; 0: not; -1: unknown (an offset mix) */
	uint64_t dropped; /* open loop: queries due in the measured time and never sent */
	/* the window's edges: queries in flight at its start (or finished before the server's snapshot
	 * returned) and at its end; server_calls must lie within ok + validation errors minus the first and
	 * plus the second */
	uint64_t inflight_start, inflight_end;
	int split; /* the server/client split: SPLIT_NONE (no pg_stat_statements), SPLIT_UNRELIABLE, SPLIT_OK */
	double split_error_us; /* how far the mean server time may exceed the client mean from the edges alone */
	const struct hist *hiccup; /* the driver threads' hiccups (how late they woke), microseconds */
	int saturated; /* the driver was too late for the latencies to be PostgreSQL's */
	char saturated_why[256];
};

/* The achieved share of the target rate (ok / duration / rate); -1 for a closed-loop step. */
double results_rate_ratio(const struct step_result *s);

enum { SPLIT_NONE = -1, SPLIT_UNRELIABLE = 0, SPLIT_OK = 1 };
/* The split's error may be at most this share of the client mean for the split to be reliable. */
#define SPLIT_MAX_ERROR 0.10
/* The driver is saturated when its hiccup p99 exceeds this share of the latency p50 (and HICCUP_FLOOR_US). */
#define HICCUP_MAX_SHARE 0.10
#define HICCUP_FLOOR_US 1000

struct results {
	char dir[4096];
	FILE *steps, *intervals;
	json_t *meta; /* owned */
	json_t *steps_json; /* owned: summary.json's steps */
};

/* Creates the files (meta.json with status "running"); takes ownership of meta. 0 or -1 (logged). */
int results_open(struct results *r, const char *dir, json_t *meta);
int results_interval(struct results *r, const char *step, const struct interval *iv);
/* Appends the step to steps.csv, writes its .hgrm and rewrites summary.json. 0 or -1 (logged). */
int results_step(struct results *r, const struct step_result *s);
/* Final meta.json and summary.json with status and finished_at; closes everything. */
int results_close(struct results *r, const char *status);

/* ISO 8601 UTC of now. */
void results_now_iso(char *buf, size_t len);

#endif
