/*
 * offsets.h: the OFFSET each query uses: fixed for an ordinary step, drawn for an --offset-mix step
 * (page one with probability page1, otherwise a page 2..N with Zipf(s) probabilities, N = pages that exist).
 */
#ifndef PGPB_OFFSETS_H
#define PGPB_OFFSETS_H

#include <stdint.h>

struct offset_gen {
	int mix;
	long fixed;
	char text[24]; /* the fixed offset as a parameter value */
	double page1; /* probability of page one */
	long page_size;
	long npages; /* pages that exist (>= 1) */
	double *cdf; /* owned: cumulative Zipf weights of pages 2..npages, cdf[npages-2] = 1 */
};

void offsets_fixed(struct offset_gen *g, long offset);
/* rows = qualifying rows; 0 or -1 (out of memory, logged). */
int offsets_mix(struct offset_gen *g, double page1, double zipf_s, long page_size, long long rows);
void offsets_free(struct offset_gen *g);
/* Parses "page1=80[,zipf=1.0]" (percent of queries on page one, Zipf exponent); 0 or -1 (logged). */
int offsets_parse_mix(const char *s, double *page1, double *zipf_s);

/* A per-thread generator (splitmix64); seed it differently for each thread. */
static inline uint64_t offsets_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

long offsets_next_mix(const struct offset_gen *g, uint64_t *rng);

static inline long offsets_next(const struct offset_gen *g, uint64_t *rng)
{
	return g->mix ? offsets_next_mix(g, rng) : g->fixed;
}

#endif
