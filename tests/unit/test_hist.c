/* test_hist.c: the histogram against exact percentiles of sorted samples (the nearest-rank rule, small and
 * large samples), exact per-thread merging, and the reliability rule for thin tails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plots/ab.h"
#include "common/hist.h"

#define N 200000

/* a small deterministic PRNG (splitmix64) so every run checks the same samples */
static uint64_t rng_state;
static double uniform01(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The exact nearest-rank percentile, in integers so no floating-point rounding can agree with the code by
 * accident: p is given in thousandths of a percent (99.9 = 99900), rank = ceil(p/100 * n), at least 1. */
static size_t exact_rank(long pm, size_t n)
{
	size_t rank = (size_t)(((unsigned long long)pm * n + 99999ULL) / 100000ULL);
	return rank < 1 ? 1 : rank > n ? n : rank;
}
static int64_t exact(const int64_t *sorted, size_t n, double p)
{
	return sorted[exact_rank(lround(p * 1000), n) - 1];
}

static void check_distribution(int64_t *samples, size_t n)
{
	struct hist h;
	assert_int_equal(hist_init(&h, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	for (size_t i = 0; i < n; i++)
		hist_record(&h, samples[i]);
	qsort(samples, n, sizeof *samples, cmp64);
	assert_int_equal(h.total, n);
	assert_int_equal(hist_min(&h), samples[0]);
	assert_int_equal(hist_max(&h), samples[n - 1]);
	static const double ps[] = { 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100 };
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		int64_t want = exact(samples, n, ps[i]), got = hist_percentile(&h, ps[i]);
		double rel = fabs((double)(got - want)) / (double)(want ? want : 1);
		if (rel > 0.001)
			fail_msg("p%g: histogram %lld, exact %lld (relative error %.5f)", ps[i], (long long)got,
			         (long long)want, rel);
	}
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)samples[i];
	assert_true(fabs(hist_mean(&h) - sum / (double)n) < 1e-6 * (sum / (double)n));
	double var = 0, mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		var += ((double)samples[i] - mean) * ((double)samples[i] - mean);
	double sd = sqrt(var / (double)n);
	assert_true(fabs(hist_stddev(&h) - sd) <= 0.001 * sd + 1);
	hist_free(&h);
}

static void uniform(void **state)
{
	(void)state;
	int64_t *s = malloc(N * sizeof *s);
	rng_state = 1;
	for (size_t i = 0; i < N; i++)
		s[i] = 1 + (int64_t)(uniform01() * 5000000); /* 1 us .. 5 s */
	check_distribution(s, N);
	free(s);
}

static void lognormal(void **state)
{
	(void)state;
	int64_t *s = malloc(N * sizeof *s);
	rng_state = 2;
	for (size_t i = 0; i < N; i++)
		s[i] = (int64_t)llround(exp(log(800.0) + 0.9 * normal())); /* median 0.8 ms, long right tail */
	check_distribution(s, N);
	free(s);
}

static void bimodal_far_tail(void **state)
{
	(void)state;
	int64_t *s = malloc(N * sizeof *s);
	rng_state = 3;
	for (size_t i = 0; i < N; i++) {
		double u = uniform01();
		if (u < 0.70)
			s[i] = (int64_t)llround(300 + 40 * normal()); /* cache hits around 0.3 ms */
		else if (u < 0.995)
			s[i] = (int64_t)llround(12000 + 2500 * normal()); /* disk reads around 12 ms */
		else
			s[i] = (int64_t)llround(20e6 + 30e6 * uniform01()); /* stalls of 20 .. 50 s */
		if (s[i] < 1)
			s[i] = 1;
	}
	check_distribution(s, N);
	free(s);
}

static void merge_equals_single(void **state)
{
	(void)state;
	enum { THREADS = 4 };
	struct hist all, part[THREADS], merged;
	assert_int_equal(hist_init(&all, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	assert_int_equal(hist_init(&merged, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(hist_init(&part[t], HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	rng_state = 4;
	for (size_t i = 0; i < N; i++) {
		int64_t v = (int64_t)llround(exp(log(2000.0) + 1.5 * normal()));
		hist_record(&all, v);
		hist_record(&part[(size_t)(uniform01() * THREADS) % THREADS], v);
	}
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(hist_merge(&merged, &part[t]), 0);
	assert_int_equal(merged.total, all.total);
	assert_int_equal(merged.sum, all.sum);
	assert_int_equal(hist_min(&merged), hist_min(&all));
	assert_int_equal(hist_max(&merged), hist_max(&all));
	assert_memory_equal(merged.counts, all.counts, (size_t)all.counts_len * sizeof *all.counts);
	for (double p = 0; p <= 100; p += 0.5)
		assert_int_equal(hist_percentile(&merged, p), hist_percentile(&all, p));
	assert_true(hist_stddev(&merged) == hist_stddev(&all));
	/* a histogram of another scheme is refused, not mixed in */
	struct hist other;
	assert_int_equal(hist_init(&other, HIST_LOWEST, HIST_HIGHEST, 2), 0);
	assert_int_equal(hist_merge(&merged, &other), -1);
	hist_free(&other);
	for (int t = 0; t < THREADS; t++)
		hist_free(&part[t]);
	hist_free(&all);
	hist_free(&merged);
}

static void buckets_and_extremes(void **state)
{
	(void)state;
	struct hist h;
	assert_int_equal(hist_init(&h, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	assert_int_equal(hist_percentile(&h, 50), 0); /* empty */
	assert_true(h.counts_len * sizeof *h.counts < 200 * 1024); /* fixed memory */
	/* below 2048 us every microsecond has its own bucket */
	for (int64_t v = 0; v < 2048; v++)
		assert_int_equal(hist_lowest_equivalent(&h, v), v);
	/* a bucket is never wider than 1/1024 of its lowest value above that */
	for (int64_t v = 2048; v < HIST_HIGHEST; v = v * 3 / 2 + 7) {
		int64_t lo = hist_lowest_equivalent(&h, v), hi = hist_highest_equivalent(&h, v);
		assert_true(lo <= v && v <= hi);
		assert_true((double)(hi - lo + 1) / (double)lo <= 1.0 / 1024 + 1e-12);
	}
	hist_record(&h, 60LL * 1000000); /* 60 s fits */
	hist_record(&h, 10LL * 3600 * 1000000); /* beyond the range: clamped, still counted */
	assert_int_equal(h.total, 2);
	assert_int_equal(hist_max(&h), HIST_HIGHEST);
	/* sparse buckets rebuild the same histogram */
	struct hist copy;
	assert_int_equal(hist_init(&copy, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	int32_t it = 0;
	int64_t value;
	uint64_t count;
	while (hist_next_bucket(&h, &it, &value, &count))
		hist_record_n(&copy, value, count);
	assert_memory_equal(copy.counts, h.counts, (size_t)h.counts_len * sizeof *h.counts);
	hist_free(&copy);
	hist_free(&h);
}

/* Small samples of values the histogram holds exactly (below 2048 us every microsecond has its own
 * bucket): hist_percentile must be the exact nearest-rank value, and ab's sorted-array helper the same. */
static void nearest_rank_small_samples(void **state)
{
	(void)state;
	static const size_t ns[] = { 1, 2, 9, 10, 69, 70, 71, 99, 100, 101, 999, 1000, 1001 };
	static const long pms[] = { 0, 1000, 10000, 25000, 50000, 66000, 75000, 90000, 95000, 98000, 99000,
		                    99500, 99900, 99990, 100000 };
	rng_state = 5;
	for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++) {
		size_t n = ns[a];
		int64_t *v = malloc(n * sizeof *v);
		double *d = malloc(n * sizeof *d);
		struct hist h;
		assert_int_equal(hist_init(&h, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
		for (size_t i = 0; i < n; i++) {
			v[i] = 1 + (int64_t)(uniform01() * 2000); /* 1 .. 2000 us: exact buckets */
			hist_record(&h, v[i]);
		}
		qsort(v, n, sizeof *v, cmp64);
		for (size_t i = 0; i < n; i++)
			d[i] = (double)v[i];
		for (size_t k = 0; k < sizeof pms / sizeof pms[0]; k++) {
			double p = (double)pms[k] / 1000.0;
			size_t rank = exact_rank(pms[k], n);
			int64_t want = v[rank - 1], got = hist_percentile(&h, p);
			if (got != want || hist_rank(p, n) != rank || ab_percentile_sorted(d, n, p) != (double)want)
				fail_msg("n %zu p%g: exact rank %zu value %lld; hist_rank %llu, hist_percentile %lld, ab %g", n, p,
				         rank, (long long)want, (unsigned long long)hist_rank(p, n), (long long)got,
				         ab_percentile_sorted(d, n, p));
		}
		hist_free(&h);
		free(v);
		free(d);
	}
	/* the documented example: p99 of 70 values is the 70th (0.99 x 70 = 69.3 rounds up), not the 69th */
	struct hist h;
	assert_int_equal(hist_init(&h, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	for (int64_t i = 1; i <= 70; i++)
		hist_record(&h, i * 10);
	assert_int_equal(hist_rank(99, 70), 70);
	assert_int_equal(hist_percentile(&h, 99), 700);
	assert_int_equal(hist_percentile(&h, 50), 350);
	assert_int_equal(hist_percentile(&h, 0), 10);
	assert_int_equal(hist_percentile(&h, 100), 700);
	hist_free(&h);
	/* a product that floating point puts a hair above a whole number keeps that rank */
	assert_int_equal(hist_rank(99.9, 10000), 9990);
	assert_int_equal(hist_rank(99.9, 1000), 999);
	assert_int_equal(hist_rank(99, 100), 99);
	assert_int_equal(hist_rank(99, 1000), 990);
	assert_int_equal(hist_rank(50, 1), 1);
	assert_int_equal(hist_rank(50, 0), 0);
}

/* Beyond the highest exact bucket the value is the bucket's highest equivalent: within 1/1024 above. */
static void nearest_rank_reports_bucket_top(void **state)
{
	(void)state;
	struct hist h;
	assert_int_equal(hist_init(&h, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	for (int i = 0; i < 99; i++)
		hist_record(&h, 1000);
	hist_record(&h, 123456); /* p100 */
	hist_record(&h, 100000); /* p99 of 101 values: rank 100 */
	int64_t p99 = hist_percentile(&h, 99);
	assert_int_equal(p99, hist_highest_equivalent(&h, 100000));
	assert_true(p99 >= 100000 && p99 <= 100000 + 100000 / 1024);
	assert_int_equal(hist_percentile(&h, 100), 123456); /* the exact maximum, never a bucket's top */
	hist_free(&h);
}

/* A percentile needs 10 values at or beyond it: p99 from 1,000 queries, p99.9 from 10,000. */
static void reliable_tail(void **state)
{
	(void)state;
	assert_false(hist_pct_reliable(999, 99));
	assert_true(hist_pct_reliable(1000, 99));
	assert_false(hist_pct_reliable(9999, 99.9));
	assert_true(hist_pct_reliable(10000, 99.9));
	assert_false(hist_pct_reliable(19, 50));
	assert_true(hist_pct_reliable(20, 50));
	assert_true(hist_pct_reliable(100, 90));
	assert_false(hist_pct_reliable(199, 95));
	assert_false(hist_pct_reliable(0, 50));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uniform),
		cmocka_unit_test(lognormal),
		cmocka_unit_test(bimodal_far_tail),
		cmocka_unit_test(merge_equals_single),
		cmocka_unit_test(buckets_and_extremes),
		cmocka_unit_test(nearest_rank_small_samples),
		cmocka_unit_test(nearest_rank_reports_bucket_top),
		cmocka_unit_test(reliable_tail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
