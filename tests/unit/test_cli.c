/* test_cli.c: option value parsing (lists, ranges, durations, choices), the shared getopt loop and password
 * masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/ctx.h"
#include "common/options.h"

#include <getopt.h>

static void list_plain_and_ranges(void **state)
{
	(void)state;
	long *v;
	size_t n;
	assert_int_equal(cli_parse_list("--pools", "1,2,4,8", 1, 1000, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[3], 8);
	free(v);
	assert_int_equal(cli_parse_list("--offsets", "0..10000:5", 0, 1000000, &v, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 2500);
	assert_int_equal(v[4], 10000);
	free(v);
	assert_int_equal(cli_parse_list("--pools", "1..64*2", 1, 1000, &v, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(v[6], 64);
	free(v);
	assert_int_equal(cli_parse_list("--pools", "1,1..4+1,4", 1, 1000, &v, &n), 0);
	assert_int_equal(n, 4); /* duplicates removed */
	free(v);
}

static void list_bad(void **state)
{
	(void)state;
	long *v = NULL;
	size_t n;
	const char *bad[] = { "", "a", "1,,2", "5..1:2", "1..4", "1..4:0", "0..8*2", "1,2,x", "-1", "1..2000:3" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(cli_parse_list("--pools", bad[i], 1, 1000, &v, &n), -1);
}

static void durations(void **state)
{
	(void)state;
	double s;
	assert_int_equal(cli_parse_duration("--duration", "10s", &s), 0);
	assert_true(s == 10.0);
	assert_int_equal(cli_parse_duration("--duration", "500ms", &s), 0);
	assert_true(s == 0.5);
	assert_int_equal(cli_parse_duration("--duration", "2m", &s), 0);
	assert_true(s == 120.0);
	assert_int_equal(cli_parse_duration("--duration", "3", &s), 0);
	assert_true(s == 3.0);
	assert_int_equal(cli_parse_duration("--duration", "10x", &s), -1);
	assert_int_equal(cli_parse_duration("--duration", "-1s", &s), -1);
	assert_int_equal(cli_parse_duration("--duration", "", &s), -1);
}

/* --start-at: RFC 3339 in UTC or with an offset, fractions, "+DURATION"; past, impossible or odd times refused */
static void instants(void **state)
{
	(void)state;
	double t;
	assert_int_equal(cli_parse_instant_at("--start-at", "2030-01-01T00:00:00Z", 1893400000.0, &t), 0);
	assert_true(t == 1893456000.0);
	assert_int_equal(cli_parse_instant_at("--start-at", "2030-01-01T01:30:00+01:30", 1893400000.0, &t), 0);
	assert_true(t == 1893456000.0);
	assert_int_equal(cli_parse_instant_at("--start-at", "2028-02-29T12:30:15.250Z", 1835400000.0, &t), 0);
	assert_true(t == 1835440215.25);
	char buf[40];
	cli_format_instant(t, buf, sizeof buf);
	assert_string_equal(buf, "2028-02-29T12:30:15.250Z");
	cli_format_instant(1893456000.0, buf, sizeof buf);
	assert_string_equal(buf, "2030-01-01T00:00:00Z");
	struct timespec before, after; /* "+30s" is 30 s after the moment it was read, between these two */
	clock_gettime(CLOCK_REALTIME, &before);
	assert_int_equal(cli_parse_instant("--start-at", "+30s", &t), 0);
	clock_gettime(CLOCK_REALTIME, &after);
	assert_true(t >= (double)before.tv_sec + (double)before.tv_nsec / 1e9 + 30 - 1e-6 &&
	            t <= (double)after.tv_sec + (double)after.tv_nsec / 1e9 + 30 + 1e-6);
	/* a week ahead at most, and never the past: against a fixed now */
	assert_int_equal(cli_parse_instant_at("--start-at", "2030-01-09T00:00:00Z", 1893400000.0, &t), -1);
	assert_int_equal(cli_parse_instant_at("--start-at", "2029-12-31T00:00:00Z", 1893400000.0, &t), -1);
	static const char *const bad[] = { "2020-01-01T00:00:00Z", "2030-02-29T00:00:00Z", "2030-13-01T00:00:00Z",
	                                   "2030-01-01", "2030-01-01T00:00:00", "2030-01-01T00:00:00Zx", "+3x", "+",
	                                   "", "tomorrow", "2030-01-01T24:00:00Z", "+8d", "+200h", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(cli_parse_instant_at("--start-at", bad[i], 1893400000.0, &t), -1);
}

static void masking(void **state)
{
	(void)state;
	char buf[512];
	conn_mask("host=x password=secret user=u", buf, sizeof buf);
	assert_null(strstr(buf, "secret"));
	assert_non_null(strstr(buf, "user=u"));
	conn_mask("host=x password = 'se cr\\'et' dbname=d", buf, sizeof buf);
	assert_null(strstr(buf, "se cr"));
	assert_non_null(strstr(buf, "dbname=d"));
	conn_mask("postgresql://bob:secret@db.example:5433/app?password=other&sslmode=disable", buf, sizeof buf);
	assert_null(strstr(buf, "secret"));
	assert_null(strstr(buf, "other"));
	assert_non_null(strstr(buf, "bob:"));
	assert_non_null(strstr(buf, "sslmode=disable"));
	conn_mask("mydb", buf, sizeof buf);
	assert_string_equal(buf, "mydb");
	char *argv[] = { "pgpagebench", "run", "-d", "postgres://a:pw1@h/db", "--dbname=password=pw2",
	                 "-dpostgresql://a:pw3@h/db" };
	conn_mask_argv(6, argv, buf, sizeof buf);
	assert_null(strstr(buf, "pw1"));
	assert_null(strstr(buf, "pw2"));
	assert_null(strstr(buf, "pw3"));
}

static void choices(void **state)
{
	(void)state;
	static const char *const words[] = { "simple", "extended", "prepared", NULL };
	int v = -1;
	assert_int_equal(cli_parse_choice("--protocol", "extended", words, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cli_parse_choice("--protocol", "prepared", words, &v), 0);
	assert_int_equal(v, 2);
	v = 7;
	assert_int_equal(cli_parse_choice("--protocol", "Simple", words, &v), -1);
	assert_int_equal(cli_parse_choice("--protocol", "", words, &v), -1);
	assert_int_equal(v, 7);
}

static int helped;
static void help(void) { helped++; }

/* The loop hands back the command's own options in order, consumes the connection options into ctx, and
 * stops with the right exit status on --help, an unknown option, a missing value and a stray argument. */
static void getopt_loop(void **state)
{
	(void)state;
	enum { OPT_A = CTX_OPT_FIRST_FREE, OPT_B };
	static const struct option longopts[] = { CTX_LONGOPTS, { "alpha", no_argument, NULL, OPT_A },
	                                          { "beta", required_argument, NULL, OPT_B }, { NULL, 0, NULL, 0 } };
	struct pgpb_ctx ctx;
	struct cli_getopt g;
	char *ok[] = { "x", "--alpha", "-h", "/tmp", "--beta=7", "-v", "-p", "5433", NULL };
	ctx_init(&ctx, "x", 8, ok);
	cli_getopt_init(&g, "x", 8, ok, longopts, help, &ctx);
	assert_int_equal(cli_getopt_next(&g), OPT_A);
	assert_int_equal(cli_getopt_next(&g), OPT_B);
	assert_string_equal(optarg, "7");
	assert_int_equal(cli_getopt_next(&g), 0);
	assert_int_equal(cli_getopt_end(&g), 0);
	assert_string_equal(ctx.host, "/tmp");
	assert_string_equal(ctx.port, "5433");
	assert_int_equal(ctx.verbose, 1);

	struct { char *argv[4]; int argc, rc, helped; } bad[] = {
		{ { "x", "--help", NULL }, 2, EXIT_OK, 1 },
		{ { "x", "--gamma", NULL }, 2, EXIT_USAGE, 0 },
		{ { "x", "--beta", NULL }, 2, EXIT_USAGE, 0 },
		{ { "x", "-p", "0", NULL }, 3, EXIT_USAGE, 0 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		helped = 0;
		ctx_init(&ctx, "x", bad[i].argc, bad[i].argv);
		cli_getopt_init(&g, "x", bad[i].argc, bad[i].argv, longopts, help, &ctx);
		assert_int_equal(cli_getopt_next(&g), -1);
		assert_int_equal(g.rc, bad[i].rc);
		assert_int_equal(helped, bad[i].helped);
	}
	char *stray[] = { "x", "--alpha", "extra", NULL };
	cli_getopt_init(&g, "x", 3, stray, longopts, help, &ctx);
	assert_int_equal(cli_getopt_next(&g), OPT_A);
	assert_int_equal(cli_getopt_next(&g), 0);
	assert_int_equal(cli_getopt_end(&g), -1);
	assert_int_equal(g.rc, EXIT_USAGE);
	char *conn[] = { "x", "-d", "db", NULL };
	cli_getopt_init(&g, "x", 3, conn, longopts, help, &ctx);
	g.no_connection = "x takes no connection options";
	assert_int_equal(cli_getopt_next(&g), -1);
	assert_int_equal(g.rc, EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_plain_and_ranges),
		cmocka_unit_test(list_bad),
		cmocka_unit_test(durations),
		cmocka_unit_test(masking),
		cmocka_unit_test(instants),
		cmocka_unit_test(choices),
		cmocka_unit_test(getopt_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
