/*
 * explain.h: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the benchmarked query, run once per offset
 * against the server and kept as explain/offset-<n>.json in the results directory. The file and its
 * summary (struct explain_summary, explain_parse, explain_describe) belong to resdir/explain.h.
 */
#ifndef PGPB_EXPLAIN_H
#define PGPB_EXPLAIN_H

#include "resdir/explain.h"

#include <libpq-fe.h>
#include <stddef.h>

/*
 * Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of sql with its parameters (text values, as for
 * PQexecParams) on conn, writes the JSON as <results_dir>/explain/<label>offset-<offset>.json (label ""
 * or NULL for the single-query case, e.g. "keyset-" when sweeping variants), creating explain/ when
 * needed, and fills *out. The query really runs (ANALYZE). 0 on success, -1 on failure (logged).
 * path, when not NULL, receives the file's path.
 */
int explain_run(PGconn *conn, const char *sql, int nparams, const char *const *values, const char *results_dir,
                const char *label, long offset, struct explain_summary *out, char *path, size_t path_len);

#endif
