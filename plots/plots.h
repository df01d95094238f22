/*
 * plots.h: charts and an offline HTML report from a results directory (docs/results.md), and two runs
 * side by side. Used by the plot and compare commands, by `run` at the end of a sweep and by `demo`.
 */
#ifndef PGPB_PLOTS_H
#define PGPB_PLOTS_H

#include <stddef.h>

enum { PLOTS_SVG = 1u, PLOTS_PNG = 2u, PLOTS_DEFAULT_FORMATS = PLOTS_SVG | PLOTS_PNG };

struct plots_options {
	unsigned formats; /* PLOTS_SVG | PLOTS_PNG; 0 = both */
	int width, height; /* pixels; 0 = 800 x 480 */
	int quiet; /* no progress lines on stdout (errors still go to stderr) */
};

/*
 * Draws every chart the results hold data for into OUT_DIR/charts/ and writes OUT_DIR/index.html
 * (out_dir NULL = the results directory itself). index_path (may be NULL) receives the index.html path.
 * Returns an exit status: 0, 1 (unreadable results, unwritable output) or 2 (bad formats).
 */
int plots_render(const char *results_dir, const char *out_dir, unsigned formats, char *index_path, size_t len);
int plots_render_opts(const char *results_dir, const char *out_dir, const struct plots_options *opt,
                      char *index_path, size_t len);
/*
 * Compares two runs: per-step ratios of queries/s, p50 and p99 for the steps both hold (matched by
 * model, query, connections, workers, offset and rate, not by id), charts with A solid and B dashed,
 * and OUT_DIR/index.html. Same return convention as plots_render.
 */
int plots_compare(const char *dir_a, const char *dir_b, const char *out_dir, const struct plots_options *opt,
                  char *index_path, size_t len);
/* "svg,png" -> PLOTS_SVG | PLOTS_PNG; -1 (logged, naming option) on a bad word. */
int plots_parse_formats(const char *option, const char *s, unsigned *formats);

int plot_main(int argc, char **argv);
int compare_main(int argc, char **argv);

#endif
