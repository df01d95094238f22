/*
 * server.c: `pgpagebench server` starts a private temporary PostgreSQL, prints its conninfo and keeps it
 * until SIGINT or SIGTERM, then removes it; if the server dies on its own, it says so and exits 1. A
 * throwaway database for a web app, and the fixture the integration tests share (they wait for the
 * conninfo line, not for a clock).
 */
#include "cmd/commands.h"
#include "common/cli.h"
#include "common/cluster.h"
#include "common/ctx.h"
#include "common/log.h"
#include "common/options.h"
#include "common/sig.h"

#include <getopt.h>
#include <stdio.h>
#include <time.h>

static void help(void)
{
	printf("pgpagebench server starts a private temporary PostgreSQL and keeps it running.\n\n"
	       "Usage:\n  pgpagebench server [OPTION]...\n\n"
	       "It prints \"conninfo: ...\" on standard output once the server accepts connections, and stops\n"
	       "and removes the server when it receives SIGINT or SIGTERM (or, with --keep, right away).\n"
	       "\nOptions:\n"
	       "  --pg-setting=NAME=VALUE  server setting (repeatable)\n"
	       "  --keep                   leave the server running, print how to stop it, and exit\n"
	       "  -v, --verbose            report start-up time\n"
	       "  --help                   show this help, then exit\n");
}

int server_main(int argc, char **argv)
{
	static const struct option longopts[] = { CTX_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "server", argc, argv);
	struct cli_getopt g;
	cli_getopt_init(&g, "server", argc, argv, longopts, help, &ctx);
	g.no_connection = "server takes no connection options";
	if (cli_getopt_next(&g) < 0 || cli_getopt_end(&g) < 0) /* server has no options of its own */
		return g.rc;
	if (ctx.schema) /* a schema is a connection option too: there is no database to point it at */
		return cli_usage_error("server", "%s", g.no_connection);
	ctx.ephemeral = 1;
	int rc = ctx_open(&ctx);
	if (rc)
		return rc;
	if (!ctx.keep) {
		printf("conninfo: host=%s port=%d user=%s dbname=postgres\n", cluster_host(ctx.cluster),
		       cluster_port(ctx.cluster), cluster_user(ctx.cluster));
		fflush(stdout);
		while (!sig_caught()) {
			if (!cluster_running(ctx.cluster)) { /* it died under us (logged): clean up and fail */
				ctx_close(&ctx);
				return EXIT_RUNTIME;
			}
			struct timespec ts = { 0, 100 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	ctx_close(&ctx);
	return sig_caught() ? sig_exit_status() : EXIT_OK;
}
