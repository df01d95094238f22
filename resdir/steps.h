/*
 * steps.h: the columns of steps.csv (docs/results.md), one table for the writer and the reader. The
 * writer (resdir/write.c) fills a row cell by cell and writes the CSV line and its summary.json twin in
 * the table's order; the reader (resdir/read.c) finds each column by the table's name. Adding a column
 * here adds it to the header, the rows, summary.json and the reader at once.
 */
#ifndef PGPB_RESDIR_STEPS_H
#define PGPB_RESDIR_STEPS_H

#include <jansson.h>
#include <stddef.h>

/* The columns, in the file's order. The reader keeps each numeric one in res_step.v[] under this index. */
enum res_field {
	RF_STEP, RF_MODEL, RF_QUERY, RF_CONNECTIONS, RF_WORKERS, RF_LOOPS, RF_OFFSET, RF_RATE_QPS, RF_DURATION_S,
	RF_OK, RF_ERRORS, RF_VALIDATION_ERRORS, RF_RECONNECTS, RF_QPS, RF_MIN_US, RF_MEAN_US, RF_STDDEV_US,
	RF_P50_US, RF_P90_US, RF_P95_US, RF_P99_US, RF_P999_US, RF_MAX_US, RF_UNC_P50_US, RF_UNC_P99_US,
	RF_UNC_P999_US, RF_WAIT_MEAN_US, RF_WAIT_P50_US, RF_WAIT_P99_US, RF_SERVICE_P50_US, RF_SERVICE_P99_US,
	RF_LAG_P99_US, RF_LATE_STARTS, RF_CONNECT_S, RF_CLIENT_CPU_S, RF_CPU_PER_QUERY_US, RF_SERVER_CALLS,
	RF_SERVER_MEAN_EXEC_US, RF_SERVER_STDDEV_EXEC_US, RF_SERVER_MEAN_PLAN_US, RF_SERVER_BLKS_HIT,
	RF_SERVER_BLKS_READ, RF_DB_XACT_COMMIT, RF_DB_BLKS_HIT, RF_DB_BLKS_READ, RF_PARTIAL, RF_THREADS,
	RF_P99_RELIABLE, RF_P999_RELIABLE, RF_QUALIFYING_ROWS, RF_EMPTY_PAGES, RF_ACHIEVED_RATIO, RF_RATE_UNMET,
	RF_DROPPED, RF_INFLIGHT_START, RF_INFLIGHT_END, RF_SPLIT_ERROR_US, RF_SPLIT_RELIABLE, RF_HICCUP_P99_US,
	RF_HICCUP_MAX_US, RF_DRIVER_SATURATED, RF_START_LATE_S, RF_START_SLIPPED, RF_POOLER_XACTS, RF_POOLER_QUERIES,
	RF_POOLER_WAIT_US, RF_POOLER_WAIT_MEAN_US, RF_POOLER_QUERY_MEAN_US, RF_POOLER_CL_WAITING_MAX, RF_POOLER_MAXWAIT_US,
	RF_POOLER_SERVERS_MAX, RF_POOLER_CLIENTS_MAX, RF_CONNECTS, RF_CONNECT_ERRORS, RF_CONNECT_MEAN_US, RF_CONNECT_P50_US,
	RF_CONNECT_P99_US, RF_CONNECT_MAX_US, RF_QUERY_MEAN_US, RF_QUERY_P50_US, RF_QUERY_P99_US, RF_DB_SESSIONS,
	RF_COUNT
};

enum steps_type {
	STEPS_TEXT, /* written as is */
	STEPS_INT, /* written "%lld" (offset may also hold the text "mix") */
	STEPS_NUM, /* written "%.*f" with the column's decimals */
};

struct steps_column {
	const char *name;
	enum steps_type type;
	int decimals; /* STEPS_NUM */
	const char *unit; /* "us", "s" or "qps", the suffix of its name; "" for counts, flags, ratios and names */
	int plotted; /* plot, compare or http-compare read it: the reader refuses a non-number in it (others read
	              * as empty) */
};
extern const struct steps_column steps_columns[RF_COUNT];

/* Open loop: a step that achieved less than this share of its target rate is flagged (rate_unmet). */
#define RESULTS_RATE_MET 0.95

/* One row as the writer builds it: every cell starts empty (an empty CSV field, null in summary.json). */
struct steps_cell {
	enum { STEPS_EMPTY, STEPS_SET_TEXT, STEPS_SET_INT, STEPS_SET_NUM } set;
	const char *text;
	long long i;
	double d;
};
struct steps_row {
	struct steps_cell cell[RF_COUNT];
};
void steps_text(struct steps_row *row, enum res_field f, const char *v);
void steps_int(struct steps_row *row, enum res_field f, long long v);
void steps_num(struct steps_row *row, enum res_field f, double v);

/* Text built in memory (common/alloc.h) before it is written whole, so a line reaches its file in one
 * write or not at all. */
struct steps_buf {
	char *p; /* NUL-terminated; NULL while empty */
	size_t len, cap;
};
void steps_buf_printf(struct steps_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void steps_buf_free(struct steps_buf *b);

/* The header line, newline included. */
void steps_write_header(struct steps_buf *b);
/* The row as one CSV line (newline included) and as one member a column in obj, in the table's order. */
void steps_write_row(struct steps_buf *b, json_t *obj, const struct steps_row *row);

/* The column named name, or -1. */
int steps_column_find(const char *name);

#endif
