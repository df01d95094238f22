/*
 * summary.c: the end-of-run table (bench/summary.h). Its columns are the terminal's short view of
 * steps.csv (docs/run.md); what a mark means is said under the table, once.
 */
#include "bench/summary.h"
#include "bench/engine_thread.h"
#include "common/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void summary_fmt_pct(const struct hist *h, double p, char *buf, size_t len)
{
	if (!h->total)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f%s", (double)hist_percentile(h, p) / 1000.0, hist_pct_reliable(h->total, p) ? "" : "*");
}

/* The share of a step's finished queries that failed (errors over ok + errors + validation errors). */
static double error_share(const struct step_result *s)
{
	uint64_t all = s->ok + s->errors + s->verrors;
	return all ? (double)s->errors / (double)all : 0;
}

static void summary_header(int open, int conn)
{
	printf("%-28s %-11s %6s %7s %8s %10s %10s %10s %10s", "step", "query", "conns", "offset", "n", "qps", "p50_ms",
	       "p99_ms", "max_ms");
	if (conn)
		printf(" %9s %9s", "conn_p50", "query_p50");
	printf(" %9s %7s %6s", "wait_p99", "errors", "valerr");
	if (open)
		printf(" %8s", "dropped");
	printf(" %9s %9s %9s\n", "cpu/q_us", "server_ms", "rest_ms");
}

/* --connect-per-request: the connect time's and the query time's p50 (ms), which the latency adds up. */
static void summary_connect(const struct step_result *s)
{
	char conn[32] = "-", query[32] = "-";
	if (s->connect_time && s->connect_time->total)
		summary_fmt_pct(s->connect_time, 50, conn, sizeof conn);
	if (s->query_time && s->query_time->total)
		summary_fmt_pct(s->query_time, 50, query, sizeof query);
	printf(" %9s %9s", conn, query);
}

/* One row a step. server_ms: pg_stat_statements' mean execution (+ planning) time of the query during the
 * step; rest_ms: the client's mean latency minus that (network, driver, queueing): "-" when unknown. */
static void summary_row(const struct step_result *s, int open, int conn)
{
	char off[24];
	if (s->mix)
		snprintf(off, sizeof off, "mix");
	else
		snprintf(off, sizeof off, "%ld", s->offset);
	const struct hist *h = s->lat;
	char wait[24] = "-", srv[24] = "-", rest[24] = "-", p50[32], p99[32], max[32] = "-", cpu[24] = "-";
	if (s->wait && s->wait->total)
		summary_fmt_pct(s->wait, 99, wait, sizeof wait);
	summary_fmt_pct(h, 50, p50, sizeof p50);
	summary_fmt_pct(h, 99, p99, sizeof p99);
	if (h->total)
		snprintf(max, sizeof max, "%.3f", (double)hist_max(h) / 1000.0);
	if (s->ok)
		snprintf(cpu, sizeof cpu, "%.1f", s->client_cpu_s * 1e6 / (double)s->ok);
	if (s->srv.have_pgss && s->srv.calls > 0 && h->total) {
		double server_us = s->srv.mean_exec_us + (s->srv.have_plan ? s->srv.mean_plan_us : 0);
		const char *mark = s->split == SPLIT_OK ? "" : "?"; /* not reliable: see the note under the table */
		snprintf(srv, sizeof srv, "%.3f%s", server_us / 1000.0, mark);
		snprintf(rest, sizeof rest, "%.3f%s", (hist_mean(h) - server_us) / 1000.0, mark);
	}
	printf("%-28s %-11.11s %6ld %7s %8llu %10.1f %10s %10s %10s", s->id, s->query, s->connections, off,
	       (unsigned long long)s->ok, s->duration_s > 0 ? (double)s->ok / s->duration_s : 0, p50, p99, max);
	if (conn)
		summary_connect(s);
	printf(" %9s %7llu %6llu", wait, (unsigned long long)s->errors, (unsigned long long)s->verrors);
	if (open) {
		char dropped[24] = "-";
		if (s->rate > 0)
			snprintf(dropped, sizeof dropped, "%llu", (unsigned long long)s->dropped);
		printf(" %8s", dropped);
	}
	double ratio = results_rate_ratio(s);
	char errs[48] = "";
	if (error_share(s) > SUMMARY_ERROR_SHARE)
		snprintf(errs, sizeof errs, "  (errors %.4g%%)", 100.0 * error_share(s));
	printf(" %9s %9s %9s%s%s%s%s%s\n", cpu, srv, rest, s->partial ? "  (partial)" : "",
	       s->empty_pages == 1 ? "  (empty pages)" : "", ratio >= 0 && ratio < RESULTS_RATE_MET ? "  (rate unmet)" : "",
	       s->saturated ? "  (driver saturated)" : "", errs);
}

/* Appends id to the comma-separated list names (len bytes); past its room, one ", ..." instead. */
static void name_add(char *names, size_t len, const char *id)
{
	size_t l = strlen(names);
	if (l < len - 80)
		snprintf(names + l, len - l, "%s%s", l ? ", " : "", id);
	else if (!strstr(names, "..."))
		snprintf(names + l, len - l, ", ...");
}

/* After the table: the steps where more than SUMMARY_ERROR_SHARE of the queries failed. */
static void errors_hint(const struct step_result *const *done, int n)
{
	int nbad = 0;
	char names[512] = "";
	for (int k = 0; k < n; k++) {
		if (error_share(done[k]) <= SUMMARY_ERROR_SHARE)
			continue;
		nbad++;
		name_add(names, sizeof names, done[k]->id);
	}
	if (!nbad)
		return;
	log_warning("%d step%s had more than %g%% of their queries fail (marked errors above): %s", nbad, plural_s(nbad),
	            100.0 * SUMMARY_ERROR_SHARE, names);
	log_hint("Their figures mix failed queries with answered ones; the first messages are printed above and "
	         "summary.json counts the failures by SQLSTATE (errors_by_sqlstate).");
}

/* After the table: which steps are too thin for their p99 and how long a step would need to be. */
static void thin_hint(const struct step_result *const *done, int ndone)
{
	int nthin = 0, nnone = 0;
	double need = 0;
	char names[512] = "";
	for (int k = 0; k < ndone; k++) {
		uint64_t n = done[k]->lat->total;
		if (hist_pct_reliable(n, 99))
			continue;
		nthin++;
		name_add(names, sizeof names, done[k]->id);
		if (n == 0)
			nnone++;
		else if (done[k]->duration_s * 1000.0 / (double)n > need)
			need = done[k]->duration_s * 1000.0 / (double)n; /* at the step's own rate, 1,000 queries */
	}
	if (!nthin)
		return;
	log_warning("%d step%s measured fewer than 1000 queries, too few for a reliable p99 (marked * above): %s", nthin,
	            nthin == 1 ? "" : "s", names);
	if (need > 0)
		log_hint("Lengthen --duration: about %.0fs gives each of them 1000 queries at the rate it ran%s.",
		         ceil(need), nnone ? " (the steps with no finished query need a look first)" : "");
	else
		log_hint("No query finished in %s: see the errors above before lengthening --duration.",
		         nthin == 1 ? "it" : "them");
}

/* Under the table: what a "?" beside server_ms and rest_ms means, when a step has one. */
static void summary_notes(const struct step_result *const *done, int n)
{
	for (int k = 0; k < n; k++)
		if (done[k]->srv.have_pgss && done[k]->srv.calls > 0 && done[k]->lat->total && done[k]->split != SPLIT_OK) {
			printf("?: the server/client split of this step is not reliable: the server's calls are outside the "
			       "client's queries +- those in flight at the window's edges, or too few queries to outweigh "
			       "the edges (steps.csv split_reliable, docs/results.md)\n");
			return;
		}
}

void summary_print(const struct step_result *const *steps, int n)
{
	int open = 0, conn = 0;
	for (int k = 0; k < n; k++) {
		open |= steps[k]->rate > 0;
		conn |= steps[k]->connect_time != NULL;
	}
	summary_header(open, conn);
	for (int k = 0; k < n; k++)
		summary_row(steps[k], open, conn);
	summary_notes(steps, n);
	if (conn)
		printf("conn_p50, query_p50: --connect-per-request: opening the request's connection (with its setup) and "
		       "its query alone (send to answer); the latency columns count from the connect\n");
	fflush(stdout); /* the table before the warnings that point at it */
	thin_hint(steps, n);
	errors_hint(steps, n);
}

int summary_verdict(const struct engine_fault *f, unsigned long long ok)
{
	unsigned long long missing = atomic_load(&f->missing_statement);
	int first = atomic_load(&f->taken);
	if (!ok && first)
		log_error("no query succeeded: %s (SQLSTATE %s)", f->first_message, f->first_sqlstate);
	else if (!ok)
		log_error("no query succeeded in the measured time");
	else if (missing)
		log_error("%llu quer%s failed because the server connection did not hold the prepared statement", missing,
		          missing == 1 ? "y" : "ies");
	else
		return 0;
	if (missing)
		log_hint("A transaction pooler (PgBouncer in transaction mode) runs each transaction on any server "
		         "connection, which need not hold the statement prepared on another: use --protocol simple or "
		         "extended behind a transaction pooler.");
	else if (first)
		log_hint("The figures measure failures only; the first messages are printed above.");
	else
		log_hint("Lengthen --duration, or look at the server: no answer came back in time.");
	return -1;
}

/* A statement on one line for the table: white space runs as one space, cut at len - 1 with "...". */
static void one_line(const char *sql, char *buf, size_t len)
{
	size_t n = 0;
	int space = 0;
	for (const char *p = sql; *p && n + 1 < len; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < len)
			buf[n++] = ' ';
		space = 0;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	if (n + 1 == len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

void summary_print_statements(const struct step_result *const *steps, int n)
{
	int any = 0;
	for (int k = 0; k < n; k++)
		any |= steps[k]->nstmts > 0;
	if (!any)
		return;
	printf("\nstatement latencies in milliseconds and errors, per step (as pgbench -r; statements.csv):\n");
	for (int k = 0; k < n; k++) {
		const struct step_result *s = steps[k];
		const char *script = NULL;
		if (!s->nstmts)
			continue; /* a query's step beside a script's (--queries seed,django): nothing to list */
		printf("step %s\n", s->id);
		for (int i = 0; i < s->nstmts; i++) {
			const struct stmt_figures *f = &s->stmts[i];
			if (!script || strcmp(script, f->script) != 0) {
				script = f->script;
				printf("  script %s (weight %d)\n", f->script, f->weight);
				printf("  %10s %9s %9s %9s %7s %5s  %s\n", "n", "mean_ms", "p50_ms", "p99_ms", "errors", "line",
				       "statement");
			}
			char mean[32] = "-", p50[32], p99[32], sql[72];
			if (f->lat->total) { /* from the mean statements.csv holds (to 0.1 us), so the two agree */
				snprintf(mean, sizeof mean, "%.1f", hist_mean(f->lat));
				snprintf(mean, sizeof mean, "%.3f", atof(mean) / 1000.0);
			}
			summary_fmt_pct(f->lat, 50, p50, sizeof p50);
			summary_fmt_pct(f->lat, 99, p99, sizeof p99);
			one_line(f->sql, sql, sizeof sql);
			printf("  %10llu %9s %9s %9s %7llu %5d  %s\n", (unsigned long long)f->ok, mean, p50, p99,
			       (unsigned long long)f->errors, f->line, sql);
		}
	}
}
