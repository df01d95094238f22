/*
 * plan.c: the sweep's steps from the options (bench/plan.h). The order is part of the results format:
 * step ids number the steps in this order, and docs/run.md describes it.
 */
#include "bench/plan.h"
#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const model_names[] = { "threads", "pool", "async" };

const char *plan_model_name(enum run_model m)
{
	return model_names[m];
}

static long preset_pool(long ncpu)
{
	return 2 * (ncpu > 0 ? ncpu : 1);
}

static void plan_add(struct plan *p, const struct step_def *d)
{
	struct step_def *sd = &p->steps[p->nsteps];
	*sd = *d;
	plan_step_name(sd, p->nsteps, sd->id, sizeof sd->id);
	plan_step_name(sd, -1, sd->name, sizeof sd->name);
	p->nsteps++;
}

void plan_steps(const struct run_opts *o, long ncpu, struct plan *out)
{
	size_t nq = o->nqueries ? o->nqueries : 1;
	size_t npools = o->preset_seed_article && o->npools ? 1 : o->npools;
	size_t noffsets = o->noffsets + (o->offset_mix ? 1 : 0);
	size_t nrates = o->nrates ? o->nrates : 1;
	size_t per_step = o->preset_seed_article ? 2 : 1;
	out->nsteps = 0;
	out->steps = pgpb_calloc(nq * npools * noffsets * nrates * per_step + 1, sizeof *out->steps);
	for (size_t qi = 0; qi < nq; qi++)
		for (size_t p = 0; p < npools; p++)
			for (size_t k = 0; k < noffsets; k++)
				for (size_t r = 0; r < nrates; r++) {
					int mix = k == o->noffsets;
					struct step_def d = { .query = (int)qi, .model = o->model, .connections = o->pools[p],
					                      .offset = mix ? 0 : o->offsets[k], .mix = mix, .workers = o->workers,
					                      .loops = o->loops > 0 ? o->loops : 1, .rate = o->nrates ? o->rates[r] : 0 };
					if (o->preset_seed_article) {
						/* gunicorn threads over a pool, then aiohttp's one loop, side by side */
						d.model = RUN_MODEL_POOL;
						d.connections = preset_pool(ncpu);
						d.workers = (int)d.connections;
						plan_add(out, &d);
						d.model = RUN_MODEL_ASYNC;
						d.loops = 1;
					}
					plan_add(out, &d);
				}
}

void plan_free(struct plan *p)
{
	free(p->steps);
	p->steps = NULL;
	p->nsteps = 0;
}

void plan_step_name(const struct step_def *sd, int i, char *buf, size_t len)
{
	char pre[16] = "", extra[32] = "", off[24], rate[32] = "";
	if (i >= 0)
		snprintf(pre, sizeof pre, "s%03d-", i + 1);
	if (sd->model == RUN_MODEL_POOL)
		snprintf(extra, sizeof extra, "w%d-", sd->workers);
	else if (sd->model == RUN_MODEL_ASYNC)
		snprintf(extra, sizeof extra, "l%d-", sd->loops);
	if (sd->mix)
		snprintf(off, sizeof off, "omix");
	else
		snprintf(off, sizeof off, "o%ld", sd->offset);
	if (sd->rate > 0)
		snprintf(rate, sizeof rate, "-r%ld", sd->rate);
	snprintf(buf, len, "%s%s-%sc%ld-%s%s", pre, model_names[sd->model], extra, sd->connections, off, rate);
}

int plan_step_threads(const struct step_def *sd, int threads)
{
	int n = (int)sd->connections;
	int want = sd->model == RUN_MODEL_POOL ? sd->workers : sd->model == RUN_MODEL_ASYNC ? sd->loops : threads;
	return sd->model != RUN_MODEL_POOL && want > n ? n : want;
}

long plan_max_pool(const struct run_opts *o, long ncpu)
{
	if (o->preset_seed_article)
		return preset_pool(ncpu);
	long maxpool = 0;
	for (size_t k = 0; k < o->npools; k++)
		if (o->pools[k] > maxpool)
			maxpool = o->pools[k];
	return maxpool;
}
