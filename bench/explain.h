/*
 * explain.h: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the benchmarked query, once per offset (issue 7),
 * kept as explain/offset-<n>.json in the results directory, and summed up for the report.
 */
#ifndef PGPB_EXPLAIN_H
#define PGPB_EXPLAIN_H

#include <libpq-fe.h>
#include <stddef.h>

struct explain_summary {
	double planning_ms, execution_ms; /* "Planning Time", "Execution Time" */
	/* rows_returned: the top plan node's Actual Rows x Actual Loops (what the client got).
	 * rows_processed: the largest Actual Rows x Actual Loops of any single node anywhere in the plan
	 * (init plans, subplans and CTEs included): the widest point the executor went through to produce
	 * the page, e.g. every qualifying record going into the GROUP BY. */
	double rows_returned, rows_processed;
	char processed_node[128]; /* that node: "Seq Scan on tag", "HashAggregate", ... */
	long long shared_hit, shared_read; /* the top node's "Shared Hit/Read Blocks" (its whole subtree) */
	int nodes; /* plan nodes walked */
};

/*
 * Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of sql with its parameters (text values, as for
 * PQexecParams) on conn, writes the JSON as <results_dir>/explain/<label>offset-<offset>.json (label ""
 * or NULL for the single-query case, e.g. "keyset-" when sweeping variants), creating explain/ when
 * needed, and fills *out. The query really runs (ANALYZE). 0 on success, -1 on failure (logged).
 * path, when not NULL, receives the file's path.
 */
int explain_run(PGconn *conn, const char *sql, int nparams, const char *const *values, const char *results_dir,
                const char *label, long offset, struct explain_summary *out, char *path, size_t path_len);

/* Parses the JSON EXPLAIN prints (an array of one object with "Plan"); 0 on success, -1 on bad input
 * (nothing logged: err receives why, when not NULL). */
int explain_parse(const char *json, struct explain_summary *out, char *err, size_t err_len);

/* One line for the summary: "processed 600,000 rows (HashAggregate) to return 10; planning 0.2 ms,
 * execution 2,345.6 ms". */
void explain_describe(const struct explain_summary *s, char *buf, size_t len);

#endif
