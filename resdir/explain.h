/*
 * explain.h: the explain/ files of a results directory: one EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) plan
 * of the benchmarked query per offset, named <label>offset-<n>.json, written by bench/explain.c as the
 * run goes and read back for the report (plots/dbcost.c). Both sides name, write and parse the files here.
 */
#ifndef PGPB_RESDIR_EXPLAIN_H
#define PGPB_RESDIR_EXPLAIN_H

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

/* Parses the JSON EXPLAIN prints (an array of one object with "Plan"); 0 on success, -1 on bad input
 * (nothing logged: err receives why, when not NULL). */
int explain_parse(const char *json, struct explain_summary *out, char *err, size_t err_len);
/* A plan file larger than this is refused (a plan of a page query is a few kB). */
#define EXPLAIN_MAX ((size_t)64 << 20)
/* Reads the plan file at path (common/input.h: at most EXPLAIN_MAX bytes, a signal ends the read) and
 * parses it; -1 with the reason the file could not be read or explain_parse's. */
int explain_load(const char *path, struct explain_summary *out, char *err, size_t err_len);

/* One line for the summary: "processed 600,000 rows (HashAggregate) to return 10; planning 0.2 ms,
 * execution 2,345.6 ms". */
void explain_describe(const struct explain_summary *s, char *buf, size_t len);

/* Writes json (and a newline) as <results_dir>/explain/<label>offset-<offset>.json (label "" or NULL for
 * the single-query case, e.g. "keyset-" when sweeping variants), creating explain/ when needed. 0, or -1
 * (logged). path, when not NULL, receives the file's path. */
int explain_write(const char *results_dir, const char *label, long offset, const char *json, char *path,
                  size_t path_len);

/* A plan file's name, "offset-<n>.json" or "<variant>-offset-<n>.json": 1 with the variant ("" for none)
 * and the offset, 0 when the name is neither. */
int explain_name_parse(const char *name, char *variant, size_t variant_len, long *offset);

#endif
