/*
 * compare.h: two runs side by side (compare.c), for the compare command.
 */
#ifndef PGPB_PLOTS_COMPARE_H
#define PGPB_PLOTS_COMPARE_H

#include "plots/output.h"

#include <stddef.h>

/*
 * Compares two runs: per-step ratios of queries/s, p50 and p99 for the steps both hold (matched by
 * model, query, connections, workers, offset and rate, not by id), charts with A solid and B dashed,
 * and OUT_DIR/index.html (out_dir NULL = compare-A-vs-B in the current directory). index_path (may be
 * NULL) receives the index.html path. Returns an exit status: 0 or 1 (unreadable results, unwritable output).
 */
int plots_compare(const char *dir_a, const char *dir_b, const char *out_dir, const struct plots_options *opt,
                  char *index_path, size_t len);

#endif
