/*
 * schema.c: `pgpagebench schema create|drop|check`: reads the action and the options, connects, and
 * runs the action schema/schema.h provides.
 */
#include "cmd/commands.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/options.h"
#include "common/sig.h"
#include "schema/schema.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void help(void)
{
	printf("pgpagebench schema creates, drops or checks the benchmark's tables.\n\n"
	       "Usage:\n  pgpagebench schema create|drop|check [OPTION]...\n\n"
	       "  create   the tables auth_user (as Django 3.x has it), record, tag, their keys and indexes\n"
	       "  drop     drop them; refused for any table that lacks pgpagebench's ownership marker\n"
	       "  check    report each table, its marker, rows, indexes and last ANALYZE; exit 1 if incomplete\n"
	       "           (the dataset the built-in queries need; run --query FILE runs on any database)\n"
	       "\nOptions:\n"
	       "  --no-indexes             create: leave out the query's indexes (to study the slow path)\n"
	       CTX_HELP);
}

int schema_main(int argc, char **argv)
{
	enum { OPT_NO_INDEXES = CTX_OPT_FIRST_FREE };
	static const struct option longopts[] = { CTX_LONGOPTS, { "no-indexes", no_argument, NULL, OPT_NO_INDEXES },
	                                          { NULL, 0, NULL, 0 } };
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "schema", argc, argv);
	int with_indexes = 1, c;
	struct cli_getopt g;
	cli_getopt_init(&g, "schema", argc, argv, longopts, help, &ctx);
	while ((c = cli_getopt_next(&g)) > 0)
		if (c == OPT_NO_INDEXES)
			with_indexes = 0;
	if (c < 0)
		return g.rc;
	/* one action word, not an option value: checked here, with its own messages */
	if (optind >= argc)
		return cli_usage_error("schema", "missing action: create, drop or check");
	const char *action = argv[optind];
	if (strcmp(action, "create") && strcmp(action, "drop") && strcmp(action, "check"))
		return cli_usage_error("schema", "unknown action \"%s\" (expected create, drop or check)", action);
	if (optind + 1 < argc)
		return cli_usage_error("schema", "too many command-line arguments (first is \"%s\")", argv[optind + 1]);
	if (!with_indexes && strcmp(action, "create") != 0)
		return cli_usage_error("schema", "--no-indexes only applies to create");
	int rc = ctx_open(&ctx);
	if (rc)
		return rc;
	PGconn *conn = ctx_connect(&ctx, "pgpagebench schema");
	if (!conn)
		rc = EXIT_RUNTIME;
	else if (strcmp(action, "create") == 0)
		rc = schema_create(conn, &ctx, with_indexes);
	else if (strcmp(action, "drop") == 0)
		rc = schema_drop(conn, &ctx);
	else
		rc = schema_check(conn, &ctx);
	PQfinish(conn);
	ctx_close(&ctx);
	if (sig_caught())
		return sig_exit_status();
	return rc;
}
