/*
 * plot_options.h: the options plot and compare share (--format, --out, --size), as CTX_LONGOPTS are the
 * options every command shares. Both commands read result files only, so they refuse the connection and
 * cluster options through cli_getopt's no_connection and no_cluster.
 */
#ifndef PGPB_CMD_PLOT_OPTIONS_H
#define PGPB_CMD_PLOT_OPTIONS_H

#include "common/ctx.h"
#include "plots/output.h"

#include <getopt.h>

enum { PLOT_OPT_FORMAT = CTX_OPT_FIRST_FREE, PLOT_OPT_OUT, PLOT_OPT_SIZE };
#define PLOT_LONGOPTS \
	CTX_LONGOPTS, { "format", required_argument, NULL, PLOT_OPT_FORMAT }, \
	{ "out", required_argument, NULL, PLOT_OPT_OUT }, { "size", required_argument, NULL, PLOT_OPT_SIZE }

/* Handles one PLOT_OPT_* for command into o and *out: 0, or -1 after reporting a bad value. */
int plot_option(const char *command, int opt, const char *arg, struct plots_options *o, const char **out);

#endif
