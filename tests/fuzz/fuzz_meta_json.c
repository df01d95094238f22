/* fuzz_meta_json.c: libFuzzer target for a results directory's meta.json (the run's context for the report), read by res_load
 * (resdir/read.h) beside a small valid steps.csv. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write_steps();
	fuzz_write("meta.json", data, size);
	fuzz_res_walk();
	return 0;
}
