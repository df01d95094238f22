/*
 * read.h: the reading half of the results directory (docs/results.md), for the charts, the report,
 * compare and http-compare: the whole run read into memory. steps.csv columns are found by the names of
 * resdir/steps.h (extra columns ignored, empty fields NAN); resdir/write.h writes the same files.
 */
#ifndef PGPB_RESDIR_READ_H
#define PGPB_RESDIR_READ_H

#include "common/hist.h"
#include "resdir/hgrm.h"
#include "resdir/steps.h"
#include "resdir/waits.h"

#include <jansson.h>
#include <stddef.h>

/* One second of intervals.csv. */
struct res_second {
	double second, queries, errors, p50_us, p99_us, max_us;
	double verrors; /* validation_errors (added after the others: 0 when the column is absent) */
};
/* One host's second of a merged run (host-intervals.csv, written by `merge`): host indexes res_run.hosts. */
struct res_host_second {
	size_t host;
	double second, queries, errors, p99_us;
};

/* run --script: one row of statements.csv (a statement of a script over a step). */
struct res_stmt {
	char *script, *sql;
	double weight, index, line, ok, errors, mean_us, p50_us, p99_us, max_us; /* NAN when empty */
};

struct res_step {
	char *id, *model, *query, *offset_text, *rate_text; /* text columns ("" when empty) */
	double v[RF_COUNT]; /* the numeric columns: NAN when empty or absent; RF_OFFSET is NAN for "mix" */
	struct res_pctl *pctl; /* <id>.hgrm, NULL when absent or empty */
	size_t npctl;
	struct res_second *sec; /* its rows of intervals.csv, in file order */
	size_t nsec;
	struct res_host_second *hsec; /* a merged run: each host's seconds of the step (host-intervals.csv) */
	size_t nhsec;
	struct res_waits waits; /* its rows of waits.csv (waits.have 0 when none) */
	struct res_waits app_waits; /* http-compare --url: the web app's backends during its HTTP step
	                             * (http/waits.csv; app_waits.have 0 when none) */
	struct res_stmt *stmts; /* run --script: its rows of statements.csv (read with intervals.csv) */
	size_t nstmts;
};

struct res_run {
	char *dir;
	/* from meta.json; "" when unknown. */
	char run_id[128], started_at[64], finished_at[64], status[32], tool_version[32], server_version[160];
	char hostname[256], connection[512], command_line[2048], query_name[256], query_sha[80], dataset_scale[32];
	char dataset_fingerprint[160], settings[512], options[1024];
	char database[640]; /* meta.json's "database": "NAME on HOST:PORT"; "" for runs from before it */
	char pooler[256]; /* "PgBouncer 1.18.0, transaction mode, pool of 20 server connections, ..."; "" without one */
	char *query_text; /* malloc'd, may be NULL */
	int cpus;
	int has_meta;
	int meta_json; /* the context came from meta.json itself, not from summary.json's copy */
	unsigned char has_column[RF_COUNT]; /* 1: steps.csv has the column */
	struct res_step *steps;
	size_t nsteps;
	/* Whether the steps differ in model, in query, or in a numeric column (RF_OFFSET: in its text, so
	 * "mix" counts), worked out once by res_load (res_steps_differ) so that labelling a step needs no
	 * scan of the others: the charts stay linear in the number of steps. */
	unsigned char mixes_model, mixes_query, varies[RF_COUNT];
	size_t nintervals; /* rows of intervals.csv kept */
	char **hosts; /* a merged run: the hosts' tags, in the order merged (from host-intervals.csv); else NULL */
	size_t nhosts;
	int has_waits; /* waits.csv was read and holds a step of steps.csv */
	int has_app_waits; /* so was http/waits.csv (http-compare --url with --app-user or --app-db) */
};

/* The largest file of each kind read (common/input.h): past it, the load fails naming the file and the
 * limit. A step is a row of about 1 kB in steps.csv, a few kB in summary.json and a row a second in
 * intervals.csv. */
#define RES_STEPS_MAX ((size_t)256 << 20)
#define RES_INTERVALS_MAX ((size_t)256 << 20)
#define RES_SUMMARY_MAX ((size_t)256 << 20)
#define RES_META_MAX ((size_t)16 << 20)

/* Reads the directory. Returns 0, or logs one error line and returns -1 (missing directory, missing or
 * unreadable steps.csv, a steps.csv without a "step" column or with a non-number in a column the plots read:
 * steps_columns[].plotted; any file of the directory past its limit; a read ended by a signal, which
 * sig_caught() then reports). A UTF-8 byte order mark at the start of a file is skipped. */
int res_load(const char *dir, struct res_run *run);
/* What res_load_parts reads besides steps.csv; res_load reads everything (RES_ALL). */
enum {
	RES_META = 1, /* meta.json, else summary.json's copy */
	RES_META_WARN = 2, /* with RES_META: warn when neither holds the run's context */
	RES_INTERVALS = 4, /* intervals.csv */
	RES_HGRM = 8, /* each step's .hgrm, else summary.json's buckets */
	RES_WAITS = 16, /* waits.csv */
	RES_ALL = 31,
};
int res_load_parts(const char *dir, struct res_run *run, unsigned parts);
void res_free(struct res_run *run);
/* Fills mixes_model, mixes_query and varies[] from the steps (res_load does it; a run built otherwise
 * calls it once its steps are in place). */
void res_steps_differ(struct res_run *run);
/* The step's server/client split may be shown: split_reliable is 1, or absent (a run from before the
 * column, whose split was never checked). */
int res_split_reliable(const struct res_step *s);
/* An open-loop step: it ran at a target rate (rate_qps is set). */
int res_is_open_loop(const struct res_step *s);
/* Whether the step's percentile p (0..100) rests on at least 10 queries at or beyond it, by its `ok` count
 * (the rule of common/hist.h); 1 when the count is unknown. */
int res_pct_reliable(const struct res_step *s, double p);
/* An open-loop step that achieved less than 95% of its target rate. */
int res_rate_unmet(const struct res_step *s);
/* The step's latency histogram rebuilt from summary.json's sparse buckets, with the exact min and max
 * run kept: the very figures run wrote into steps.csv come back out of hist_percentile. 0 with *out to
 * hist_free, or -1 with why in err ("no step ... with a latency histogram" or jansson's reason). */
int res_summary_hist(const char *dir, const char *step, struct hist *out, char *err, size_t err_len);
/* meta.json (else summary.json's copy of it) and summary.json, parsed whole, for a tool that needs more
 * than res_load keeps (merge). NULL with why in err (missing, past its limit, not JSON, not an object). */
json_t *res_meta_json(const char *dir, char *err, size_t err_len);
json_t *res_summary_json(const char *dir, char *err, size_t err_len);
/* A histogram of summary.json ({"lowest_us", "highest_us", "significant_digits", "min_us", "max_us",
 * "sum_us", "buckets": [[value_us, count], ...]}) rebuilt exactly: the same buckets, total, sum and
 * extremes the run had. 0 (hist_free it; it may be empty) or -1 with why in err. */
int res_json_hist(json_t *h, struct hist *out, char *err, size_t err_len);
/* Matching key for compare: model/query/connections/workers/offset/rate, numbers normalised. */
void res_step_key(const struct res_step *s, char *buf, size_t len);

#endif
