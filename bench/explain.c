/*
 * explain.c: runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) once for a query and offset on the control
 * connection (cancellable by a signal), then hands the plan to resdir/explain.h, which sums it up and
 * stores it beside the results.
 */
#include "bench/explain.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int explain_run(PGconn *conn, const char *sql, int nparams, const char *const *values, const char *results_dir,
                const char *label, long offset, struct explain_summary *out, char *path, size_t path_len)
{
	static const char prefix[] = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ";
	size_t n = strlen(sql);
	char *stmt = pgpb_malloc(sizeof prefix + n);
	memcpy(stmt, prefix, sizeof prefix - 1);
	memcpy(stmt + sizeof prefix - 1, sql, n + 1);
	PGcancel *cancel = PQgetCancel(conn);
	sig_set_cancel(cancel);
	PGresult *res = PQexecParams(conn, stmt, nparams, NULL, values, NULL, NULL, 0);
	sig_set_cancel(NULL);
	PQfreeCancel(cancel);
	free(stmt);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1 || PQnfields(res) != 1) {
		char line[1024];
		const char *msg = sig_caught() ? "interrupted"
		                  : PQresultStatus(res) == PGRES_TUPLES_OK ? "no plan returned"
		                  : log_firstline(PQresultErrorMessage(res), line, sizeof line);
		log_error("could not run EXPLAIN at offset %ld: %s", offset, msg);
		PQclear(res);
		return -1;
	}
	const char *json = PQgetvalue(res, 0, 0);
	char err[256];
	if (explain_parse(json, out, err, sizeof err) < 0) {
		log_error("could not read the EXPLAIN output at offset %ld: %s", offset, err);
		PQclear(res);
		return -1;
	}
	int rc = explain_write(results_dir, label, offset, json, path, path_len);
	PQclear(res);
	return rc;
}
