/* fuzz_summary_json.c: libFuzzer target for a results directory's summary.json (the run's figures, the meta copy and each step's latency buckets, read where a .hgrm is missing, and res_summary_hist), read by res_load
 * (resdir/read.h) beside a small valid steps.csv. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write_steps();
	fuzz_write("summary.json", data, size);
	fuzz_res_walk();
	return 0;
}
