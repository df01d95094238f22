/* fuzz_intervals_csv.c: libFuzzer target for a results directory's intervals.csv (the per-second timeline), read by res_load
 * (resdir/read.h) beside a small valid steps.csv. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write_steps();
	fuzz_write("intervals.csv", data, size);
	fuzz_res_walk();
	return 0;
}
