/* run.c: placeholder until the run command lands (issue 4). */
#include "bench/bench.h"
#include "common/cli.h"
#include "common/log.h"

int run_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	log_error("the run command is not yet available");
	return EXIT_USAGE;
}
