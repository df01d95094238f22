/* fuzz_ab_url.c: libFuzzer target for the OFFSET an ab URL asks for (plots/ab.h ab_url_offset): the first
 * two bytes pick the page size within what http-compare --page-size accepts (1..1000000), the rest is the
 * path. */
#include "fuzz.h"
#include "plots/ab.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	long page_size = 1 + (((long)data[0] << 8 | data[1]) * 15);
	char *path = fuzz_string(data + 2, size - 2);
	long offset;
	const char *how;
	char err[512];
	ab_url_offset(path, page_size, &offset, &how, err, sizeof err);
	free(path);
	return 0;
}
