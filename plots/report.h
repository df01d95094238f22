/*
 * report.h: the HTML writer of the pages (report.c) and the database-cost sections (dbcost.c): escaping,
 * the head, the run's context and steps tables, the chart items, and the file written atomically. Internal
 * to plots/: other modules use plots.h and compare.h.
 */
#ifndef PGPB_PLOTS_REPORT_H
#define PGPB_PLOTS_REPORT_H

#include "plots/chart.h"
#include "plots/charts.h" /* for dbcost.c, which names charts_no_server_time */
#include "resdir/read.h"

#include <stdio.h>

/* One chart of a report: drawn (files written in the formats) or skipped with a note. */
struct report_item {
	char name[64]; /* file stem in charts/ */
	char title[160];
	char caption[400]; /* how to read it */
	char note[512]; /* why it was skipped, or a remark on what it shows */
	int drawn;
	unsigned files; /* CHART_SVG | CHART_PNG actually written */
};

/* HTML helpers. */
void report_html_escape(FILE *f, const char *s);
/* A relative path for href or src: %-escapes what HTML and URLs need, keeps '/' and UTF-8 bytes. */
void report_href_escape(FILE *f, const char *s);
void report_html_head(FILE *f, const char *title);
void report_context_table(FILE *f, const struct res_run *run, const char *rel_results);
void report_steps_table(FILE *f, const struct res_run *run, const char *rel_results);
void report_items(FILE *f, const struct report_item *items, size_t n);
/* run --script: each step's statements (statements.csv), as pgbench -r gives them; nothing for a query. */
void report_statements_table(FILE *f, const struct res_run *run);
/* A latency cell (field of s, percentile p): "-" when not measured, "*" appended when too thin to trust;
 * returns 1 when marked. */
int report_pct_cell(FILE *f, const struct res_step *s, int field, double p);
/* <a href="rel/name">text</a> when dir/name exists, else the text alone (escaped). */
void report_link(FILE *f, const char *dir, const char *rel, const char *name, const char *text);
/* The database-cost sections (plots/dbcost.c): client latency split into server time and the rest per
 * step (or how to enable pg_stat_statements), and the summaries of the explain/ JSON files with links. */
void report_split_section(FILE *f, const struct res_run *run);
void report_explain_section(FILE *f, const struct res_run *run, const char *rel);
/* Where the server time goes (plots/waits.c): each step's wait profile from waits.csv, or why there is none. */
void report_waits_section(FILE *f, const struct res_run *run);
/* The table of the web app's backends in http-compare --url's section (nothing without http/waits.csv). */
void report_app_waits(FILE *f, const struct res_run *run);

/* Relative path from directory `from` to `to` (both existing); falls back to the absolute path. */
void report_relpath(const char *from, const char *to, char *buf, size_t len);
/* Writes path via a temporary file: fill() writes the body; returns 0 or -1 (logged). */
int report_write_file(const char *path, void (*fill)(FILE *f, void *arg), void *arg);

#endif
