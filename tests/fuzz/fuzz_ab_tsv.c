/* fuzz_ab_tsv.c: libFuzzer target for ab's -g per-request TSV (plots/ab.h ab_parse_tsv), read from a file as
 * http-compare --ab-gnuplot reads it, then the percentiles http-compare takes of it. */
#include "fuzz.h"
#include "plots/ab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ab_tsv t;
	char err[512];
	if (ab_parse_tsv(fuzz_write("input", data, size), &t, err, sizeof err) == 0) {
		if (t.n > 0)
			for (int i = 0; i < AB_NPCT; i++)
				ab_percentile_sorted(t.ttime_sorted, t.n, ab_percentiles[i]);
		ab_tsv_free(&t);
	}
	return 0;
}
