/*
 * compare.h: two runs side by side (compare.c), for the compare command.
 */
#ifndef PGPB_PLOTS_COMPARE_H
#define PGPB_PLOTS_COMPARE_H

#include "plots/output.h"
#include "resdir/gates.h"

#include <stddef.h>

/* What compare checks and writes besides the page (cmd/compare.c fills it; all zero = nothing). */
struct compare_gate {
	int on; /* --max-regression given */
	double max_regression; /* 0.10 = B may be 10% worse than A */
	const struct gate_figure *figs[16]; /* the figures checked (default p99 and qps) */
	int nfigs;
	const char *csv; /* --csv FILE: the side-by-side table there too ("-": standard output) */
};

/*
 * Compares two runs: per-step ratios of queries/s, p50 and p99 for the steps both hold (matched by
 * model, query, connections, workers, offset and rate, not by id), charts with A solid and B dashed,
 * OUT_DIR/index.html and OUT_DIR/compare.csv, the side-by-side table (out_dir NULL = compare-A-vs-B in
 * the current directory). index_path (may be NULL) receives the index.html path. With gate->on, every
 * shared step's figures are checked: B worse than A beyond gate->max_regression, or a figure that cannot be
 * trusted in either run, or no shared step at all, is listed and fails. Returns an exit status: 0, 1
 * (unreadable results, unwritable output) or EXIT_GATE (a regression).
 */
int plots_compare(const char *dir_a, const char *dir_b, const char *out_dir, const struct plots_options *opt,
                  const struct compare_gate *gate, char *index_path, size_t len);

#endif
