/* fuzz_ab_text.c: libFuzzer target for ab's text summary (plots/ab.h ab_parse_text), read from a file as
 * http-compare --ab reads it, then the OFFSET its Document Path asks for (ab_url_offset). */
#include "fuzz.h"
#include "plots/ab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ab_text t;
	char err[512];
	if (ab_parse_text(fuzz_write("input", data, size), &t, err, sizeof err) == 0) {
		long offset;
		const char *how;
		ab_url_offset(t.path, 10, &offset, &how, err, sizeof err);
	}
	return 0;
}
