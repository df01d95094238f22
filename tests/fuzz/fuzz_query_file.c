/*
 * fuzz_query_file.c: libFuzzer target for a `run --query FILE` file, read by query_prepare (bench/query.h)
 * as run reads it. There is no server: every check the tool makes on the file's text before the
 * statement goes to PostgreSQL runs, and the prepare on the (absent) control connection then fails.
 */
#include "bench/query.h"
#include "fuzz.h"

#include <pthread.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_opts o = run_opts_default();
	o.query_file = fuzz_write("query.sql", data, size);
	struct pgpb_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	struct run_query q;
	memset(&q, 0, sizeof q);
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	query_prepare(&q, NULL, &ctx, &o, NULL, &lock);
	query_free(&q);
	return 0;
}
