/*
 * options.h: the getopt loop every command shares, as PostgreSQL's option_parse_int is the value parser its
 * tools share. It answers --help, unknown options, missing values and the connection options (ctx_option),
 * so a command's loop holds only its own options:
 *
 *	struct cli_getopt g;
 *	cli_getopt_init(&g, "run", argc, argv, longopts, help, &ctx);
 *	while ((c = cli_getopt_next(&g)) > 0)
 *		switch (c) { case OPT_POOLS: ... if (bad) return EXIT_USAGE; ... }
 *	if (c < 0 || cli_getopt_end(&g) < 0)
 *		return g.rc;
 *
 * The options use CTX_SHORTOPTS and start their table with CTX_LONGOPTS. It sits beside cli.c (values)
 * and ctx.c (connection options) and above both.
 */
#ifndef PGPB_OPTIONS_H
#define PGPB_OPTIONS_H

#include "common/cli.h"

struct pgpb_ctx;
struct option;
struct cli_getopt {
	const char *command; /* "run": names the command in errors and hints */
	int argc;
	char **argv;
	const struct option *longopts;
	void (*help)(void); /* printed on --help */
	struct pgpb_ctx *ctx; /* receives the connection options */
	const char *no_connection; /* set: -h, -p, -U and -d are refused with this message */
	int no_cluster; /* with no_connection: --ephemeral, --keep, --pg-setting and --schema are refused too */
	int rc; /* the exit status when next or end returned -1: 0 after --help, else 2 (already reported) */
	const char *shortopts; /* NULL: CTX_SHORTOPTS; a command with short options of its own sets CTX_SHORTOPTS "..." */
};
void cli_getopt_init(struct cli_getopt *g, const char *command, int argc, char **argv, const struct option *longopts,
                     void (*help)(void), struct pgpb_ctx *ctx);
/* The next option of the command's own (> 0, with optarg set); 0 after the last option; -1 when the
 * command must return g->rc now (--help shown, or a bad option or connection option value reported). */
int cli_getopt_next(struct cli_getopt *g);
/* After the loop: -1 with g->rc = 2 (reported) when arguments other than options remain, else 0. */
int cli_getopt_end(struct cli_getopt *g);

#endif
