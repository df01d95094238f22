/*
 * results.h: a results directory (docs/results.md) read into memory for the charts, the report and compare.
 * Internal to plots/. CSV columns are found by name, extra columns are ignored, empty fields become NAN.
 */
#ifndef PGPB_PLOTS_RESULTS_H
#define PGPB_PLOTS_RESULTS_H

#include <stddef.h>

/* The numeric steps.csv columns the plots use, in the order of res_field_names[]. */
enum res_field {
	RF_CONNECTIONS, RF_WORKERS, RF_LOOPS, RF_OFFSET, RF_RATE_QPS, RF_DURATION_S, RF_OK, RF_ERRORS,
	RF_VALIDATION_ERRORS, RF_RECONNECTS, RF_QPS, RF_MIN_US, RF_MEAN_US, RF_STDDEV_US, RF_P50_US, RF_P90_US,
	RF_P95_US, RF_P99_US, RF_P999_US, RF_MAX_US, RF_UNC_P50_US, RF_UNC_P99_US, RF_UNC_P999_US, RF_WAIT_MEAN_US,
	RF_WAIT_P50_US, RF_WAIT_P99_US, RF_SERVICE_P50_US, RF_SERVICE_P99_US, RF_LAG_P99_US, RF_LATE_STARTS,
	RF_CPU_PER_QUERY_US, RF_SERVER_MEAN_EXEC_US, RF_PARTIAL, RF_SERVER_MEAN_PLAN_US, RF_SERVER_CALLS, RF_DROPPED,
	RF_EMPTY_PAGES, RF_INFLIGHT_START, RF_INFLIGHT_END, RF_SPLIT_ERROR_US, RF_SPLIT_RELIABLE, RF_HICCUP_P99_US,
	RF_HICCUP_MAX_US, RF_DRIVER_SATURATED, RF_COUNT
};
extern const char *const res_field_names[RF_COUNT];

/* One line of a .hgrm percentile table. */
struct res_pctl {
	double value_us, percentile, count;
};

/* One second of intervals.csv. */
struct res_second {
	double second, queries, errors, p50_us, p99_us, max_us;
};

struct res_step {
	char *id, *model, *query, *offset_text, *rate_text; /* text columns ("" when empty) */
	double v[RF_COUNT]; /* NAN when empty or absent; RF_OFFSET is NAN for "mix" */
	struct res_pctl *pctl; /* <id>.hgrm, NULL when absent or empty */
	size_t npctl;
	struct res_second *sec; /* its rows of intervals.csv, in file order */
	size_t nsec;
};

struct res_run {
	char *dir;
	/* from meta.json; "" when unknown. */
	char run_id[128], started_at[64], finished_at[64], status[32], tool_version[32], server_version[160];
	char hostname[256], connection[512], command_line[2048], query_name[256], query_sha[80], dataset_scale[32];
	char dataset_fingerprint[160], settings[512], options[1024];
	char *query_text; /* malloc'd, may be NULL */
	int cpus;
	int has_meta;
	struct res_step *steps;
	size_t nsteps;
	size_t nintervals; /* rows of intervals.csv kept */
};

/* Reads the directory. Returns 0, or logs one error line and returns -1 (missing directory, missing or
 * unreadable steps.csv, a steps.csv without a "step" column or with a non-number in a numeric column). */
int res_load(const char *dir, struct res_run *run);
void res_free(struct res_run *run);
/* The step's server/client split may be shown: split_reliable is 1, or absent (a run from before the
 * column, whose split was never checked). */
int res_split_reliable(const struct res_step *s);
/* An open-loop step: it ran at a target rate (rate_qps is set). */
int res_is_open_loop(const struct res_step *s);
/* Whether the step's percentile p (0..100) rests on at least 10 queries at or beyond it, by its `ok` count
 * (the rule of bench/hist.h); 1 when the count is unknown. */
int res_pct_reliable(const struct res_step *s, double p);
/* An open-loop step that achieved less than 95% of its target rate. */
int res_rate_unmet(const struct res_step *s);
/* Matching key for compare: model/query/connections/workers/offset/rate, numbers normalised. */
void res_step_key(const struct res_step *s, char *buf, size_t len);

#endif
