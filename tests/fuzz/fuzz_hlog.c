/* fuzz_hlog.c: libFuzzer target for a step's .hlog, HdrHistogram's interval log (resdir/hlog.h): the
 * whole file through hlog_read, as a command merging runs reads it, and the bytes as one encoded
 * histogram through hlog_decode, so the inflate and LEB128 paths see inputs past the line parser. */
#include "fuzz.h"
#include "resdir/hlog.h"

#include <stdlib.h>
#include <string.h>

/* Touches what a caller would: the decoded histogram's percentiles. */
static int walk(const struct hlog_entry *e, void *arg)
{
	(void)arg;
	return hist_percentile(e->h, 99.9) < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int why;
	char err[512];
	hlog_read(fuzz_write("input.hlog", data, size), walk, NULL, &why, err, sizeof err);
	char *text = fuzz_string(data, size);
	struct hist h;
	if (hlog_decode(text, strlen(text), &h, err, sizeof err) == 0) {
		hist_percentile(&h, 50);
		hist_free(&h);
	}
	free(text);
	return 0;
}
