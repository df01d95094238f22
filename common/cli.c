/*
 * cli.c: turns option values into numbers, durations and lists. Every command parses its options with
 * these, so a bad value is reported the same way everywhere and exits with status 2.
 */
#include "common/cli.h"
#include "common/alloc.h"
#include "common/log.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int bad(const char *opt, const char *s, const char *why)
{
	log_error("invalid value \"%s\" for option %s: %s", s, opt, why);
	return -1;
}

int cli_parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	if (!s || !*s)
		return bad(opt, s ? s : "", "a number is required");
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s)
		return bad(opt, s, "not an integer");
	if (v < min || v > max) {
		log_error("invalid value \"%s\" for option %s: must be in range %ld..%ld", s, opt, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_double(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	errno = 0;
	if (!s || !*s)
		return bad(opt, s ? s : "", "a number is required");
	double v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return bad(opt, s, "not a number");
	if (v < min || v > max) {
		log_error("invalid value \"%s\" for option %s: must be in range %g..%g", s, opt, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_duration(const char *opt, const char *s, double *seconds)
{
	char *end;
	errno = 0;
	if (!s || !*s)
		return bad(opt, s ? s : "", "a duration is required");
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return bad(opt, s, "not a duration (examples: 10s, 500ms, 2m)");
	double mult;
	if (!*end || strcmp(end, "s") == 0)
		mult = 1;
	else if (strcmp(end, "ms") == 0)
		mult = 0.001;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else
		return bad(opt, s, "unknown unit (use ms, s, m or h)");
	*seconds = v * mult;
	if (*seconds > 7 * 86400.0)
		return bad(opt, s, "longer than a week");
	return 0;
}

/* Digits of s from *i: exactly n of them, as a number (-1 when not). */
static int digits(const char *s, size_t *i, int n)
{
	int v = 0;
	for (int k = 0; k < n; k++, (*i)++) {
		if (s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[*i] - '0');
	}
	return v;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" as epoch seconds; -1 when it is not one. */
static int parse_rfc3339(const char *s, double *out)
{
	size_t i = 0;
	int y = digits(s, &i, 4), mo, d, h, mi, sec;
	if (y < 1970 || s[i++] != '-' || (mo = digits(s, &i, 2)) < 1 || mo > 12 || s[i++] != '-' ||
	    (d = digits(s, &i, 2)) < 1 || d > 31 || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return -1;
	i++;
	if ((h = digits(s, &i, 2)) < 0 || h > 23 || s[i++] != ':' || (mi = digits(s, &i, 2)) < 0 || mi > 59 ||
	    s[i++] != ':' || (sec = digits(s, &i, 2)) < 0 || sec > 60)
		return -1;
	double frac = 0, scale = 0.1;
	if (s[i] == '.') {
		if (s[++i] < '0' || s[i] > '9')
			return -1;
		for (; s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			frac += (s[i] - '0') * scale;
	}
	long off = 0;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		int sign = s[i++] == '-' ? -1 : 1, oh, om;
		if ((oh = digits(s, &i, 2)) < 0 || oh > 23 || s[i++] != ':' || (om = digits(s, &i, 2)) < 0 || om > 59)
			return -1;
		off = sign * (oh * 3600L + om * 60L);
	} else {
		return -1;
	}
	if (s[i])
		return -1;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return -1;
	/* days since the epoch (the civil-from-days algorithm run backwards) */
	long yy = y - (mo <= 2), era = yy / 400, yoe = yy - era * 400;
	long doy = (153L * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long days = era * 146097 + doe - 719468;
	*out = (double)days * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac - (double)off;
	return 0;
}

int cli_parse_instant(const char *opt, const char *s, double *epoch_s)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return cli_parse_instant_at(opt, s, (double)now.tv_sec + (double)now.tv_nsec / 1e9, epoch_s);
}

int cli_parse_instant_at(const char *opt, const char *s, double t_now, double *epoch_s)
{
	double t;
	if (!s || !*s)
		return bad(opt, s ? s : "", "a time is required (2026-12-02T00:10:00Z, or +30s from now)");
	if (s[0] == '+') {
		double d;
		if (cli_parse_duration(opt, s + 1, &d) < 0)
			return -1;
		t = t_now + d;
	} else if (parse_rfc3339(s, &t) < 0) {
		return bad(opt, s, "not an RFC 3339 time (2026-12-02T00:10:00Z) nor +DURATION from now (+30s)");
	}
	if (t <= t_now) {
		char nowtxt[40];
		cli_format_instant(t_now, nowtxt, sizeof nowtxt);
		log_error("invalid value \"%s\" for option %s: the time has passed (it is %s)", s, opt, nowtxt);
		return -1;
	}
	if (t > t_now + 7 * 86400.0)
		return bad(opt, s, "more than a week ahead");
	*epoch_s = t;
	return 0;
}

void cli_format_instant(double epoch_s, char *buf, size_t len)
{
	time_t sec = (time_t)floor(epoch_s);
	long ms = lround((epoch_s - (double)sec) * 1000.0);
	if (ms == 1000) {
		sec++;
		ms = 0;
	}
	struct tm tm;
	gmtime_r(&sec, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms)
		snprintf(buf, len, "%s.%03ldZ", base, ms);
	else
		snprintf(buf, len, "%sZ", base);
}

#define LIST_MAX 10000 /* values in one list; duplicates are found by a linear scan */

/* Appends v unless present: 0, or -2 more than LIST_MAX values. */
static int push(long **vals, size_t *n, size_t *cap, long v)
{
	for (size_t i = 0; i < *n; i++)
		if ((*vals)[i] == v)
			return 0;
	if (*n >= LIST_MAX)
		return -2;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		*vals = pgpb_reallocarray(*vals, nc, sizeof **vals);
		*cap = nc;
	}
	(*vals)[(*n)++] = v;
	return 0;
}

static int parse_num(const char *p, char **end, long *v)
{
	errno = 0;
	*v = strtol(p, end, 10);
	return (errno || *end == p) ? -1 : 0;
}

int cli_parse_list(const char *opt, const char *s, long min, long max, long **out, size_t *n)
{
	long *vals = NULL;
	size_t cnt = 0, cap = 0;
	if (!s || !*s)
		return bad(opt, s ? s : "", "a list is required");
	if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return bad(opt, s, "empty item in list");
	char *copy = pgpb_strdup(s);
	int rc = -1;
	char *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *end;
		long a, b, arg = 0;
		if (parse_num(item, &end, &a) < 0) {
			bad(opt, s, "expected a number, a range such as 0..10000:5, or 1..64*2");
			goto out;
		}
		if (*end == '\0') {
			if (a < min || a > max)
				goto range;
			if (push(&vals, &cnt, &cap, a) < 0)
				goto full;
			continue;
		}
		if (strncmp(end, "..", 2) != 0 || parse_num(end + 2, &end, &b) < 0) {
			bad(opt, s, "expected a number, a range such as 0..10000:5, or 1..64*2");
			goto out;
		}
		char kind = *end;
		if (kind != ':' && kind != '*' && kind != '+') {
			bad(opt, s, "a range needs :COUNT, *FACTOR or +STEP (0..10000:5, 1..64*2, 0..100+25)");
			goto out;
		}
		if (parse_num(end + 1, &end, &arg) < 0 || *end) {
			bad(opt, s, "bad count, factor or step in range");
			goto out;
		}
		if (a < min || a > max || b < min || b > max)
			goto range;
		if (b < a) {
			bad(opt, s, "a range must not decrease");
			goto out;
		}
		if (kind == ':') {
			if (arg < 1 || arg > 1000) {
				bad(opt, s, "the count of a range must be in range 1..1000");
				goto out;
			}
			for (long i = 0; i < arg; i++) {
				/* in double, clamped to [a, b]: b - a may not fit in a long when min is negative */
				double dv = arg == 1 ? (double)a
				                     : (double)a + ((double)b - (double)a) * (double)i / (double)(arg - 1);
				long v = i == 0 || dv <= (double)a         ? a
				         : i == arg - 1 || dv >= (double)b ? b
				                                           : (long)llround(dv);
				if (push(&vals, &cnt, &cap, v) < 0)
					goto full;
			}
		} else if (kind == '*') {
			if (arg < 2 || a < 1) {
				bad(opt, s, "a doubling range needs a start >= 1 and a factor >= 2");
				goto out;
			}
			for (long v = a; v <= b; v *= arg) {
				if (push(&vals, &cnt, &cap, v) < 0)
					goto full;
				if (v > b / arg) /* the next value would pass b (or overflow) */
					break;
			}
		} else {
			if (arg < 1) {
				bad(opt, s, "the step of a range must be >= 1");
				goto out;
			}
			for (long v = a; v <= b; v += arg) {
				if (push(&vals, &cnt, &cap, v) < 0)
					goto full;
				if (v > b - arg) /* the next value would pass b (or overflow) */
					break;
			}
		}
	}
	if (cnt == 0) {
		bad(opt, s, "the list is empty");
		goto out;
	}
	*out = vals;
	*n = cnt;
	vals = NULL;
	rc = 0;
	goto out;
range:
	log_error("invalid value \"%s\" for option %s: values must be in range %ld..%ld", s, opt, min, max);
	goto out;
full:
	log_error("invalid value \"%s\" for option %s: more than %d values", s, opt, LIST_MAX);
out:
	free(vals);
	free(copy);
	return rc;
}

int cli_parse_words(const char *opt, const char *s, const char *const *allowed, char ***out, size_t *n)
{
	if (!s || !*s)
		return bad(opt, s ? s : "", "a list is required");
	size_t cnt = 1;
	for (const char *p = s; *p; p++)
		cnt += *p == ',';
	char **w = pgpb_calloc(cnt, sizeof *w);
	size_t k = 0;
	const char *p = s;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0) {
			cli_free_words(w, k);
			return bad(opt, s, "empty item in list");
		}
		w[k] = pgpb_malloc(len + 1);
		memcpy(w[k], p, len);
		w[k][len] = '\0';
		if (allowed) {
			int ok = 0;
			for (const char *const *a = allowed; *a; a++)
				ok |= strcmp(*a, w[k]) == 0;
			if (!ok) {
				log_error("invalid value \"%s\" for option %s: unknown item \"%s\"", s, opt, w[k]);
				cli_free_words(w, k + 1);
				return -1;
			}
		}
		k++;
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = w;
	*n = k;
	return 0;
}

void cli_free_words(char **words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int len = vsnprintf(NULL, 0, fmt, ap); /* a long argument is quoted whole, closing quote included */
	va_end(ap);
	char *buf = pgpb_malloc(len > 0 ? (size_t)len + 1 : 1);
	buf[0] = '\0';
	if (len > 0)
		vsnprintf(buf, (size_t)len + 1, fmt, again);
	va_end(again);
	log_error("%s", buf);
	free(buf);
	if (command)
		log_hint("Try \"%s %s --help\" for more information.", PGPB_PROGNAME, command);
	else
		log_hint("Try \"%s --help\" for more information.", PGPB_PROGNAME);
	return EXIT_USAGE;
}

int cli_getopt_fail(const char *command, int c, char **argv, int optind_now, int optopt_now)
{
	const char *prev = argv[optind_now - 1], *cur = argv[optind_now]; /* argv ends with NULL */
	int is_short = optopt_now > 0 && optopt_now < 0x100;
	/* an unknown letter inside a cluster ("-xv"): getopt has not moved past that word yet */
	if (c == '?' && is_short && cur && cur[0] == '-' && cur[1] && cur[1] != '-' && strchr(cur + 1, optopt_now))
		return cli_usage_error(command, "invalid option -- '%c'", optopt_now);
	if (strncmp(prev, "--", 2) == 0 && prev[2]) {
		const char *eq = strchr(prev, '=');
		if (c == ':')
			return cli_usage_error(command, "option \"%s\" requires an argument", prev);
		if (optopt_now && eq)
			return cli_usage_error(command, "option \"%.*s\" does not take a value", (int)(eq - prev), prev);
		return cli_usage_error(command, "unrecognized option \"%s\"", prev);
	}
	if (is_short)
		return cli_usage_error(command, c == ':' ? "option requires an argument -- '%c'" : "invalid option -- '%c'",
		                       optopt_now);
	return cli_usage_error(command, "unrecognized option \"%s\"", prev);
}

int cli_parse_choice(const char *opt, const char *s, const char *const *words, int *out)
{
	size_t n = 0;
	for (; words[n]; n++)
		if (strcmp(s, words[n]) == 0) {
			*out = (int)n;
			return 0;
		}
	char expected[256] = "expected ";
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(expected);
		snprintf(expected + len, sizeof expected - len, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", words[i]);
	}
	return bad(opt, s, expected);
}
