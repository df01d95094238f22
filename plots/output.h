/*
 * output.h: what the plot and compare pages both do with their output, below both so neither calls the
 * other: the chart formats and sizes asked for, the output directory made, and one chart drawn in every
 * format asked for (files of the formats not asked for removed).
 */
#ifndef PGPB_PLOTS_OUTPUT_H
#define PGPB_PLOTS_OUTPUT_H

#include <stddef.h>

enum { PLOTS_SVG = 1u, PLOTS_PNG = 2u, PLOTS_DEFAULT_FORMATS = PLOTS_SVG | PLOTS_PNG };

struct plots_options {
	unsigned formats; /* PLOTS_SVG | PLOTS_PNG; 0 = both */
	int width, height; /* pixels; 0 = 800 x 480 */
	int quiet; /* no progress lines on stdout (errors still go to stderr) */
};

/* "svg,png" -> PLOTS_SVG | PLOTS_PNG; -1 (logged, naming option) on a bad word. */
int plots_parse_formats(const char *option, const char *s, unsigned *formats);

/* "WIDTHxHEIGHT" in pixels, 200x150 to 8000x8000, into o; -1 (logged, naming --size) on a bad value. */
int plots_parse_size(const char *s, struct plots_options *o);
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
