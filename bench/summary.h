/*
 * summary.h: the table a run prints at its end, one row a step, with the notes and warnings that explain
 * its marks (a thin step's p99, an unreliable server/client split, a step with many errors), and the
 * run's verdict on its failures. Reads the steps' results and the engines' fault record only.
 */
#ifndef PGPB_SUMMARY_H
#define PGPB_SUMMARY_H

#include "common/hist.h"
#include "resdir/write.h"

#include <stddef.h>

/* A step whose failed queries exceed this share of its finished ones is flagged in the table. */
#define SUMMARY_ERROR_SHARE 0.01

struct engine_fault; /* bench/engine_thread.h */

/* A latency percentile in ms for a table: "-" when no query finished, a trailing "*" when fewer than 10
 * queries lie at or beyond it (hist_pct_reliable), so a thin step's p99 is never read as solid. */
void summary_fmt_pct(const struct hist *h, double p, char *buf, size_t len);
/* The table of the n steps written (stdout), its notes, then the warnings about thin steps and steps with
 * more than SUMMARY_ERROR_SHARE of their queries failed (stderr). */
void summary_print(const struct step_result *const *steps, int n);
/* run --script: each step's statements, as pgbench -r prints them (the figures of statements.csv). */
void summary_print_statements(const struct step_result *const *steps, int n);
/*
 * The run's verdict on its failures, once the steps are written: ok queries succeeded in all. -1 after
 * logging why the figures measure no answer (no query succeeded: the first failure's message; the
 * driver's prepared statement missing on the server: a transaction pooler), else 0.
 */
int summary_verdict(const struct engine_fault *f, unsigned long long ok);

#endif
