/*
 * offsets.h: the OFFSET each query uses: fixed for an ordinary step, drawn for an --offset-mix step
 * (page one with probability page1, otherwise a page 2..N with Zipf(s) probabilities, N = pages that exist).
 */
#ifndef PGPB_OFFSETS_H
#define PGPB_OFFSETS_H

#include <stdint.h>

/* Room for an offset as text: a long in decimal with its sign and the NUL, rounded up. */
#define OFFSET_TEXT_MAX 24
/* splitmix64's increment (2^64 divided by the golden ratio): steps the generator and spreads seeds. */
#define OFFSETS_RNG_GAMMA 0x9E3779B97F4A7C15ULL

struct offset_gen {
	int mix;
	long fixed;
	char text[OFFSET_TEXT_MAX]; /* the fixed offset as a parameter value */
	double page1; /* probability of page one */
	long page_size;
	long npages; /* pages that exist (>= 1) */
	double *cdf; /* owned: cumulative Zipf weights of pages 2..npages, cdf[npages-2] = 1 */
};

void offsets_fixed(struct offset_gen *g, long offset);
/* rows = qualifying rows; returns 0 (out of memory ends the process, common/alloc.h). */
int offsets_mix(struct offset_gen *g, double page1, double zipf_s, long page_size, long long rows);
void offsets_free(struct offset_gen *g);
/* Parses "page1=80[,zipf=1.0]" (percent of queries on page one, Zipf exponent); 0 or -1 (logged). */
int offsets_parse_mix(const char *s, double *page1, double *zipf_s);

/* A per-thread generator (splitmix64); seed it differently for each thread. These are the engines' random
 * numbers: the offsets drawn here and the open-loop arrival times. */
static inline uint64_t offsets_rand(uint64_t *state)
{
	uint64_t z = (*state += OFFSETS_RNG_GAMMA);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A uniform double in [0, 1): the generator's top 53 bits over 2^53, every value exact. */
static inline double offsets_uniform(uint64_t *state)
{
	return (double)(offsets_rand(state) >> 11) / 9007199254740992.0;
}

/* Thread i's seed (0-based) from the step's seed: distinct streams for the same step seed. */
static inline uint64_t offsets_thread_seed(uint64_t seed, int i)
{
	return seed ^ (OFFSETS_RNG_GAMMA * (uint64_t)(i + 1));
}

long offsets_next_mix(const struct offset_gen *g, uint64_t *rng);

static inline long offsets_next(const struct offset_gen *g, uint64_t *rng)
{
	return g->mix ? offsets_next_mix(g, rng) : g->fixed;
}

#endif
