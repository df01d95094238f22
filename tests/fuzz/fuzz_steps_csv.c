/* fuzz_steps_csv.c: libFuzzer target for a results directory's steps.csv (resdir/read.h res_load), alone in
 * a temporary directory, then what plot and compare ask of each step. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("steps.csv", data, size);
	fuzz_res_walk();
	return 0;
}
