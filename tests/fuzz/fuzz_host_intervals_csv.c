/* fuzz_host_intervals_csv.c: libFuzzer target for a merged run's host-intervals.csv (each host's seconds,
 * written by `pgpagebench merge`), read by res_load (resdir/read.h) beside a small valid steps.csv. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write_steps();
	fuzz_write("host-intervals.csv", data, size);
	fuzz_res_walk();
	return 0;
}
