/* test_chart.c: the chart layer's arithmetic and text (1-2-5 ticks, log and percentile axes, unit labels,
 * Latin-1, SVG files transcoded to UTF-8), and that degenerate charts (no points, NaN, one point, zeros on a log axis) still render. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plots/chart.h"
#include "plots/report.h"

static int is_125(double v)
{
	double m = v / pow(10, floor(log10(v) + 1e-9));
	return fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
}

static void linear_ticks(void **state)
{
	(void)state;
	struct chart_axis a = { .from_zero = 1 };
	double t[40], lo = 98, hi = 3086;
	size_t n = chart_ticks(&a, &lo, &hi, t, 40);
	assert_true(lo == 0);
	assert_true(hi >= 3086);
	assert_true(n >= 4 && n <= 12);
	double step = t[1] - t[0];
	assert_true(is_125(step));
	for (size_t i = 1; i < n; i++)
		assert_true(fabs(t[i] - t[i - 1] - step) < 1e-9 * hi);
	/* one value, no zero: padded, never a zero-width range */
	struct chart_axis b = { 0 };
	lo = hi = 7;
	n = chart_ticks(&b, &lo, &hi, t, 40);
	assert_true(lo < 7 && hi > 7 && n >= 2);
	/* integer axis (pool sizes): whole-number ticks around a single value */
	struct chart_axis c = { .integer = 1 };
	lo = hi = 4;
	n = chart_ticks(&c, &lo, &hi, t, 40);
	assert_int_equal(n, 3);
	assert_true(t[0] == 3 && t[1] == 4 && t[2] == 5);
	/* all zero */
	lo = hi = 0;
	n = chart_ticks(&a, &lo, &hi, t, 40);
	assert_true(lo == 0 && hi > 0 && n >= 2);
}

static void log_ticks(void **state)
{
	(void)state;
	struct chart_axis a = { .log = 1 };
	double t[40], lo = 629, hi = 49557;
	size_t n = chart_ticks(&a, &lo, &hi, t, 40);
	assert_true(lo <= 629 && hi >= 49557);
	assert_true(lo == 500 && hi == 50000);
	for (size_t i = 0; i < n; i++)
		assert_true(is_125(t[i]));
	assert_int_equal(n, 7); /* 500 1k 2k 5k 10k 20k 50k */
	/* many decades: powers of ten only */
	lo = 3;
	hi = 2e7;
	n = chart_ticks(&a, &lo, &hi, t, 40);
	for (size_t i = 0; i < n; i++)
		if (t[i] > lo)
			assert_true(fabs(log10(t[i]) - round(log10(t[i]))) < 1e-9);
	/* nothing positive: a default decade, no log(0) */
	lo = NAN;
	hi = NAN;
	n = chart_ticks(&a, &lo, &hi, t, 40);
	assert_true(lo == 1 && hi == 10 && n > 0);
}

/* pool sizes that are powers of two: a tick at each, the axis ending at the data */
static void pow2_ticks(void **state)
{
	(void)state;
	struct chart_axis a = { .log = 1, .pow2 = 1, .integer = 1 };
	double t[40], lo = 1, hi = 64;
	size_t n = chart_ticks(&a, &lo, &hi, t, 40);
	assert_int_equal(n, 7);
	assert_true(lo == 1 && hi == 64);
	for (size_t i = 0; i < n; i++)
		assert_true(t[i] == (double)(1u << i));
	lo = 4, hi = 4096;
	n = chart_ticks(&a, &lo, &hi, t, 5); /* too many: every k-th power, evenly spaced still */
	assert_true(n >= 3 && n <= 5 && t[0] == 4 && t[1] > 8);
	for (size_t i = 2; i < n; i++)
		assert_true(t[i] == t[i - 1] * (t[1] / t[0]));
}

static void percentile_axis(void **state)
{
	(void)state;
	struct chart_axis a = { .log = 1, .unit = CHART_UNIT_PCTL };
	double t[40], lo = 1, hi = 11702.86;
	size_t n = chart_ticks(&a, &lo, &hi, t, 40);
	assert_true(lo == 1 && hi == 100000);
	const char *want[] = { "0%", "50%", "90%", "99%", "99.9%", "99.99%", "99.999%" };
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		char buf[32];
		chart_format_value(CHART_UNIT_PCTL, t[i], buf, sizeof buf);
		assert_string_equal(buf, want[i]);
	}
}

static void units(void **state)
{
	(void)state;
	char b[64];
	chart_format_value(CHART_UNIT_US, 500, b, sizeof b);
	assert_string_equal(b, "500 \xC2\xB5s");
	chart_format_value(CHART_UNIT_US, 2500, b, sizeof b);
	assert_string_equal(b, "2.5 ms");
	chart_format_value(CHART_UNIT_US, 1.5e6, b, sizeof b);
	assert_string_equal(b, "1.5 s");
	chart_format_value(CHART_UNIT_US, 0, b, sizeof b);
	assert_string_equal(b, "0");
	chart_format_value(CHART_UNIT_QPS, 950, b, sizeof b);
	assert_string_equal(b, "950");
	chart_format_value(CHART_UNIT_QPS, 1500, b, sizeof b);
	assert_string_equal(b, "1.5k");
	chart_format_value(CHART_UNIT_QPS, 2e6, b, sizeof b);
	assert_string_equal(b, "2M");
	chart_format_value(CHART_UNIT_SECONDS, 30, b, sizeof b);
	assert_string_equal(b, "30 s");
	chart_format_value(CHART_UNIT_US, NAN, b, sizeof b);
	assert_string_equal(b, "-");
}

static void latin1(void **state)
{
	(void)state;
	char b[64];
	chart_latin1("caf\xC3\xA9 \xC2\xB5s", b, sizeof b);
	assert_string_equal(b, "caf\xE9 \xB5s");
	chart_latin1("\xE6\x97\xA5\xE6\x9C\xAC-\xF0\x9F\x90\x98", b, sizeof b); /* CJK and an emoji */
	assert_string_equal(b, "?" "?-?");
	chart_latin1("a\\*mb", b, sizeof b); /* libplot's escape character never passes */
	assert_string_equal(b, "a/*mb");
	chart_latin1("bad \xC3( \xFF end", b, sizeof b); /* invalid UTF-8 */
	assert_string_equal(b, "bad ?( ? end");
	chart_latin1("tab\there", b, sizeof b);
	assert_string_equal(b, "tab?here");
	chart_latin1("long text", b, 5);
	assert_string_equal(b, "long");
}

static char tmpdir[256];

static int render_both(struct chart *c, const char *stem)
{
	char path[512], err[256];
	snprintf(path, sizeof path, "%s/%s.svg", tmpdir, stem);
	if (chart_render(c, path, CHART_SVG, err, sizeof err) < 0)
		return -1;
	struct stat st;
	if (stat(path, &st) != 0 || st.st_size < 200)
		return -1;
	snprintf(path, sizeof path, "%s/%s.png", tmpdir, stem);
	if (chart_render(c, path, CHART_PNG, err, sizeof err) < 0)
		return -1;
	return stat(path, &st) == 0 && st.st_size > 100 ? 0 : -1;
}

/* libplot's ISO-8859-1 SVG becomes UTF-8 byte for byte, and its declaration says so */
static void svg_utf8(void **state)
{
	(void)state;
	static const char in[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"no\"?>\n"
	                         "<svg><text>15 \xB7 caf\xE9 \xB5s \xFF</text></svg>\n";
	char *out = NULL, err[256] = "";
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(chart_svg_to_utf8(in, sizeof in - 1, f, err, sizeof err), 0);
	fclose(f);
	assert_string_equal(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
	                         "<svg><text>15 \xC2\xB7 caf\xC3\xA9 \xC2\xB5s \xC3\xBF</text></svg>\n");
	free(out);
	/* anything else is refused, not mislabelled */
	static const char *const bad[] = { "<svg/>", "<?xml version=\"1.0\"?><svg/>",
		                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?><svg/>",
		                           "<svg/><?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		out = NULL;
		f = open_memstream(&out, &len);
		assert_int_equal(chart_svg_to_utf8(bad[i], strlen(bad[i]), f, err, sizeof err), -1);
		assert_non_null(strstr(err, "ISO-8859-1"));
		fclose(f);
		free(out);
	}
}

static void degenerate_charts(void **state)
{
	(void)state;
	struct chart c;
	/* no series at all */
	chart_init(&c, 800, 480, 1);
	snprintf(c.title, sizeof c.title, "empty");
	assert_int_equal(render_both(&c, "empty"), 0);
	assert_int_equal(chart_nseries(&c), 0);
	chart_free(&c);
	/* only NaN, and zeros on a log axis */
	chart_init(&c, 800, 480, 1);
	c.panel[0].y.log = 1;
	struct chart_series *s = chart_series_add(&c.panel[0], 0, 0, "nan");
	chart_point(s, NAN, NAN);
	chart_point(s, 1, 0);
	chart_point(s, INFINITY, 5);
	assert_int_equal(chart_nseries(&c), 0);
	assert_int_equal(render_both(&c, "nan"), 0);
	chart_free(&c);
	/* one point, two panels, a tiny bitmap, a label far too long */
	chart_init(&c, 200, 150, 2);
	memset(c.title, 'x', sizeof c.title - 1);
	s = chart_series_add(&c.panel[0], 3, 1, "%0200d", 1);
	chart_point(s, 4, 2500);
	s = chart_series_add(&c.panel[1], 9, 7, "second");
	chart_point(s, 4, 1);
	chart_mark_add(&c.panel[0], 4, "1");
	assert_int_equal(chart_nseries(&c), 2);
	assert_int_equal(render_both(&c, "tiny"), 0);
	chart_free(&c);
	/* many series and points: pointers returned earlier stay valid */
	chart_init(&c, 800, 480, 1);
	struct chart_series *first = chart_series_add(&c.panel[0], 0, 0, "first");
	for (int i = 1; i < 40; i++)
		chart_series_add(&c.panel[0], i, i, "s%d", i);
	for (int i = 0; i < 1000; i++)
		chart_point(first, i, i * i);
	assert_int_equal(first->n, 1000);
	assert_string_equal(c.panel[0].series[0]->label, "first");
	assert_int_equal(chart_nseries(&c), 1);
	assert_int_equal(render_both(&c, "many"), 0);
	chart_free(&c);
}

/* Past CHART_NSTYLES series the colours repeat: the marker must then tell them apart. */
static void styles_stay_apart(void **state)
{
	(void)state;
	for (int a = 0; a < 5 * CHART_NSTYLES; a++)
		for (int b = a + CHART_NSTYLES; b < 5 * CHART_NSTYLES; b += CHART_NSTYLES)
			if (chart_marker(a) == chart_marker(b))
				fail_msg("styles %d and %d share colour and marker %d", a, b, chart_marker(a));
	for (int a = 0; a < 5; a++)
		for (int b = a + 1; b < 5; b++)
			assert_int_not_equal(chart_marker(a), chart_marker(b));
}

static void sorting(void **state)
{
	(void)state;
	struct chart c;
	chart_init(&c, 800, 480, 1);
	struct chart_series *s = chart_series_add(&c.panel[0], 0, 0, "s");
	double xs[] = { 8, 1, 4, 2 };
	for (int i = 0; i < 4; i++)
		chart_point(s, xs[i], xs[i] * 10);
	chart_series_sort(s);
	for (int i = 1; i < 4; i++) {
		assert_true(s->x[i - 1] < s->x[i]);
		assert_true(s->y[i] == s->x[i] * 10);
	}
	/* equal x keep their order (y tells them apart), hollow marks move with their points, a NAN x stays
	 * where it is and the points on either side of it are sorted apart */
	struct chart_series *t = chart_series_add(&c.panel[0], 0, 0, "t");
	double tx[] = { 3, 1, 3, 1, NAN, 9, 5 }, ty[] = { 0, 1, 2, 3, 4, 5, 6 };
	for (int i = 0; i < 7; i++)
		chart_point_hollow(t, tx[i], ty[i], i == 2);
	chart_series_sort(t);
	double wx[] = { 1, 1, 3, 3, NAN, 5, 9 }, wy[] = { 1, 3, 0, 2, 4, 6, 5 };
	for (int i = 0; i < 7; i++) {
		assert_true(isnan(wx[i]) ? isnan(t->x[i]) : t->x[i] == wx[i]);
		assert_true(t->y[i] == wy[i]);
		assert_int_equal(t->hollow[i], wy[i] == 2);
	}
	/* 100,000 points in reverse order: sorted (an insertion sort needed 5e9 moves for this) */
	struct chart_series *u = chart_series_add(&c.panel[0], 0, 0, "u");
	for (int i = 100000; i > 0; i--)
		chart_point(u, i, -i);
	chart_series_sort(u);
	for (size_t i = 0; i < u->n; i++)
		assert_true(u->x[i] == (double)(i + 1) && u->y[i] == -(double)(i + 1));
	chart_free(&c);
}

static void relpath(void **state)
{
	(void)state;
	char a[512], b[512], buf[1024];
	snprintf(a, sizeof a, "%s/out", tmpdir);
	snprintf(b, sizeof b, "%s/res", tmpdir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	report_relpath(a, b, buf, sizeof buf);
	assert_string_equal(buf, "../res");
	report_relpath(a, a, buf, sizeof buf);
	assert_string_equal(buf, ".");
	snprintf(a, sizeof a, "%s/res/sub", tmpdir);
	mkdir(a, 0755);
	report_relpath(a, b, buf, sizeof buf);
	assert_string_equal(buf, "..");
	report_relpath(b, a, buf, sizeof buf);
	assert_string_equal(buf, "sub");
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/pgpb-chart.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	/* remove what the tests wrote (no shell: unlink each known file) */
	const char *files[] = { "empty", "nan", "tiny", "many" };
	for (size_t i = 0; i < 4; i++) {
		char p[512];
		snprintf(p, sizeof p, "%s/%s.svg", tmpdir, files[i]);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s.png", tmpdir, files[i]);
		unlink(p);
	}
	char p[512];
	snprintf(p, sizeof p, "%s/res/sub", tmpdir);
	rmdir(p);
	snprintf(p, sizeof p, "%s/res", tmpdir);
	rmdir(p);
	snprintf(p, sizeof p, "%s/out", tmpdir);
	rmdir(p);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linear_ticks), cmocka_unit_test(log_ticks),     cmocka_unit_test(percentile_axis), cmocka_unit_test(pow2_ticks),
		cmocka_unit_test(units),        cmocka_unit_test(latin1), cmocka_unit_test(svg_utf8),        cmocka_unit_test(degenerate_charts),
		cmocka_unit_test(sorting), cmocka_unit_test(styles_stay_apart),      cmocka_unit_test(relpath),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
