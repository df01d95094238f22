/*
 * datagen.c: `pgpagebench datagen`: reads the dataset options and the connection options, then hands
 * them to datagen_exec (datagen/datagen.h), which does the load.
 */
#include "cmd/commands.h"
#include "common/cli.h"
#include "common/ctx.h"
#include "common/options.h"
#include "common/sig.h"
#include "datagen/datagen.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

static void help(void)
{
	printf("pgpagebench datagen fills the tables with realistic, reproducible data.\n\n"
	       "Usage:\n  pgpagebench datagen --scale S [OPTION]...\n\n"
	       "Sizes: 1000 x S users, 100000 x S records, about 2.6 tags a record plus about 25 tags of kind\n"
	       "'user' a user. The same --scale and --seed give the same rows for any --jobs; the fingerprint\n"
	       "(counts and per-table checksums computed by the server) is stored and printed.\n"
	       "\nOptions:\n"
	       "  --scale=S                size factor, 0.001 to 1000 (required)\n"
	       "  --seed=N                 random seed (default 1)\n"
	       "  --jobs=J                 parallel connections (default: online CPUs, here %d); up to 3, each\n"
	       "                           table goes whole to one connection (COPY FREEZE), more cut it in chunks\n"
	       "  --drop                   replace a dataset loaded with other arguments, or rows datagen did not load\n"
	       "  --no-indexes             leave out the query's indexes (keys and foreign keys are still built)\n"
	       "  --status-mix=LIST        record statuses and weights (default new=70,done=20,archived=10)\n"
	       "  --user-zipf=S            exponent of the Zipf law of records per user (default 1.07)\n"
	       "  --children=FRACTION      share of records that are parts of an earlier record (default 0.25)\n"
	       "  --progress, --no-progress  progress bars on stderr (default: when stderr is a terminal)\n"
	       "\nWhat is there already decides what happens: no tables, or tables from \"schema create\" with no\n"
	       "rows: load. A load that did not finish: load again. A complete dataset with the same arguments:\n"
	       "nothing to do (exit 0). Another dataset, or rows datagen did not load: refused unless --drop.\n"
	       "Tables without pgpagebench's ownership marker are never touched. Every user's password is\n"
	       "\"" DATAGEN_PASSWORD "\" (Django pbkdf2_sha256); user 1 is \"admin\", a superuser.\n"
	       "See docs/datagen.md for the distributions.\n" CTX_HELP,
	       datagen_default_jobs());
}

int datagen_main(int argc, char **argv)
{
	enum { OPT_SCALE = CTX_OPT_FIRST_FREE, OPT_SEED, OPT_JOBS, OPT_DROP, OPT_NO_INDEXES, OPT_STATUS_MIX,
	       OPT_USER_ZIPF, OPT_CHILDREN, OPT_PROGRESS, OPT_NO_PROGRESS };
	static const struct option longopts[] = {
		CTX_LONGOPTS,
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "drop", no_argument, NULL, OPT_DROP },
		{ "no-indexes", no_argument, NULL, OPT_NO_INDEXES },
		{ "status-mix", required_argument, NULL, OPT_STATUS_MIX },
		{ "user-zipf", required_argument, NULL, OPT_USER_ZIPF },
		{ "children", required_argument, NULL, OPT_CHILDREN },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ NULL, 0, NULL, 0 },
	};
	struct pgpb_ctx ctx;
	ctx_init(&ctx, "datagen", argc, argv);
	struct datagen_opts o;
	datagen_opts_default(&o);
	int have_scale = 0, c;
	long v;
	struct cli_getopt g;
	cli_getopt_init(&g, "datagen", argc, argv, longopts, help, &ctx);
	while ((c = cli_getopt_next(&g)) > 0) {
		switch (c) {
		case OPT_SCALE:
			if (cli_parse_double("--scale", optarg, 0.001, 1000, &o.scale) < 0)
				return EXIT_USAGE;
			have_scale = 1;
			break;
		case OPT_SEED:
			if (cli_parse_long("--seed", optarg, 0, 9223372036854775807L, &v) < 0)
				return EXIT_USAGE;
			o.seed = (uint64_t)v;
			break;
		case OPT_JOBS:
			if (cli_parse_long("--jobs", optarg, 1, 64, &v) < 0)
				return EXIT_USAGE;
			o.jobs = (int)v;
			break;
		case OPT_DROP: o.drop = 1; break;
		case OPT_NO_INDEXES: o.with_indexes = 0; break;
		case OPT_STATUS_MIX:
			if (datagen_parse_status_mix(&o, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_USER_ZIPF:
			if (cli_parse_double("--user-zipf", optarg, 0, 5, &o.user_zipf) < 0)
				return EXIT_USAGE;
			break;
		case OPT_CHILDREN:
			if (cli_parse_double("--children", optarg, 0, 0.9, &o.children) < 0)
				return EXIT_USAGE;
			break;
		case OPT_PROGRESS: o.progress = 1; break;
		case OPT_NO_PROGRESS: o.progress = 0; break;
		}
	}
	if (c < 0 || cli_getopt_end(&g) < 0)
		return g.rc;
	if (!have_scale)
		return cli_usage_error("datagen", "missing option --scale");
	int rc = ctx_open(&ctx);
	if (rc)
		return rc;
	rc = datagen_exec(&ctx, &o);
	ctx_close(&ctx);
	if (sig_caught())
		return sig_exit_status();
	return rc;
}
