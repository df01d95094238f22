/*
 * hist.h: latency histograms in HdrHistogram's log-linear scheme (N significant digits, fixed memory,
 * no allocation and no lock when recording). One histogram a thread; merged exactly at step end.
 */
#ifndef PGPB_HIST_H
#define PGPB_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hist {
	int64_t lowest, highest; /* trackable range, in the recorded unit (microseconds here) */
	int sig_digits;
	int unit_magnitude, sub_bucket_half_count_magnitude;
	int32_t sub_bucket_count, sub_bucket_half_count;
	int64_t sub_bucket_mask;
	int32_t bucket_count, counts_len;
	uint64_t total, sum;
	int64_t min, max; /* min = INT64_MAX when empty */
	uint64_t *counts; /* owned */
};

/* The step histograms: 1 us .. 1 h at 3 significant digits (about 184 KiB). */
#define HIST_LOWEST 1
#define HIST_HIGHEST 3600000000LL
#define HIST_DIGITS 3

/* Allocates the counts (the only allocation; out of memory ends the process, common/alloc.h); 0 on
 * success, -1 on bad arguments. */
int hist_init(struct hist *h, int64_t lowest, int64_t highest, int sig_digits);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);
/* Records one value; values above highest are clamped to highest, negative ones to 0. */
static inline void hist_record(struct hist *h, int64_t v);
/* Adds src into dst; both must have the same scheme (returns -1 otherwise). Exact. */
int hist_merge(struct hist *dst, const struct hist *src);

/* The one percentile rule of every figure the tool prints or writes (docs/results.md): nearest rank.
 * hist_rank: the 1-based rank of percentile p (0..100) among n sorted values, ceil(p/100 * n), at least 1
 * and at most n (p = 99 of n = 70 is rank 70, since 69.3 rounds up); 0 when n is 0. Sorted raw arrays
 * (ab's requests) take the value at this rank; histograms go through hist_percentile. */
uint64_t hist_rank(double p, uint64_t n);
/* Value at a percentile (0..100): the bucket where the cumulative count first reaches hist_rank(p, total),
 * reported as that bucket's highest equivalent value (never beyond the exact max kept); 0 when empty. */
int64_t hist_percentile(const struct hist *h, double p);
/* Whether a percentile of n values is backed by at least 10 values at or beyond it: n * (1 - p/100) >= 10
 * (p99 needs n >= 1,000, p99.9 n >= 10,000). A percentile that fails this is printed with a mark. */
int hist_pct_reliable(uint64_t n, double p);
#define HIST_RELIABLE_TAIL 10
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);
int64_t hist_min(const struct hist *h);
int64_t hist_max(const struct hist *h);

/* Iteration over non-empty buckets: *value = lowest value of the bucket. Start with *it = 0; returns 0 at end. */
int hist_next_bucket(const struct hist *h, int32_t *it, int64_t *value, uint64_t *count);
/* Bucket arithmetic (exposed for the tests and for readers of summary.json). */
int64_t hist_lowest_equivalent(const struct hist *h, int64_t v);
int64_t hist_highest_equivalent(const struct hist *h, int64_t v);
/* Adds count at the bucket holding value (to rebuild a histogram from sparse buckets). */
void hist_record_n(struct hist *h, int64_t v, uint64_t count);

/* HdrHistogram's percentile table (outputPercentileDistribution, 5 ticks a half distance), values
 * divided by scale (1000: microseconds printed as milliseconds). Returns -1 on a write error. */
int hist_write_hgrm(const struct hist *h, FILE *f, double scale);

/* ---- inline recording ---- */
static inline int32_t hist__counts_index(const struct hist *h, int64_t v)
{
	int32_t bucket = 64 - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask)) - h->unit_magnitude -
	                 (h->sub_bucket_half_count_magnitude + 1);
	int32_t sub = (int32_t)(v >> (bucket + h->unit_magnitude));
	return ((bucket + 1) << h->sub_bucket_half_count_magnitude) + (sub - h->sub_bucket_half_count);
}

static inline void hist_record(struct hist *h, int64_t v)
{
	if (v < 0)
		v = 0;
	if (v > h->highest)
		v = h->highest;
	h->counts[hist__counts_index(h, v)]++;
	h->total++;
	h->sum += (uint64_t)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

#endif
