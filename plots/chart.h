/*
 * chart.h: a small chart layer on GNU libplot (the reentrant pl_*_r API): line charts with linear or log
 * axes (1-2-5 ticks, or powers of two), unit-aware tick labels, title, subtitle, legend, grid, two stacked
 * panels or a grid of small multiples that share their axes, drawn
 * to SVG (crisp) or PNG (thicker lines, since libplot does not antialias). Text is UTF-8 in; libplot draws
 * it in Latin-1 (other characters become '?'), and the SVG files are written in UTF-8.
 * A chart owns the point arrays of its series; chart_free releases them.
 */
#ifndef PGPB_PLOTS_CHART_H
#define PGPB_PLOTS_CHART_H

#include <stddef.h>
#include <stdio.h>

enum chart_format { CHART_SVG = 1u, CHART_PNG = 2u };

enum chart_unit {
	CHART_UNIT_NONE, /* plain numbers, k/M suffixes */
	CHART_UNIT_US, /* microseconds, labelled in us, ms or s */
	CHART_UNIT_QPS, /* queries per second: 950, 1.5k, 2M */
	CHART_UNIT_SECONDS, /* "30 s" */
	CHART_UNIT_PCTL, /* x = 1/(1-p) on a log axis, labelled 50%, 90%, 99%, 99.9% ... */
};

struct chart_axis {
	char title[128]; /* UTF-8 */
	enum chart_unit unit;
	int log;
	int from_zero; /* linear: the range includes 0 */
	double zero_at; /* log: when > 0, values <= 0 are drawn here and its tick reads "0" */
	int hide_labels; /* top panel of a shared x axis */
	int integer; /* only whole-number ticks (pool sizes, offsets) */
	int pow2; /* log: ticks at the powers of two inside the data (1, 2, 4, 8 ... evenly spaced) */
};

struct chart_series {
	char label[128]; /* UTF-8; "" keeps it out of the legend */
	int style; /* colour and marker: an index into the palette */
	int dash; /* line style index; 0 = solid */
	int markers; /* draw a marker at every point (hollow when the line is not solid) */
	size_t n, cap;
	double *x, *y; /* NAN in y (or x) breaks the line */
	unsigned char *hollow; /* per point, NULL until one is set: a figure too thin to trust, drawn hollow */
};

/* A vertical separator (e.g. where a step starts on a timeline) with a short label at the top. */
struct chart_mark {
	double x;
	char label[16];
};

struct chart_panel {
	struct chart_axis x, y;
	struct chart_series **series; /* owned, one allocation each */
	size_t nseries;
	struct chart_mark *marks;
	size_t nmarks;
	double weight; /* share of the height (0 = equal); stacked panels only */
	/* 1: stacked bars. Every series has the same points in the same order (NAN or 0 where it has none);
	 * point i of each series is a segment of bar i at its x, stacked from 0 in series order, one colour a
	 * series (CHART_NBARCOLOURS of them). A hollow point is drawn as an outline: a bar too thin to trust. */
	int bars;
	char title[64]; /* UTF-8; drawn above the panel in a grid */
};

/* Panels a chart holds: up to CHART_MAXSTACK stacked, or up to CHART_MAXPANELS small multiples in a grid. */
enum { CHART_MAXPANELS = 9, CHART_MAXSTACK = 3 };

struct chart {
	char title[160], subtitle[320], note[240]; /* UTF-8 */
	struct chart_panel panel[CHART_MAXPANELS];
	size_t npanels;
	/* 0: panels stacked (at most CHART_MAXSTACK), each with its own axes. > 0: a grid of this many columns, every panel
	 * with the same axis settings, ranges and series (labels and styles), so the legend lists each once and
	 * the panels compare at a glance (small multiples) */
	int cols;
	int width, height; /* pixels */
};

/* Palette sizes: colours/markers and dash styles cycle beyond these. */
enum { CHART_NSTYLES = 8, CHART_NDASHES = 6, CHART_NBARCOLOURS = 14 };

void chart_init(struct chart *c, int width, int height, size_t npanels);
struct chart_series *chart_series_add(struct chart_panel *p, int style, int dash, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void chart_point(struct chart_series *s, double x, double y);
/* A point whose marker is drawn hollow (an outline) when `hollow`: a percentile from too few queries. */
void chart_point_hollow(struct chart_series *s, double x, double y, int hollow);
/* Sorts the series' points by x (for lines that must run left to right). */
void chart_series_sort(struct chart_series *s);
void chart_mark_add(struct chart_panel *p, double x, const char *label);
/* Number of distinct series labels with at least one drawable point (what the legend lists). */
size_t chart_nseries(const struct chart *c);
void chart_free(struct chart *c);

/* The libplot marker a series style is drawn with: styles share a colour every CHART_NSTYLES, never a
 * colour and a marker within the first 5 * CHART_NSTYLES. */
int chart_marker(int style);
/* Draws the chart into path (written atomically) as SVG or PNG. Returns 0, or -1 with errbuf filled. */
int chart_render(const struct chart *c, const char *path, enum chart_format fmt, char *errbuf, size_t errlen);

/* Tick values for an axis spanning [lo, hi] (already rounded outward); returns the count (<= max). */
size_t chart_ticks(const struct chart_axis *a, double *lo, double *hi, double *ticks, size_t max);
/* A value formatted for a tick label or a table cell, in the unit of the axis (UTF-8). */
void chart_format_value(enum chart_unit unit, double v, char *buf, size_t len);
/* Writes an SVG as libplot makes it (ISO-8859-1, declared so) to f as UTF-8 with the declaration saying so.
 * chart_render does this for every SVG. 0, or -1 with errbuf filled when buf does not start with that
 * declaration. */
int chart_svg_to_utf8(const char *buf, size_t len, FILE *f, char *errbuf, size_t errlen);
/* UTF-8 to the Latin-1 libplot draws: characters outside Latin-1 become '?', backslashes (libplot's
 * escape character) become '/'. */
void chart_latin1(const char *utf8, char *out, size_t len);

#endif
