/*
 * main.c: the front door. It reads the command name and hands the rest of the command line to the module
 * that owns that command; it does no work of its own.
 */
#include "cmd/commands.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/sig.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "demo", demo_main, "everything below on a private temporary PostgreSQL, then print where the report is" },
	{ "schema", schema_main, "create | drop | check the tables, their indexes and the ownership marker" },
	{ "datagen", datagen_main, "fill the tables with realistic, reproducible data (--scale, --seed)" },
	{ "run", run_main, "replay the query under load, sweeping pool sizes and page depths" },
	{ "plot", plot_main, "charts and an offline index.html from a results directory" },
	{ "compare", compare_main, "two results directories side by side" },
	{ "merge", merge_main, "the runs of several driver hosts on one schedule, added up exactly" },
	{ "http-compare", http_compare_main, "an HTTP endpoint (ab or wrk) beside the query alone, step by step" },
	{ "server", server_main, "start a private temporary PostgreSQL and keep it until SIGINT/SIGTERM" },
};

static void usage(void)
{
	printf("pgpagebench measures what one paginated list endpoint costs in PostgreSQL alone.\n\n"
	       "Usage:\n  pgpagebench COMMAND [OPTION]...\n\nCommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		printf("  %-12s  %s\n", commands[i].name, commands[i].summary);
	printf("\nOptions:\n  --help     show this help, then exit\n  --version  output version information, then exit\n"
	       "\nSee \"pgpagebench COMMAND --help\" for each command's options, and man pgpagebench.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		log_error("no command given");
		log_hint("Try \"pgpagebench --help\" for more information.");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0 || strcmp(argv[1], "help") == 0) {
		usage();
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("pgpagebench %s\n", PGPB_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			sig_install();
			return commands[i].main(argc - 1, argv + 1);
		}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unrecognized option \"%s\" (a command must come first)", argv[1]);
	return cli_usage_error(NULL, "unknown command \"%s\"", argv[1]);
}
