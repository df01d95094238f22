/*
 * plan.h: the steps of a run, worked out from the options alone before anything connects: the sweep
 * over query variants, pool sizes, offsets (then the offset mix) and rates, in the order the run takes
 * them, each with its id. Pure (no I/O, no server), so the order is unit-tested (tests/unit/test_plan.c).
 */
#ifndef PGPB_PLAN_H
#define PGPB_PLAN_H

#include "bench/bench.h"

#include <stddef.h>

/* One step of the sweep. */
struct step_def {
	int query; /* index into the run's queries: --queries in order, else 0 */
	enum run_model model;
	long connections, offset; /* offset 0 for a mix step */
	int mix; /* an --offset-mix step: OFFSETs are drawn */
	int workers, loops; /* POOL: worker threads; ASYNC: event loops */
	long rate; /* open loop: queries a second; 0 = closed loop */
	int empty; /* the offset is at or past the rows the query pages through: 1, 0, or -1 unknown (mix);
	            * 0 from plan_steps, decided against the dataset before the sweep (bench/query.h) */
	char id[64]; /* "s001-threads-c4-o100": the step's name in every results file */
	char name[64]; /* the id without its "sNNN-": "threads-c4-o100" */
};

struct plan {
	struct step_def *steps; /* owned */
	int nsteps;
};

/*
 * The steps of o in the order they run: each query (--queries) outermost, then each pool size, each
 * offset then the mix step, and each rate innermost. --preset seed-article runs one pool size,
 * 2 x ncpu, as a shared pool of that many workers beside one event loop, for every offset and rate.
 */
void plan_steps(const struct run_opts *o, long ncpu, struct plan *out);
void plan_free(struct plan *p);
/* "s001-threads-c4-o100", "s002-pool-w8-c4-omix", "s003-async-l1-c500-o0-r1000"; i < 0: without "sNNN-" */
void plan_step_name(const struct step_def *sd, int i, char *buf, size_t len);
/* Threads issuing a step's queries: event loops (never more than connections), or the pool's workers;
 * threads is the run's --threads for the threads model. */
int plan_step_threads(const struct step_def *sd, int threads);
/* The largest number of connections a step of o opens (2 x ncpu under --preset seed-article). */
long plan_max_pool(const struct run_opts *o, long ncpu);
/* "threads", "pool", "async" */
const char *plan_model_name(enum run_model m);

#endif
