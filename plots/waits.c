/*
 * waits.c: the "where the server time goes" section of a run's index.html: each step's wait profile from
 * waits.csv (resdir/waits.h) as a table, a column a class seen in the run and the step's top wait events,
 * with the same one-decimal shares the terminal printed at the end of the run, from the same counts; and
 * the same table of the web app's backends during http-compare --url's HTTP steps (http/waits.csv).
 */
#include "plots/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void td_share(FILE *f, double n, double total)
{
	if (total > 0)
		fprintf(f, "<td>%.1f%%</td>", 100.0 * n / total);
	else
		fputs("<td>-</td>", f);
}

/* The table of each step's profile: app 0 the run's own backends (waits), 1 the web app's (app_waits). */
static void waits_table(FILE *f, const struct res_run *run, int app)
{
	int seen[WAIT_NCLASSES] = { 0 }, thin = 0;
	seen[WAIT_CPU] = seen[WAIT_IDLE] = 1;
	for (size_t i = 0; i < run->nsteps; i++)
		for (int k = 0; k < WAIT_NCLASSES; k++)
			seen[k] |= (app ? run->steps[i].app_waits : run->steps[i].waits).cls[k] > 0;
	fputs("<table>\n<tr><th>#</th><th class=\"l\">step</th><th>samples</th>", f);
	for (int k = 0; k < WAIT_NCLASSES; k++)
		if (seen[k]) {
			fputs("<th>", f);
			report_html_escape(f, app && k == WAIT_IDLE ? "idle: in the app, between its queries"
			                      : app && k == WAIT_IDLE_XACT ? "idle in transaction: in the app"
			                                                   : wait_class_labels[k]);
			fputs("</th>", f);
		}
	fputs("<th class=\"l\">top waits</th></tr>\n", f);
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *s = &run->steps[i];
		const struct res_waits *w = app ? &s->app_waits : &s->waits;
		if (app && !w->have)
			continue; /* a step without an HTTP load */
		fprintf(f, "<tr><td>%zu</td><td class=\"l\">", i + 1);
		report_html_escape(f, s->id);
		int few = w->have && w->samples < WAIT_MIN_SAMPLES;
		thin |= few;
		if (!w->have)
			fputs("</td><td>-</td>", f);
		else if (few)
			fprintf(f, "</td><td class=\"bad\">%.15g (too few to trust)</td>", w->samples);
		else
			fprintf(f, "</td><td>%.15g</td>", w->samples);
		for (int k = 0; k < WAIT_NCLASSES; k++)
			if (seen[k])
				td_share(f, w->have ? w->cls[k] : NAN, w->samples);
		fputs("<td class=\"l\">", f);
		for (int e = 0; e < w->ntop; e++) {
			fputs(e ? ", " : "", f);
			report_html_escape(f, w->top[e].name);
			fprintf(f, " %.1f%%", w->samples > 0 ? 100.0 * (double)w->top[e].n / w->samples : 0.0);
		}
		fputs(w->ntop ? "</td></tr>\n" : "-</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (thin)
		fprintf(f, "<p class=\"bad\">Too few to trust: fewer than %d samples in the step's window; a longer "
		        "--duration or a shorter --wait-sample gives more.</p>\n",
		        WAIT_MIN_SAMPLES);
	if (seen[WAIT_HIDDEN])
		fputs("<p class=\"bad\">Hidden: backends whose state pg_stat_activity did not show: another role's (shown "
		      "only to that role or to pg_read_all_stats), or one still starting (a pool opening a connection).</p>\n",
		      f);
}

void report_waits_section(FILE *f, const struct res_run *run)
{
	fputs("<section id=\"waits\">\n<h2>Where the server time goes</h2>\n", f);
	if (!run->has_waits) {
		fputs("<p class=\"skip\">Not sampled: the run had --wait-sample off (or was made before the option).</p>\n"
		      "</section>\n",
		      f);
		return;
	}
	fputs("<p>What pg_stat_activity showed the run's backends doing, sampled by a connection of its own through "
	      "each step's measured window: the share of the samples on CPU (active, no wait event), in each wait "
	      "event class, and idle: the backend waiting for the driver's next query, which is time on the client "
	      "side (handling the result, sending the next query) rather than in PostgreSQL. The top waits are the "
	      "most frequent wait events of active backends, as shares of all the step's samples.</p>\n",
	      f);
	waits_table(f, run, 0);
	fputs("</section>\n", f);
}

void report_app_waits(FILE *f, const struct res_run *run)
{
	if (!run->has_app_waits)
		return;
	fputs("<h3>Where the app's server time goes</h3>\n<p>The web app's own backends (by its database user and "
	      "database, this tool's connections left out), sampled from pg_stat_activity the same way through each "
	      "HTTP step's measured load: idle is the app's backends waiting for its next query, i.e. the share of "
	      "each request the database spent waiting for the app (its code, its driver, the HTTP side). Every "
	      "connection of the app's pool counts, busy or not. The file: <code>http/waits.csv</code>.</p>\n",
	      f);
	waits_table(f, run, 1);
}
