/*
 * test_plan.c: the order and names of a run's steps (bench/plan.h), against lists written out by hand:
 * the step ids are part of the results format, so a change of order must be deliberate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "bench/plan.h"

#define N(a) (sizeof a / sizeof a[0])

/* The plan's ids are exactly want[0..n). */
static void assert_ids(const struct plan *p, const char *const *want, size_t n)
{
	assert_int_equal(p->nsteps, (int)n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(p->steps[i].id, want[i]);
}

static void pools_outer_offsets_inner(void **state)
{
	(void)state;
	static const long pools[] = { 1, 3 }, offsets[] = { 0, 100, 390 };
	struct run_opts o = run_opts_default();
	o.pools = pools, o.npools = N(pools), o.offsets = offsets, o.noffsets = N(offsets);
	struct plan p;
	plan_steps(&o, 4, &p);
	static const char *const want[] = { "s001-threads-c1-o0", "s002-threads-c1-o100", "s003-threads-c1-o390",
		                            "s004-threads-c3-o0", "s005-threads-c3-o100", "s006-threads-c3-o390" };
	assert_ids(&p, want, N(want));
	assert_string_equal(p.steps[4].name, "threads-c3-o100");
	assert_int_equal(p.steps[4].offset, 100);
	assert_int_equal(p.steps[4].connections, 3);
	assert_int_equal(p.steps[4].mix, 0);
	assert_int_equal(p.steps[4].rate, 0);
	assert_int_equal(p.steps[4].query, 0);
	assert_int_equal(p.steps[4].empty, 0);
	plan_free(&p);
}

static void mix_after_offsets_rates_innermost(void **state)
{
	(void)state;
	static const long pools[] = { 2 }, offsets[] = { 0, 50 }, rates[] = { 100, 200 };
	struct run_opts o = run_opts_default();
	o.pools = pools, o.npools = N(pools), o.offsets = offsets, o.noffsets = N(offsets);
	o.rates = rates, o.nrates = N(rates), o.offset_mix = 1;
	struct plan p;
	plan_steps(&o, 4, &p);
	static const char *const want[] = { "s001-threads-c2-o0-r100",   "s002-threads-c2-o0-r200",
		                            "s003-threads-c2-o50-r100",  "s004-threads-c2-o50-r200",
		                            "s005-threads-c2-omix-r100", "s006-threads-c2-omix-r200" };
	assert_ids(&p, want, N(want));
	assert_int_equal(p.steps[5].mix, 1);
	assert_int_equal(p.steps[5].offset, 0);
	assert_int_equal(p.steps[5].rate, 200);
	plan_free(&p);
}

static void mix_alone(void **state)
{
	(void)state;
	static const long pools[] = { 1, 2 };
	struct run_opts o = run_opts_default();
	o.pools = pools, o.npools = N(pools), o.noffsets = 0, o.offset_mix = 1;
	struct plan p;
	plan_steps(&o, 4, &p);
	static const char *const want[] = { "s001-threads-c1-omix", "s002-threads-c2-omix" };
	assert_ids(&p, want, N(want));
	plan_free(&p);
}

static void queries_outermost(void **state)
{
	(void)state;
	static const long pools[] = { 1, 2 }, offsets[] = { 0 };
	static const char *const queries[] = { "seed", "keyset" };
	struct run_opts o = run_opts_default();
	o.pools = pools, o.npools = N(pools), o.offsets = offsets, o.noffsets = N(offsets);
	o.queries = queries, o.nqueries = N(queries);
	struct plan p;
	plan_steps(&o, 4, &p);
	static const char *const want[] = { "s001-threads-c1-o0", "s002-threads-c2-o0", "s003-threads-c1-o0",
		                            "s004-threads-c2-o0" };
	assert_ids(&p, want, N(want));
	static const int query[] = { 0, 0, 1, 1 };
	for (size_t i = 0; i < N(query); i++)
		assert_int_equal(p.steps[i].query, query[i]);
	plan_free(&p);
}

static void models_in_names(void **state)
{
	(void)state;
	static const long pools[] = { 4 }, offsets[] = { 0 };
	struct run_opts o = run_opts_default();
	o.pools = pools, o.npools = N(pools), o.offsets = offsets, o.noffsets = N(offsets);
	o.model = RUN_MODEL_POOL, o.workers = 8;
	struct plan p;
	plan_steps(&o, 4, &p);
	static const char *const pool[] = { "s001-pool-w8-c4-o0" };
	assert_ids(&p, pool, 1);
	assert_int_equal(p.steps[0].workers, 8);
	plan_free(&p);
	o.model = RUN_MODEL_ASYNC, o.workers = 0, o.loops = 2;
	plan_steps(&o, 4, &p);
	static const char *const async2[] = { "s001-async-l2-c4-o0" };
	assert_ids(&p, async2, 1);
	plan_free(&p);
	o.loops = 0; /* not given: one loop */
	plan_steps(&o, 4, &p);
	static const char *const async1[] = { "s001-async-l1-c4-o0" };
	assert_ids(&p, async1, 1);
	plan_free(&p);
}

static void preset_side_by_side(void **state)
{
	(void)state;
	static const long pools[] = { 1, 2, 4 }, offsets[] = { 0, 1000 };
	struct run_opts o = run_opts_default();
	o.pools = pools, o.npools = N(pools), o.offsets = offsets, o.noffsets = N(offsets);
	o.preset_seed_article = 1;
	struct plan p;
	plan_steps(&o, 4, &p); /* 4 CPUs: a pool of 8 connections and 8 workers, one pool size only */
	static const char *const want[] = { "s001-pool-w8-c8-o0", "s002-async-l1-c8-o0", "s003-pool-w8-c8-o1000",
		                            "s004-async-l1-c8-o1000" };
	assert_ids(&p, want, N(want));
	plan_free(&p);
	plan_steps(&o, 0, &p); /* CPU count unknown: as one CPU */
	static const char *const one[] = { "s001-pool-w2-c2-o0", "s002-async-l1-c2-o0", "s003-pool-w2-c2-o1000",
		                           "s004-async-l1-c2-o1000" };
	assert_ids(&p, one, N(one));
	plan_free(&p);
}

static void threads_and_max_pool(void **state)
{
	(void)state;
	struct step_def threads = { .model = RUN_MODEL_THREADS, .connections = 2 };
	struct step_def pool = { .model = RUN_MODEL_POOL, .connections = 4, .workers = 8 };
	struct step_def async = { .model = RUN_MODEL_ASYNC, .connections = 1, .loops = 2 };
	assert_int_equal(plan_step_threads(&threads, 4), 2); /* never more loops than connections */
	assert_int_equal(plan_step_threads(&threads, 1), 1);
	assert_int_equal(plan_step_threads(&pool, 4), 8); /* the workers, whatever the connections */
	assert_int_equal(plan_step_threads(&async, 4), 1);
	static const long pools[] = { 3, 10, 2 };
	struct run_opts o = run_opts_default();
	o.pools = pools, o.npools = N(pools);
	assert_int_equal(plan_max_pool(&o, 4), 10);
	o.preset_seed_article = 1;
	assert_int_equal(plan_max_pool(&o, 4), 8);
	assert_string_equal(plan_model_name(RUN_MODEL_POOL), "pool");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pools_outer_offsets_inner), cmocka_unit_test(mix_after_offsets_rates_innermost),
		cmocka_unit_test(mix_alone),                 cmocka_unit_test(queries_outermost),
		cmocka_unit_test(models_in_names),           cmocka_unit_test(preset_side_by_side),
		cmocka_unit_test(threads_and_max_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
