/* test_gates.c: the CI gates' pure part (resdir/gates.h): the --threshold grammar (figures, operators,
 * units, the limit in the files' unit, and each refusal), regression limits and figure lists, and the
 * verdicts on steps built by hand: a pass, a violation, a percentile too thin to check, an empty step, and
 * B against A in both directions (a latency up, queries/s down). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "resdir/gates.h"

static void parse_thresholds(void **state)
{
	(void)state;
	struct gate_threshold t;
	assert_int_equal(gate_parse_threshold("--threshold", "p99<50ms", &t), 0);
	assert_string_equal(t.fig->name, "p99");
	assert_int_equal(t.op, GATE_LT);
	assert_true(t.limit == 50000);
	assert_string_equal(t.text, "p99<50ms");
	assert_int_equal(gate_parse_threshold("--threshold", "  qps >= 200 ", &t), 0);
	assert_int_equal(t.op, GATE_GE);
	assert_true(t.limit == 200);
	assert_int_equal(gate_parse_threshold("--threshold", "qps>200qps", &t), 0);
	assert_int_equal(gate_parse_threshold("--threshold", "p999 <= 1.5 s", &t), 0);
	assert_int_equal(t.op, GATE_LE);
	assert_true(t.limit == 1500000);
	assert_int_equal(gate_parse_threshold("--threshold", "mean>250us", &t), 0);
	assert_int_equal(t.op, GATE_GT);
	assert_true(t.limit == 250);
	assert_int_equal(gate_parse_threshold("--threshold", "error_rate<1.5%", &t), 0);
	assert_true(fabs(t.limit - 0.015) < 1e-12);
	assert_int_equal(gate_parse_threshold("--threshold", "errors<1", &t), 0);
	assert_int_equal(gate_parse_threshold("--threshold", "validation_errors<=0", &t), 0);
	assert_int_equal(gate_parse_threshold("--threshold", "max<.5s", &t), 0);
	assert_true(t.limit == 500000);
	static const char *const bad[] = {
		"", "<5ms", "p98<5ms", "P99<5ms", "p99=5ms", "p99==5ms", "p99<<5ms", "p99<>5ms", "p99 5ms", "p99<5",
		"p99<5xs", "p99<-5ms", "p99<ms", "p99<nanms", "p99<infms", "qps>5ms", "qps>-1", "errors<1ms", "error_rate<1",
		"error_rate<101%", "error_rate<1 %%", "p99<5ms extra",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (gate_parse_threshold("--threshold", bad[i], &t) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void parse_regression(void **state)
{
	(void)state;
	double r;
	assert_int_equal(gate_parse_regression("--max-regression", "10%", &r), 0);
	assert_true(fabs(r - 0.10) < 1e-12);
	assert_int_equal(gate_parse_regression("--max-regression", "0%", &r), 0);
	assert_true(r == 0);
	assert_int_equal(gate_parse_regression("--max-regression", "2.5 %", &r), 0);
	static const char *const bad[] = { "10", "-10%", "%", "", "ten%", "10%%", "10% x", "nan%" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (gate_parse_regression("--max-regression", bad[i], &r) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	const struct gate_figure *f[4];
	assert_int_equal(gate_parse_figures("--regression-figures", "p50,p99,qps,p99", f, 4), 3);
	assert_string_equal(f[2]->name, "qps");
	assert_int_equal(gate_parse_figures("--regression-figures", "p50,speed", f, 4), -1);
	assert_int_equal(gate_parse_figures("--regression-figures", "", f, 4), -1);
	assert_int_equal(gate_parse_figures("--regression-figures", "p50,,p99", f, 4), -1);
	assert_int_equal(gate_parse_figures("--regression-figures", "p50,p90,p95,p99,qps", f, 4), -1);
}

/* A step as res_load reads it: every column NAN, then the figures given. */
static struct res_step step(double ok, double qps, double p50, double p99, double errors)
{
	struct res_step s;
	memset(&s, 0, sizeof s);
	for (int i = 0; i < RF_COUNT; i++)
		s.v[i] = NAN;
	s.id = "s001";
	s.v[RF_OK] = ok;
	s.v[RF_QPS] = qps;
	s.v[RF_P50_US] = p50;
	s.v[RF_P99_US] = p99;
	s.v[RF_MAX_US] = p99;
	s.v[RF_ERRORS] = errors;
	s.v[RF_VALIDATION_ERRORS] = 0;
	return s;
}

static void verdicts(void **state)
{
	(void)state;
	struct gate_threshold t;
	double m;
	char why[256];
	struct res_step s = step(5000, 2500, 400, 9000, 50);
	assert_int_equal(gate_parse_threshold("--threshold", "p99<10ms", &t), 0);
	assert_int_equal(gate_check(&t, &s, &m, why, sizeof why), GATE_PASS);
	assert_true(m == 9000);
	assert_int_equal(gate_parse_threshold("--threshold", "p99<9ms", &t), 0);
	assert_int_equal(gate_check(&t, &s, &m, why, sizeof why), GATE_FAIL); /* 9000 < 9000 is false */
	assert_int_equal(gate_parse_threshold("--threshold", "p99<=9ms", &t), 0);
	assert_int_equal(gate_check(&t, &s, &m, why, sizeof why), GATE_PASS);
	assert_int_equal(gate_parse_threshold("--threshold", "error_rate<1%", &t), 0);
	assert_int_equal(gate_check(&t, &s, &m, why, sizeof why), GATE_PASS); /* 50 of 5050 */
	assert_true(fabs(m - 50.0 / 5050) < 1e-12);
	assert_int_equal(gate_parse_threshold("--threshold", "error_rate<0.9%", &t), 0);
	assert_int_equal(gate_check(&t, &s, &m, why, sizeof why), GATE_FAIL);
	/* a p99 from 500 queries: not checkable, whatever its value */
	struct res_step thin = step(500, 250, 400, 100, 0);
	assert_int_equal(gate_parse_threshold("--threshold", "p99<10ms", &t), 0);
	assert_int_equal(gate_check(&t, &thin, &m, why, sizeof why), GATE_UNCHECKABLE);
	assert_string_equal(why, "500 queries, too few for a reliable p99 (it needs 1000)");
	assert_int_equal(gate_parse_threshold("--threshold", "p50<10ms", &t), 0);
	assert_int_equal(gate_check(&t, &thin, &m, why, sizeof why), GATE_PASS);
	/* no query measured: latencies absent, qps 0 still a figure */
	struct res_step none = step(0, 0, NAN, NAN, 0);
	assert_int_equal(gate_parse_threshold("--threshold", "max<1s", &t), 0);
	assert_int_equal(gate_check(&t, &none, &m, why, sizeof why), GATE_UNCHECKABLE);
	assert_string_equal(why, "no query measured");
	assert_int_equal(gate_parse_threshold("--threshold", "qps>1", &t), 0);
	assert_int_equal(gate_check(&t, &none, &m, why, sizeof why), GATE_FAIL);
	assert_int_equal(gate_parse_threshold("--threshold", "error_rate<1%", &t), 0);
	assert_int_equal(gate_check(&t, &none, &m, why, sizeof why), GATE_UNCHECKABLE);
}

static void regression(void **state)
{
	(void)state;
	const struct gate_figure *p99 = gate_figure_find("p99"), *qps = gate_figure_find("qps"),
	                         *errors = gate_figure_find("errors");
	double c;
	char why[256];
	struct res_step a = step(5000, 1000, 400, 10000, 0), b = step(5000, 1000, 400, 11000, 0);
	assert_int_equal(gate_regression(p99, &a, &b, 0.10, &c, why, sizeof why), GATE_PASS); /* exactly 10% */
	assert_true(fabs(c - 0.10) < 1e-12);
	b.v[RF_P99_US] = 11001;
	assert_int_equal(gate_regression(p99, &a, &b, 0.10, &c, why, sizeof why), GATE_FAIL);
	assert_int_equal(gate_regression(p99, &b, &a, 0.10, &c, why, sizeof why), GATE_PASS); /* B better */
	assert_true(c < 0);
	b.v[RF_QPS] = 850;
	assert_int_equal(gate_regression(qps, &a, &b, 0.10, &c, why, sizeof why), GATE_FAIL); /* 15% fewer */
	assert_true(fabs(c - 0.15) < 1e-12);
	assert_int_equal(gate_regression(qps, &b, &a, 0.10, &c, why, sizeof why), GATE_PASS); /* more is better */
	b.v[RF_ERRORS] = 1;
	assert_int_equal(gate_regression(errors, &a, &b, 0.10, &c, why, sizeof why), GATE_FAIL); /* from none */
	assert_true(isinf(c));
	struct res_step thin = step(500, 1000, 400, 10000, 0);
	assert_int_equal(gate_regression(p99, &a, &thin, 0.10, &c, why, sizeof why), GATE_UNCHECKABLE);
	assert_string_equal(why, "run B: 500 queries, too few for a reliable p99 (it needs 1000)");
	struct res_step zero = step(0, 0, NAN, NAN, 0);
	assert_int_equal(gate_regression(qps, &zero, &a, 0.10, &c, why, sizeof why), GATE_UNCHECKABLE);
	char buf[64];
	gate_format(p99, 12345, buf, sizeof buf);
	assert_string_equal(buf, "12.345 ms");
	gate_format(gate_figure_find("error_rate"), 0.0125, buf, sizeof buf);
	assert_string_equal(buf, "1.25%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_thresholds),
		cmocka_unit_test(parse_regression),
		cmocka_unit_test(verdicts),
		cmocka_unit_test(regression),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
