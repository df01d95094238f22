/*
 * charts.h: the chart set of `plot` (charts.c) and the labels it shares with the pages: a table of chart
 * definitions, each with a builder that fills a chart from a run or says why it drew nothing.
 */
#ifndef PGPB_PLOTS_CHARTS_H
#define PGPB_PLOTS_CHARTS_H

#include "plots/chart.h"
#include "resdir/read.h"

#include <stddef.h>

/* The chart set of `plot`: definitions in order; build returns 1 (chart filled) or 0 (skipped, why set). */
struct charts_def {
	const char *name, *title, *caption;
	int (*build)(const struct res_run *run, struct chart *c, char *why, size_t len);
};
extern const struct charts_def charts_defs[];
extern const size_t charts_ndefs;

/* Why the latency split is missing and how to enable pg_stat_statements (one sentence, no period). */
extern const char charts_no_server_time[];

/* "PostgreSQL 15.18 · scale 0.1 · 2026-11-25 20:00 UTC · host x" (UTF-8). */
void charts_context(const struct res_run *run, char *buf, size_t len);
/* "pool 4 · offset 100 · 500/s" (with model and query when the run mixes them). */
void charts_step_label(const struct res_run *run, const struct res_step *s, char *buf, size_t len);

#endif
