/*
 * offsets.c: where the pages of an --offset-mix step come from. Real list traffic is mostly page one with
 * a long tail of deeper pages; a Zipf law over the pages that exist is the usual model of that tail.
 */
#include "bench/offsets.h"
#include "common/alloc.h"
#include "common/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void offsets_fixed(struct offset_gen *g, long offset)
{
	memset(g, 0, sizeof *g);
	g->fixed = offset;
	snprintf(g->text, sizeof g->text, "%ld", offset);
	g->npages = 1;
}

int offsets_mix(struct offset_gen *g, double page1, double zipf_s, long page_size, long long rows)
{
	memset(g, 0, sizeof *g);
	g->mix = 1;
	g->page1 = page1;
	g->page_size = page_size;
	g->npages = rows <= 0 ? 1 : (long)((rows + page_size - 1) / page_size);
	if (g->npages > 1) {
		g->cdf = pgpb_calloc((size_t)(g->npages - 1), sizeof *g->cdf);
		double acc = 0;
		for (long k = 2; k <= g->npages; k++)
			g->cdf[k - 2] = acc += pow((double)(k - 1), -zipf_s); /* page 2 is rank 1 of the tail */
		for (long k = 0; k < g->npages - 1; k++)
			g->cdf[k] /= acc;
		g->cdf[g->npages - 2] = 1.0;
	}
	return 0;
}

void offsets_free(struct offset_gen *g)
{
	free(g->cdf);
	g->cdf = NULL;
}

long offsets_next_mix(const struct offset_gen *g, uint64_t *rng)
{
	double u = offsets_uniform(rng);
	if (g->npages <= 1 || u < g->page1)
		return 0;
	double v = offsets_uniform(rng);
	long lo = 0, hi = g->npages - 2; /* first index with cdf >= v */
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (g->cdf[mid] >= v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (lo + 1) * g->page_size; /* index 0 is page 2 */
}

int offsets_parse_mix(const char *s, double *page1, double *zipf_s)
{
	*page1 = -1;
	*zipf_s = 1.0;
	char *copy = pgpb_strdup(s), *save = NULL;
	int rc = -1;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		if (!eq) {
			log_error("invalid value \"%s\" for option --offset-mix: expected page1=PERCENT[,zipf=EXPONENT]", s);
			goto out;
		}
		*eq = '\0';
		double v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !isfinite(v)) {
			log_error("invalid value \"%s\" for option --offset-mix: \"%s\" is not a number", s, eq + 1);
			goto out;
		}
		if (strcmp(item, "page1") == 0) {
			if (v < 0 || v > 100) {
				log_error("invalid value \"%s\" for option --offset-mix: page1 must be in range 0..100", s);
				goto out;
			}
			*page1 = v / 100.0;
		} else if (strcmp(item, "zipf") == 0) {
			if (v <= 0 || v > 10) {
				log_error("invalid value \"%s\" for option --offset-mix: zipf must be in range 0..10 (exclusive of 0)", s);
				goto out;
			}
			*zipf_s = v;
		} else {
			log_error("invalid value \"%s\" for option --offset-mix: unknown key \"%s\" (expected page1 or zipf)", s, item);
			goto out;
		}
	}
	if (*page1 < 0) {
		log_error("invalid value \"%s\" for option --offset-mix: page1=PERCENT is required", s);
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}
