/*
 * plots.h: the charts and the offline HTML report of one results directory (docs/results.md). Used by the
 * plot command, by `run` at the end of a sweep and by `demo`. Two runs side by side: compare.h.
 */
#ifndef PGPB_PLOTS_H
#define PGPB_PLOTS_H

#include "plots/output.h"

#include <stddef.h>

/*
 * Draws every chart the results hold data for into OUT_DIR/charts/ and writes OUT_DIR/index.html
 * (out_dir NULL = the results directory itself). index_path (may be NULL) receives the index.html path.
 * Returns an exit status: 0, 1 (unreadable results, unwritable output) or 2 (bad formats).
 */
int plots_render(const char *results_dir, const char *out_dir, unsigned formats, char *index_path, size_t len);
int plots_render_opts(const char *results_dir, const char *out_dir, const struct plots_options *opt,
                      char *index_path, size_t len);

#endif
