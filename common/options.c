/*
 * options.c: the shared getopt loop of options.h: one answer to --help, to a bad option and to the
 * connection options for every command.
 */
#include "common/options.h"
#include "common/ctx.h"

#include <getopt.h>

void cli_getopt_init(struct cli_getopt *g, const char *command, int argc, char **argv, const struct option *longopts,
                     void (*help)(void), struct pgpb_ctx *ctx)
{
	*g = (struct cli_getopt){ .command = command, .argc = argc, .argv = argv, .longopts = longopts, .help = help,
	                          .ctx = ctx, .rc = EXIT_OK };
	optind = 1;
	opterr = 0;
}

int cli_getopt_next(struct cli_getopt *g)
{
	for (;;) {
		int c = getopt_long(g->argc, g->argv, g->shortopts ? g->shortopts : CTX_SHORTOPTS, g->longopts, NULL);
		if (c == -1)
			return 0;
		if (c == CTX_OPT_HELP) {
			g->help();
			g->rc = EXIT_OK;
			return -1;
		}
		if (c == '?' || c == ':') {
			g->rc = cli_getopt_fail(g->command, c, g->argv, optind, optopt);
			return -1;
		}
		int cluster = c == CTX_OPT_EPHEMERAL || c == CTX_OPT_KEEP || c == CTX_OPT_SETTING || c == CTX_OPT_SCHEMA;
		if (g->no_connection && (c == 'h' || c == 'p' || c == 'U' || c == 'd' || (g->no_cluster && cluster))) {
			g->rc = cli_usage_error(g->command, "%s", g->no_connection);
			return -1;
		}
		int r = ctx_option(g->ctx, c, optarg);
		if (r < 0) {
			g->rc = EXIT_USAGE;
			return -1;
		}
		if (r == 0)
			return c;
	}
}

int cli_getopt_end(struct cli_getopt *g)
{
	if (optind < g->argc) {
		g->rc = cli_usage_error(g->command, "too many command-line arguments (first is \"%s\")", g->argv[optind]);
		return -1;
	}
	return 0;
}
