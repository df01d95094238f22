/* datagen.c: placeholder until the datagen command lands (issue 3). */
#include "datagen/datagen.h"
#include "common/cli.h"
#include "common/log.h"

int datagen_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	log_error("the datagen command is not yet available");
	return EXIT_USAGE;
}
