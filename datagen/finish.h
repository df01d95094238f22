/*
 * finish.h: the job pool that finishes a load: keys, foreign keys, indexes, per-table checksums and
 * VACUUM (ANALYZE), one statement a job, run by the loading connections as their COPYs end. Above the
 * row generator (it needs only the table names), below the loader (copy.h), which feeds it.
 */
#ifndef PGPB_DATAGEN_FINISH_H
#define PGPB_DATAGEN_FINISH_H

#include "datagen/rows.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct datagen_finish_result {
	int64_t count[DATAGEN_NTABLES]; /* from the checksum queries */
	int64_t sum[DATAGEN_NTABLES];
	double total_seconds; /* first job start to last job end */
};

/* The pool. Thread-safe. */
struct datagen_jobs;
/* The jobs of schema/keys.sql, schema/indexes.sql (with_indexes), the checksums and VACUUM; NULL (logged)
 * when a statement cannot be understood. */
struct datagen_jobs *datagen_jobs_new(int with_indexes);
void datagen_jobs_free(struct datagen_jobs *js);
void datagen_jobs_loaded(struct datagen_jobs *js, int table); /* the table's rows are committed */
void datagen_jobs_stop(struct datagen_jobs *js);
/* Runs jobs on conn until all are done (0) or the pool is stopped (-1). */
int datagen_jobs_work(struct datagen_jobs *js, PGconn *conn);
void datagen_jobs_status(struct datagen_jobs *js, char *buf, size_t len);
/* After the workers ended: checksums and timings into out, 0; -1 when a job failed (logged) or was not run. */
int datagen_jobs_result(struct datagen_jobs *js, double t0, int verbose, struct datagen_finish_result *out);

#endif
