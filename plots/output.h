/*
 * output.h: what the plot and compare pages both do with their output, below both so neither calls the
 * other: the chart formats and sizes asked for, the output directory made, and one chart drawn in every
 * format asked for (files of the formats not asked for removed).
 */
#ifndef PGPB_PLOTS_OUTPUT_H
#define PGPB_PLOTS_OUTPUT_H

#include "common/ctx.h"

#include <getopt.h>
#include <stddef.h>

enum { PLOTS_SVG = 1u, PLOTS_PNG = 2u, PLOTS_DEFAULT_FORMATS = PLOTS_SVG | PLOTS_PNG };

struct plots_options {
	unsigned formats; /* PLOTS_SVG | PLOTS_PNG; 0 = both */
	int width, height; /* pixels; 0 = 800 x 480 */
	int quiet; /* no progress lines on stdout (errors still go to stderr) */
};

/* "svg,png" -> PLOTS_SVG | PLOTS_PNG; -1 (logged, naming option) on a bad word. */
int plots_parse_formats(const char *option, const char *s, unsigned *formats);

/*
 * The options of the plot and compare commands, as CTX_LONGOPTS and ctx_option are those of every
 * command: --format, --out and --size, and CTX_LONGOPTS's names with the cluster options (--ephemeral,
 * --keep, --pg-setting, --schema) given codes of their own, so that the command refuses them where
 * cli_getopt_next would take them (it refuses -h, -p, -U and -d by its no_connection message).
 */
enum { PLOTS_OPT_FORMAT = CTX_OPT_FIRST_FREE, PLOTS_OPT_OUT, PLOTS_OPT_SIZE, PLOTS_OPT_EPHEMERAL, PLOTS_OPT_KEEP,
       PLOTS_OPT_SETTING, PLOTS_OPT_SCHEMA };
#define PLOTS_LONGOPTS \
	{ "host", required_argument, NULL, 'h' }, { "port", required_argument, NULL, 'p' }, \
	{ "username", required_argument, NULL, 'U' }, { "dbname", required_argument, NULL, 'd' }, \
	{ "verbose", no_argument, NULL, 'v' }, { "ephemeral", no_argument, NULL, PLOTS_OPT_EPHEMERAL }, \
	{ "keep", no_argument, NULL, PLOTS_OPT_KEEP }, { "pg-setting", required_argument, NULL, PLOTS_OPT_SETTING }, \
	{ "schema", required_argument, NULL, PLOTS_OPT_SCHEMA }, { "quiet", no_argument, NULL, CTX_OPT_QUIET }, \
	{ "help", no_argument, NULL, CTX_OPT_HELP }, { "format", required_argument, NULL, PLOTS_OPT_FORMAT }, \
	{ "out", required_argument, NULL, PLOTS_OPT_OUT }, { "size", required_argument, NULL, PLOTS_OPT_SIZE }
/* Handles one of PLOTS_OPT_* for `command` into o and *out: 0, or -1 after reporting a bad value or a
 * refused option (the command returns EXIT_USAGE). */
int plots_option(const char *command, int opt, const char *arg, struct plots_options *o, const char **out);
/* The options with their defaults filled in (in NULL: all defaults). */
void plots_options_resolve(struct plots_options *o, const struct plots_options *in);

/* mkdir -p; 0, or -1 (logged). */
int plots_make_dir(const char *path);
/* Makes out_dir and out_dir/charts (whose path goes to charts_dir); 0, or -1 (logged). */
int plots_make_out(const char *out_dir, char *charts_dir, size_t len);

struct chart;
struct report_item;
/* Draws a chart in the requested PLOTS_* formats into charts_dir/<it->name>.<ext>, sets it->files, and
 * removes files of that name left by an earlier run in formats not drawn now. 0, or -1 (logged). */
int plots_draw(const struct chart *c, const char *charts_dir, struct report_item *it, unsigned formats);

#endif
