/*
 * random.c: the random sources datagen draws from. Every row has its own splitmix64 stream seeded from a
 * hash of (seed, stream id, row index), so a row's values depend on nothing else: not the order rows are
 * generated in, not --jobs. A keyed Feistel permutation gives unique values (timestamps, the user order)
 * without a table of size n; Zipf draws go through an inverse-CDF table.
 */
#include "datagen/random.h"
#include "common/alloc.h"

#include <math.h>
#include <stdlib.h>

uint64_t datagen_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void datagen_rng_init(struct datagen_rng *r, uint64_t seed, uint32_t stream, uint64_t index)
{
	r->s = datagen_mix(datagen_mix(seed ^ ((uint64_t)stream << 48)) ^ index);
}

double datagen_rng_normal(struct datagen_rng *r)
{
	double u1 = datagen_rng_u01(r), u2 = datagen_rng_u01(r);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void datagen_perm_init(struct datagen_perm *p, uint64_t n, uint64_t key)
{
	int bits = 2;
	while (bits < 62 && (UINT64_C(1) << bits) < n)
		bits += 2;
	p->n = n;
	p->key = key;
	p->half_bits = bits / 2;
	p->half_mask = (UINT64_C(1) << p->half_bits) - 1;
}

uint64_t datagen_perm_apply(const struct datagen_perm *p, uint64_t x)
{
	/* four Feistel rounds over a domain of 4^k >= n; values outside [0, n) walk the cycle on */
	do {
		uint64_t l = x >> p->half_bits, r = x & p->half_mask;
		for (uint64_t round = 0; round < 4; round++) {
			uint64_t f = datagen_mix(p->key ^ (round * 0xd6e8feb86659fd93ULL) ^ r) & p->half_mask;
			uint64_t nl = r;
			r = l ^ f;
			l = nl;
		}
		x = (l << p->half_bits) | r;
	} while (x >= p->n);
	return x;
}

void datagen_zipf_init(struct datagen_zipf *z, size_t n, double s)
{
	z->n = n;
	z->cdf = pgpb_reallocarray(NULL, n ? n : 1, sizeof *z->cdf);
	double sum = 0;
	for (size_t k = 0; k < n; k++) {
		sum += pow((double)(k + 1), -s);
		z->cdf[k] = sum;
	}
	for (size_t k = 0; k < n; k++)
		z->cdf[k] /= sum;
	if (n)
		z->cdf[n - 1] = 1.0;
}

size_t datagen_zipf_draw(const struct datagen_zipf *z, double u)
{
	size_t lo = 0, hi = z->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void datagen_zipf_free(struct datagen_zipf *z)
{
	free(z->cdf);
	z->cdf = NULL;
	z->n = 0;
}
