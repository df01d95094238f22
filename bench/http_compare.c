/* http_compare.c: placeholder until http-compare lands (issue 7). */
#include "bench/bench.h"
#include "common/cli.h"
#include "common/log.h"

int http_compare_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	log_error("the http-compare command is not yet available");
	return EXIT_USAGE;
}
