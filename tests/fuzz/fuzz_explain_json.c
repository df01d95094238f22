/* fuzz_explain_json.c: libFuzzer target for an explain/ plan file (resdir/explain.h explain_load, then
 * explain_describe as the report prints it) and for a plan file's name (explain_name_parse). */
#include "fuzz.h"
#include "resdir/explain.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct explain_summary s;
	char err[512], line[512];
	if (explain_load(fuzz_write("input", data, size), &s, err, sizeof err) == 0)
		explain_describe(&s, line, sizeof line);
	char *name = fuzz_string(data, size < 300 ? size : 300);
	char variant[128];
	long offset;
	explain_name_parse(name, variant, sizeof variant, &offset);
	free(name);
	return 0;
}
