/* plot.c: placeholder until the plot and compare commands land (issue 6). */
#include "plots/plots.h"
#include "common/cli.h"
#include "common/log.h"

int plot_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	log_error("the plot command is not yet available");
	return EXIT_USAGE;
}

int compare_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	log_error("the compare command is not yet available");
	return EXIT_USAGE;
}
