/* test_cli_edge.c: the edges of option value parsing: ranges at the limits of a long (no overflow under
 * UBSan), the cap on list length, odd spellings of numbers and durations, word lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdlib.h>

#include "common/cli.h"

static void list_ranges_at_long_limits(void **state)
{
	(void)state;
	long *v;
	size_t n;
	/* a step that would overflow past LONG_MAX */
	assert_int_equal(cli_parse_list("--x", "0..9223372036854775807+4611686018427387904", 0, LONG_MAX, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_true(v[1] == 4611686018427387904L);
	free(v);
	/* doubling up to LONG_MAX */
	assert_int_equal(cli_parse_list("--x", "1..9223372036854775807*2", 1, LONG_MAX, &v, &n), 0);
	assert_int_equal(n, 63);
	assert_true(v[62] == 4611686018427387904L);
	free(v);
	/* evenly spaced over the whole range of a long: b - a does not fit in a long */
	assert_int_equal(cli_parse_list("--x", "-9223372036854775807..9223372036854775807:3", -LONG_MAX, LONG_MAX, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_true(v[0] == -LONG_MAX);
	assert_true(v[2] == LONG_MAX);
	free(v);
	/* the last value of a counted range is exactly the end */
	assert_int_equal(cli_parse_list("--x", "0..10:3", 0, 100, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[1], 5);
	assert_int_equal(v[2], 10);
	free(v);
	/* a range of one point, and a count of 1 */
	assert_int_equal(cli_parse_list("--x", "7..7:4,3..9:1", 0, 100, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0], 7);
	assert_int_equal(v[1], 3);
	free(v);
}

static void list_cap(void **state)
{
	(void)state;
	long *v = NULL;
	size_t n;
	assert_int_equal(cli_parse_list("--x", "0..9999+1", 0, 1000000, &v, &n), 0);
	assert_int_equal(n, 10000);
	free(v);
	v = NULL;
	assert_int_equal(cli_parse_list("--x", "0..10000+1", 0, 1000000, &v, &n), -1);
	assert_null(v);
	assert_int_equal(cli_parse_list("--x", "0..999999+1", 0, 1000000, &v, &n), -1);
	/* many ranges each under the cap, together over it */
	assert_int_equal(cli_parse_list("--x", "0..999:1000,1000..1999:1000,2000..2999:1000,3000..3999:1000,"
	                                       "4000..4999:1000,5000..5999:1000,6000..6999:1000,7000..7999:1000,"
	                                       "8000..8999:1000,9000..9999:1000,10000..10999:1000",
	                                0, 1000000, &v, &n),
	                 -1);
}

static void list_bad_spellings(void **state)
{
	(void)state;
	long *v = NULL;
	size_t n;
	const char *bad[] = { ",1", "1,", "1..", "..5", "1..5:", "1..5:x", "1..5:2x", "1..5?2", "0x10",
	                      "99999999999999999999", "1..99999999999999999999:2", "1..5+0", "1..5*1", "1 .. 5:2" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(cli_parse_list("--x", bad[i], 0, 100, &v, &n), -1);
	assert_null(v);
	assert_int_equal(cli_parse_list("--x", NULL, 0, 100, &v, &n), -1);
}

static void numbers(void **state)
{
	(void)state;
	long l;
	double d;
	assert_int_equal(cli_parse_long("--n", "42", 0, 100, &l), 0);
	assert_int_equal(l, 42);
	assert_int_equal(cli_parse_long("--n", "42 ", 0, 100, &l), -1);
	assert_int_equal(cli_parse_long("--n", "4.2", 0, 100, &l), -1);
	assert_int_equal(cli_parse_long("--n", "99999999999999999999", 0, LONG_MAX, &l), -1);
	assert_int_equal(cli_parse_long("--n", "-1", 0, 100, &l), -1);
	assert_int_equal(cli_parse_long("--n", NULL, 0, 100, &l), -1);
	assert_int_equal(cli_parse_double("--f", "0.5", 0, 1, &d), 0);
	assert_int_equal(cli_parse_double("--f", "nan", 0, 1, &d), -1);
	assert_int_equal(cli_parse_double("--f", "inf", 0, 1e300, &d), -1);
	assert_int_equal(cli_parse_double("--f", "1e400", 0, 1e300, &d), -1);
	assert_int_equal(cli_parse_double("--f", "2", 0, 1, &d), -1);
}

static void durations(void **state)
{
	(void)state;
	double s;
	assert_int_equal(cli_parse_duration("--d", "1h", &s), 0);
	assert_true(s == 3600.0);
	assert_int_equal(cli_parse_duration("--d", "1.5min", &s), 0);
	assert_true(s == 90.0);
	assert_int_equal(cli_parse_duration("--d", "0", &s), 0);
	const char *bad[] = { "nan", "inf", "1e400", "8d", "200h", "s", "10 s", "ms", "-0.5s" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(cli_parse_duration("--d", bad[i], &s), -1);
}

static void words(void **state)
{
	(void)state;
	static const char *const allowed[] = { "p50", "p99", NULL };
	char **w;
	size_t n;
	assert_int_equal(cli_parse_words("--w", "p99,p50", allowed, &w, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(w[0], "p99");
	cli_free_words(w, n);
	const char *bad[] = { "", ",p50", "p50,", "p50,,p99", "p75", "p50,P99" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(cli_parse_words("--w", bad[i], allowed, &w, &n), -1);
	assert_int_equal(cli_parse_words("--w", "anything,goes", NULL, &w, &n), 0);
	assert_int_equal(n, 2);
	cli_free_words(w, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_ranges_at_long_limits),
		cmocka_unit_test(list_cap),
		cmocka_unit_test(list_bad_spellings),
		cmocka_unit_test(numbers),
		cmocka_unit_test(durations),
		cmocka_unit_test(words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
