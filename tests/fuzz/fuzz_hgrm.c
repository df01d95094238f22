/* fuzz_hgrm.c: libFuzzer target for a step's .hgrm percentile table (resdir/hgrm.h hgrm_read), as plot and
 * http-compare read it. */
#include "fuzz.h"
#include "resdir/hgrm.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hgrm h;
	int why;
	char err[256];
	if (hgrm_read(fuzz_write("input", data, size), &h, &why, err, sizeof err) == 0)
		free(h.rows);
	return 0;
}
