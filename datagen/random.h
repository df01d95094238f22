/*
 * random.h: the random sources at the bottom of datagen: per-row splitmix64 streams, a keyed permutation
 * and Zipf draws. They depend on nothing else in datagen, so every layer above (rows, load) can use them
 * and the unit tests can check them alone.
 */
#ifndef PGPB_DATAGEN_RANDOM_H
#define PGPB_DATAGEN_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* 2^-53: the spacing of the doubles a 53-bit draw maps onto [0, 1) (a double has 53 bits of mantissa). */
#define DATAGEN_U01_STEP 0x1p-53

/* splitmix64: one stream per (seed, stream id, row index), so a row's values never depend on --jobs. */
struct datagen_rng {
	uint64_t s;
};
uint64_t datagen_mix(uint64_t z);
void datagen_rng_init(struct datagen_rng *r, uint64_t seed, uint32_t stream, uint64_t index);
static inline uint64_t datagen_rng_next(struct datagen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
/* Uniform in [0, 1): the top 53 bits of a draw. */
static inline double datagen_rng_u01(struct datagen_rng *r)
{
	return (double)(datagen_rng_next(r) >> 11) * DATAGEN_U01_STEP;
}
/* Uniform integer in [0, n) (n > 0). */
static inline uint64_t datagen_rng_below(struct datagen_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)datagen_rng_next(r) * n) >> 64);
}
/* Standard normal (Box-Muller, one value a call). */
double datagen_rng_normal(struct datagen_rng *r);

/* A keyed bijection of [0, n): a Feistel network with cycle walking. */
struct datagen_perm {
	uint64_t n, key;
	int half_bits;
	uint64_t half_mask;
};
void datagen_perm_init(struct datagen_perm *p, uint64_t n, uint64_t key);
uint64_t datagen_perm_apply(const struct datagen_perm *p, uint64_t x);

/* Zipf over ranks 0..n-1 with exponent s, sampled by inverse CDF (binary search in a table). */
struct datagen_zipf {
	size_t n;
	double *cdf; /* owned */
};
void datagen_zipf_init(struct datagen_zipf *z, size_t n, double s);
size_t datagen_zipf_draw(const struct datagen_zipf *z, double u);
void datagen_zipf_free(struct datagen_zipf *z);

#endif
