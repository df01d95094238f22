/*
 * dbcost.c: the database-cost sections of a run's index.html. Where the time of a query goes:
 * each step's mean client latency split into PostgreSQL's own execution and planning time
 * (pg_stat_statements, diffed around the step by the driver) and the rest (network, driver, queueing);
 * and, when the run kept EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) plans in explain/, what each plan
 * processed to return its page. Reads only the results directory; the plan files are named and parsed by
 * resdir/explain.h.
 */
#include "plots/report.h"
#include "common/alloc.h"
#include "resdir/explain.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- client latency split -------------------------------------------------------------------- */

static void td_us(FILE *f, double v)
{
	char buf[64] = "-";
	if (isfinite(v))
		chart_format_value(CHART_UNIT_US, v, buf, sizeof buf);
	fputs("<td>", f);
	report_html_escape(f, buf);
	fputs("</td>", f);
}

void report_split_section(FILE *f, const struct res_run *run)
{
	int any = 0, plan = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		any |= isfinite(run->steps[i].v[RF_SERVER_MEAN_EXEC_US]);
		plan |= isfinite(run->steps[i].v[RF_SERVER_MEAN_PLAN_US]);
	}
	fputs("<section id=\"server-time\">\n<h2>Server time per step</h2>\n", f);
	if (!any) {
		fputs("<p class=\"skip\">", f);
		report_html_escape(f, charts_no_server_time);
		fputs(".</p>\n</section>\n", f);
		return;
	}
	fputs("<p>Mean client latency of each step split into PostgreSQL's own time for the query "
	      "(pg_stat_statements, read at the two edges of the step's measured window) and the rest: network, "
	      "driver and queueing in the client. Server share = server mean / client mean. Only queries in flight "
	      "at an edge of the window can be counted by one side and not the other, so the server's calls lie "
	      "within the client's queries minus those in flight at the start and plus those in flight at the end; "
	      "&plusmn; is how far that lets the server mean exceed the client mean. A split outside those bounds, "
	      "or whose error is more than 10% of the client mean (too few queries), is marked not reliable and "
	      "shows no share.",
	      f);
	if (!plan)
		fputs(" Planning time was not recorded (pg_stat_statements.track_planning is off, or prepared "
		      "statements were planned once before the step).",
		      f);
	fputs("</p>\n<table>\n<tr><th>#</th><th class=\"l\">step</th><th class=\"l\">query</th><th>pool</th>"
	      "<th>offset</th><th>client mean</th><th>server execution</th><th>server planning</th>"
	      "<th>rest</th><th>&plusmn;</th><th>server share</th><th>server calls</th><th>client queries</th>"
	      "<th>in flight at start / end</th></tr>\n",
	      f);
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *s = &run->steps[i];
		double mean = s->v[RF_MEAN_US], exec = s->v[RF_SERVER_MEAN_EXEC_US], pl = s->v[RF_SERVER_MEAN_PLAN_US];
		double srv = exec + (isfinite(pl) ? pl : 0), rest = mean - srv;
		fprintf(f, "<tr class=\"split\"><td>%zu</td><td class=\"l\">", i + 1);
		report_html_escape(f, s->id);
		fputs("</td><td class=\"l\">", f);
		report_html_escape(f, s->query);
		fprintf(f, "</td><td>%.15g</td><td>", s->v[RF_CONNECTIONS]);
		report_html_escape(f, s->offset_text[0] ? s->offset_text : "-");
		fputs("</td>", f);
		td_us(f, mean);
		td_us(f, exec);
		td_us(f, pl);
		int reliable = res_split_reliable(s);
		td_us(f, rest);
		td_us(f, s->v[RF_SPLIT_ERROR_US]);
		double client = s->v[RF_OK] + (isfinite(s->v[RF_VALIDATION_ERRORS]) ? s->v[RF_VALIDATION_ERRORS] : 0);
		double calls = s->v[RF_SERVER_CALLS], lo = client - s->v[RF_INFLIGHT_START], hi = client + s->v[RF_INFLIGHT_END];
		if (!reliable && isfinite(srv))
			fprintf(f, "<td class=\"bad\">not reliable: %s</td>",
			        calls < lo || calls > hi ? "server calls outside the client's queries &plusmn; in flight"
			                                 : "too few queries for the window's edges");
		else if (isfinite(srv) && isfinite(mean) && mean > 0 && srv <= mean)
			fprintf(f, "<td>%.1f%%</td>", 100.0 * srv / mean);
		else if (isfinite(srv) && isfinite(mean) && mean > 0) /* a run from before the edges were counted */
			fputs("<td class=\"bad\">over 100%: server and client windows differ</td>", f);
		else
			fputs("<td>-</td>", f);
		if (isfinite(calls))
			fprintf(f, "<td>%.15g</td>", calls);
		else
			fputs("<td>-</td>", f);
		if (isfinite(client))
			fprintf(f, "<td>%.15g</td>", client);
		else
			fputs("<td>-</td>", f);
		if (isfinite(s->v[RF_INFLIGHT_START]) && isfinite(s->v[RF_INFLIGHT_END]))
			fprintf(f, "<td>%.15g / %.15g</td></tr>\n", s->v[RF_INFLIGHT_START], s->v[RF_INFLIGHT_END]);
		else
			fputs("<td>-</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
}

/* ---- EXPLAIN summaries ----------------------------------------------------------------------- */

struct plan_file {
	char name[256], variant[200];
	long offset;
	size_t order; /* first step of the variant, or past the steps */
};

/* "offset-<n>.json" or "<variant>-offset-<n>.json" (resdir/explain.h); 0 when the name is neither. */
static int plan_name(const char *name, struct plan_file *p)
{
	if (strlen(name) >= sizeof p->name || !explain_name_parse(name, p->variant, sizeof p->variant, &p->offset))
		return 0;
	snprintf(p->name, sizeof p->name, "%s", name);
	return 1;
}

static int cmp_plan(const void *a, const void *b)
{
	const struct plan_file *x = a, *y = b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	int c = strcmp(x->variant, y->variant);
	if (c)
		return c;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

void report_explain_section(FILE *f, const struct res_run *run, const char *rel)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/explain", run->dir);
	DIR *d = opendir(dir);
	if (!d)
		return; /* the run was made without --explain: nothing to say */
	struct plan_file *pl = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct plan_file p;
		if (!plan_name(e->d_name, &p))
			continue;
		p.order = run->nsteps;
		for (size_t i = 0; i < run->nsteps; i++)
			if (strcmp(run->steps[i].query, p.variant) == 0) {
				p.order = i;
				break;
			}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			pl = pgpb_reallocarray(pl, cap, sizeof *pl);
		}
		pl[n++] = p;
	}
	closedir(d);
	if (n == 0) {
		free(pl);
		return;
	}
	qsort(pl, n, sizeof *pl, cmp_plan);
	int variants = 0;
	for (size_t i = 0; i < n; i++)
		variants |= pl[i].variant[0] != '\0';
	fputs("<section id=\"explain\">\n<h2>EXPLAIN per offset</h2>\n<p>One EXPLAIN (ANALYZE, BUFFERS) of the query "
	      "at each offset, before its steps. Rows processed: the largest output of any single plan node (the widest "
	      "point the executor went through to produce the page). EXPLAIN's own timing adds overhead: compare these "
	      "times with each other, and take latency from the steps.</p>\n<table>\n<tr>",
	      f);
	if (variants)
		fputs("<th class=\"l\">variant</th>", f);
	fputs("<th>offset</th><th>planning</th><th>execution</th><th>rows processed</th><th class=\"l\">at node</th>"
	      "<th>rows returned</th><th>shared hit / read</th><th class=\"l\">summary</th><th class=\"l\">plan</th></tr>\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		char path[4600], rel_name[300];
		snprintf(path, sizeof path, "%s/%s", dir, pl[i].name);
		snprintf(rel_name, sizeof rel_name, "explain/%s", pl[i].name);
		fputs("<tr class=\"explain\">", f);
		if (variants) {
			fputs("<td class=\"l\">", f);
			report_html_escape(f, pl[i].variant[0] ? pl[i].variant : "-");
			fputs("</td>", f);
		}
		fprintf(f, "<td>%ld</td>", pl[i].offset);
		char err[256];
		struct explain_summary s;
		if (explain_load(path, &s, err, sizeof err) < 0) {
			fputs("<td colspan=\"7\" class=\"l bad\">", f);
			report_html_escape(f, err);
			fputs("</td>", f);
		} else {
			char buf[512];
			fprintf(f, "<td>%.3f ms</td><td>%.3f ms</td><td>%.0f</td><td class=\"l\">", s.planning_ms, s.execution_ms,
			        s.rows_processed);
			report_html_escape(f, s.processed_node);
			fprintf(f, "</td><td>%.0f</td><td>%lld / %lld</td><td class=\"l\">", s.rows_returned, s.shared_hit,
			        s.shared_read);
			explain_describe(&s, buf, sizeof buf);
			report_html_escape(f, buf);
			fputs("</td>", f);
		}
		fputs("<td class=\"l\">", f);
		report_link(f, run->dir, rel, rel_name, pl[i].name);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
	free(pl);
}
