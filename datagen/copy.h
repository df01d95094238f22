/*
 * copy.h: the parallel load: every row COPYed over the given connections, each connection turning to
 * the job pool (finish.h) once its COPYs are done. Above the row generator and the job pool, below
 * datagen_exec, which prepares the tables and records the result.
 */
#ifndef PGPB_DATAGEN_COPY_H
#define PGPB_DATAGEN_COPY_H

#include "datagen/finish.h"
#include "datagen/rows.h"

#include <libpq-fe.h>
#include <stdint.h>

struct datagen_copy_result {
	int64_t rows[DATAGEN_NTABLES];
	double seconds[DATAGEN_NTABLES]; /* first COPY start to last COPY end of that table */
	double total_seconds; /* start to the last COPY's end */
};

/* COPYs every row over conns[0..nconns) in parallel, each connection turning to the jobs (keys,
 * indexes, checksums, VACUUM) once its COPYs are done; progress on stderr when progress is set, each
 * job's timing with verbose. Computes the plan's password meanwhile. 0 on success; -1 on failure
 * (logged) or signal (sig_caught() tells). */
int datagen_load(struct datagen_plan *plan, PGconn **conns, int nconns, int with_indexes, int progress, int verbose,
                 struct datagen_copy_result *copy, struct datagen_finish_result *finish);

#endif
