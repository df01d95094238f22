/*
 * report.c: the HTML of the reports: one self-contained page per run (or per comparison) that reads
 * offline: inline CSS, no JavaScript, no network, images and links by relative path, and a link only to a
 * file that exists. Text from the results is UTF-8 and HTML-escaped.
 */
#include "plots/report.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void report_html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A path component for an href: escapes what HTML and URLs need, keeps '/' and UTF-8 bytes. */
void report_href_escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '%' || *p == '"' || *p == '\'' || *p == '<' || *p == '>' || *p == '&' || *p == '#' || *p == '?' ||
		    *p <= ' ')
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
	}
}

void report_html_head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	report_html_escape(f, title);
	fputs("</title>\n<style>\n"
	      "body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}\n"
	      "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}\n"
	      "table{border-collapse:collapse;font-size:.85em;margin:.5em 0;display:block;overflow-x:auto;max-width:100%}\n"
	      "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right;vertical-align:top}\n"
	      "th{background:#f3f3f3}td.l,th.l{text-align:left}td.l{white-space:nowrap}\n"
	      "table.ctx td{text-align:left}table.ctx th{text-align:left;white-space:nowrap}\n"
	      "pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:.85em;white-space:pre-wrap}\n"
	      "figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}\n"
	      "figcaption{font-size:.9em;color:#444;margin-top:.3em}\n"
	      ".skip{color:#666;font-style:italic}.bad{color:#a00}.better{color:#060}.worse{color:#a00}\n"
	      "nav a{margin-right:1em}\n"
	      "</style>\n</head>\n<body>\n",
	      f);
}

static int file_exists(const char *dir, const char *name)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void report_link(FILE *f, const char *dir, const char *rel, const char *name, const char *text)
{
	if (!file_exists(dir, name)) {
		report_html_escape(f, text);
		return;
	}
	fputs("<a href=\"", f);
	if (strcmp(rel, ".") != 0) {
		report_href_escape(f, rel);
		fputc('/', f);
	}
	report_href_escape(f, name);
	fputs("\">", f);
	report_html_escape(f, text);
	fputs("</a>", f);
}

static void row(FILE *f, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	fputs("<tr><th>", f);
	report_html_escape(f, k);
	fputs("</th><td>", f);
	report_html_escape(f, v);
	fputs("</td></tr>\n", f);
}

void report_context_table(FILE *f, const struct res_run *run, const char *rel)
{
	char buf[512];
	fputs("<table class=\"ctx\">\n", f);
	row(f, "run", run->run_id);
	row(f, "status", run->status);
	row(f, "started", run->started_at);
	row(f, "finished", run->finished_at);
	row(f, "results", run->dir);
	if (run->tool_version[0]) {
		snprintf(buf, sizeof buf, "pgpagebench %s", run->tool_version);
		row(f, "tool", buf);
	}
	row(f, "database", run->database);
	row(f, "server", run->server_version);
	row(f, "pooler", run->pooler);
	row(f, "settings", run->settings);
	if (run->dataset_scale[0] || run->dataset_fingerprint[0]) {
		snprintf(buf, sizeof buf, "scale %s, %s", run->dataset_scale, run->dataset_fingerprint);
		row(f, "dataset", buf);
	}
	if (run->hostname[0]) {
		snprintf(buf, sizeof buf, "%s (%d CPUs)", run->hostname, run->cpus);
		row(f, "driver host", buf);
	}
	if (run->nhosts) { /* a merge (pgpagebench merge): each host's figures are in hosts.csv */
		size_t o = (size_t)snprintf(buf, sizeof buf, "%zu hosts merged:", run->nhosts);
		for (size_t h = 0; h < run->nhosts && o < sizeof buf; h++)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s %s", h ? "," : "", run->hosts[h]);
		if (o < sizeof buf)
			snprintf(buf + o, sizeof buf - o, " (each host's steps: hosts.csv; the timeline draws each)");
		row(f, "hosts", buf);
	}
	row(f, "connection", run->connection);
	row(f, "command", run->command_line);
	row(f, "options", run->options);
	if (run->query_name[0]) {
		snprintf(buf, sizeof buf, "%s (sha256 %.16s...)", run->query_name, run->query_sha);
		row(f, "query", buf);
	}
	fputs("<tr><th>files</th><td>", f);
	static const char *const files[] = { "meta.json", "steps.csv", "intervals.csv", "summary.json", "hosts.csv",
		                                     "host-intervals.csv" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (!file_exists(run->dir, files[i]))
			continue;
		report_link(f, run->dir, rel, files[i], files[i]);
		fputc(' ', f);
	}
	fputs("</td></tr>\n</table>\n", f);
	if (run->query_text) {
		fputs("<details><summary>query text</summary><pre>", f);
		report_html_escape(f, run->query_text);
		fputs("</pre></details>\n", f);
	}
}

static void cell(FILE *f, enum chart_unit unit, double v)
{
	char buf[64];
	if (isnan(v))
		snprintf(buf, sizeof buf, "-");
	else if (unit == CHART_UNIT_NONE)
		snprintf(buf, sizeof buf, "%.15g", v);
	else if (unit == CHART_UNIT_QPS)
		snprintf(buf, sizeof buf, "%.1f", v);
	else
		chart_format_value(unit, v, buf, sizeof buf);
	fputs("<td>", f);
	report_html_escape(f, buf);
	fputs("</td>", f);
}

/* A latency cell in milliseconds to the microsecond, as steps.csv, the terminal table and http-compare give
 * it (the same figure everywhere, not a rounding of it); "-" when not measured. */
static void ms_text(double us, char *buf, size_t len)
{
	if (isfinite(us))
		snprintf(buf, len, "%.3f ms", us / 1000.0);
	else
		snprintf(buf, len, "-");
}

/* A latency percentile cell: "-" when not measured, a trailing "*" when fewer than 10 queries lie at or
 * beyond it (the step is too thin for that percentile). Returns 1 when it marked one. */
int report_pct_cell(FILE *f, const struct res_step *s, int field, double p)
{
	char buf[64];
	double v = s->v[field];
	ms_text(v, buf, sizeof buf);
	int thin = isfinite(v) && !res_pct_reliable(s, p);
	fputs(thin ? "<td class=\"thin\" title=\"fewer than 10 queries at or beyond this percentile\">" : "<td>", f);
	report_html_escape(f, buf);
	fputs(thin ? "*</td>" : "</td>", f);
	return thin;
}

/* --connect-per-request: the step's connects (with the server's sessions), and its connect and query times
 * as steps.csv gives them; "-" for a step without. */
static void connect_cells(FILE *f, const struct res_step *s)
{
	char buf[96] = "-";
	if (isfinite(s->v[RF_CONNECTS]) && isfinite(s->v[RF_DB_SESSIONS]))
		snprintf(buf, sizeof buf, "%.15g (%.15g)", s->v[RF_CONNECTS], s->v[RF_DB_SESSIONS]);
	else if (isfinite(s->v[RF_CONNECTS]))
		snprintf(buf, sizeof buf, "%.15g", s->v[RF_CONNECTS]);
	fputs(s->v[RF_CONNECT_ERRORS] > 0 ? "<td class=\"bad\">" : "<td>", f);
	report_html_escape(f, buf);
	if (s->v[RF_CONNECT_ERRORS] > 0)
		fprintf(f, ", %.15g failed", s->v[RF_CONNECT_ERRORS]);
	fputs("</td>", f);
	static const int fs[] = { RF_CONNECT_P50_US, RF_CONNECT_P99_US, RF_QUERY_P50_US, RF_QUERY_P99_US };
	for (size_t k = 0; k < sizeof fs / sizeof fs[0]; k++) {
		ms_text(s->v[fs[k]], buf, sizeof buf);
		fputs("<td>", f);
		report_html_escape(f, buf);
		fputs("</td>", f);
	}
}

void report_steps_table(FILE *f, const struct res_run *run, const char *rel)
{
	int pool = 0, open = 0, hiccup = 0, saturated = 0, pooler = 0, conn = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		pooler |= isfinite(run->steps[i].v[RF_POOLER_XACTS]);
		pool |= isfinite(run->steps[i].v[RF_WAIT_P99_US]);
		conn |= isfinite(run->steps[i].v[RF_CONNECTS]);
		open |= res_is_open_loop(&run->steps[i]);
		hiccup |= isfinite(run->steps[i].v[RF_HICCUP_P99_US]);
		saturated |= run->steps[i].v[RF_DRIVER_SATURATED] == 1;
	}
	if (saturated)
		fputs("<p class=\"bad\">Driver saturated: in the steps marked so, the driver woke up late by more than "
		      "10% of the step's p50 latency (hiccup p99, at least 1 ms), or the server finished more than twice "
		      "the queries the client received. These latencies measure the client, not PostgreSQL: give such a "
		      "step more driver threads or fewer connections per thread.</p>\n",
		      f);
	fputs("<table>\n<tr><th>#</th><th class=\"l\">step</th><th class=\"l\">model</th><th class=\"l\">query</th>"
	      "<th>pool</th><th>workers</th><th>offset</th>",
	      f);
	if (open)
		fputs("<th>rate/s</th>", f);
	fputs("<th>seconds</th><th title=\"queries measured: the successful ones, whose latencies make the percentiles\">"
	      "n (ok)</th><th>errors</th><th>queries/s</th>",
	      f);
	if (open)
		fputs("<th title=\"queries due in the measured time and never sent\">dropped</th>", f);
	fputs("<th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>", f);
	if (open)
		fputs("<th>p99 uncorrected</th>", f);
	if (pool)
		fputs("<th>wait p99</th><th>service p99</th>", f);
	if (conn)
		fputs("<th title=\"--connect-per-request: connections the requests opened (pg_stat_database.sessions: "
		      "the server's count over the window)\">connects (server sessions)</th><th title=\"opening the "
		      "request's connection, its setup included\">connect p50</th><th>connect p99</th><th title=\"the "
		      "query alone, from the send to the answer\">query p50</th><th>query p99</th>",
		      f);
	if (hiccup)
		fputs("<th>driver hiccup p99</th><th>driver hiccup max</th>", f);
	if (pooler)
		fputs("<th title=\"the pooler's clients' wait for a server connection per transaction (SHOW STATS)\">pooler "
		      "wait mean</th><th title=\"most clients waiting for a server connection at once (SHOW POOLS)\">pooler "
		      "clients waiting</th><th title=\"the longest wait of a waiting client (SHOW POOLS maxwait)\">pooler "
		      "longest wait</th><th title=\"the server's time per query as the pooler saw it (SHOW STATS)\">pooler "
		      "query mean</th><th title=\"most server connections the pooler held open\">pooler servers</th><th title=\"most client "
		      "connections the pooler held at once (active and waiting)\">pooler clients</th>",
		      f);
	fputs("</tr>\n", f);
	int thin = 0, empty = 0, unmet = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *s = &run->steps[i];
		fprintf(f, "<tr><td>%zu</td><td class=\"l\">", i + 1);
		char hgrm[600];
		snprintf(hgrm, sizeof hgrm, "%s.hgrm", s->id);
		if (strchr(s->id, '/'))
			report_html_escape(f, s->id);
		else
			report_link(f, run->dir, rel, hgrm, s->id);
		if (s->v[RF_PARTIAL] == 1)
			fputs(" <span class=\"bad\">(cut short)</span>", f);
		if (s->v[RF_DRIVER_SATURATED] == 1)
			fputs(" <span class=\"bad\">(driver saturated: these latencies measure the client, not PostgreSQL)</span>", f);
		fputs("</td><td class=\"l\">", f);
		report_html_escape(f, s->model);
		fputs("</td><td class=\"l\">", f);
		report_html_escape(f, s->query);
		fputs("</td>", f);
		cell(f, CHART_UNIT_NONE, s->v[RF_CONNECTIONS]);
		cell(f, CHART_UNIT_NONE, s->v[RF_WORKERS]);
		int is_empty = s->v[RF_EMPTY_PAGES] == 1, is_unmet = res_rate_unmet(s);
		empty |= is_empty;
		unmet |= is_unmet;
		fputs(is_empty ? "<td class=\"bad\">" : "<td>", f);
		report_html_escape(f, s->offset_text[0] ? s->offset_text : "-");
		fputs(is_empty ? " (empty pages)</td>" : "</td>", f);
		if (open)
			cell(f, CHART_UNIT_NONE, s->v[RF_RATE_QPS]);
		cell(f, CHART_UNIT_NONE, s->v[RF_DURATION_S]);
		cell(f, CHART_UNIT_NONE, s->v[RF_OK]);
		if (s->v[RF_ERRORS] > 0)
			fprintf(f, "<td class=\"bad\">%.15g</td>", s->v[RF_ERRORS]);
		else
			cell(f, CHART_UNIT_NONE, s->v[RF_ERRORS]);
		if (is_unmet)
			fprintf(f, "<td class=\"bad\">%.1f (%.0f%% of the target)</td>", s->v[RF_QPS],
			        100.0 * s->v[RF_QPS] / s->v[RF_RATE_QPS]);
		else
			cell(f, CHART_UNIT_QPS, s->v[RF_QPS]);
		if (open) {
			if (s->v[RF_DROPPED] > 0)
				fprintf(f, "<td class=\"bad\">%.15g</td>", s->v[RF_DROPPED]);
			else
				cell(f, CHART_UNIT_NONE, s->v[RF_DROPPED]);
		}
		static const int lat[] = { RF_P50_US, RF_P90_US, RF_P99_US, RF_P999_US };
		static const double pl[] = { 50, 90, 99, 99.9 };
		for (size_t k = 0; k < sizeof lat / sizeof lat[0]; k++)
			thin |= report_pct_cell(f, s, lat[k], pl[k]);
		char max[64];
		ms_text(s->v[RF_MAX_US], max, sizeof max);
		fputs("<td>", f);
		report_html_escape(f, max);
		fputs("</td>", f);
		if (open)
			thin |= report_pct_cell(f, s, RF_UNC_P99_US, 99);
		if (pool) {
			thin |= report_pct_cell(f, s, RF_WAIT_P99_US, 99);
			thin |= report_pct_cell(f, s, RF_SERVICE_P99_US, 99);
		}
		if (conn)
			connect_cells(f, s);
		if (hiccup) {
			cell(f, CHART_UNIT_US, s->v[RF_HICCUP_P99_US]);
			cell(f, CHART_UNIT_US, s->v[RF_HICCUP_MAX_US]);
		}
		if (pooler) {
			cell(f, CHART_UNIT_US, s->v[RF_POOLER_WAIT_MEAN_US]);
			cell(f, CHART_UNIT_NONE, s->v[RF_POOLER_CL_WAITING_MAX]);
			cell(f, CHART_UNIT_US, s->v[RF_POOLER_MAXWAIT_US]);
			cell(f, CHART_UNIT_US, s->v[RF_POOLER_QUERY_MEAN_US]);
			cell(f, CHART_UNIT_NONE, s->v[RF_POOLER_SERVERS_MAX]);
			cell(f, CHART_UNIT_NONE, s->v[RF_POOLER_CLIENTS_MAX]);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	if (thin)
		fputs("<p class=\"skip\">*: fewer than 10 queries lie at or beyond this percentile (a p99 needs n &ge; 1,000, "
		      "a p99.9 n &ge; 10,000), so it is little more than the slowest few queries; a longer --duration "
		      "measures it. Charts draw such points hollow.</p>\n",
		      f);
	if (empty)
		fputs("<p class=\"bad\">Empty pages: the offset is at or beyond the rows the query pages through, so the "
		      "step timed pages with no rows.</p>\n",
		      f);
	if (unmet)
		fputs("<p class=\"bad\">Below 95% of the target rate: the driver or the server could not keep up, and the "
		      "queries due but never sent are counted as dropped.</p>\n",
		      f);
}

void report_statements_table(FILE *f, const struct res_run *run)
{
	size_t n = 0;
	for (size_t i = 0; i < run->nsteps; i++)
		n += run->steps[i].nstmts;
	if (!n)
		return;
	fputs("<h2 id=\"statements\">Statements per step</h2>\n<p class=\"skip\">Each script's statements over each "
	      "step, as pgbench -r reports them (statements.csv): n counts the successful executions, whose "
	      "latencies make the figures; a request's latency in the steps table runs from its first command to "
	      "its last result, \\sleep included.</p>\n",
	      f);
	fputs("<table>\n<tr><th class=\"l\">step</th><th class=\"l\">script</th><th>weight</th><th>#</th><th>line</th>"
	      "<th>n (ok)</th><th>errors</th><th>mean</th><th>p50</th><th>p99</th><th>max</th><th class=\"l\">statement</th>"
	      "</tr>\n",
	      f);
	int thin = 0;
	for (size_t i = 0; i < run->nsteps; i++) {
		const struct res_step *s = &run->steps[i];
		for (size_t k = 0; k < s->nstmts; k++) {
			const struct res_stmt *st = &s->stmts[k];
			char buf[64];
			fputs("<tr><td class=\"l\">", f);
			report_html_escape(f, s->id);
			fputs("</td><td class=\"l\">", f);
			report_html_escape(f, st->script);
			fputs("</td>", f);
			cell(f, CHART_UNIT_NONE, st->weight);
			cell(f, CHART_UNIT_NONE, st->index);
			cell(f, CHART_UNIT_NONE, st->line);
			cell(f, CHART_UNIT_NONE, st->ok);
			if (st->errors > 0)
				fprintf(f, "<td class=\"bad\">%.15g</td>", st->errors);
			else
				cell(f, CHART_UNIT_NONE, st->errors);
			const double v[4] = { st->mean_us, st->p50_us, st->p99_us, st->max_us };
			for (int j = 0; j < 4; j++) {
				int mark = j == 2 && isfinite(v[j]) && !(st->ok >= 0 && hist_pct_reliable((uint64_t)fmin(st->ok, 1e18), 99));
				thin |= mark;
				if (isfinite(v[j]))
					snprintf(buf, sizeof buf, "%.3f ms%s", v[j] / 1000.0, mark ? "*" : "");
				else
					snprintf(buf, sizeof buf, "-");
				fputs(mark ? "<td class=\"thin\">" : "<td>", f);
				report_html_escape(f, buf);
				fputs("</td>", f);
			}
			fputs("<td class=\"l\"><code>", f);
			report_html_escape(f, st->sql);
			fputs("</code></td></tr>\n", f);
		}
	}
	fputs("</table>\n", f);
	if (thin)
		fputs("<p class=\"skip\">*: fewer than 1,000 executions, so this p99 rests on fewer than 10 of them.</p>\n", f);
}

void report_items(FILE *f, const struct report_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct report_item *it = &items[i];
		fprintf(f, "<section id=\"%s\">\n<h2>", it->name);
		report_html_escape(f, it->title);
		fputs("</h2>\n", f);
		if (!it->drawn || !it->files) {
			fputs("<p class=\"skip\">Not drawn: ", f);
			report_html_escape(f, it->note);
			fputs(".</p>\n</section>\n", f);
			continue;
		}
		const char *ext = it->files & CHART_SVG ? "svg" : "png";
		fprintf(f, "<figure>\n<img src=\"charts/%s.%s\" alt=\"", it->name, ext);
		report_html_escape(f, it->title);
		fputs("\">\n<figcaption>", f);
		report_html_escape(f, it->caption);
		if (it->note[0]) {
			/* notes are written lower case for the chart; a sentence here */
			fprintf(f, " %c", it->note[0] >= 'a' && it->note[0] <= 'z' ? it->note[0] - 'a' + 'A' : it->note[0]);
			report_html_escape(f, it->note + 1);
			fputs(".", f);
		}
		fputs(" Files:", f);
		if (it->files & CHART_SVG)
			fprintf(f, " <a href=\"charts/%s.svg\">SVG</a>", it->name);
		if (it->files & CHART_PNG)
			fprintf(f, " <a href=\"charts/%s.png\">PNG</a>", it->name);
		fputs("</figcaption>\n</figure>\n</section>\n", f);
	}
}

void report_relpath(const char *from, const char *to, char *buf, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];
	if (!realpath(from, a) || !realpath(to, b)) {
		snprintf(buf, len, "%s", to);
		return;
	}
	if (strcmp(a, b) == 0) {
		snprintf(buf, len, ".");
		return;
	}
	/* longest common prefix on component boundaries */
	size_t i = 0, common = 0;
	while (a[i] && a[i] == b[i]) {
		if (a[i] == '/')
			common = i;
		i++;
	}
	if ((!a[i] && b[i] == '/') || (!b[i] && a[i] == '/') || (!a[i] && !b[i]))
		common = i;
	size_t o = 0;
	buf[0] = '\0';
	for (const char *p = a + common; *p; p++)
		if (*p == '/' && p[1] && o + 4 < len) {
			memcpy(buf + o, "../", 3);
			o += 3;
		}
	const char *rest = b + common;
	if (*rest == '/')
		rest++;
	if (*rest)
		snprintf(buf + o, len - o, "%s", rest);
	else if (o > 0)
		buf[o - 1] = '\0'; /* drop the trailing slash */
	if (!buf[0])
		snprintf(buf, len, ".");
}

int report_write_file(const char *path, void (*fill)(FILE *f, void *arg), void *arg)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		log_error("could not create \"%s\": %s", tmp, strerror(errno));
		return -1;
	}
	fill(f, arg);
	int err = ferror(f);
	if (fclose(f) != 0 || err) {
		log_error("could not write \"%s\": %s", tmp, strerror(errno ? errno : EIO));
		remove(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		log_error("could not rename \"%s\" to \"%s\": %s", tmp, path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}
