/*
 * hist.c: HdrHistogram's bucket scheme in plain C. A value v lands in bucket b (a power of two range) and
 * sub-bucket s (a linear slot inside it), so any value is kept to N significant digits in fixed memory,
 * and two histograms of the same scheme merge by adding their counts: exact, order-free percentiles.
 */
#include "common/hist.h"
#include "common/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int hist_init(struct hist *h, int64_t lowest, int64_t highest, int sig_digits)
{
	memset(h, 0, sizeof *h);
	if (lowest < 1 || sig_digits < 1 || sig_digits > 5 || highest < 2 * lowest)
		return -1;
	int64_t largest_single_unit = 2 * (int64_t)pow(10, sig_digits);
	int sub_magnitude = (int)ceil(log2((double)largest_single_unit));
	h->lowest = lowest;
	h->highest = highest;
	h->sig_digits = sig_digits;
	h->unit_magnitude = (int)floor(log2((double)lowest));
	h->sub_bucket_half_count_magnitude = (sub_magnitude > 1 ? sub_magnitude : 1) - 1;
	h->sub_bucket_count = (int32_t)1 << (h->sub_bucket_half_count_magnitude + 1);
	h->sub_bucket_half_count = h->sub_bucket_count / 2;
	h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << h->unit_magnitude;
	int64_t smallest_untrackable = (int64_t)h->sub_bucket_count << h->unit_magnitude;
	int32_t buckets = 1;
	while (smallest_untrackable <= highest) {
		if (smallest_untrackable > INT64_MAX / 2) {
			buckets++;
			break;
		}
		smallest_untrackable <<= 1;
		buckets++;
	}
	h->bucket_count = buckets;
	h->counts_len = (buckets + 1) * h->sub_bucket_half_count;
	h->counts = pgpb_calloc((size_t)h->counts_len, sizeof *h->counts);
	h->min = INT64_MAX;
	return 0;
}

void hist_free(struct hist *h)
{
	free(h->counts);
	h->counts = NULL;
}

void hist_reset(struct hist *h)
{
	memset(h->counts, 0, (size_t)h->counts_len * sizeof *h->counts);
	h->total = h->sum = 0;
	h->min = INT64_MAX;
	h->max = 0;
}

static int same_scheme(const struct hist *a, const struct hist *b)
{
	return a->lowest == b->lowest && a->highest == b->highest && a->sig_digits == b->sig_digits &&
	       a->counts_len == b->counts_len;
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	if (!same_scheme(dst, src))
		return -1;
	if (src->total == 0)
		return 0;
	for (int32_t i = 0; i < src->counts_len; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	return 0;
}

/* Value of a counts index: the lowest value of its sub-bucket. */
static int64_t value_at_index(const struct hist *h, int32_t index)
{
	int32_t bucket = (index >> h->sub_bucket_half_count_magnitude) - 1;
	int32_t sub = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
	if (bucket < 0) {
		sub -= h->sub_bucket_half_count;
		bucket = 0;
	}
	return (int64_t)sub << (bucket + h->unit_magnitude);
}

static int64_t range_size(const struct hist *h, int64_t v)
{
	int32_t bucket = 64 - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask)) - h->unit_magnitude -
	                 (h->sub_bucket_half_count_magnitude + 1);
	int32_t sub = (int32_t)(v >> (bucket + h->unit_magnitude));
	int32_t adjusted = sub >= h->sub_bucket_count ? bucket + 1 : bucket;
	return (int64_t)1 << (h->unit_magnitude + adjusted);
}

int64_t hist_lowest_equivalent(const struct hist *h, int64_t v)
{
	return value_at_index(h, hist__counts_index(h, v));
}

int64_t hist_highest_equivalent(const struct hist *h, int64_t v)
{
	return hist_lowest_equivalent(h, v) + range_size(h, v) - 1;
}

void hist_record_n(struct hist *h, int64_t v, uint64_t count)
{
	if (count == 0)
		return;
	if (v < 0)
		v = 0;
	if (v > h->highest)
		v = h->highest;
	h->counts[hist__counts_index(h, v)] += count;
	h->total += count;
	h->sum += (uint64_t)v * count;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

int64_t hist_min(const struct hist *h)
{
	return h->total ? h->min : 0;
}

int64_t hist_max(const struct hist *h)
{
	return h->total ? h->max : 0;
}

uint64_t hist_rank(double p, uint64_t n)
{
	if (n == 0)
		return 0;
	if (!(p > 0))
		return 1;
	if (p >= 100)
		return n;
	/* p * n / 100 in floating point: 99.9 is not exact, so a product that lands a rounding error above a
	 * whole number (99.9 x 10000 = 9990.000000000002) is that number, not the next rank */
	double x = p * (double)n / 100.0, whole = floor(x);
	uint64_t rank = (uint64_t)whole;
	if (x - whole > 1e-9 * (x > 1 ? x : 1))
		rank++;
	if (rank < 1)
		rank = 1;
	return rank > n ? n : rank;
}

int hist_pct_reliable(uint64_t n, double p)
{
	return (double)n * (100.0 - p) / 100.0 >= HIST_RELIABLE_TAIL - 1e-9;
}

int64_t hist_percentile(const struct hist *h, double p)
{
	if (h->total == 0)
		return 0;
	uint64_t rank = hist_rank(p, h->total);
	uint64_t seen = 0;
	for (int32_t i = 0; i < h->counts_len; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			int64_t v = hist_highest_equivalent(h, value_at_index(h, i));
			/* never report beyond the exact extremes we kept */
			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->total ? (double)h->sum / (double)h->total : 0;
}

double hist_stddev(const struct hist *h)
{
	if (h->total == 0)
		return 0;
	double mean = hist_mean(h), acc = 0;
	for (int32_t i = 0; i < h->counts_len; i++) {
		if (!h->counts[i])
			continue;
		int64_t lo = value_at_index(h, i);
		double mid = (double)lo + (double)range_size(h, lo) / 2.0;
		if (range_size(h, lo) == 1)
			mid = (double)lo;
		double d = mid - mean;
		acc += d * d * (double)h->counts[i];
	}
	return sqrt(acc / (double)h->total);
}

int hist_next_bucket(const struct hist *h, int32_t *it, int64_t *value, uint64_t *count)
{
	for (int32_t i = *it; i < h->counts_len; i++) {
		if (h->counts[i]) {
			*value = value_at_index(h, i);
			*count = h->counts[i];
			*it = i + 1;
			return 1;
		}
	}
	*it = h->counts_len;
	return 0;
}

/* Smallest value whose cumulative count reaches rank. */
static int64_t value_at_rank(const struct hist *h, uint64_t rank, uint64_t *cum)
{
	uint64_t seen = 0;
	for (int32_t i = 0; i < h->counts_len; i++) {
		seen += h->counts[i];
		if (h->counts[i] && seen >= rank) {
			*cum = seen;
			int64_t v = hist_highest_equivalent(h, value_at_index(h, i));
			return v > h->max ? h->max : v;
		}
	}
	*cum = h->total;
	return h->max;
}

int hist_write_hgrm(const struct hist *h, FILE *f, double scale)
{
	fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
	if (h->total) {
		const int ticks = 5; /* reporting ticks per half distance to 100%, as HdrHistogram's default */
		double level = 0;
		for (;;) {
			uint64_t rank = hist_rank(level, h->total), cum;
			if (rank >= h->total)
				break;
			int64_t v = value_at_rank(h, rank, &cum);
			if (cum >= h->total)
				break;
			double frac = level / 100.0;
			fprintf(f, "%12.3f %2.12f %10llu %14.2f\n", (double)v / scale, frac, (unsigned long long)cum,
			        1.0 / (1.0 - frac));
			/* HdrHistogram's PercentileIterator: finer steps as the level approaches 100% */
			double half = 100.0 / (100.0 - level);
			long long reporting_ticks = ticks * (1LL << ((int)floor(log2(half)) + 1));
			level += 100.0 / (double)reporting_ticks;
		}
		fprintf(f, "%12.3f %2.12f %10llu\n", (double)hist_max(h) / scale, 1.0, (unsigned long long)h->total);
	}
	fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", hist_mean(h) / scale, hist_stddev(h) / scale);
	fprintf(f, "#[Max     = %12.3f, Total count    = %12llu]\n", (double)hist_max(h) / scale,
	        (unsigned long long)h->total);
	fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n", h->bucket_count, h->sub_bucket_count);
	return ferror(f) ? -1 : 0;
}
