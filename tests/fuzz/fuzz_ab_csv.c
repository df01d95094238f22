/* fuzz_ab_csv.c: libFuzzer target for ab's -e percentile CSV (plots/ab.h ab_parse_csv), read from a file as
 * http-compare --ab-csv reads it. */
#include "fuzz.h"
#include "plots/ab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ab_csv c;
	char err[512];
	ab_parse_csv(fuzz_write("input", data, size), &c, err, sizeof err);
	return 0;
}
