/*
 * wrk.c: reads wrk's output (plots/wrk.h) as ab.c reads ab's: parsing only, every number checked. The
 * percentiles come from the block of bench/wrk_percentiles.lua (wrk's text shows only four, rounded);
 * wrk 4.1's own lines give the URL and the connections.
 */
#include "plots/wrk.h"
#include "common/input.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole number or a decimal, no sign; *end past it. 0, or -1. */
static int number(const char *s, double *v, const char **end)
{
	const char *p = s;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.' && p > s)
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (p == s)
		return -1;
	errno = 0;
	*v = strtod(s, NULL);
	if (errno == ERANGE || !isfinite(*v))
		return -1;
	*end = p;
	return 0;
}

static int bad(const char *file, long lineno, const char *what, const char *v, char *err, size_t err_len)
{
	snprintf(err, err_len, "file \"%s\" line %ld: invalid value \"%.40s\" for \"%s\"", file, lineno, v, what);
	return -1;
}

/* "KEY NUMBER" at the start of line: 1 with *v, 0 when line is not KEY, -1 bad number (err). */
static int keyed(const char *file, long lineno, const char *line, const char *key, double *v, char *err, size_t err_len)
{
	size_t n = strlen(key);
	if (strncmp(line, key, n) != 0 || (line[n] != ' ' && line[n] != '\t'))
		return 0;
	const char *s = line + n, *end;
	while (*s == ' ' || *s == '\t')
		s++;
	if (number(s, v, &end) < 0 || (*end && *end != ' '))
		return bad(file, lineno, key, s, err, err_len);
	return 1;
}

/* "Running 1s test @ http://host:port/path" */
static void url_parts(const char *url, struct ab_text *t)
{
	if (strncmp(url, "http://", 7) == 0)
		url += 7;
	const char *slash = url + strcspn(url, "/");
	const char *colon = memchr(url, ':', (size_t)(slash - url));
	size_t hl = (size_t)((colon ? colon : slash) - url);
	snprintf(t->host, sizeof t->host, "%.*s", (int)(hl < sizeof t->host ? hl : sizeof t->host - 1), url);
	t->port = colon ? strtol(colon + 1, NULL, 10) : 80;
	snprintf(t->path, sizeof t->path, "%s", *slash ? slash : "/");
}

int wrk_parse(const char *file, struct ab_text *t, struct ab_csv *pct, char *err, size_t err_len)
{
	memset(t, 0, sizeof *t);
	memset(pct, 0, sizeof *pct);
	struct input in;
	int why, got, rc = 0, block = 0, ended = 0, none = 0;
	if (input_open(&in, file, WRK_TEXT_MAX, &why, err, err_len) < 0)
		return -1;
	char *line;
	double v, duration_us = 0, min_us = -1, max_us = -1, requests = -1;
	while (rc == 0 && (got = input_line(&in, &line, &why, err, err_len)) > 0) {
		long n = in.lineno;
		const char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		long th, conn;
		int r;
		if (strncmp(s, "Running ", 8) == 0 && strstr(s, " @ "))
			url_parts(strstr(s, " @ ") + 3, t);
		else if (sscanf(s, "%ld threads and %ld connections", &th, &conn) == 2)
			t->concurrency = conn;
		else if (strncmp(s, "Non-2xx or 3xx responses:", 25) == 0) {
			const char *e;
			s += 25;
			while (*s == ' ')
				s++;
			if (number(s, &v, &e) < 0 || *e)
				rc = bad(file, n, "Non-2xx or 3xx responses", s, err, err_len);
			else
				t->non2xx = (long)v;
		} else if (strcmp(s, "pgpagebench-wrk 1") == 0)
			block = 1;
		else if (!block)
			continue;
		else if (strcmp(s, "end") == 0)
			ended = 1;
		else if (strcmp(s, "latency none") == 0)
			none = 1;
		else if ((r = keyed(file, n, s, "requests", &v, err, err_len)) != 0)
			rc = r < 0 ? -1 : 0, requests = v;
		else if ((r = keyed(file, n, s, "duration_us", &v, err, err_len)) != 0)
			rc = r < 0 ? -1 : 0, duration_us = v;
		else if ((r = keyed(file, n, s, "latency_mean_us", &v, err, err_len)) != 0)
			rc = r < 0 ? -1 : 0, t->mean_ms = v / 1000.0;
		else if ((r = keyed(file, n, s, "latency_min_us", &v, err, err_len)) != 0)
			rc = r < 0 ? -1 : 0, min_us = v;
		else if ((r = keyed(file, n, s, "latency_max_us", &v, err, err_len)) != 0)
			rc = r < 0 ? -1 : 0, max_us = v;
		else if (strncmp(s, "errors ", 7) == 0) {
			long c, rd, w, st, to;
			if (sscanf(s, "errors connect %ld read %ld write %ld status %ld timeout %ld", &c, &rd, &w, &st, &to) != 5 ||
			    c < 0 || rd < 0 || w < 0 || st < 0 || to < 0)
				rc = bad(file, n, "errors", s + 7, err, err_len);
			else
				t->failed = c + rd + w + to;
		} else if (strncmp(s, "percentile ", 11) == 0) {
			const char *e;
			double p;
			if (number(s + 11, &p, &e) < 0 || *e != ' ' || p < 1 || p > 99 || p != floor(p) ||
			    number(e + 1, &v, &e) < 0 || *e)
				rc = bad(file, n, "percentile", s + 11, err, err_len);
			else
				pct->ms[(int)p] = v / 1000.0, pct->have[(int)p] = 1;
		}
	}
	input_close(&in);
	if (rc < 0 || got < 0)
		return -1;
	if (block && ended && none) {
		snprintf(err, err_len, "file \"%s\": wrk measured no latency: none of its %.0f requests was answered "
		         "(%ld socket errors or timeouts)", file, requests < 0 ? 0 : requests, t->failed);
		return -1;
	}
	if (!block || !ended || requests < 0 || min_us < 0 || max_us < 0) {
		snprintf(err, err_len, "file \"%s\" lacks the percentiles of wrk_percentiles.lua%s", file,
		         block ? " (cut short)" : ": was wrk run with -s wrk_percentiles.lua?");
		return -1;
	}
	if (t->concurrency < 1) {
		snprintf(err, err_len, "file \"%s\" is not wrk output: no \"threads and connections\" line", file);
		return -1;
	}
	pct->ms[0] = min_us / 1000.0, pct->have[0] = 1;
	pct->ms[100] = max_us / 1000.0, pct->have[100] = 1;
	t->complete = (long)requests;
	t->time_taken_s = duration_us / 1e6;
	t->requests_per_s = duration_us > 0 ? requests / (duration_us / 1e6) : 0;
	t->has_table = 1;
	for (int k = 0; k < AB_NPCT; k++) {
		int p = ab_percentiles[k];
		t->has_table &= pct->have[p];
		t->table_ms[k] = pct->ms[p];
	}
	return 0;
}
