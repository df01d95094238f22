/*
 * summary.h: the table a run prints at its end, one row a step, with the notes and warnings that explain
 * its marks (a thin step's p99, an unreliable server/client split). Reads the steps' results only.
 */
#ifndef PGPB_SUMMARY_H
#define PGPB_SUMMARY_H

#include "common/hist.h"
#include "resdir/write.h"

#include <stddef.h>

/* A latency percentile in ms for a table: "-" when no query finished, a trailing "*" when fewer than 10
 * queries lie at or beyond it (hist_pct_reliable), so a thin step's p99 is never read as solid. */
void summary_fmt_pct(const struct hist *h, double p, char *buf, size_t len);
/* The table of the n steps written (stdout), its notes, then the warnings about thin steps (stderr). */
void summary_print(const struct step_result *const *steps, int n);

#endif
