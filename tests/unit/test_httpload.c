/* test_httpload.c: the pieces of http-compare --url that need no server: the URL taken apart and its
 * {page} and {offset} filled in (bench/httpload.h), the records of a JSON body counted, and wrk's output
 * with the percentile script read (plots/wrk.h) from real runs in tests/fixtures/wrk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/httpload.h"
#include "plots/wrk.h"

#define FIX "tests/fixtures/wrk/"

static void url_parts(void **state)
{
	(void)state;
	struct http_url u;
	char err[512], out[512];
	assert_int_equal(http_url_parse("http://127.0.0.1:8000/records/?page={page}", &u, err, sizeof err), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 8000);
	assert_string_equal(u.path, "/records/?page={page}");
	assert_true(http_url_has_placeholder(&u));
	assert_int_equal(http_url_expand(&u, 3, 20, 0, out, sizeof out), 0);
	assert_string_equal(out, "http://127.0.0.1:8000/records/?page=3");
	assert_int_equal(http_url_expand(&u, 3, 20, 1, out, sizeof out), 0);
	assert_string_equal(out, "/records/?page=3");

	assert_int_equal(http_url_parse("http://app.example?o={offset}&p={page}", &u, err, sizeof err), 0);
	assert_string_equal(u.host, "app.example");
	assert_int_equal(u.port, 80);
	assert_int_equal(http_url_expand(&u, 11, 100, 1, out, sizeof out), 0);
	assert_string_equal(out, "/?o=100&p=11");

	assert_int_equal(http_url_parse("http://[::1]:9000/r", &u, err, sizeof err), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(http_url_expand(&u, 1, 0, 0, out, sizeof out), 0);
	assert_string_equal(out, "http://[::1]:9000/r");
	assert_false(http_url_has_placeholder(&u));

	/* a buffer too small is refused, not cut */
	assert_int_equal(http_url_expand(&u, 1, 0, 0, out, 10), -1);
}

static void url_refused(void **state)
{
	(void)state;
	struct http_url u;
	char err[512];
	static const char *const bad[] = { "https://x/", "x/y", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
		                           "http://h:8x/", "http://h:/", "http://[::1/", "http://[::1]x/" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(http_url_parse(bad[i], &u, err, sizeof err), -1);
		assert_true(err[0] != '\0');
		assert_true(err[strlen(err) - 1] != '.');
	}
}

static void records_counted(void **state)
{
	(void)state;
	char how[256];
#define COUNT(body, key) http_count_records(body, strlen(body), key, how, sizeof how)
	assert_int_equal(COUNT("[1,2,3]", NULL), 3);
	assert_int_equal(COUNT("{\"count\": 7, \"results\": [{}, {}]}", NULL), 2);
	assert_int_equal(COUNT("{\"next\": null, \"records\": []}", NULL), 0);
	assert_int_equal(COUNT("{\"items\": 3, \"data\": [1]}", NULL), 1); /* "items" is not a list: "data" is */
	assert_int_equal(COUNT("{\"page\": {\"rows\": [1, 2]}, \"rows\": [1, 2, 3, 4]}", "rows"), 4);
	assert_string_equal(how, "the length of the JSON list \"rows\"");
	assert_int_equal(COUNT("{\"rows\": 4}", "rows"), -1);
	assert_int_equal(COUNT("{\"other\": [1]}", NULL), -1);
	assert_non_null(strstr(how, "--json-list"));
	assert_int_equal(COUNT("<html>", NULL), -1);
	assert_non_null(strstr(how, "not JSON"));
	assert_int_equal(COUNT("42", NULL), -1);
#undef COUNT
}

/* wrk's own figures against the script's: the same run seen twice */
static void wrk_real_run(void **state)
{
	(void)state;
	struct ab_text t;
	struct ab_csv p;
	char err[512];
	assert_int_equal(wrk_parse(FIX "wrk-c4.txt", &t, &p, err, sizeof err), 0);
	assert_int_equal(t.concurrency, 4);
	assert_string_equal(t.host, "127.0.0.1");
	assert_int_equal(t.port, 40757);
	assert_string_equal(t.path, "/page.json?page=2");
	assert_int_equal(t.complete, 402);
	assert_int_equal(t.failed, 0);
	assert_int_equal(t.non2xx, 0);
	/* requests / duration, against wrk's "Requests/sec: 192.48" */
	assert_true(t.requests_per_s > 192.47 && t.requests_per_s < 192.49);
	assert_true(t.mean_ms > 31.50 && t.mean_ms < 31.52); /* "Latency 31.51ms" */
	assert_true(t.has_table);
	for (int i = 0; i <= 100; i++) {
		assert_true(p.have[i]);
		if (i)
			assert_true(p.ms[i] >= p.ms[i - 1]);
	}
	/* wrk's --latency table: 50% 21.27ms, 99% 208.03ms; max 270.31ms */
	assert_true(p.ms[50] > 21.26 && p.ms[50] < 21.28);
	assert_true(p.ms[99] > 208.02 && p.ms[99] < 208.04);
	assert_true(p.ms[100] > 270.30 && p.ms[100] < 270.32);
	assert_true(t.table_ms[AB_NPCT - 1] == p.ms[100]);
}

static void wrk_not_2xx(void **state)
{
	(void)state;
	struct ab_text t;
	struct ab_csv p;
	char err[512];
	assert_int_equal(wrk_parse(FIX "wrk-404.txt", &t, &p, err, sizeof err), 0);
	assert_int_equal(t.complete, 17);
	assert_int_equal(t.non2xx, 17);
	assert_int_equal(t.failed, 0);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void wrk_refused(void **state)
{
	(void)state;
	struct ab_text t;
	struct ab_csv p;
	char err[512], path[] = "/tmp/pgpb-wrk-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "Running 1s test @ http://h:1/\n  1 threads and 1 connections\nRequests/sec: 5\n", "was wrk run with -s" },
		{ "  1 threads and 1 connections\npgpagebench-wrk 1\nrequests 5\n", "cut short" },
		{ "  1 threads and 1 connections\npgpagebench-wrk 1\nrequests -5\n", "invalid value \"-5\" for \"requests\"" },
		{ "  1 threads and 1 connections\npgpagebench-wrk 1\nrequests 5\nlatency_min_us 1\nlatency_max_us 2\n"
		  "percentile 50 nan\nend\n", "invalid value \"50 nan\" for \"percentile\"" },
		{ "  1 threads and 1 connections\npgpagebench-wrk 1\nrequests 5\nlatency_min_us 1\nlatency_max_us 2\n"
		  "percentile 150 3\nend\n", "for \"percentile\"" },
		{ "pgpagebench-wrk 1\nrequests 5\nlatency_min_us 1\nlatency_max_us 2\nend\n", "no \"threads and connections\"" },
		/* every request timed out: the script says so instead of wrk's minimum of an empty histogram */
		{ "  2 threads and 16 connections\npgpagebench-wrk 1\nrequests 12\nduration_us 5058497\n"
		  "errors connect 0 read 0 write 0 status 0 timeout 12\nlatency none\nend\n",
		  "wrk measured no latency: none of its 12 requests was answered (12 socket errors or timeouts)" },
		{ "  2 threads and 16 connections\npgpagebench-wrk 1\nrequests 12\nlatency_min_us -9223372036854775808\n",
		  "invalid value \"-9223372036854775808\" for \"latency_min_us\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(write_file(path, cases[i].text), 0);
		err[0] = '\0';
		assert_int_equal(wrk_parse(path, &t, &p, err, sizeof err), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
	}
	unlink(path);
	assert_int_equal(wrk_parse("/nonexistent/wrk.txt", &t, &p, err, sizeof err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(url_parts),
		cmocka_unit_test(url_refused),
		cmocka_unit_test(records_counted),
		cmocka_unit_test(wrk_real_run),
		cmocka_unit_test(wrk_not_2xx),
		cmocka_unit_test(wrk_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
