/* test_ab.c: reading Apache Bench's outputs (plots/ab.h): the real run in tests/fixtures/ab, malformed
 * files, the -g file's order, nearest-rank percentiles and the page a URL asks for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plots/ab.h"

#define FIX "tests/fixtures/ab/"

static void text_summary(void **state)
{
	(void)state;
	struct ab_text t;
	char err[512];
	assert_int_equal(ab_parse_text(FIX "ab-c4.txt", &t, err, sizeof err), 0);
	assert_true(t.concurrency >= 1);
	assert_true(t.complete > 0);
	assert_true(t.requests_per_s > 0);
	assert_true(t.mean_ms > 0);
	assert_true(t.has_table);
	assert_string_equal(t.host, "127.0.0.1");
	assert_non_null(strchr(t.path, '?'));
	for (int k = 1; k < AB_NPCT; k++) /* ab's table is monotonic */
		assert_true(t.table_ms[k] >= t.table_ms[k - 1]);
	/* rps = complete / time taken, as ab computes it */
	double rps = (double)t.complete / t.time_taken_s;
	assert_true(rps / t.requests_per_s > 0.99 && rps / t.requests_per_s < 1.01);
}

static void csv_and_tsv_agree(void **state)
{
	(void)state;
	struct ab_text t;
	struct ab_csv c;
	struct ab_tsv g;
	char err[512];
	assert_int_equal(ab_parse_text(FIX "ab-c4.txt", &t, err, sizeof err), 0);
	assert_int_equal(ab_parse_csv(FIX "ab-c4.csv", &c, err, sizeof err), 0);
	assert_int_equal(ab_parse_tsv(FIX "ab-c4.tsv", &g, err, sizeof err), 0);
	for (int p = 0; p <= 100; p++)
		assert_true(c.have[p]);
	assert_int_equal((long)g.n, t.complete);
	/* sorted by start time, ttimes sorted apart */
	for (size_t i = 1; i < g.n; i++) {
		assert_true(g.req[i].start_s >= g.req[i - 1].start_s);
		assert_true(g.ttime_sorted[i] >= g.ttime_sorted[i - 1]);
	}
	/* ab wrote the file by total time, not start time: in file order the start times go back at least
	 * once, so the sort above was needed */
	FILE *f = fopen(FIX "ab-c4.tsv", "r");
	char line[256];
	double prev = 0, start;
	int backwards = 0;
	assert_non_null(fgets(line, sizeof line, f));
	while (fgets(line, sizeof line, f)) {
		assert_int_equal(sscanf(strchr(line, '\t') + 1, "%lf", &start), 1);
		backwards += start < prev;
		prev = start;
	}
	fclose(f);
	assert_true(backwards > 0);
	/* -g max = ab's longest request in whole ms; -e 100% is the same request unrounded */
	double max = ab_percentile_sorted(g.ttime_sorted, g.n, 100);
	assert_true(max == g.ttime_sorted[g.n - 1]);
	assert_true(max - c.ms[100] <= 1.0 && c.ms[100] - max <= 1.0);
	assert_true(t.table_ms[AB_NPCT - 1] == max);
	ab_tsv_free(&g);
	assert_null(g.req);
}

static void percentile_ranks(void **state)
{
	(void)state;
	const double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	assert_true(ab_percentile_sorted(v, 10, 0) == 1);
	assert_true(ab_percentile_sorted(v, 10, 10) == 1);
	assert_true(ab_percentile_sorted(v, 10, 11) == 2);
	assert_true(ab_percentile_sorted(v, 10, 50) == 5);
	assert_true(ab_percentile_sorted(v, 10, 50.1) == 6);
	assert_true(ab_percentile_sorted(v, 10, 99) == 10);
	assert_true(ab_percentile_sorted(v, 10, 100) == 10);
	assert_true(ab_percentile_sorted(v, 1, 50) == 1);
}

static void url_offsets(void **state)
{
	(void)state;
	long off = -1;
	const char *how = NULL;
	char err[256];
	assert_int_equal(ab_url_offset("/records/", 10, &off, &how, err, sizeof err), 0);
	assert_int_equal(ab_url_offset("/records/?sort=new", 10, &off, &how, err, sizeof err), 0);
	assert_int_equal(ab_url_offset("/r?offset=30", 10, &off, &how, err, sizeof err), 1);
	assert_int_equal(off, 30);
	assert_string_equal(how, "offset");
	assert_int_equal(ab_url_offset("/r?sort=new&page=3&x=1", 10, &off, &how, err, sizeof err), 1);
	assert_int_equal(off, 20);
	assert_string_equal(how, "page");
	assert_int_equal(ab_url_offset("/r?page=1", 25, &off, &how, err, sizeof err), 1);
	assert_int_equal(off, 0);
	assert_int_equal(ab_url_offset("/r?page=4", 25, &off, &how, err, sizeof err), 1);
	assert_int_equal(off, 75);
	assert_int_equal(ab_url_offset("/r?xoffset=5&offset=7#frag", 10, &off, &how, err, sizeof err), 1);
	assert_int_equal(off, 7);
	assert_int_equal(ab_url_offset("/r?a=1#offset=9", 10, &off, &how, err, sizeof err), 0);
	const char *bad[] = { "/r?offset=", "/r?offset=-1", "/r?offset=1x", "/r?page=0", "/r?page=abc",
		              "/r?offset=99999999999999999999999", "/r?page=99999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(ab_url_offset(bad[i], 10, &off, &how, err, sizeof err), -1);
		assert_non_null(strstr(err, "in the URL"));
	}
}

/* Writes text to a temporary file; returns its path (static buffer per slot). */
static const char *tmpfile_with(int slot, const char *text)
{
	static char paths[4][64];
	snprintf(paths[slot], sizeof paths[slot], "/tmp/pgpb-test-ab-%d-XXXXXX", slot);
	int fd = mkstemp(paths[slot]);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return paths[slot];
}

static void malformed(void **state)
{
	(void)state;
	char err[512];
	struct ab_text t;
	struct ab_csv c;
	struct ab_tsv g;
	assert_int_equal(ab_parse_text("/nonexistent/ab.txt", &t, err, sizeof err), -1);
	assert_non_null(strstr(err, "could not open file"));
	const char *p = tmpfile_with(0, "Concurrency Level: 4\nComplete requests: 10\n");
	assert_int_equal(ab_parse_text(p, &t, err, sizeof err), -1);
	assert_non_null(strstr(err, "Requests per second"));
	unlink(p);
	p = tmpfile_with(0, "Concurrency Level: 0\nComplete requests: 10\nRequests per second: 3 [#/sec]\n");
	assert_int_equal(ab_parse_text(p, &t, err, sizeof err), -1);
	unlink(p);
	/* a summary without the percentile table (ab -d) parses, without has_table */
	p = tmpfile_with(0, "Concurrency Level: 2\nComplete requests: 10\nRequests per second: 3.5 [#/sec] (mean)\n"
	                    "Time per request: 571.4 [ms] (mean)\nTime per request: 285.7 [ms] (mean, across all concurrent requests)\n");
	assert_int_equal(ab_parse_text(p, &t, err, sizeof err), 0);
	assert_false(t.has_table);
	assert_true(t.mean_ms == 571.4);
	unlink(p);
	p = tmpfile_with(1, "Percentage served,Time in ms\n0,1.0\n1,x\n");
	assert_int_equal(ab_parse_csv(p, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "line 3"));
	unlink(p);
	p = tmpfile_with(1, "Percentage served,Time in ms\n101,1.0\n");
	assert_int_equal(ab_parse_csv(p, &c, err, sizeof err), -1);
	unlink(p);
	p = tmpfile_with(1, "Percentage served,Time in ms\n");
	assert_int_equal(ab_parse_csv(p, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "no percentiles"));
	unlink(p);
	p = tmpfile_with(2, "starttime\tseconds\tctime\tdtime\tttime\twait\nWed Nov 25 21:29:02 2026\t1\t0\t1\n");
	assert_int_equal(ab_parse_tsv(p, &g, err, sizeof err), -1);
	assert_null(g.req);
	unlink(p);
	p = tmpfile_with(2, "starttime\tseconds\tctime\tdtime\tttime\twait\n");
	assert_int_equal(ab_parse_tsv(p, &g, err, sizeof err), -1);
	unlink(p);
	/* microsecond start times (older ab builds) become seconds; order by start is restored */
	p = tmpfile_with(2, "starttime\tseconds\tctime\tdtime\tttime\twait\n"
	                    "x\t1700000002500000\t0\t1\t1\t1\n"
	                    "y\t1700000001000000\t0\t5\t5\t5\n");
	assert_int_equal(ab_parse_tsv(p, &g, err, sizeof err), 0);
	assert_int_equal(g.n, 2);
	assert_true(g.req[0].start_s == 1700000001.0 && g.req[0].ttime_ms == 5);
	assert_true(g.req[1].start_s == 1700000002.5);
	ab_tsv_free(&g);
	unlink(p);
}

/* Values ab never prints are refused with the line they are on: nan, inf, negative numbers and a count
 * past the range of long (which strtol/sscanf would clamp to LONG_MAX without a word). */
static void hostile_values(void **state)
{
	(void)state;
	char err[512];
	struct ab_text t;
	struct ab_csv c;
	struct ab_tsv g;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "Concurrency Level: 4\nComplete requests: 10\nRequests per second: nan [#/sec] (mean)\n",
		  "line 3: invalid value \"nan [#/sec] (mean)\" for \"Requests per second\"" },
		{ "Concurrency Level: 4\nComplete requests: 10\nRequests per second: inf [#/sec] (mean)\n", "line 3" },
		{ "Concurrency Level: 4\nTime taken for tests: -1.5 seconds\nComplete requests: 10\n"
		  "Requests per second: 3 [#/sec] (mean)\n",
		  "line 2: invalid value \"-1.5 seconds\" for \"Time taken for tests\"" },
		{ "Concurrency Level: 4\nComplete requests: 10\nRequests per second: 3 [#/sec] (mean)\n"
		  "Time per request: -3.0 [ms] (mean)\n",
		  "line 4: invalid value \"-3.0 [ms] (mean)\" for \"Time per request\"" },
		{ "Concurrency Level: 99999999999999999999\nComplete requests: 10\nRequests per second: 3 [#/sec]\n",
		  "line 1: invalid value \"99999999999999999999\" for \"Concurrency Level\"" },
		{ "Concurrency Level: 4\nComplete requests: -10\nRequests per second: 3 [#/sec]\n", "line 2" },
		{ "Concurrency Level: 4\nComplete requests: 10\nFailed requests: 1e3\nRequests per second: 3 [#/sec]\n",
		  "line 3" },
		{ "Concurrency Level: 4\nComplete requests: 10\nRequests per second: 0x10 [#/sec]\n", "line 3" },
		{ "Concurrency Level: 4\nComplete requests: 10\nRequests per second: 3 [#/sec]\n"
		  "Percentage of the requests served within a certain time (ms)\n  50%   -4\n",
		  "line 5: invalid value \"-4\" for \"50%\"" },
		{ "Concurrency Level: 4\nComplete requests: 10\nRequests per second: 3 [#/sec]\n"
		  "Percentage of the requests served within a certain time (ms)\n  50%   nan\n", "line 5" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *p = tmpfile_with(0, cases[i].text);
		err[0] = '\0';
		assert_int_equal(ab_parse_text(p, &t, err, sizeof err), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
		unlink(p);
	}
	const char *csv[] = { "Percentage served,Time in ms\n50,inf\n", "Percentage served,Time in ms\n50,-1\n",
		              "Percentage served,Time in ms\n99999999999,1\n", "Percentage served,Time in ms\n50,nan\n" };
	for (size_t i = 0; i < sizeof csv / sizeof csv[0]; i++) {
		const char *p = tmpfile_with(1, csv[i]);
		assert_int_equal(ab_parse_csv(p, &c, err, sizeof err), -1);
		assert_non_null(strstr(err, "line 2"));
		unlink(p);
	}
	const char *tsv[] = { "x\tnan\t0\t1\t1\t1\n", "x\t1700000000\t-1\t1\t1\t1\n", "x\t1700000000\t0\t1\tinf\t1\n",
		              "x\t1700000000\t0\t1\t1\t-0.5\n" };
	for (size_t i = 0; i < sizeof tsv / sizeof tsv[0]; i++) {
		char text[256];
		snprintf(text, sizeof text, "starttime\tseconds\tctime\tdtime\tttime\twait\n%s", tsv[i]);
		const char *p = tmpfile_with(2, text);
		assert_int_equal(ab_parse_tsv(p, &g, err, sizeof err), -1);
		assert_non_null(strstr(err, "line 2"));
		assert_null(g.req);
		unlink(p);
	}
}

/* A UTF-8 byte order mark (an editor's or a Windows tool's) before ab's files is no part of their text;
 * CRLF line ends read as LF. */
static void byte_order_mark(void **state)
{
	(void)state;
	char err[512];
	struct ab_csv c;
	struct ab_text t;
	const char *p = tmpfile_with(1, "\xEF\xBB\xBFPercentage served,Time in ms\r\n0,1.5\r\n100,9.25\r\n");
	assert_int_equal(ab_parse_csv(p, &c, err, sizeof err), 0);
	assert_true(c.have[0] && c.have[100] && c.ms[100] == 9.25);
	unlink(p);
	p = tmpfile_with(0, "\xEF\xBB\xBF" "Concurrency Level: 3\r\nComplete requests: 10\r\nRequests per second: 3 [#/sec]\r\n");
	assert_int_equal(ab_parse_text(p, &t, err, sizeof err), 0);
	assert_int_equal(t.concurrency, 3);
	unlink(p);
}

/* A file past its limit is refused by name and limit, after reading no more than the limit. */
static void size_limit(void **state)
{
	(void)state;
	char err[512];
	struct ab_csv c;
	char path[] = "/tmp/pgpb-test-ab-big-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char head[] = "Percentage served,Time in ms\n";
	assert_int_equal(write(fd, head, sizeof head - 1), (ssize_t)(sizeof head - 1));
	char line[] = "50,1.0\n";
	for (size_t n = 0; n <= AB_CSV_MAX / (sizeof line - 1); n++)
		assert_int_equal(write(fd, line, sizeof line - 1), (ssize_t)(sizeof line - 1));
	close(fd);
	assert_int_equal(ab_parse_csv(path, &c, err, sizeof err), -1);
	if (!strstr(err, "is larger than the limit of 1 MB") || !strstr(err, path))
		fail_msg("%s", err);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_summary),
		cmocka_unit_test(csv_and_tsv_agree),
		cmocka_unit_test(percentile_ranks),
		cmocka_unit_test(url_offsets),
		cmocka_unit_test(malformed),
		cmocka_unit_test(hostile_values),
		cmocka_unit_test(byte_order_mark),
		cmocka_unit_test(size_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
