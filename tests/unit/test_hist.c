/* test_hist.c: the histogram against exact percentiles of sorted samples, and exact per-thread merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hist.h"

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

/* the exact percentile under the histogram's rank rule: the sample at rank round(p/100 * n), at least 1 */
static int64_t exact(const int64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uniform),
		cmocka_unit_test(lognormal),
		cmocka_unit_test(bimodal_far_tail),
		cmocka_unit_test(merge_equals_single),
		cmocka_unit_test(buckets_and_extremes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
